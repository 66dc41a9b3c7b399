/* ^C on the controlling terminal reaches its foreground process group,
 * not the session leader that moved it there (a shell running a job):
 * the child leads a group of its own, the parent gives it the terminal
 * (tcsetpgrp), the child says "ready" and waits for SIGINT; whoever
 * drives the terminal then types ^C.  The parent reports whether SIGINT
 * reached it too (on Linux it does not).  tests/vm/test_tty_fg_signal.py
 * runs it with amphi on a pty, and natively. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_signal(int sig) { got = sig; }

static void child(void)
{
	signal(SIGINT, on_signal);
	while (tcgetpgrp(0) != getpgrp())
		usleep(1000);
	puts("ready");
	fflush(stdout);
	while (!got)
		pause();
	puts("the foreground group got SIGINT");
	_exit(0);
}

int main(void)
{
	int st;

	signal(SIGINT, on_signal);
	signal(SIGTTOU, SIG_IGN);	/* to take the terminal back, as a shell does */
	pid_t pid = fork();
	if (!pid) {
		setpgid(0, 0);
		child();
	}
	setpgid(pid, pid);
	tcsetpgrp(0, pid);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	tcsetpgrp(0, getpgrp());
	printf("child: %s\n", WIFEXITED(st) && !WEXITSTATUS(st) ? "exit 0" : "failed");
	printf("the session leader: %s\n", got ? "got SIGINT" : "no SIGINT");
	return 0;
}
