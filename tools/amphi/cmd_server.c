/* amphi server COMMAND: a second table of subcommands, matched exactly as
 * the first, each in its own file (server_start.c, server_stop.c,
 * server_list.c, server_status.c). */
#include <string.h>
#include "amphi.h"
#include "server.h"

static const struct command subcommands[] = {
	{ "start", server_start, NULL, "start a network server and its supervisor" },
	{ "stop", server_stop, NULL, "stop a network server" },
	{ "list", server_list, NULL, "list the network servers that run" },
	{ "status", server_status, NULL, "show a network server and its apps" },
};

void cmd_server_usage(FILE *out)
{
	fprintf(out,
	      "usage: amphi server start NAME [options]\n"
	      "       amphi server stop NAME\n"
	      "       amphi server list\n"
	      "       amphi server status NAME [--json]\n"
	      "\n"
	      "A network server is a VM that owns a NIC and forwards Ethernet frames for\n"
	      "the apps started with 'amphi run --server NAME', over shared memory (one\n"
	      "slot each). A supervisor process runs it, restarts it at once if it dies,\n"
	      "and keeps its state in the runtime folder ($AMPHI_RUNTIME_DIR, else\n"
	      "/run/amphi for root, $XDG_RUNTIME_DIR/amphi, or /tmp/amphi-UID).\n"
	      "\n"
	      "start: returns once the server VM forwards; options:\n"
	      "  --net MODE         user (QEMU's user networking, the default), tap=IFNAME\n"
	      "                     (an existing tap), or bridge=BRIDGE (a tap of the\n"
	      "                     server's own, added to BRIDGE and removed at the end)\n"
	      "  -p, --publish [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]\n"
	      "                     forward a host port (on HOSTADDR, default 127.0.0.1) to\n"
	      "                     the server, which passes it to the app that listens on\n"
	      "                     GUESTPORT; user networking only; repeatable\n"
	      "  --ip ADDR/PREFIX   the server's IPv4 address (default: DHCP)\n"
	      "  --gw ADDR          its IPv4 gateway (with --ip)\n"
	      "  --dns ADDR         a name server for it and its apps; repeatable\n"
	      "  --ip6 ADDR/PREFIX  its static IPv6 address\n"
	      "  --hostname NAME    its host name\n"
	      "  --slots N          apps at once, 1 to %d (default %d)\n"
	      "  --max-direct N     apps in direct mode at once, on NICs of their own on\n"
	      "                     the bridge, 0 to %d (default %d; amphi help switch)\n"
	      "  --smp N            virtual CPUs (default 1)\n"
	      "  -m, --memory SIZE  memory of the server VM (default 64M)\n"
	      "  --kernel PATH      kernel image (default as amphi run)\n"
	      "  --qemu PATH        QEMU binary (default qemu-system-x86_64)\n"
	      "  --accel ACCEL      kvm or tcg (default kvm if /dev/kvm works, else tcg)\n"
	      "  -v, --verbose      show the QEMU command line and the kernel's messages\n"
	      "                     until the server forwards\n"
	      "  -h, --help         show this help (start, stop and status take it)\n"
	      "\n"
	      "stop: stops the VM and the supervisor and removes the server's folder.\n"
	      "list: one line per server: NAME SUPERVISOR-PID APPS/SLOTS UPTIME.\n"
	      "status: the supervisor and QEMU pids, uptime, restarts, generation, log\n"
	      "file, slots, and per app: pid, slot, mode, addresses, ports, frames,\n"
	      "bytes and drops each way, link state, mode switches (--json: one JSON\n"
	      "object).\n"
	      "\n"
	      "exit status: 0; 2 for bad usage, an unknown server, a name in use or a\n"
	      "port taken; 125 when the server VM failed to start (its last kernel\n"
	      "messages and QEMU's errors are printed).\n",
	      SLOTS_MAX, SLOTS_DEFAULT, SLOTS_MAX, MAX_DIRECT_DEFAULT);
}

int cmd_server(int argc, char **argv)
{
	if (argc < 2) {
		cmd_server_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		cmd_server_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (!strcmp(subcommands[i].name, argv[1]))
			return subcommands[i].run(argc - 1, argv + 1);
	die("server: '%s' is not a server command (start, stop, list, status)", argv[1]);
}

/* "3d4h", "2h5m", "5m12s", "42s" */
void format_duration(char *buf, size_t size, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(buf, size, "%lldd%lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, size, "%lldh%lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, size, "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, size, "%llds", (long long)s);
}
