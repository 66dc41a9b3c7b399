/* TOSTOP, run on a terminal that is the session's controlling terminal:
 * set with tcsetattr it reads back set, and a background group that
 * writes is stopped by SIGTTOU, or writes when SIGTTOU is ignored; with
 * TOSTOP clear again the background writes.  One line per check; Linux's
 * transcript is in tests/vm/test_tty_tostop.py (run natively as a session
 * leader on a pty, as that test runs amphi). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "child_end.h"

/* A child in a group of its own runs what; its first reported status
 * (a stopped one is killed). */
static const char *in_background(int (*what)(void))
{
	int st;
	pid_t pid = fork();

	if (!pid) {
		setpgid(0, 0);
		_exit(what());
	}
	setpgid(pid, pid);
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return status_of(st);
}

static int write_line(void) { return write(1, "background write\n", 17) == 17 ? 0 : 9; }

static int write_ignoring(void)
{
	signal(SIGTTOU, SIG_IGN);
	return write_line();
}

static int set_tostop(int on)
{
	struct termios t;

	if (tcgetattr(0, &t))
		return -1;
	t.c_lflag = on ? t.c_lflag | TOSTOP : t.c_lflag & ~TOSTOP;
	if (tcsetattr(0, TCSANOW, &t) || tcgetattr(0, &t))
		return -1;
	return !!(t.c_lflag & TOSTOP);
}

int main(void)
{
	printf("TOSTOP set, reads back: %d\n", set_tostop(1));
	fflush(stdout);
	printf("background write: %s\n", in_background(write_line));
	printf("background write, SIGTTOU ignored: %s\n", in_background(write_ignoring));
	printf("TOSTOP clear, reads back: %d\n", set_tostop(0));
	fflush(stdout);
	printf("background write: %s\n", in_background(write_line));
	puts("tty_tostop done");
	return 0;
}
