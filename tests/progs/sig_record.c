/* Prints "ready", then one line for each signal it gets, as it gets it:
 * "got SIGHUP", ... and for SIGWINCH the terminal's size, "got SIGWINCH
 * ROWSxCOLS" (or "got SIGWINCH, no terminal").  SIGTERM ends it with
 * status 0 after its line.  With argument "deaf" it ignores every signal
 * and never ends by itself (for amphi stop).
 *
 * The handler only writes the number to a pipe; main prints, so printf is
 * never called from a handler. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int pipe_fds[2];

static void on_signal(int sig)
{
	unsigned char n = (unsigned char)sig;

	(void)!write(pipe_fds[1], &n, 1);
}

static const char *name_of(int sig)
{
	switch (sig) {
	case SIGINT: return "INT";
	case SIGTERM: return "TERM";
	case SIGHUP: return "HUP";
	case SIGQUIT: return "QUIT";
	case SIGUSR1: return "USR1";
	case SIGUSR2: return "USR2";
	}
	return "?";
}

static void print_signal(int sig)
{
	struct winsize ws;

	if (sig != SIGWINCH)
		printf("got SIG%s\n", name_of(sig));
	else if (ioctl(1, TIOCGWINSZ, &ws) == 0)
		printf("got SIGWINCH %ux%u\n", ws.ws_row, ws.ws_col);
	else
		printf("got SIGWINCH, no terminal\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	int deaf = argc > 1 && !strcmp(argv[1], "deaf");
	unsigned char n;

	if (pipe(pipe_fds))
		return 1;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], deaf ? SIG_IGN : on_signal);
	printf("ready\n");
	fflush(stdout);
	if (deaf)
		for (;;)
			pause();
	while (read(pipe_fds[0], &n, 1) == 1) {
		print_signal(n);
		if (n == SIGTERM)
			return 0;
	}
	return 1;
}
