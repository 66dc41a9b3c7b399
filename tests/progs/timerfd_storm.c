/* Periodic timerfds with the shortest interval (1 ns), never read while the
 * program works: the kernel must not let their expirations take the CPUs.
 * Linux re-arms a periodic timerfd only when it is read (the missed periods
 * are counted then), so an unread one costs nothing.  Two threads arm 1900
 * timers each (on whatever CPUs they run), then the main thread passes a
 * byte back and forth with a thread 20000 times and forks a child; a read
 * gives at least one expiration and gettime the interval.  Prints
 * "timerfd_storm ok", or "FAIL: ..." and status 1.  (On the kernel that
 * re-armed each timer from its interrupt, the CPUs spent nine tenths of
 * their time there and this took two minutes under TCG instead of four
 * seconds.) */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 2
#define PER_THREAD 1900

static int tfd[THREADS][PER_THREAD];
static int ping[2], pong[2];

static void fail(const char *what)
{
	printf("FAIL: %s (errno %d)\n", what, errno);
	exit(1);
}

static void *arm(void *arg)
{
	int *fd = arg;
	struct itimerspec its = { { 0, 1 }, { 0, 1 } };

	for (int i = 0; i < PER_THREAD; i++) {
		if ((fd[i] = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK)) < 0)
			fail("timerfd_create");
		if (timerfd_settime(fd[i], 0, &its, NULL))
			fail("timerfd_settime");
	}
	return NULL;
}

static void *echo(void *arg)
{
	char c;

	(void)arg;
	while (read(ping[0], &c, 1) == 1)
		if (write(pong[1], &c, 1) != 1)
			fail("echo write");
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS], e;
	struct rlimit rl = { 4096, 4096 };
	char c = 'x';

	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("setrlimit");
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, arm, tfd[i]);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	if (pipe(ping) || pipe(pong))
		fail("pipe");
	pthread_create(&e, NULL, echo, NULL);
	for (int i = 0; i < 20000; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			fail("ping-pong");
	close(ping[1]);
	pthread_join(e, NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
		fail("fork");
	for (int i = 0; i < THREADS; i++) {
		uint64_t ticks = 0;
		struct itimerspec cur;
		if (read(tfd[i][0], &ticks, sizeof ticks) != sizeof ticks || ticks < 1)
			fail("read");
		if (timerfd_gettime(tfd[i][0], &cur) || cur.it_interval.tv_sec || cur.it_interval.tv_nsec != 1)
			fail("gettime");
	}
	printf("timerfd_storm ok\n");
	return 0;
}
