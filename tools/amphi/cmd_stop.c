/* amphi stop APP: the VM started with amphi run --name APP stopped at once,
 * whatever its program does with signals.  Its amphi run does it, asked
 * with a signal of amphi's own (signals_stop_request); this waits until
 * that amphi run has exited, through a pidfd: it lets go of the name a
 * moment before, and a caller that waits for it (its parent) must find it
 * gone when we return. */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

#define STOP_WAIT_MS	30000

void cmd_stop_usage(FILE *out)
{
	fputs("usage: amphi stop APP\n"
	      "\n"
	      "Stops the VM started with amphi run --name APP at once, whatever its\n"
	      "program does with signals (its amphi run ends with status 137), and\n"
	      "returns when it is gone.\n"
	      "\n"
	      "options:\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 when the VM is gone; 2 for bad usage or no VM of that name;\n"
	      "125 when it is still there 30 seconds later.\n",
	      out);
}

int cmd_stop(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (opt == 'h') {
			cmd_stop_usage(stdout);
			exit(0);
		}
		die("stop: unknown option '%s' (see amphi help stop)", opt_failed(argv));
	}
	pid_t pid = vm_running("stop", argc, argv);
	const char *app = argv[optind];
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return 0;	/* it ended on its own meanwhile */
	/* Through the pidfd, so a pid reused since cannot get the signal. */
	if (syscall(SYS_pidfd_send_signal, pidfd, signals_stop_request(), NULL, 0) < 0)
		return 0;
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	for (int64_t end = now_ms() + STOP_WAIT_MS, left; (left = end - now_ms()) > 0;)
		if (poll(&p, 1, (int)left) > 0)
			return 0;
	die_status(EXIT_VMFAIL, "stop: %s (amphi run, pid %ld) is still running", app, (long)pid);
}
