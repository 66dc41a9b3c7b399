/* amphi run's network: -p, --net, --ip, --gw, --dns, --ip6, --hostname.
 *
 * The guest gets one virtio-net NIC, and only when asked for (-p or
 * --net user|tap=IF): QEMU's user networking (slirp: no root, the host
 * reaches the guest through -p forwards, the guest reaches the host as
 * 10.0.2.2) or an existing tap.  The addresses are not QEMU's business:
 * they go to the kernel as net.* keys in the config (docs/protocol.md). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include "amphi.h"
#include "netaddr.h"

#define MAX_HOSTNAME 64

static void add_forward(struct net_opts *n, const char *arg)
{
	struct net_forward f;

	if (netaddr_forward(arg, &f) < 0)
		die("run: -p wants [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp] with ports 1-65535 "
		    "and an IPv4 HOSTADDR, not '%s'", arg);
	n->fwd = xrealloc(n->fwd, sizeof *n->fwd * (n->nfwd + 1));
	n->fwd[n->nfwd++] = f;
}

/* An interface name as Linux takes it: 1..15 bytes, no slash, colon or
 * blank (the comma would also end QEMU's option). */
static int ifname_ok(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len < 16 && strcmp(s, ".") && strcmp(s, "..") &&
	       !strpbrk(s, "/:, \t\n");
}

static void set_mode(struct net_opts *n, const char *arg)
{
	if (strcmp(arg, "none") == 0) {
		n->mode = NET_NONE;
	} else if (strcmp(arg, "user") == 0) {
		n->mode = NET_USER;
	} else if (strncmp(arg, "tap=", 4) == 0 && ifname_ok(arg + 4)) {
		n->mode = NET_TAP;
		n->tap = arg + 4;
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

static void check_addr(const char *opt, const char *arg, int v6, int prefix)
{
	uint8_t a[16];
	unsigned p;
	int r = prefix ? (v6 ? netaddr_ip6_prefix(arg, a, &p) : netaddr_ip4_prefix(arg, a, &p))
		       : (v6 ? netaddr_ip6(arg, a) : netaddr_ip4(arg, a));

	if (r < 0)
		die("run: %s wants %s%s, not '%s'", opt, v6 ? "an IPv6 address" : "an IPv4 address",
		    prefix ? (v6 ? "/PREFIX (0-128)" : "/PREFIX (0-32)") : "", arg);
}

/* --dns takes either family: resolv.conf may list both. */
static void add_dns(struct net_opts *n, const char *arg)
{
	uint8_t a[16];

	if (netaddr_ip4(arg, a) < 0 && netaddr_ip6(arg, a) < 0)
		die("run: --dns wants an IPv4 or IPv6 address, not '%s'", arg);
	n->dns = xrealloc(n->dns, sizeof *n->dns * (n->ndns + 1));
	n->dns[n->ndns++] = arg;
}

int net_option(struct net_opts *n, int opt, const char *arg)
{
	switch (opt) {
	case 'p': add_forward(n, arg); break;
	case OPT_NET: set_mode(n, arg); break;
	case OPT_IP: check_addr("--ip", arg, 0, 1); n->ip = arg; break;
	case OPT_GW: check_addr("--gw", arg, 0, 0); n->gw = arg; break;
	case OPT_IP6: check_addr("--ip6", arg, 1, 1); n->ip6 = arg; break;
	case OPT_DNS: add_dns(n, arg); break;
	case OPT_HOSTNAME:
		if (!hostname_ok(arg))
			die("run: --hostname wants letters, digits, '-' and '.' (at most %d), "
			    "not '%s'", MAX_HOSTNAME, arg);
		n->hostname = arg;
		break;
	default: return 0;
	}
	return 1;
}

static int has_nic(const struct net_opts *n)
{
	return n->nfwd || n->mode != NET_NONE;
}

/* Once every option is in: the combinations that cannot work. */
void net_check(const struct net_opts *n)
{
	if (n->nfwd && n->mode_given && n->mode != NET_USER)
		die("run: -p forwards ports through --net user, not --net %s",
		    n->mode == NET_TAP ? "tap" : "none");
	if (!has_nic(n) && (n->ip || n->gw || n->ip6 || n->ndns))
		die("run: --ip, --gw, --ip6 and --dns need a network (-p or --net user|tap=IFNAME)");
	if (n->gw && !n->ip)
		die("run: --gw needs --ip (with DHCP the gateway comes from the server)");
}

/* "user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80,...": the guest side of a
 * forward is --ip's address when given, else slirp's first DHCP lease. */
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
static char *random_mac(void)
{
	uint8_t m[6];

	if (getrandom(m, sizeof m, 0) != sizeof m)
		die_status(EXIT_VMFAIL, "getrandom failed");
	m[0] = (uint8_t)((m[0] & 0xfc) | 0x02);
	return xasprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* -netdev and -device for the NIC; returns how many strings (0 or 4), each
 * allocated.  virtio-net-pci without its boot ROM (romfile=): nobody
 * network-boots, and loading iPXE costs time.  microvm has no PCI: its
 * virtio-net sits on one of the machine's virtio-mmio slots.  vhost stays
 * off: a host without /dev/vhost-net would refuse the tap. */
size_t net_qemu_args(const struct net_opts *n, const char *machine, char *out[4])
{
	if (!has_nic(n))
		return 0;
	int mmio = strcmp(machine, "microvm") == 0;
	char *mac = n->mode == NET_TAP ? random_mac() : NULL;

	out[0] = xstrdup("-netdev");
	if (n->mode == NET_TAP)
		out[1] = xasprintf("tap,id=n0,ifname=%s,script=no,downscript=no,vhost=off", n->tap);
	else
		out[1] = user_netdev(n);
	out[2] = xstrdup("-device");
	out[3] = xasprintf("%s,netdev=n0%s%s%s", mmio ? "virtio-net-device" : "virtio-net-pci",
			   mmio ? "" : ",romfile=", mac ? ",mac=" : "", mac ? mac : "");
	free(mac);
	return 4;
}

/* The hostname is the guest's name with or without a network. */
void net_config(const struct net_opts *n, net_pair_fn *emit, void *ctx)
{
	if (n->hostname)
		emit(ctx, "net.hostname", n->hostname);
	if (!has_nic(n))
		return;
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

	if (!has_nic(n) || n->mode == NET_TAP || len <= 0)
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
