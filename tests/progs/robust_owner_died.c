/* Robust mutexes whose owner died: the next locker gets EOWNERDEAD, as on
 * Linux, whose exit walks the dead thread's robust list.
 *   robust_owner_died shared    its owner, another process, exits
 *   robust_owner_died thread    its owner, another thread, exits
 *   robust_owner_died exec      its owner, another process, execs (and lives
 *                               on until killed)
 *   robust_owner_died loop      a child's robust list loops for ever and its
 *                               pending entry is a bad pointer: it exits
 * The mutexes are process-shared: musl gives the kernel only those (it
 * walks its own list for the others, in pthread_exit).
 * Each prints what the waiting lock returned and whether the mutex could
 * be made consistent and locked again. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Process-shared: musl gives the kernel the robust list of those only. */
static pthread_mutex_t *robust_mutex(void)
{
	pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	return m;
}

/* Locks m, with a 5 s limit (a hang is the bug), and reports. */
static void lock_and_report(pthread_mutex_t *m)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	int r = pthread_mutex_timedlock(m, &ts);
	printf("lock: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : r ? strerror(r) : "locked");
	if (r != EOWNERDEAD)
		return;
	r = pthread_mutex_consistent(m);
	pthread_mutex_unlock(m);
	printf("consistent: %s, relock: %s\n", r ? strerror(r) : "ok",
	       pthread_mutex_lock(m) ? "failed" : "ok");
}

static pthread_mutex_t *m;
static int ready[2];
static char **args;

/* The owner takes m and waits until the locker (likely) sleeps on it, so
 * its end must wake a waiter, not only mark the word; then it ends the way
 * mode says.  A thread ends through the exit system call itself:
 * pthread_exit would release musl's robust list in user space. */
static void *owner(void *mode)
{
	pthread_mutex_lock(m);
	write(ready[1], "x", 1);
	usleep(300000);
	if (!strcmp(mode, "exec"))
		execl("/proc/self/exe", args[0], "exec-done", (char *)NULL);
	if (!strcmp(mode, "thread"))
		syscall(SYS_exit, 0);
	_exit(0);
}

/* A list the kernel must give up on: the walk stops after 2048 entries. */
static void loop_and_exit(void)
{
	static struct { uint64_t next; uint32_t word; } e;
	static struct { uint64_t next; int64_t offset; uint64_t pending; } head;

	e.next = (uint64_t)&e;
	e.word = (uint32_t)syscall(SYS_gettid);
	head.next = (uint64_t)&e;
	head.offset = 8;
	head.pending = 16;	/* unmapped */
	syscall(SYS_set_robust_list, &head, sizeof head);
	_exit(0);
}

int main(int argc, char **argv)
{
	char *mode = argc > 1 ? argv[1] : "shared", x;
	pid_t c = 0;
	pthread_t t;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "exec-done"))
		for (;;)
			pause();	/* the new image lives on: only exec let go */
	if (!strcmp(mode, "loop")) {
		if ((c = fork()) == 0)
			loop_and_exit();
		waitpid(c, NULL, 0);
		printf("loop: exited\n");
		return 0;
	}
	args = argv;
	m = robust_mutex();
	pipe(ready);
	if (!strcmp(mode, "thread"))
		pthread_create(&t, NULL, owner, mode);
	else if ((c = fork()) == 0)
		owner(mode);
	read(ready[0], &x, 1);
	lock_and_report(m);
	if (c) {
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
	}
	return 0;
}
