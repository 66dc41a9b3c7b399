/* What a hostile program does to the newer calls (System V IPC, inotify,
 * close_range), one case per run, each printing what a user would see.
 * The lines are Linux 6.18's (musl, as nobody) except where a case says
 * it checks amphi's own rule. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define MAX_SETS 40000

/* /proc/meminfo's field, in kB: read into a static buffer, so that it
 * needs no more of the program's memory once that is all taken. */
static long meminfo(const char *field)
{
	static char text[4096];
	int fd = open("/proc/meminfo", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
	char *at;

	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = 0;
	at = strstr(text, field);
	return at ? atol(at + strlen(field) + 1) : -1;
}

/* amphi's rule (core/page_alloc.h): what a program makes the kernel
 * allocate stops short of a reserve kept for the kernel itself, about a
 * 128th of the memory.  Semaphore sets and messages were once kernel
 * allocations, and ate it all: the program's next page was its end. */
static void reserve_kept(const char *what)
{
	long total = meminfo("MemTotal"), left = meminfo("MemFree");

	printf("%s: the kernel's reserve left: %s\n", what, left >= total / 128 ? "yes" : "no");
}

static int ids[MAX_SETS];

static void hog_sets(bool say)
{
	int n = 0, id;

	while (n < MAX_SETS && (id = semget(IPC_PRIVATE, 32000, 0600)) >= 0)
		ids[n++] = id;
	if (say) {
		printf("semget of 32000 until refused: %s\n", res(-1));
		reserve_kept("sets");
	}
	while (n > 0)
		semctl(ids[--n], 0, IPC_RMID);
}

static void hog_messages(bool say)
{
	static struct { long type; char text[8192]; } m = { 1, "" };
	int n = 0, id = 0;

	while (n < MAX_SETS && (id = msgget(IPC_PRIVATE, 0600)) >= 0) {
		ids[n++] = id;
		if (msgsnd(id, &m, sizeof m.text, IPC_NOWAIT) || msgsnd(id, &m, sizeof m.text, IPC_NOWAIT))
			break;
	}
	if (say) {
		printf("msgsnd of 8192 until refused: %s\n", res(-1));
		reserve_kept("messages");
	}
	while (n > 0)
		msgctl(ids[--n], IPC_RMID, NULL);
}

/* Twice: the first round leaves the kernel's heap and the tables grown,
 * the second must give back all it took. */
static void hog(void (*fn)(bool say))
{
	fn(true);
	long before = meminfo("MemFree");
	fn(false);
	printf("again, all removed: memory back: %s\n", meminfo("MemFree") >= before - 64 ? "yes" : "no");
}

static void hog_sem(void) { hog(hog_sets); }
static void hog_msg(void) { hog(hog_messages); }

/* inotify's watches and instances, made while semaphore sets hold all
 * but the reserve, stop short of it too. */
static void hog_inotify(void)
{
	static char dirs[64][16];
	static int fds[1024];
	int n = 0, id, in = 0, err = 0;

	memset(ids, 0, sizeof ids);	/* its pages in now: later there are none */
	memset(fds, 0, sizeof fds);
	for (int i = 0; i < 64; i++) {
		snprintf(dirs[i], sizeof dirs[i], "/tmp/d%d", i);
		mkdir(dirs[i], 0700);
	}
	for (int size = 32000; size >= 1; size /= 10)
		while (n < MAX_SETS && (id = semget(IPC_PRIVATE, size, 0600)) >= 0)
			ids[n++] = id;
	while (!err && in < 1024 && (fds[in] = inotify_init()) >= 0) {
		in++;
		for (int j = 0; !err && j < 64; j++)
			if (inotify_add_watch(fds[in - 1], dirs[j], IN_ALL_EVENTS) < 0)
				err = 1;
	}
	printf("watches until refused: %s\n", res(-1));
	reserve_kept("watches");
	while (in > 0)
		close(fds[--in]);
	while (n > 0)
		semctl(ids[--n], 0, IPC_RMID);
}

/* msgrcv's type LONG_MIN: Linux takes it as LONG_MAX (any type), since
 * -LONG_MIN is not a long. */
static void msg_type_min(void)
{
	struct { long type; char text[8]; } m = { 5, "hello" }, got = { 0, "" };
	int q = msgget(IPC_PRIVATE, 0600);

	msgsnd(q, &m, 6, 0);
	printf("msgrcv type LONG_MIN: %s", res(msgrcv(q, &got, sizeof got.text, LONG_MIN, IPC_NOWAIT)));
	printf(", type %ld \"%s\"\n", got.type, got.text);
	msgctl(q, IPC_RMID, NULL);
}

/* Beyond where a program's memory can be: Linux's ENOMEM, or EINVAL for
 * an attach without SHM_REMAP whose end wraps. */
static void shm_far(void)
{
	int id = shmget(IPC_PRIVATE, 8192, 0600);
	static const unsigned long at[] = { 0x7ffffffff000, 0x800000000000, 0xffff800000000000,
					    0xfffffffffffff000 };

	for (int i = 0; i < 4; i++) {
		const char *plain = res((long)shmat(id, (void *)at[i], 0));
		const char *remap = res((long)shmat(id, (void *)at[i], SHM_REMAP));
		printf("shmat at %#lx: %s, SHM_REMAP: %s\n", at[i], plain, remap);
	}
	shmctl(id, IPC_RMID, NULL);
	id = shmget(IPC_PRIVATE, 1ul << 62, 0600 | SHM_NORESERVE);
	const char *plain = res((long)shmat(id, (void *)0x10000000, 0));
	const char *remap = res((long)shmat(id, (void *)0x10000000, SHM_REMAP));
	printf("2^62 bytes SHM_NORESERVE at 256M: %s, SHM_REMAP: %s\n", plain, remap);
	shmctl(id, IPC_RMID, NULL);
}

/* close_range's flags are an unsigned int: bits above it are not seen. */
static void close_range_flags(void)
{
	int fd = dup(1);

	printf("close_range with flags 1<<33: %s\n", res(syscall(SYS_close_range, fd, fd, 1ul << 33)));
	printf("the descriptor after: %s\n", fcntl(fd, F_GETFD) < 0 ? "closed" : "open");
}

/* A read into a bad buffer loses the one event it was copying, as on
 * Linux, not every event that would have fitted. */
static void inotify_fault(void)
{
	char buf[4096];
	int in = inotify_init1(IN_NONBLOCK);

	mkdir("/tmp/watched", 0700);
	inotify_add_watch(in, "/tmp/watched", IN_CREATE | IN_OPEN | IN_CLOSE_WRITE);
	close(open("/tmp/watched/a", O_CREAT | O_WRONLY, 0600));
	printf("read into a bad buffer: %s\n", res(read(in, (void *)8, sizeof buf)));
	printf("then: %s bytes\n", res(read(in, buf, sizeof buf)));
	close(in);
}

/* A read of 0 bytes is not end of file: EINVAL with an event queued (it
 * does not fit), EAGAIN without one. */
static void inotify_read_zero(void)
{
	char buf[4096];
	int in = inotify_init1(IN_NONBLOCK);

	mkdir("/tmp/watched", 0700);
	inotify_add_watch(in, "/tmp/watched", IN_CREATE);
	close(open("/tmp/watched/b", O_CREAT | O_WRONLY, 0600));
	printf("read of 0 with an event queued: %s\n", res(read(in, buf, 0)));
	printf("the event: %s bytes\n", res(read(in, buf, sizeof buf)));
	printf("read of 0 with none: %s\n", res(read(in, buf, 0)));
	close(in);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "hog-sem", hog_sem }, { "hog-msg", hog_msg }, { "hog-inotify", hog_inotify }, { "msg-type-min", msg_type_min },
	{ "shm-far", shm_far }, { "close-range-flags", close_range_flags },
	{ "inotify-fault", inotify_fault }, { "inotify-read-zero", inotify_read_zero },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (unsigned i = 0; argc > 1 && i < sizeof cases / sizeof cases[0]; i++)
		if (!strcmp(argv[1], cases[i].name)) {
			cases[i].fn();
			return 0;
		}
	fprintf(stderr, "usage: newcalls_abuse CASE\n");
	return 2;
}
