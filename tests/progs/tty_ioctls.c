/* The terminal's ioctls as a careless or hostile program uses them, run on
 * a terminal that is the session's controlling terminal: bad pointers
 * (EFAULT, never a fault), an ioctl no terminal knows (ENOTTY), the
 * controlling-terminal queries from a process of another session
 * (ENOTTY; /dev/tty ENXIO), TIOCSCTTY to take the terminal from another
 * session (EPERM), tcsetattr from a background group (SIGTTOU, as tcsetpgrp), and TCGETS
 * writing no more than the kernel's struct termios (36 bytes, all glibc's
 * tcgetattr gives it).  One line
 * per check; Linux's transcript is in tests/vm/test_tty_ioctls.py (run
 * natively as a session leader on a pty, as that test runs amphi). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "child_end.h"

#define BAD ((void *)8)	/* an address nothing is mapped at */

static const char *err_of(long r)
{
	return r >= 0 ? "ok" : errno == EFAULT ? "EFAULT" : errno == EINVAL ? "EINVAL" :
	       errno == EPERM ? "EPERM" : errno == EIO ? "EIO" : errno == ENOTTY ? "ENOTTY" :
	       strerror(errno);
}

static void say(const char *what, long r)
{
	printf("%s: %s\n", what, err_of(r));
	fflush(stdout);
}

/* A child runs what and ends with its status; its first reported status
 * (a stopped one is killed). */
static const char *in_child(int (*what)(void), int background)
{
	int st;
	pid_t pid = fork();

	if (!pid) {
		if (background)
			setpgid(0, 0);
		_exit(what());
	}
	if (background)
		setpgid(pid, pid);
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return status_of(st);
}

/* In a session of its own, where the terminal is nobody's controlling
 * terminal: each query fails with ENOTTY (exit 0), else the check that
 * did not (exit its number). */
static int another_session(void)
{
	pid_t pgrp;

	if (setsid() < 0)
		return 1;
	if (tcgetpgrp(0) != -1 || errno != ENOTTY)
		return 2;
	if (tcgetsid(0) != -1 || errno != ENOTTY)
		return 3;
	pgrp = getpgrp();
	if (ioctl(0, TIOCSPGRP, &pgrp) != -1 || errno != ENOTTY)
		return 4;
	if (ioctl(0, TIOCSCTTY, 0) != -1 || errno != EPERM)
		return 5;
	if (open("/dev/tty", O_RDWR) != -1 || errno != ENXIO)
		return 6;
	return 0;
}

static int set_attrs(void)
{
	struct termios t;

	if (tcgetattr(0, &t))
		return 1;
	return tcsetattr(0, TCSANOW, &t) ? 2 : 0;
}

static int set_attrs_ignoring(void)
{
	signal(SIGTTOU, SIG_IGN);
	return set_attrs();
}

/* Whether the get ioctl cmd into buf (cap bytes) left the bytes after
 * the first size alone. */
static const char *get_kept_to(unsigned long cmd, unsigned char *buf, size_t size, size_t cap)
{
	memset(buf, 0xa5, cap);
	if (ioctl(0, cmd, buf))
		return err_of(-1);
	for (size_t i = size; i < cap; i++)
		if (buf[i] != 0xa5)
			return "written past";
	return "ok";
}

/* Whether TCGETS left the bytes after the kernel's struct termios alone. */
static const char *termios_size_kept(void)
{
	unsigned char buf[36 + 24];

	return get_kept_to(TCGETS, buf, 36, sizeof buf);
}

/* The caller's own group (orphaned: the session leader's parent is in no
 * group of its session) in the background: the terminal calls that would
 * stop it get EIO instead, except tcsetpgrp, ENOTTY on Linux. */
static void orphaned_background(void)
{
	struct termios t;
	pid_t pid = fork();
	char c;

	if (!pid) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(pid, pid);
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(0, pid);
	signal(SIGTTOU, SIG_DFL);
	tcgetattr(0, &t);
	say("orphaned background tcsetpgrp", tcsetpgrp(0, getpgrp()));
	say("orphaned background tcsetattr", tcsetattr(0, TCSANOW, &t));
	say("orphaned background read", read(0, &c, 1));
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(0, getpgrp());
	signal(SIGTTOU, SIG_DFL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* struct termios2 is termios and the two speeds, 44 bytes; the numbers
 * as <asm/ioctls.h> makes them (musl's headers have none). */
#undef TCGETS2
#undef TCSETS2
#define TCGETS2	0x802c542a
#define TCSETS2	0x402c542b

/* TCGETS2 (newer C libraries' tcgetattr) writes 44 bytes and no more, and
 * TCSETS2 takes them back. */
static const char *termios2_kept(void)
{
	unsigned char buf[44 + 20];
	const char *kept = get_kept_to(TCGETS2, buf, 44, sizeof buf);

	if (strcmp(kept, "ok"))
		return kept;
	return ioctl(0, TCSETS2, buf) ? err_of(-1) : "ok";
}

int main(void)
{
	struct termios t;

	say("TCGETS to a bad address", ioctl(0, TCGETS, BAD));
	say("TCSETS from a bad address", ioctl(0, TCSETS, BAD));
	say("TCSETSW from a bad address", ioctl(0, TCSETSW, BAD));
	say("TIOCGWINSZ to a bad address", ioctl(0, TIOCGWINSZ, BAD));
	say("TIOCGPGRP to a bad address", ioctl(0, TIOCGPGRP, BAD));
	say("TIOCSPGRP from a bad address", ioctl(0, TIOCSPGRP, BAD));
	say("TIOCGSID to a bad address", ioctl(0, TIOCGSID, BAD));
	say("FIONREAD to a bad address", ioctl(0, FIONREAD, BAD));
	say("an ioctl no terminal knows", ioctl(0, _IO('T', 0x7f), 0));
	say("a socket's ioctl", ioctl(0, 0x8912 /* SIOCGIFCONF */, 0));
	say("TIOCSCTTY by the session leader that has it", ioctl(0, TIOCSCTTY, 0));
	printf("TCGETS into 36 bytes: %s\n", termios_size_kept());
	printf("TCGETS2 into 44 bytes, TCSETS2 back: %s\n", termios2_kept());
	say("TCSETS2 from a bad address", ioctl(0, TCSETS2, BAD));
	say("tcgetattr", tcgetattr(0, &t));
	say("tcsetattr with what tcgetattr gave", tcsetattr(0, TCSANOW, &t));
	printf("another session: %s\n", in_child(another_session, 0));
	printf("background tcsetattr: %s\n", in_child(set_attrs, 1));
	printf("background tcsetattr, SIGTTOU ignored: %s\n", in_child(set_attrs_ignoring, 1));
	orphaned_background();
	puts("tty_ioctls done");
	return 0;
}
