/* The terminal calls C libraries make on a program's behalf, run on a
 * terminal that is the session's controlling terminal: tcdrain,
 * tcsendbreak, tcflow and tcflush (and their EINVAL; not TCOFLUSH, which
 * on Linux drops what the driver has not read yet), tcflush dropping
 * input typed ahead (whoever drives the terminal types "junk" when asked),
 * and TIOCSWINSZ: the size TIOCGWINSZ then gives, SIGWINCH for a change
 * (not for the same size again), EFAULT at a bad address.  One line per
 * check; Linux's transcript is in tests/vm/test_tty_ioctls.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t winches;

static void on_winch(int sig) { (void)sig; winches++; }

static void say(const char *what, int r)
{
	printf("%s: %s\n", what, r == 0 ? "ok" : errno == EINVAL ? "EINVAL" :
	       errno == EFAULT ? "EFAULT" : errno == ENOTTY ? "ENOTTY" : strerror(errno));
	fflush(stdout);
}

static void flush_typed_ahead(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	int n = -1;

	puts("type junk");
	fflush(stdout);
	if (poll(&p, 1, 60000) != 1)
		return;
	say("tcflush TCIFLUSH", tcflush(0, TCIFLUSH));
	ioctl(0, FIONREAD, &n);
	printf("left after the flush: %d\n", n);
}

static void set_size(unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols, .ws_xpixel = 640, .ws_ypixel = 480 };
	int before = winches;

	say("TIOCSWINSZ", ioctl(0, TIOCSWINSZ, &ws));
	memset(&ws, 0, sizeof ws);
	ioctl(0, TIOCGWINSZ, &ws);
	printf("size %ux%u, pixels %ux%u, SIGWINCH %s\n", ws.ws_row, ws.ws_col, ws.ws_xpixel,
	       ws.ws_ypixel, winches > before ? "yes" : "no");
}

int main(void)
{
	signal(SIGWINCH, on_winch);
	say("tcdrain", tcdrain(1));
	say("tcsendbreak", tcsendbreak(0, 0));
	say("tcflow TCOON", tcflow(0, TCOON));
	say("tcflow 9", tcflow(0, 9));
	say("tcflush 7", tcflush(0, 7));
	flush_typed_ahead();
	set_size(40, 120);
	set_size(40, 120);
	say("TIOCSWINSZ from a bad address", ioctl(0, TIOCSWINSZ, (void *)8));
	puts("tty_calls done");
	return 0;
}
