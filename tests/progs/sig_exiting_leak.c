/* Signals sent to a process whose last thread is ending must not stay
 * queued: the siginfos are one pool for the whole machine.  A child
 * floods its parent with real-time signals while the parent's slow
 * teardown runs; afterwards a fresh process must be able to queue as many
 * real-time signals as one could before.  Prints both counts. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS	3

/* How many blocked real-time signals a fresh process can queue to itself
 * (at most 2000), counted in a child. */
static int room(void)
{
	int p[2], n = 0;

	pipe(p);
	if (fork() == 0) {
		sigset_t s;
		union sigval v = { 0 };
		sigemptyset(&s);
		sigaddset(&s, SIGRTMIN + 1);
		sigprocmask(SIG_BLOCK, &s, NULL);
		while (n < 2000 && sigqueue(getpid(), SIGRTMIN + 1, v) == 0)
			n++;
		write(p[1], &n, sizeof n);
		_exit(0);
	}
	read(p[0], &n, sizeof n);
	wait(NULL);
	close(p[0]);
	close(p[1]);
	return n;
}

/* A process that blocks SIGRTMIN, has a child flood it with SIGRTMIN
 * until it is gone, and ends with 24 MiB to tear down. */
static void flooded_exit(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	pid_t me = getpid();
	if (fork() == 0) {
		while (kill(me, SIGRTMIN) == 0 || errno != ESRCH)
			;
		_exit(0);
	}
	size_t len = 24 << 20;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 1, len);
	usleep(200000);
	_exit(0);
}

int main(void)
{
	int before = room();

	for (int round = 0; round < ROUNDS; round++) {
		pid_t p = fork();
		if (p == 0)
			flooded_exit();
		waitpid(p, NULL, 0);
		usleep(300000);	/* the flooder sees ESRCH and ends */
	}
	printf("room before: %d\nroom after: %d\n", before, room());
	return 0;
}
