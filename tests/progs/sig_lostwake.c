/* Sleeps in read() on an empty pipe N times (argument 1), each time until
 * a one-shot ITIMER_REAL of 1 to 300 us fires and its SIGALRM handler
 * writes a byte (SA_RESTART: the read goes on and takes it); prints "N
 * wake-ups".  A wake-up lost between the read's last look for signals and
 * its sleep leaves it asleep for good. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int fds[2];

static void on_alarm(int sig)
{
	char c = (char)sig;

	(void)!write(fds[1], &c, 1);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	if (pipe(fds) || sigaction(SIGALRM, &sa, NULL))
		return 1;
	for (int i = 0; i < n; i++) {
		struct itimerval it = { { 0, 0 }, { 0, 1 + (i * 7919) % 300 } };
		char c;
		if (setitimer(ITIMER_REAL, &it, NULL) || read(fds[0], &c, 1) != 1)
			return 1;
	}
	printf("%d wake-ups\n", n);
	return 0;
}
