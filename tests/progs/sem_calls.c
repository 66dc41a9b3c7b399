/* System V semaphores, one case per argument; each line says what a call
 * gave (a number or errno's name), the same as on Linux.  Ids differ from
 * machine to machine, so lines compare them instead of printing them.
 *   get    semget: private and keyed sets, the same key again, IPC_EXCL,
 *          counts zero, negative and past SEMMSL, a key nobody made.
 *   ops    semop: values up and down, IPC_NOWAIT, all of a call's
 *          operations or none, waiting for zero, ERANGE at SEMVMX,
 *          EFBIG, E2BIG, EFAULT; semctl's SETVAL, GETVAL, GETPID, GETALL,
 *          SETALL.
 *   wait   a child blocked on a semaphore (GETNCNT, GETZCNT) until the
 *          parent lets it go; a timeout; a signal (EINTR); the set
 *          removed under it (EIDRM).
 *   undo   SEM_UNDO: a child's changes undone when it ends, clamped at 0;
 *          SETVAL forgets them.
 *   perm   as uid 1000 on root's 0600 set.
 *   ctl    IPC_STAT's counts and times, IPC_INFO's limits, SEM_STAT by
 *          slot, bad commands, IPC_RMID twice.
 *   mutex  four processes add to a counter in System V shared memory
 *          2000 times each, under a semaphore used as a lock: 8000.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "call_result.h"

#define KEY 0x5e3a0001

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *info;
};

static const char *ok(long r) { return r == -1 ? res(r) : "ok"; }

static long op(int id, int num, int delta, int flags)
{
	struct sembuf b = { (unsigned short)num, (short)delta, (short)flags };
	return semop(id, &b, 1);
}

static long val(int id, int num) { return semctl(id, num, GETVAL); }
static long setval(int id, int num, int v) { return semctl(id, num, SETVAL, (union semun){ .val = v }); }

static void case_get(void)
{
	int a = semget(IPC_PRIVATE, 3, 0600), b = semget(IPC_PRIVATE, 3, 0600);
	printf("two private: %s %s, different: %s\n", ok(a), ok(b), a != b ? "yes" : "no");
	int k = semget(KEY, 4, IPC_CREAT | 0600);
	printf("keyed: %s, values %s %s\n", ok(k), res(val(k, 0)), res(val(k, 3)));
	printf("same key, fewer: %s\n", semget(KEY, 2, 0) == k ? "the same id" : "another");
	printf("same key, more: %s\n", res(semget(KEY, 5, 0)));
	printf("IPC_CREAT|IPC_EXCL: %s\n", res(semget(KEY, 1, IPC_CREAT | IPC_EXCL | 0600)));
	printf("none: %s, -1: %s, 32001: %s\n", res(semget(IPC_PRIVATE, 0, 0600)),
	       res(semget(IPC_PRIVATE, -1, 0600)), res(semget(IPC_PRIVATE, 32001, 0600)));
	printf("nobody's key: %s\n", res(semget(KEY + 1, 1, 0600)));
	semctl(a, 0, IPC_RMID);
	semctl(b, 0, IPC_RMID);
	semctl(k, 0, IPC_RMID);
}

static void case_ops(void)
{
	int id = semget(IPC_PRIVATE, 3, 0600);
	unsigned short all[3] = { 7, 8, 9 }, got[3] = { 0 };

	printf("SETVAL 1: %s\n", res(setval(id, 0, 1)));
	printf("GETVAL %s\n", res(val(id, 0)));
	printf("+2: %s\n", res(op(id, 0, 2, 0)));
	printf("now %s, GETPID me: %s\n", res(val(id, 0)), semctl(id, 0, GETPID) == getpid() ? "yes" : "no");
	printf("-1: %s\n", res(op(id, 0, -1, 0)));
	printf("-5 IPC_NOWAIT: %s\n", res(op(id, 0, -5, IPC_NOWAIT)));
	printf("still %s\n", res(val(id, 0)));
	struct sembuf two[2] = { { 0, 1, 0 }, { 1, -5, IPC_NOWAIT } };
	printf("+1 on 0 with -5 on 1: %s\n", res(semop(id, two, 2)));
	printf("0 unchanged: %s\n", res(val(id, 0)));
	struct sembuf same[2] = { { 0, -2, IPC_NOWAIT }, { 0, 3, 0 } };
	printf("-2 then +3 on 0 (holding 2): %s\n", res(semop(id, same, 2)));
	printf("now %s\n", res(val(id, 0)));
	printf("wait for zero, IPC_NOWAIT: %s\n", res(op(id, 0, 0, IPC_NOWAIT)));
	printf("wait for zero on 1: %s\n", res(op(id, 1, 0, 0)));
	printf("SETVAL 32767: %s\n", res(setval(id, 2, 32767)));
	printf("+1: %s\n", res(op(id, 2, 1, 0)));
	printf("SETVAL 32768: %s, -1: %s\n", res(setval(id, 2, 32768)), res(setval(id, 2, -1)));
	printf("sem 3: %s\n", res(op(id, 3, 1, 0)));
	struct sembuf many[501];
	for (int i = 0; i < 501; i++)
		many[i] = (struct sembuf){ 1, 0, IPC_NOWAIT };
	printf("0 ops: %s, 501: %s\n", res(semop(id, many, 0)), res(semop(id, many, 501)));
	printf("500 of wait-for-zero on 1: %s\n", res(semop(id, many, 500)));
	printf("bad pointer: %s, bad id: %s, negative: %s\n", res(semop(id, (void *)8, 1)),
	       res(op(id + 1, 0, 1, 0)), res(op(-1, 0, 1, 0)));
	printf("SETALL: %s\n", res(semctl(id, 0, SETALL, (union semun){ .array = all })));
	printf("GETALL: %s", res(semctl(id, 0, GETALL, (union semun){ .array = got })));
	printf(" %u %u %u\n", got[0], got[1], got[2]);
	all[1] = 40000;
	printf("SETALL with 40000: %s\n", res(semctl(id, 0, SETALL, (union semun){ .array = all })));
	printf("GETALL to a bad pointer: %s\n", res(semctl(id, 0, GETALL, (union semun){ .array = (void *)8 })));
	printf("GETVAL of sem 3: %s, -1: %s\n", res(val(id, 3)), res(val(id, -1)));
	semctl(id, 0, IPC_RMID);
}

static void report_wait(int id, struct sembuf *b, const struct timespec *t)
{
	long r = t ? semtimedop(id, b, 1, t) : semop(id, b, 1);
	printf("child's wait: %s\n", res(r));
	fflush(stdout);
	_exit(0);
}

static pid_t waiter(int id, int num, int delta, const struct timespec *t)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct sembuf b = { (unsigned short)num, (short)delta, 0 };
		report_wait(id, &b, t);
	}
	/* until it waits (20 s at most: then the counts printed show it) */
	for (int i = 0; i < 2000 && semctl(id, num, delta ? GETNCNT : GETZCNT) < 1; i++)
		usleep(10000);
	return pid;
}

static void on_alarm(int sig) { (void)sig; }

static void case_wait(void)
{
	int id = semget(IPC_PRIVATE, 2, 0600);

	pid_t pid = waiter(id, 0, -1, NULL);
	printf("GETNCNT %s, GETZCNT %s\n", res(semctl(id, 0, GETNCNT)), res(semctl(id, 0, GETZCNT)));
	long r = op(id, 0, 1, 0);
	waitpid(pid, NULL, 0);	/* its line first, whatever the timing */
	printf("+1: %s\n", res(r));
	printf("after: %s, GETNCNT %s\n", res(val(id, 0)), res(semctl(id, 0, GETNCNT)));

	setval(id, 1, 2);
	pid = waiter(id, 1, 0, NULL);
	printf("GETZCNT on 1: %s\n", res(semctl(id, 1, GETZCNT)));
	r = op(id, 1, -2, 0);
	waitpid(pid, NULL, 0);
	printf("-2 on 1: %s\n", res(r));

	struct timespec t = { 0, 100000000 };
	struct sembuf b = { 0, -1, 0 };
	printf("semtimedop 100 ms: %s\n", res(semtimedop(id, &b, 1, &t)));
	t.tv_nsec = 1000000000;
	printf("semtimedop, bad timeout: %s\n", res(semtimedop(id, &b, 1, &t)));

	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	printf("a signal, SA_RESTART: %s\n", res(semop(id, &b, 1)));

	pid = waiter(id, 0, -1, NULL);
	r = semctl(id, 0, IPC_RMID);
	waitpid(pid, NULL, 0);
	printf("IPC_RMID under it: %s\n", res(r));
}

static void child_op(int id, int delta, int flags, int in, int out)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		printf("child's op %+d: %s\n", delta, res(op(id, 0, delta, flags)));
		fflush(stdout);
		write(out, "x", 1);
		read(in, &c, 1);
		_exit(0);
	}
}

static void case_undo(void)
{
	int id = semget(IPC_PRIVATE, 1, 0600), go[2], done[2];
	char c;

	pipe(go);
	pipe(done);
	setval(id, 0, 3);
	child_op(id, -2, SEM_UNDO, go[0], done[1]);
	read(done[0], &c, 1);
	printf("while the child lives: %s\n", res(val(id, 0)));
	write(go[1], "x", 1);
	wait(NULL);
	printf("after it ends: %s\n", res(val(id, 0)));

	setval(id, 0, 0);
	child_op(id, 1, SEM_UNDO, go[0], done[1]);
	read(done[0], &c, 1);
	printf("-1 by the parent: %s\n", res(op(id, 0, -1, 0)));
	write(go[1], "x", 1);
	wait(NULL);
	printf("its -1 at the end, clamped: %s\n", res(val(id, 0)));

	setval(id, 0, 4);
	child_op(id, -1, SEM_UNDO, go[0], done[1]);
	read(done[0], &c, 1);
	printf("SETVAL 5 while it lives: %s\n", res(setval(id, 0, 5)));
	write(go[1], "x", 1);
	wait(NULL);
	printf("after it ends: %s\n", res(val(id, 0)));
	semctl(id, 0, IPC_RMID);
}

static void case_perm(void)
{
	int id = semget(KEY, 1, IPC_CREAT | 0600);
	struct semid_ds ds;

	fflush(stdout);
	if (fork() == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		printf("1000: semget 0600: %s\n", res(semget(KEY, 1, 0600)));
		printf("1000: semget 0: %s\n", semget(KEY, 1, 0) == id ? "the id" : res(-1));
		printf("1000: semop: %s\n", res(op(id, 0, 1, 0)));
		printf("1000: GETVAL: %s\n", res(val(id, 0)));
		printf("1000: SETVAL: %s\n", res(setval(id, 0, 1)));
		printf("1000: IPC_STAT: %s\n", res(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds })));
		memset(&ds, 0, sizeof ds);
		printf("1000: IPC_SET: %s\n", res(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds })));
		printf("1000: IPC_RMID: %s\n", res(semctl(id, 0, IPC_RMID)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds });
	ds.sem_perm.uid = 1000;
	ds.sem_perm.mode = 0660;
	printf("IPC_SET uid 1000, 0660: %s\n", res(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds })));
	fflush(stdout);
	if (fork() == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		printf("1000: semop now: %s\n", res(op(id, 0, 1, 0)));
		printf("1000: IPC_RMID as owner: %s\n", res(semctl(id, 0, IPC_RMID)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
}

static void case_ctl(void)
{
	int id = semget(KEY, 5, IPC_CREAT | 0640);
	struct semid_ds ds;
	struct seminfo info;

	semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds });
	printf("nsems %lu, mode %o, otime %s, ctime %s\n", (unsigned long)ds.sem_nsems,
	       ds.sem_perm.mode, ds.sem_otime ? "set" : "0", ds.sem_ctime ? "set" : "0");
	op(id, 0, 1, 0);
	semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds });
	printf("after a semop, otime %s\n", ds.sem_otime ? "set" : "0");
	long max = semctl(0, 0, IPC_INFO, (union semun){ .info = &info });
	printf("IPC_INFO: %s, semmsl %d semopm %d semvmx %d semaem %d\n", max >= 0 ? "ok" : res(max),
	       info.semmsl, info.semopm, info.semvmx, info.semaem);
	int found = 0;
	for (long i = 0; i <= max; i++)
		found |= semctl((int)i, 0, SEM_STAT, (union semun){ .buf = &ds }) == id;
	printf("SEM_STAT finds it by slot: %s\n", found ? "yes" : "no");
	printf("command 99: %s, negative id: %s\n", res(semctl(id, 0, 99)), res(semctl(-1, 0, GETVAL)));
	printf("IPC_STAT to a bad pointer: %s\n", res(semctl(id, 0, IPC_STAT, (union semun){ .buf = (void *)8 })));
	printf("IPC_RMID: %s\n", res(semctl(id, 0, IPC_RMID)));
	printf("again: %s\n", res(semctl(id, 0, IPC_RMID)));
}

static void case_mutex(void)
{
	int lock = semget(IPC_PRIVATE, 1, 0600), mem = shmget(IPC_PRIVATE, 4096, 0600);
	volatile long *counter = shmat(mem, NULL, 0);

	setval(lock, 0, 1);
	for (int i = 0; i < 4; i++)
		if (fork() == 0) {
			for (int n = 0; n < 2000; n++) {
				op(lock, 0, -1, SEM_UNDO);
				long v = *counter;
				sched_yield();	/* a window for a lost update, were the lock broken */
				*counter = v + 1;
				op(lock, 0, 1, SEM_UNDO);
			}
			_exit(0);
		}
	while (wait(NULL) > 0)
		;
	printf("counter %ld, lock %s\n", *counter, res(val(lock, 0)));
	semctl(lock, 0, IPC_RMID);
	shmctl(mem, IPC_RMID, NULL);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "get"))
		case_get();
	else if (!strcmp(argv[1], "ops"))
		case_ops();
	else if (!strcmp(argv[1], "wait"))
		case_wait();
	else if (!strcmp(argv[1], "undo"))
		case_undo();
	else if (!strcmp(argv[1], "perm"))
		case_perm();
	else if (!strcmp(argv[1], "ctl"))
		case_ctl();
	else if (!strcmp(argv[1], "mutex"))
		case_mutex();
	else
		return 2;
	return 0;
}
