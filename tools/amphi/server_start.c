/* amphi server start NAME [options]: checks everything it can (status 2,
 * one line) before anything runs; makes the server's folder, sockets and
 * regions; then forks the supervisor off as a daemon (double fork,
 * setsid) and waits for it to say how the start went: 0 once the server
 * VM says it forwards, or the reason it did not.  The supervisor reports
 * over a pipe in console frames (lib/frame.h): 'E' text for stderr, then
 * 'X' with the status. */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "netaddr.h"
#include "supervisor.h"

/* Seconds for the first server VM to say it forwards.  Under TCG a boot
 * with 64 slots took 36 s on an idle 2-core machine (the kernel sizing 64
 * devices' BARs): twice that and more, for a busy one. */
#define DEADLINE_TCG	120
#define DEADLINE_KVM	30

enum { OPT_SMP = 256, OPT_SLOTS, OPT_KERNEL, OPT_QEMU, OPT_ACCEL, OPT_MAX_DIRECT };

static const struct option options[] = {
	NET_LONG_OPTIONS,
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "memory", required_argument, NULL, 'm' },
	{ "slots", required_argument, NULL, OPT_SLOTS },
	{ "max-direct", required_argument, NULL, OPT_MAX_DIRECT },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The folder to remove if start fails before the supervisor owns it. */
static const char *owned_dir;

static void remove_owned_dir(void)
{
	if (owned_dir)
		server_dir_remove(owned_dir);
}

static void set_defaults(struct server_opts *o)
{
	memset(o, 0, sizeof *o);
	o->nslots = SLOTS_DEFAULT;
	o->max_direct = MAX_DIRECT_DEFAULT;
	o->vm.smp = 1;
	o->vm.mem = 64ull << 20;
	o->vm.machine = "pc";
	o->vm.qemu = "qemu-system-x86_64";
	o->vm.net.server = 1;
	o->vm.net.mode = NET_USER;
	o->vm.net.tap_fd = -1;
	o->vm.net.pci_addr = "2";
}

static void parse_option(struct server_opts *o, int opt, const char *arg, char **argv)
{
	switch (opt) {
	case OPT_SMP: o->vm.smp = opt_number("server start", "--smp", arg, 1, MAX_SMP); break;
	case 'm': o->vm.mem = opt_memory("server start", arg); break;
	case OPT_SLOTS: o->nslots = opt_number("server start", "--slots", arg, 1, SLOTS_MAX); break;
	case OPT_MAX_DIRECT:
		o->max_direct = opt_number("server start", "--max-direct", arg, 0, SLOTS_MAX);
		break;
	case OPT_KERNEL: o->vm.kernel = arg; break;
	case OPT_QEMU: o->vm.qemu = arg; break;
	case OPT_ACCEL: o->vm.accel = opt_accel("server start", arg); break;
	case 'v': o->vm.verbose = 1; break;
	case 'h': cmd_server_usage(stdout); exit(0);
	case ':':
		die("server start: %s needs a value (see amphi help server)", opt_failed(argv));
	default:
		if (net_option(&o->vm.net, opt, arg))
			break;
		die("server start: unknown option '%s' (see amphi help server)", opt_failed(argv));
	}
}

/* The supervisor runs from "/": paths it keeps must not be relative. */
static const char *absolute(const char *what, const char *path)
{
	char buf[PATH_MAX];

	if (!realpath(path, buf))
		die("server start: %s %s: %s", what, path, strerror(errno));
	return xstrdup(buf);
}

static int same_port(const struct net_forward *a, const struct net_forward *b)
{
	static const uint8_t any[4];

	return a->udp == b->udp && a->host_port == b->host_port &&
	       (!memcmp(a->host_addr, b->host_addr, 4) || !memcmp(a->host_addr, any, 4) ||
		!memcmp(b->host_addr, any, 4));
}

/* Each -p host port must be free now: bound by nothing (tried with
 * bind(), as QEMU will: SO_REUSEADDR for TCP, so only a listener
 * conflicts, not a connection in TIME_WAIT), and given once. */
static void check_port(const struct net_forward *f, const char *typed)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(f->host_port) };
	int one = 1, fd = socket(AF_INET, (f->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

	memcpy(&a.sin_addr, f->host_addr, 4);
	if (fd >= 0 && !f->udp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("server start: -p %s: host port %u.%u.%u.%u:%u/%s cannot be used: %s", typed,
		    f->host_addr[0], f->host_addr[1], f->host_addr[2], f->host_addr[3],
		    f->host_port, f->udp ? "udp" : "tcp", strerror(errno));
	close(fd);
}

static void check_ports(const struct net_opts *n, char **typed)
{
	for (size_t i = 0; i < n->nfwd; i++) {
		for (size_t j = 0; j < i; j++)
			if (same_port(&n->fwd[i], &n->fwd[j]))
				die("server start: -p %s: that host port is forwarded twice", typed[i]);
		check_port(&n->fwd[i], typed[i]);
	}
}

/* A tap or bridge that is not there is refused now, not by QEMU later. */
static void check_iface(const struct net_opts *n)
{
	char *p = NULL;

	if (n->mode == NET_TAP)
		p = xasprintf("/sys/class/net/%s/tun_flags", n->tap);
	if (n->mode == NET_BRIDGE)
		p = xasprintf("/sys/class/net/%s/bridge", n->bridge);
	if (p && access(p, F_OK) < 0)
		die("server start: --net %s=%s: no such %s", n->mode == NET_TAP ? "tap" : "bridge",
		    n->mode == NET_TAP ? n->tap : n->bridge,
		    n->mode == NET_TAP ? "tap device" : "bridge");
	free(p);
}

static void parse_args(struct server_opts *o, int argc, char **argv)
{
	char **typed = xmalloc(sizeof(char *) * (size_t)argc);	/* the -p values */
	size_t ntyped = 0;
	int opt;

	set_defaults(o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":m:p:vh", options, NULL)) != -1) {
		if (opt == 'p')
			typed[ntyped++] = optarg;
		parse_option(o, opt, optarg, argv);
	}
	if (optind >= argc)
		die("server start: missing NAME (see amphi help server)");
	if (optind + 1 < argc)
		die("server start: one NAME only, not '%s' too", argv[optind + 1]);
	o->name = argv[optind];
	if (!server_name_ok(o->name))
		die("server start: '%s' is not a server name (1 to %d letters, digits, '_', '.' "
		    "or '-', starting with a letter or digit)", o->name, SERVER_NAME_MAX);
	net_check(&o->vm.net);
	check_iface(&o->vm.net);
	check_ports(&o->vm.net, typed);
	free(typed);
	o->vm.kernel = absolute("kernel", o->vm.kernel ? o->vm.kernel : kernel_default_path());
	kernel_check(o->vm.kernel);
	mem_fits("server start", o->vm.mem, o->vm.kernel, NULL, 0);
	if (strchr(o->vm.qemu, '/'))
		o->vm.qemu = absolute("--qemu", o->vm.qemu);
	o->vm.accel = accel_choose("server start", o->vm.accel);
	o->deadline_s = strcmp(o->vm.accel, "kvm") ? DEADLINE_TCG : DEADLINE_KVM;
	net_random_mac(o->mac);
	o->vm.net.mac = net_mac_string(o->mac);
}

/* Prints what the supervisor reports until its status comes. */
static int wait_report(const struct server_opts *o, int fd)
{
	struct frame_decoder *d = xmalloc(sizeof *d);
	uint8_t buf[4096];
	ssize_t n;

	frame_decoder_init(d, 0);
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (frame_feed(d, buf[i]) != 1)
				continue;
			if (d->type == FRAME_STDERR)
				write_full(2, d->payload, d->len);
			else if (d->type == FRAME_EXIT && d->len == 4)
				return d->payload[0];
		}
	}
	die_status(EXIT_VMFAIL, "server start: server '%s': its supervisor died (see %s/server.log)",
		   o->name, o->dir);
}

/* The supervisor's own process: a new session, no controlling terminal,
 * not a child of anyone who waits for it. */
static noreturn void daemonize(struct supervisor *sv, int report[2])
{
	if (setsid() < 0)
		_exit(1);
	pid_t pid = fork();
	if (pid != 0)
		_exit(pid < 0 ? 1 : 0);
	close(report[0]);
	owned_dir = NULL;	/* the supervisor removes it itself */
	supervisor_run(sv, report[1]);
}

int server_start(int argc, char **argv)
{
	struct server_opts *o = xmalloc(sizeof *o);
	struct supervisor *sv = xmalloc(sizeof *sv);
	int report[2];

	parse_args(o, argc, argv);
	int pid_fd = server_dir_create(o->name);
	if (pid_fd < 0)
		die("server start: a server named '%s' is running already (see amphi server "
		    "status %s)", o->name, o->name);
	o->dir = server_path(o->name, NULL);
	owned_dir = o->dir;
	atexit(remove_owned_dir);
	int r = supervisor_prepare(sv, o, pid_fd);
	if (r < 0 || pipe2(report, O_CLOEXEC) < 0)
		die_status(EXIT_VMFAIL, "server start: %s", strerror(r < 0 ? -r : errno));
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		die_status(EXIT_VMFAIL, "server start: fork: %s", strerror(errno));
	if (child == 0)
		daemonize(sv, report);
	owned_dir = NULL;
	close(report[1]);
	waitpid(child, NULL, 0);
	return wait_report(o, report[0]);
}
