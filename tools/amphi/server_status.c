/* amphi server status NAME [--json]: the supervisor's answer, as it is. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "amphi.h"
#include "server.h"

int server_status(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0;
	const char *name = server_one_name("server status", argc, argv, options, &json);
	int fd = control_open("server status", name, NULL);
	char *r = control_request("server status", name, fd, json ? "status json" : "status text");

	fputs(r, stdout);
	free(r);
	return 0;
}
