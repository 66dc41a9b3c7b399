/* amphi switch APP direct|server [--server NAME]: moves an app onto a NIC
 * of its own on its server's bridge, or back onto the server's link, and
 * returns when that is done (docs/netserver.md, "Switching").
 *
 * The app is looked for on every live server (the control request `app
 * NAME`) unless --server names one; the switch itself is the server's
 * supervisor's (`switch NAME MODE`), whose answer comes when the switch
 * is complete: "ok MS", "ok 0 already", "error WHY" (refused: status 2)
 * or "failed WHY" (tried and failed: status 125). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

void cmd_switch_usage(FILE *out)
{
	fputs("usage: amphi switch APP direct|server [--server NAME]\n"
	      "\n"
	      "Moves APP (as named by amphi run --name) onto a NIC of its own (direct\n"
	      "mode) or back onto its network server's link (server mode), keeping its\n"
	      "addresses and open connections, and returns when the move is complete.\n"
	      "Only an app with an address of its own, on q35, behind a server on a\n"
	      "bridge can take a NIC; the NIC is a tap on that bridge.\n"
	      "\n"
	      "options:\n"
	      "  --server NAME      the server APP is on (default: the one that has it)\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 when APP is in that mode (it prints how long the move took);\n"
	      "2 for bad usage, an unknown app, or a switch the server refuses (shared\n"
	      "address, not q35, no bridge, --max-direct reached, one under way); 125\n"
	      "when the switch was tried and failed.\n",
	      out);
}

/* Does live server NAME have APP? */
static bool server_has(const char *name, const char *app)
{
	int fd = control_connect(name);

	if (fd < 0)
		return false;	/* it stopped just now */
	char *req = xasprintf("app %s", app);
	char *r = control_request("switch", name, fd, req);
	bool yes = !strncmp(r, "ok ", 3);
	close(fd);
	free(req);
	free(r);
	return yes;
}

static const char *find_server(const char *app)
{
	size_t n;
	char **names = server_names(&n);
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (server_probe(names[i], NULL) != SERVER_LIVE || !server_has(names[i], app))
			continue;
		if (found)
			die("switch: app '%s' is on servers '%s' and '%s': say which with --server",
			    app, found, names[i]);
		found = names[i];
	}
	if (!found)
		die("switch: no app named '%s' on any server (see amphi server status)", app);
	return found;
}

static void parse_args(int argc, char **argv, const char **server, const char **app,
		       const char **mode)
{
	static const struct option options[] = {
		{ "server", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (opt == 'h') {
			cmd_switch_usage(stdout);
			exit(0);
		}
		if (opt == 's')
			*server = optarg;
		else if (opt == ':')
			die("switch: %s needs a value (see amphi help switch)", opt_failed(argv));
		else
			die("switch: unknown option '%s' (see amphi help switch)", opt_failed(argv));
	}
	if (argc - optind != 2)
		die("switch: wants APP and direct or server (see amphi help switch)");
	*app = argv[optind];
	*mode = argv[optind + 1];
	if (strcmp(*mode, "direct") && strcmp(*mode, "server"))
		die("switch: the mode is direct or server, not '%s'", *mode);
	if (!app_name_ok(*app))
		die("switch: no app named '%s' (a name is 1 to %d letters, digits, '_', '.' or '-')",
		    *app, LINK_NAME_MAX - 1);
}

int cmd_switch(int argc, char **argv)
{
	const char *server = NULL, *app, *mode;
	long long ms;
	char more[16] = "";

	parse_args(argc, argv, &server, &app, &mode);
	if (!server)
		server = find_server(app);
	int fd = control_open("switch", server, NULL);
	char *req = xasprintf("switch %s %s", app, mode);
	char *r = control_request("switch", server, fd, req);

	r[strcspn(r, "\n")] = 0;
	if (!strncmp(r, "error ", 6))
		die("switch: %s", r + 6);
	if (!strncmp(r, "failed ", 7))
		die_status(EXIT_VMFAIL, "switch: app %s: %s", app, r + 7);
	if (sscanf(r, "ok %lld %15s", &ms, more) < 1)
		die_status(EXIT_VMFAIL, "switch: server '%s' answered '%s'", server, r);
	if (!strcmp(more, "already"))
		printf("%s: in %s mode already\n", app, mode);
	else
		printf("%s: %s mode after %.3f s\n", app, mode, (double)ms / 1000);
	free(req);
	free(r);
	return 0;
}
