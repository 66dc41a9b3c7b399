/* prlimit(RLIMIT_CPU) on a process as it exits, many times over: the
 * limit's timer must not be armed on a process that has ended (it would
 * fire on the freed process once it is reaped).  Each child exits at once
 * while the parent sets its CPU limit in a loop until it has reaped the
 * child; after all rounds, it sleeps past the limit's check period.
 * Linux 6.x prints the same line. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS	300

int main(void)
{
	struct rlimit lim = { 1000, RLIM_INFINITY };
	int bad = 0;

	for (int i = 0; i < ROUNDS; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return 1;
		int status, reaped;
		do {	/* its limit set again and again until it is reaped */
			prlimit(pid, RLIMIT_CPU, &lim, NULL);
			reaped = waitpid(pid, &status, WNOHANG);
		} while (reaped == 0);
		if (reaped != pid || status != 0)
			bad++;
	}
	struct timespec ts = { 0, 600000000 };
	nanosleep(&ts, NULL);	/* past two of the limit's checks */
	printf("rounds: %d, bad: %d\n", ROUNDS, bad);
	return 0;
}
