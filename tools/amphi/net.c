/* The network options of amphi run and amphi server start: -p, --net,
 * --ip, --gw, --dns, --ip6, --hostname.
 *
 * The guest gets one virtio-net NIC, and only when asked for (-p or
 * --net user|tap=IF): QEMU's user networking (slirp: no root, the host
 * reaches the guest through -p forwards, the guest reaches the host as
 * 10.0.2.2) or an existing tap; the server VM may also have a tap of its
 * own on a bridge.  An app behind a server (run --server) has no NIC but
 * the link, an ivshmem-doorbell on its slot's socket.  The addresses are
 * not QEMU's business: they go to the kernel as net.* keys in the config
 * (docs/protocol.md). */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include "amphi.h"
#include "link.h"
#include "netaddr.h"

#define MAX_HOSTNAME 64

/* The command whose options these are, for messages. */
static const char *cmd(const struct net_opts *n)
{
	return n->server ? "server start" : "run";
}

static void add_forward(struct net_opts *n, const char *arg)
{
	struct net_forward f;

	if (netaddr_forward(arg, &f) < 0)
		die("%s: -p wants [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp] with ports 1-65535 "
		    "and an IPv4 HOSTADDR, not '%s'", cmd(n), arg);
	n->fwd = xrealloc(n->fwd, sizeof *n->fwd * (n->nfwd + 1));
	n->fwd[n->nfwd++] = f;
}

/* An interface name as Linux takes it: 1..15 bytes, no slash, colon or
 * blank (the comma would also end QEMU's option). */
int ifname_ok(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len < 16 && strcmp(s, ".") && strcmp(s, "..") &&
	       !strpbrk(s, "/:, \t\n");
}

/* A server VM always has a NIC (none is refused); only it may make a tap
 * of its own on a bridge. */
static void set_mode(struct net_opts *n, const char *arg)
{
	if (strcmp(arg, "none") == 0 && !n->server) {
		n->mode = NET_NONE;
	} else if (strcmp(arg, "user") == 0) {
		n->mode = NET_USER;
	} else if (strncmp(arg, "tap=", 4) == 0 && ifname_ok(arg + 4)) {
		n->mode = NET_TAP;
		n->tap = arg + 4;
	} else if (strncmp(arg, "bridge=", 7) == 0 && ifname_ok(arg + 7) && n->server) {
		n->mode = NET_BRIDGE;
		n->bridge = arg + 7;
	} else if (n->server) {
		die("server start: --net wants user, tap=IFNAME or bridge=BRIDGE, not '%s'", arg);
	} else {
		die("run: --net wants none, user or tap=IFNAME, not '%s'", arg);
	}
	n->mode_given = 1;
}

static int hostname_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > MAX_HOSTNAME || s[0] == '-' || s[0] == '.')
		return 0;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '-' && *s != '.')
			return 0;
	return 1;
}

static void check_addr(const struct net_opts *n, const char *opt, const char *arg, int v6,
		       int prefix)
{
	uint8_t a[16];
	unsigned p;
	int r = prefix ? (v6 ? netaddr_ip6_prefix(arg, a, &p) : netaddr_ip4_prefix(arg, a, &p))
		       : (v6 ? netaddr_ip6(arg, a) : netaddr_ip4(arg, a));

	if (r < 0)
		die("%s: %s wants %s%s, not '%s'", cmd(n), opt, v6 ? "an IPv6 address" : "an IPv4 address",
		    prefix ? (v6 ? "/PREFIX (0-128)" : "/PREFIX (0-32)") : "", arg);
}

/* --dns takes either family: resolv.conf may list both. */
static void add_dns(struct net_opts *n, const char *arg)
{
	uint8_t a[16];

	if (netaddr_ip4(arg, a) < 0 && netaddr_ip6(arg, a) < 0)
		die("%s: --dns wants an IPv4 or IPv6 address, not '%s'", cmd(n), arg);
	n->dns = xrealloc(n->dns, sizeof *n->dns * (n->ndns + 1));
	n->dns[n->ndns++] = arg;
}

int net_option(struct net_opts *n, int opt, const char *arg)
{
	switch (opt) {
	case 'p': add_forward(n, arg); break;
	case OPT_NET: set_mode(n, arg); break;
	case OPT_IP: check_addr(n, "--ip", arg, 0, 1); n->ip = arg; break;
	case OPT_GW: check_addr(n, "--gw", arg, 0, 0); n->gw = arg; break;
	case OPT_IP6: check_addr(n, "--ip6", arg, 1, 1); n->ip6 = arg; break;
	case OPT_DNS: add_dns(n, arg); break;
	case OPT_HOSTNAME:
		if (!hostname_ok(arg))
			die("%s: --hostname wants letters, digits, '-' and '.' (at most %d), "
			    "not '%s'", cmd(n), MAX_HOSTNAME, arg);
		n->hostname = arg;
		break;
	default: return 0;
	}
	return 1;
}

int net_has_nic(const struct net_opts *n)
{
	return !n->server_name && (n->nfwd || n->mode != NET_NONE);
}

/* --nic: the NIC's model (virtio-net by default). */
void net_set_nic(struct net_opts *n, const char *cmd, const char *arg)
{
	if (strcmp(arg, "virtio") && strcmp(arg, "e1000e"))
		die("%s: --nic wants virtio or e1000e, not '%s'", cmd, arg);
	n->nic = arg;
}

/* The NIC's QEMU device: Intel's 82574 (e1000e) when asked for, else
 * virtio-net, on virtio-mmio where there is no PCI (microvm). */
static const char *nic_device(const struct net_opts *n, int mmio)
{
	if (n->nic && !strcmp(n->nic, "e1000e"))
		return "e1000e";
	return mmio ? "virtio-net-device" : "virtio-net-pci";
}

/* A NIC, or the link to a network server. */
static int has_network(const struct net_opts *n)
{
	return net_has_nic(n) || n->server_name;
}

static const char *mode_name(enum net_mode m)
{
	return m == NET_TAP ? "tap" : m == NET_BRIDGE ? "bridge" : m == NET_USER ? "user" : "none";
}

/* amphi run --server: the NIC is the server's business, and a shared
 * address is the server's own. */
static void link_check(struct net_opts *n)
{
	if (n->nfwd)
		die("run: -p belongs to amphi server start (an app behind a server has no NIC)");
	if (n->mode_given)
		die("run: --net belongs to amphi server start (an app behind a server has no NIC)");
	if (n->link_mode == LINK_MODE_SHARED && (n->ip || n->gw || n->ip6))
		die("run: --ip, --gw and --ip6 need --address own (a shared-address app "
		    "uses the server's addresses)");
	if (!n->link_mode)
		n->link_mode = n->ip || n->ip6 ? LINK_MODE_OWN : LINK_MODE_SHARED;
}

/* --switch auto or auto:HIGH,LOW: frames per second, HIGH above LOW, as
 * the kernel takes net.switch (docs/netserver.md, "Switching"). */
void net_switch_option(struct net_opts *n, const char *arg)
{
	uint64_t high = 0, low = 0;
	bool rates = !strncmp(arg, "auto:", 5);
	const char *comma = rates ? strchr(arg + 5, ',') : NULL;
	char *h = comma ? strndup(arg + 5, (size_t)(comma - (arg + 5))) : NULL;
	bool ok = !strcmp(arg, "auto") ||
		  (h && !parse_uint(h, SWITCH_RATE_MAX, &high) &&
		   !parse_uint(comma + 1, SWITCH_RATE_MAX, &low));

	free(h);
	if (!ok)
		die("run: --switch wants auto or auto:HIGH,LOW (frames per second, 0 to %u), "
		    "not '%s'", SWITCH_RATE_MAX, arg);
	if (high <= low && strcmp(arg, "auto"))
		die("run: --switch auto:HIGH,LOW wants HIGH above LOW (a NIC above HIGH frames/s, "
		    "given back below LOW), not '%s'", arg);
	n->switch_policy = arg;
}

/* Own-address apps behind a server run on q35 unless told otherwise: its
 * PCIe root port is where a NIC is hot-plugged for direct mode. */
const char *net_link_machine(struct net_opts *n, const char *machine, int given)
{
	if (!n->server_name || n->link_mode != LINK_MODE_OWN) {
		if (n->switch_policy)
			die("run: --switch needs --server and --address own (only an app with "
			    "addresses of its own can take a NIC)");
		return machine;
	}
	if (!given)
		machine = "q35";
	n->hotplug = !strcmp(machine, "q35");
	if (n->switch_policy && !n->hotplug)
		die("run: --switch needs --machine q35 (the NIC is hot-plugged into a PCIe "
		    "root port), not --machine %s", machine);
	return machine;
}

/* Once every option is in: the combinations that cannot work. */
void net_check(struct net_opts *n)
{
	if (n->server_name)
		link_check(n);
	else if (n->link_mode)
		die("run: --address needs --server (it says how an app behind a server is reached)");
	if (n->nfwd && n->mode_given && n->mode != NET_USER)
		die("%s: -p forwards ports through --net user, not --net %s", cmd(n),
		    mode_name(n->mode));
	if (!has_network(n) && (n->ip || n->gw || n->ip6 || n->ndns))
		die("run: --ip, --gw, --ip6 and --dns need a network (-p, --net user|tap=IFNAME "
		    "or --server)");
	if (n->gw && !n->ip)
		die("%s: --gw needs --ip (with DHCP the gateway comes from the server)", cmd(n));
}

/* "user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80,...": the guest side of a
 * forward is --ip's address when given, else slirp's first DHCP lease
 * (for a server VM: the server's address, whose stack demultiplexes to
 * the app that listens on the port). */
static char *user_netdev(const struct net_opts *n)
{
	char *s = xstrdup("user,id=n0"), guest[16] = "";

	if (n->ip) {
		size_t len = strcspn(n->ip, "/");
		memcpy(guest, n->ip, len);	/* checked: at most 15 bytes */
		guest[len] = 0;
	}
	for (size_t i = 0; i < n->nfwd; i++) {
		const struct net_forward *f = &n->fwd[i];
		char *t = xasprintf("%s,hostfwd=%s:%u.%u.%u.%u:%u-%s:%u", s, f->udp ? "udp" : "tcp",
				    f->host_addr[0], f->host_addr[1], f->host_addr[2],
				    f->host_addr[3], f->host_port, guest, f->guest_port);
		free(s);
		s = t;
	}
	return s;
}

/* Locally administered, unicast: two VMs on one bridge must not share a
 * MAC, and none may take a vendor's. */
void net_random_mac(uint8_t m[6])
{
	if (getrandom(m, 6, 0) != 6)
		die_status(EXIT_VMFAIL, "getrandom failed");
	m[0] = (uint8_t)((m[0] & 0xfc) | 0x02);
}

char *net_mac_string(const uint8_t m[6])
{
	return xasprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static char *tap_netdev(const struct net_opts *n)
{
	if (n->mode == NET_BRIDGE)	/* the supervisor's own tap, inherited */
		return xasprintf("tap,id=n0,fd=%d,vhost=off", n->tap_fd);
	return xasprintf("tap,id=n0,ifname=%s,script=no,downscript=no,vhost=off", n->tap);
}

/* The link of an app behind a server: one ivshmem-doorbell on its slot's
 * socket, two vectors (data, control: lib/link.h).  An app that may
 * switch also gets native PCIe hot-plug (ACPI's off, so the kernel
 * drives the slot: QEMU-FACTS), a root port for the NIC (rp1), and a
 * QMP socket, listening, for the supervisor. */
static void link_qemu_args(const struct net_opts *n, struct qargs *a)
{
	char *path = qemu_opt_escape(n->link_sock);

	qargs_add(a, "-chardev");
	qargs_addf(a, "socket,id=link,path=%s", path);
	qargs_add(a, "-device");
	qargs_addf(a, "ivshmem-doorbell,chardev=link,vectors=%u", LINK_VECTORS);
	free(path);
	if (!n->qmp_sock)
		return;
	path = qemu_opt_escape(n->qmp_sock);
	qargs_add(a, "-global");
	qargs_add(a, "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off");
	qargs_add(a, "-device");
	qargs_addf(a, "pcie-root-port,id=%s,chassis=1,slot=1", LINK_HOTPLUG_PORT);
	qargs_add(a, "-qmp");
	qargs_addf(a, "unix:%s,server=on,wait=off", path);
	free(path);
}

/* -netdev and -device for the NIC, if any.  virtio-net-pci without its
 * boot ROM (romfile=): nobody network-boots, and loading iPXE costs time.
 * microvm has no PCI: its virtio-net sits on one of the machine's
 * virtio-mmio slots.  vhost stays off: a host without /dev/vhost-net
 * would refuse the tap.  A tap gets a random MAC unless one is fixed (the
 * server's, for its whole life); n->pci_addr pins the NIC's PCI slot. */
void net_qemu_args(const struct net_opts *n, const char *machine, struct qargs *a)
{
	if (n->server_name)
		link_qemu_args(n, a);
	if (!net_has_nic(n))
		return;
	int mmio = strcmp(machine, "microvm") == 0;
	uint8_t m[6];
	char *mac = n->mac ? xstrdup(n->mac) : NULL;

	if (!mac && n->mode == NET_TAP) {
		net_random_mac(m);
		mac = net_mac_string(m);
	}
	qargs_add(a, "-netdev");
	bool tap = n->mode == NET_TAP || n->mode == NET_BRIDGE;	/* else user: -p implies it */
	char *netdev = tap ? tap_netdev(n) : user_netdev(n);
	qargs_add(a, netdev);
	free(netdev);
	qargs_add(a, "-device");
	qargs_addf(a, "%s,netdev=n0%s%s%s%s%s", nic_device(n, mmio),
		   mmio ? "" : ",romfile=", mac ? ",mac=" : "", mac ? mac : "",
		   n->pci_addr ? ",addr=" : "", n->pci_addr ? n->pci_addr : "");
	free(mac);
}

/* The hostname is the guest's name with or without a network. */
void net_config(const struct net_opts *n, net_pair_fn *emit, void *ctx)
{
	if (n->hostname)
		emit(ctx, "net.hostname", n->hostname);
	if (!has_network(n))
		return;
	if (n->server_name) {
		emit(ctx, "net.link", n->link_mode == LINK_MODE_OWN ? "own" : "shared");
		if (n->link_mac)
			emit(ctx, "net.mac", n->link_mac);
		if (n->switch_policy)
			emit(ctx, "net.switch", n->switch_policy);
	}
	if (n->ip)
		emit(ctx, "net.ip", n->ip);
	if (n->gw)
		emit(ctx, "net.gw", n->gw);
	for (size_t i = 0; i < n->ndns; i++)
		emit(ctx, "net.dns", n->dns[i]);
	if (n->ip6)
		emit(ctx, "net.ip6", n->ip6);
}

/* QEMU's user networking listens on each forwarded port with a backlog of
 * one, so clients that connect at once are dropped and retry for seconds.
 * amphi-slirp.so, built next to this program (tools/amphi-slirp.c), raises
 * it; it is preloaded into QEMU through the environment QEMU inherits. */
void net_preload_for_qemu(const struct net_opts *n)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);

	if (!net_has_nic(n) || n->mode == NET_TAP || n->mode == NET_BRIDGE || len <= 0)
		return;
	self[len] = 0;
	char *slash = strrchr(self, '/');
	*slash = 0;
	char *lib = xasprintf("%s/amphi-slirp.so", self);
	if (access(lib, R_OK)) {
		error("warning: %s is missing: clients connecting at once may wait (slirp listens with a backlog of 1)", lib);
		free(lib);
		return;
	}
	const char *old = getenv("LD_PRELOAD");
	setenv("LD_PRELOAD", old && *old ? xasprintf("%s:%s", lib, old) : lib, 1);
}
