/* amphi server stop NAME: asks the supervisor to stop, then waits until it
 * has: its lock on the pid file goes only once the VM is gone and the
 * folder removed, so the name and the ports are free when this returns. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

#define STOP_WAIT_MS	60000
#define STOP_POLL_MS	20

/* NAME alone (every server command but list takes one). */
const char *server_one_name(const char *cmd, int argc, char **argv, const struct option *extra,
			    int *flag)
{
	static const struct option help[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", extra ? extra : help, NULL)) != -1) {
		if (opt == 'h') {
			cmd_server_usage(stdout);
			exit(0);
		}
		if (opt == 'j' && flag)
			*flag = 1;
		else
			die("%s: unknown option '%s' (see amphi help server)", cmd, opt_failed(argv));
	}
	if (optind >= argc)
		die("%s: missing NAME (see amphi help server)", cmd);
	if (optind + 1 < argc)
		die("%s: one NAME only, not '%s' too", cmd, argv[optind + 1]);
	return argv[optind];
}

int server_stop(int argc, char **argv)
{
	const char *name = server_one_name("server stop", argc, argv, NULL, NULL);
	int pid_fd = -1;
	int fd = control_open("server stop", name, &pid_fd);
	char *r = control_request("server stop", name, fd, "stop");

	if (strcmp(r, "ok\n"))
		die_status(EXIT_VMFAIL, "server stop: server '%s': %s", name, r);
	for (int waited = 0; flock(pid_fd, LOCK_SH | LOCK_NB) < 0; waited += STOP_POLL_MS) {
		if (waited >= STOP_WAIT_MS)
			die_status(EXIT_VMFAIL, "server stop: server '%s' did not stop within %d s",
				   name, STOP_WAIT_MS / 1000);
		usleep(STOP_POLL_MS * 1000);
	}
	return 0;
}
