/* amphi server list: one line per server that runs, from each one's
 * `summary`:  NAME SUPERVISOR-PID APPS/SLOTS UPTIME.  Folders whose
 * supervisor died are removed on the way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

static void list_one(const char *name)
{
	int pid, apps, slots;
	long long up;
	char dur[32];

	if (server_probe(name, NULL) != SERVER_LIVE)
		return;
	int fd = control_connect(name);
	if (fd < 0)
		return;	/* it stopped just now */
	char *r = control_request("server list", name, fd, "summary");
	close(fd);
	if (sscanf(r, "ok %d %d %d %lld", &pid, &apps, &slots, &up) == 4) {
		format_duration(dur, sizeof dur, up);
		printf("%s %d %d/%d %s\n", name, pid, apps, slots, dur);
	}
	free(r);
}

int server_list(int argc, char **argv)
{
	size_t n;

	(void)argv;
	if (argc > 1)
		die("server list: takes no arguments");
	char **names = server_names(&n);
	for (size_t i = 0; i < n; i++)
		list_one(names[i]);
	return 0;
}
