/* amphi kill [--signal SIG] APP: a signal for the program of a VM started
 * with amphi run --name APP.  It goes to that amphi run (vm_names.c finds
 * it), which passes it on as one from the terminal would be (console.c,
 * take_signal). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

static const struct { const char *name; int sig; } forwarded[] = {
	{ "INT", SIGINT }, { "TERM", SIGTERM }, { "HUP", SIGHUP }, { "QUIT", SIGQUIT },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "WINCH", SIGWINCH },
};

void cmd_kill_usage(FILE *out)
{
	fputs("usage: amphi kill [--signal SIG] APP\n"
	      "\n"
	      "Sends signal SIG to the program of the VM started with amphi run --name APP,\n"
	      "as amphi run passes on the signals it receives.\n"
	      "\n"
	      "options:\n"
	      "  -s, --signal SIG   INT, TERM (default), HUP, QUIT, USR1, USR2 or WINCH,\n"
	      "                     with or without SIG, or its number\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 when the signal was sent; 2 for bad usage or no VM of that\n"
	      "name.\n",
	      out);
}

static int signal_named(const char *s)
{
	const char *bare = strncmp(s, "SIG", 3) == 0 ? s + 3 : s;
	char *end;
	long n = strtol(s, &end, 10);

	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		if (!strcmp(bare, forwarded[i].name) || (*s && !*end && n == forwarded[i].sig))
			return forwarded[i].sig;
	die("kill: --signal wants INT, TERM, HUP, QUIT, USR1, USR2 or WINCH (the signals "
	    "amphi run passes on), not '%s'", s);
}

int cmd_kill(int argc, char **argv)
{
	static const struct option options[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int sig = SIGTERM, opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:s:h", options, NULL)) != -1) {
		switch (opt) {
		case 's': sig = signal_named(optarg); break;
		case 'h': cmd_kill_usage(stdout); exit(0);
		case ':': die("kill: %s needs a value (see amphi help kill)", opt_failed(argv));
		default: die("kill: unknown option '%s' (see amphi help kill)", opt_failed(argv));
		}
	}
	pid_t pid = vm_running("kill", argc, argv);
	if (kill(pid, sig) < 0)
		die("kill: %s is gone", argv[optind]);
	return 0;
}
