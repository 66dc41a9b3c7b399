/* The terminal's part in job control, run on a terminal that is the
 * session's controlling terminal: tcgetpgrp, tcsetpgrp (and its errors),
 * tcgetsid; a background group that reads is stopped by SIGTTIN, or gets
 * EIO with SIGTTIN ignored; one that calls tcsetpgrp is stopped by
 * SIGTTOU, or succeeds with SIGTTOU ignored; writing from the background
 * is allowed (no TOSTOP).  One line per check; Linux's transcript is in
 * tests/vm/proc_expected.py (run natively as a session leader on a pty:
 * tests/vm/test_procs.py says how). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "child_end.h"

static void say(const char *what, const char *result)
{
	printf("%s: %s\n", what, result);
	fflush(stdout);
}

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static const char *err_of(int r)
{
	return r == 0 ? "ok" : errno == EINVAL ? "EINVAL" : errno == EPERM ? "EPERM" :
	       errno == EIO ? "EIO" : errno == ENOTTY ? "ENOTTY" : errno == ESRCH ? "ESRCH" :
	       strerror(errno);
}

/* A child in a group of its own (a background job) doing what, then
 * ending with 0; its first reported status. */
static const char *in_background(void (*what)(void), pid_t *pid_out)
{
	int st;
	pid_t pid = fork();

	if (!pid) {
		setpgid(0, 0);
		what();
		_exit(0);
	}
	setpgid(pid, pid);
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (pid_out)
		*pid_out = pid;
	return status_of(st);
}

static void read_tty(void)
{
	char c;

	_exit(read(0, &c, 1) < 0 && errno == EIO ? 5 : 6);
}

static void read_tty_ignoring(void)
{
	signal(SIGTTIN, SIG_IGN);
	read_tty();
}

static void take_tty(void) { _exit(tcsetpgrp(0, getpgrp()) ? 7 : 8); }

static void take_tty_ignoring(void)
{
	signal(SIGTTOU, SIG_IGN);
	take_tty();
}

static void write_tty(void) { _exit(write(1, "background write\n", 17) == 17 ? 0 : 9); }

int main(void)
{
	pid_t child;

	say("foreground is our group", yes(tcgetpgrp(0) == getpgrp()));
	say("tcgetsid is our session", yes(tcgetsid(0) == getsid(0)));
	say("tcsetpgrp -1", err_of(tcsetpgrp(0, -1)));
	say("tcsetpgrp to no group", err_of(tcsetpgrp(0, 99999)));
	say("tcsetpgrp to our own", err_of(tcsetpgrp(0, getpgrp())));
	say("background read", in_background(read_tty, NULL));
	say("background read, SIGTTIN ignored", in_background(read_tty_ignoring, NULL));
	say("background tcsetpgrp", in_background(take_tty, NULL));
	say("background tcsetpgrp, SIGTTOU ignored", in_background(take_tty_ignoring, &child));
	say("the foreground is the child's group", yes(tcgetpgrp(0) == child));
	signal(SIGTTOU, SIG_IGN);	/* as a shell does, to take it back */
	say("taken back", err_of(tcsetpgrp(0, getpgrp())));
	signal(SIGTTOU, SIG_DFL);
	say("foreground is ours again", yes(tcgetpgrp(0) == getpgrp()));
	say("background write", in_background(write_tty, NULL));
	puts("tty_jobctl done");
	return 0;
}
