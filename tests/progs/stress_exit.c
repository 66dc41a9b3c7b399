/* Threads and processes that end the moment they are woken, on every vCPU.
 * Each round starts N threads and N children (N from the seed) that all block
 * reading a pipe; one write wakes them all, and each ends at once: a thread
 * by returning, a child by _exit with its number.  The CPU a sleeper left
 * may still be switching away from it when it has been woken, run and
 * ended elsewhere (the scheduler's sched_finish_switch).  Every thread must
 * be joined, every child reaped with its own status.  Prints
 * "exit ok: ROUNDS rounds".  Usage: stress_exit SEED ROUNDS (the seed picks
 * how many workers a round has, 2 to 5). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS	5

static void fail(const char *what)
{
	printf("FAIL: %s\n", what);
	exit(1);
}

static void wait_byte(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		fail("read of the go byte");
}

static void *thread_main(void *arg)
{
	wait_byte(*(int *)arg);
	return NULL;
}

static void start_children(int n, int fd, pid_t *pids)
{
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			fail("fork");
		if (pids[i] == 0) {
			wait_byte(fd);
			_exit(10 + i);
		}
	}
}

static void reap_children(int n, const pid_t *pids)
{
	for (int i = 0; i < n; i++) {
		int status;
		if (waitpid(pids[i], &status, 0) != pids[i])
			fail("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 10 + i)
			fail("a child's status");
	}
}

static void round_once(int n)
{
	char go[2 * MAX_WORKERS] = { 0 };
	pthread_t threads[MAX_WORKERS];
	pid_t pids[MAX_WORKERS];
	int p[2];

	if (pipe(p))
		fail("pipe");
	for (int i = 0; i < n; i++)
		if (pthread_create(&threads[i], NULL, thread_main, &p[0]))
			fail("pthread_create");
	start_children(n, p[0], pids);
	usleep(200);	/* most of them asleep in the read by now */
	if (write(p[1], go, 2 * n) != 2 * n)
		fail("write of the go bytes");
	for (int i = 0; i < n; i++)
		if (pthread_join(threads[i], NULL))
			fail("pthread_join");
	reap_children(n, pids);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: stress_exit SEED ROUNDS\n");
		return 2;
	}
	int workers = 2 + atoi(argv[1]) % (MAX_WORKERS - 1), rounds = atoi(argv[2]);

	for (int r = 0; r < rounds; r++)
		round_once(workers);
	printf("exit ok: %d rounds\n", rounds);
	return 0;
}
