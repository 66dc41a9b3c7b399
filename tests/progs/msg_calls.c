/* System V message queues, one case per argument; each line says what a
 * call gave (a number, bytes, or errno's name), the same as on Linux.
 * Ids differ from machine to machine, so lines compare them instead of
 * printing them.
 *   get    msgget: private and keyed queues, IPC_EXCL, a key nobody made.
 *   order  messages of several types taken by type 0, a type, MSG_EXCEPT,
 *          a negative type (the lowest type first), MSG_COPY by index;
 *          E2BIG and MSG_NOERROR; ENOMSG; bad sizes, types and pointers.
 *   full   a queue at msg_qbytes: IPC_NOWAIT's EAGAIN, a sender that
 *          waits for room, a receiver that waits for a message, a signal
 *          (EINTR), the queue removed under a waiter (EIDRM); IPC_SET's
 *          msg_qbytes.
 *   perm   as uid 1000 on root's 0600 queue; msg_qbytes past MSGMNB
 *          without CAP_SYS_RESOURCE.
 *   ctl    IPC_STAT's counts, pids and times, IPC_INFO's limits,
 *          MSG_STAT by slot, bad commands, IPC_RMID twice.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define KEY 0x3e5a0001
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct msg {
	long type;
	char text[64];
};

static const char *ok(long r) { return r == -1 ? res(r) : "ok"; }

static long send(int id, long type, const char *text, int flags)
{
	struct msg m = { type, "" };

	strncpy(m.text, text, sizeof m.text - 1);
	return msgsnd(id, &m, strlen(text), flags);
}

/* msgrcv into a buffer of size bytes: its result and what came. */
static void receive(const char *what, int id, size_t size, long type, int flags)
{
	struct msg m = { 0, "" };
	long r = msgrcv(id, &m, size, type, flags);

	if (r >= 0)
		printf("%s: %ld, type %ld \"%.*s\"\n", what, r, m.type, (int)r, m.text);
	else
		printf("%s: %s\n", what, res(r));
}

static void case_get(void)
{
	int a = msgget(IPC_PRIVATE, 0600), b = msgget(IPC_PRIVATE, 0600);
	printf("two private: %s %s, different: %s\n", ok(a), ok(b), a != b ? "yes" : "no");
	int k = msgget(KEY, IPC_CREAT | 0600);
	printf("keyed: %s, again: %s\n", ok(k), msgget(KEY, 0) == k ? "the same id" : "another");
	printf("IPC_CREAT|IPC_EXCL: %s\n", res(msgget(KEY, IPC_CREAT | IPC_EXCL | 0600)));
	printf("nobody's key: %s\n", res(msgget(KEY + 1, 0600)));
	msgctl(a, IPC_RMID, NULL);
	msgctl(b, IPC_RMID, NULL);
	msgctl(k, IPC_RMID, NULL);
}

static void case_order(void)
{
	int id = msgget(IPC_PRIVATE, 0600);
	struct msg m = { 1, "x" };

	send(id, 3, "three", 0);
	send(id, 1, "one", 0);
	send(id, 2, "two", 0);
	send(id, 1, "one again", 0);
	send(id, 5, "five", 0);
	receive("MSG_COPY 2", id, 64, 2, MSG_COPY | IPC_NOWAIT);
	receive("MSG_COPY 9", id, 64, 9, MSG_COPY | IPC_NOWAIT);
	receive("MSG_COPY without IPC_NOWAIT", id, 64, 0, MSG_COPY);
	receive("type 2", id, 64, 2, 0);
	receive("type -4", id, 64, -4, 0);
	receive("type -4", id, 64, -4, 0);
	receive("MSG_EXCEPT 3", id, 64, 3, MSG_EXCEPT);
	receive("3 bytes", id, 3, 0, 0);
	receive("3 bytes, MSG_NOERROR", id, 3, 0, MSG_NOERROR);
	receive("empty, IPC_NOWAIT", id, 64, 0, IPC_NOWAIT);
	printf("type 0: %s, -1: %s\n", res(send(id, 0, "x", 0)), res(send(id, -1, "x", 0)));
	printf("8193 bytes: %s, -1: %s\n", res(msgsnd(id, &m, 8193, 0)), res(msgsnd(id, &m, -1, 0)));
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + 4096, 4096);
	*(long *)(page + 4088) = 1;
	printf("bad pointer: %s, text past its page: %s\n", res(msgsnd(id, (void *)8, 1, 0)),
	       res(msgsnd(id, page + 4088, 64, 0)));
	printf("0 bytes: %s\n", res(msgsnd(id, &m, 0, 0)));
	receive("the empty one", id, 64, 0, 0);
	send(id, 4, "lost", 0);
	printf("receive into a bad pointer: %s\n", res(msgrcv(id, (void *)8, 64, 0, 0)));
	receive("then, IPC_NOWAIT", id, 64, 0, IPC_NOWAIT);
	printf("bad id: %s, negative size: %s\n", res(msgrcv(id + 1, &m, 64, 0, IPC_NOWAIT)),
	       res(msgrcv(id, &m, -1, 0, IPC_NOWAIT)));
	msgctl(id, IPC_RMID, NULL);
}

static void on_alarm(int sig) { (void)sig; }

/* A child that waits in msgrcv for type 7; returns once it is about to
 * (its word through a pipe, then 2 s for the call to start waiting). */
static pid_t child_receives(int id)
{
	int ready[2];
	char c;

	pipe(ready);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		write(ready[1], "x", 1);
		receive("child's receive", id, 64, 7, 0);
		fflush(stdout);
		_exit(0);
	}
	read(ready[0], &c, 1);
	usleep(2000000);
	return pid;
}

static void case_full(void)
{
	int id = msgget(IPC_PRIVATE, 0600);
	struct msqid_ds ds;
	char big[8192 + sizeof(long)];

	memset(big, 'b', sizeof big);
	*(long *)big = 1;
	printf("8192: %s\n", res(msgsnd(id, big, 8192, 0)));
	printf("8192: %s\n", res(msgsnd(id, big, 8192, 0)));
	printf("1 more, IPC_NOWAIT: %s\n", res(msgsnd(id, big, 1, IPC_NOWAIT)));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child's wait for room: %s\n", res(msgsnd(id, big, 100, 0)));
		fflush(stdout);
		_exit(0);
	}
	usleep(300000);
	long r = msgrcv(id, big, 1, 0, MSG_NOERROR);
	waitpid(pid, NULL, 0);
	printf("room made: %s\n", res(r));
	msgctl(id, IPC_STAT, &ds);
	printf("qnum %lu, cbytes %lu, qbytes %lu\n", (unsigned long)ds.msg_qnum,
	       (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes);
	ds.msg_qbytes = 8000;
	printf("qbytes 8000, under what it holds: %s\n", res(msgctl(id, IPC_SET, &ds)));
	printf("send, IPC_NOWAIT: %s\n", res(send(id, 7, "seven", IPC_NOWAIT)));
	ds.msg_qbytes = 16384;
	msgctl(id, IPC_SET, &ds);

	pid = child_receives(id);
	r = send(id, 7, "seven", 0);
	waitpid(pid, NULL, 0);
	printf("send type 7: %s\n", res(r));

	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	receive("a signal while waiting, SA_RESTART", id, 64, 9, 0);
	pid = child_receives(id);
	r = msgctl(id, IPC_RMID, NULL);
	waitpid(pid, NULL, 0);
	printf("IPC_RMID under it: %s\n", res(r));
}

static void case_perm(void)
{
	int id = msgget(KEY, IPC_CREAT | 0600);
	struct msqid_ds ds;
	struct msg m = { 1, "x" };

	send(id, 1, "root's", 0);
	fflush(stdout);
	if (fork() == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		printf("1000: msgget 0600: %s\n", res(msgget(KEY, 0600)));
		printf("1000: msgget 0: %s\n", msgget(KEY, 0) == id ? "the id" : res(-1));
		printf("1000: msgsnd: %s\n", res(msgsnd(id, &m, 1, IPC_NOWAIT)));
		printf("1000: msgrcv: %s\n", res(msgrcv(id, &m, 64, 0, IPC_NOWAIT)));
		printf("1000: IPC_STAT: %s\n", res(msgctl(id, IPC_STAT, &ds)));
		printf("1000: IPC_RMID: %s\n", res(msgctl(id, IPC_RMID, NULL)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	msgctl(id, IPC_STAT, &ds);
	ds.msg_perm.uid = 1000;
	printf("IPC_SET uid 1000: %s\n", res(msgctl(id, IPC_SET, &ds)));
	fflush(stdout);
	if (fork() == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		printf("1000: msgrcv now: %s\n", res(msgrcv(id, &m, 64, 0, IPC_NOWAIT)));
		msgctl(id, IPC_STAT, &ds);
		ds.msg_qbytes = 16385;
		printf("1000: qbytes 16385: %s\n", res(msgctl(id, IPC_SET, &ds)));
		ds.msg_qbytes = 100;
		printf("1000: qbytes 100: %s\n", res(msgctl(id, IPC_SET, &ds)));
		printf("1000: IPC_RMID as owner: %s\n", res(msgctl(id, IPC_RMID, NULL)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
}

static void case_ctl(void)
{
	int id = msgget(KEY, IPC_CREAT | 0640);
	struct msqid_ds ds;
	struct msginfo info;

	msgctl(id, IPC_STAT, &ds);
	printf("mode %o, qbytes %lu, stime %s, ctime %s\n", ds.msg_perm.mode,
	       (unsigned long)ds.msg_qbytes, ds.msg_stime ? "set" : "0", ds.msg_ctime ? "set" : "0");
	send(id, 1, "abc", 0);
	msgctl(id, IPC_STAT, &ds);
	printf("sent: qnum %lu cbytes %lu, lspid me: %s, stime %s, rtime %s\n",
	       (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes,
	       ds.msg_lspid == getpid() ? "yes" : "no", ds.msg_stime ? "set" : "0",
	       ds.msg_rtime ? "set" : "0");
	receive("taken", id, 64, 0, 0);
	msgctl(id, IPC_STAT, &ds);
	printf("received: qnum %lu, lrpid me: %s, rtime %s\n", (unsigned long)ds.msg_qnum,
	       ds.msg_lrpid == getpid() ? "yes" : "no", ds.msg_rtime ? "set" : "0");
	long max = msgctl(0, IPC_INFO, (struct msqid_ds *)&info);
	printf("IPC_INFO: %s, msgmax %d msgmnb %d msgssz %d msgseg %u\n", max >= 0 ? "ok" : res(max),
	       info.msgmax, info.msgmnb, info.msgssz, info.msgseg);
	int found = 0;
	for (long i = 0; i <= max; i++)
		found |= msgctl((int)i, MSG_STAT, &ds) == id;
	printf("MSG_STAT finds it by slot: %s\n", found ? "yes" : "no");
	printf("command 99: %s, negative id: %s\n", res(msgctl(id, 99, &ds)), res(msgctl(-1, IPC_STAT, &ds)));
	printf("IPC_STAT to a bad pointer: %s\n", res(msgctl(id, IPC_STAT, (void *)8)));
	printf("IPC_RMID: %s\n", res(msgctl(id, IPC_RMID, NULL)));
	printf("again: %s\n", res(msgctl(id, IPC_RMID, NULL)));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "get"))
		case_get();
	else if (!strcmp(argv[1], "order"))
		case_order();
	else if (!strcmp(argv[1], "full"))
		case_full();
	else if (!strcmp(argv[1], "perm"))
		case_perm();
	else if (!strcmp(argv[1], "ctl"))
		case_ctl();
	else
		return 2;
	return 0;
}
