/* SO_LINGER with a long time (600 s) on a TCP connection whose peer never
 * reads, so the close has unsent data to wait for.
 *
 * Linux ends the wait early when a signal comes (sk_stream_wait_close),
 * and a process that is ending does not linger at all (inet_release).
 * amphi's wait once ignored the signal and spun, taking and dropping
 * lwIP's core lock, until the whole linger time was spent: a close
 * interrupted by SIGALRM, or the exit of a process killed by SIGKILL, took
 * 600 s.  Here both must end, which the test's run time-out checks.
 *
 * Prints fixed lines; a FAIL line and status 1 on a wrong answer. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stuck_conn.h"

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A close in its linger wait, ended by SIGALRM (every 20 ms, so one comes
 * whenever the close starts). */
static void close_with_signal(void)
{
	struct sockaddr_in addr;
	int l = listener(&addr, 4);
	int c = stuck_client(&addr, 1000);
	int a = accept(l, NULL, NULL);	/* never read */
	struct itimerval every = { { 0, 20000 }, { 0, 20000 } }, off = { 0 };

	if (a < 0)
		die("accept");
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &every, NULL);
	int r = close(c);
	setitimer(ITIMER_REAL, &off, NULL);
	printf("close with SIGALRM coming: %d, handler ran: %s\n", r, alarms ? "yes" : "no");
	close(a);
	close(l);
}

/* A child killed while its lingering socket is open: it ends at once. */
static void killed_child(void)
{
	struct sockaddr_in addr;
	int l = listener(&addr, 4);
	int ready[2];

	if (pipe(ready))
		die("pipe");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		stuck_client(&addr, 1000);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	int a = accept(l, NULL, NULL);	/* never read */
	char b;
	if (a < 0 || read(ready[0], &b, 1) != 1)
		die("child not ready");
	kill(pid, SIGKILL);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	printf("killed child: %s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "SIGKILL" : "other status");
	close(a);
	close(l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	close_with_signal();
	killed_child();
	printf("net_linger_signal done\n");
	return 0;
}
