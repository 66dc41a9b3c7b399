/* /proc/net: the network as Linux's tools read it (net-tools' netstat,
 * route, arp and ifconfig, iproute2's ss without sock_diag, busybox).
 * Linux makes it a link to self/net, one per network namespace; amphi
 * has one namespace, so it is a directory of its own.  Each file is a
 * snapshot net/ takes under its locks (net/sock_info.h, net/netif.h),
 * formatted here in Linux's columns.  This file: the interfaces' files
 * (dev, route, if_inet6, ipv6_route, arp). */
#include "linux/procfs_net.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "net/net_config.h"
#include "net/netif.h"
#include "net/route_list.h"
#include "net/sock_info.h"

#define TAKE_TRIES	8	/* lists that keep growing are cut short after that */

void *proc_net_take(struct seqbuf *s, proc_net_list_fn *fn, const void *arg, size_t size, int *n)
{
	int max = 16;

	for (int tries = 0;; tries++) {
		void *buf = kmalloc(size * (size_t)max);
		if (!buf) {
			s->failed = true;
			return NULL;
		}
		int count = fn(buf, max, arg);
		if (count <= max || tries == TAKE_TRIES) {
			*n = count < max ? count : max;
			return buf;
		}
		kfree(buf);
		max = count + count / 4 + 1;
	}
}

uint32_t proc_net_word(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int list_ifaddrs(void *out, int max, const void *arg)
{
	(void)arg;
	return net_ifaddrs(out, max);
}

struct net_ifaddr *proc_net_take_ifaddrs(struct seqbuf *s, int *n)
{
	net_lwip_start();
	return proc_net_take(s, list_ifaddrs, NULL, sizeof(struct net_ifaddr), n);
}

/* Linux's columns (dev_seq_printf_stats); fifo, frame, compressed,
 * multicast, colls and carrier are never counted here. */
static void gen_dev(struct seqbuf *s)
{
	int n;
	struct net_ifaddr *ifs = proc_net_take_ifaddrs(s, &n);

	if (!ifs)
		return;
	seq_printf(s, "Inter-|   Receive                                                |  Transmit\n");
	seq_printf(s, " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
		      "errs drop fifo colls carrier compressed\n");
	for (int k = 0; k < n; k++) {
		const struct net_if_stats *t = &ifs[k].stats;
		seq_printf(s, "%6s: %7lu %7lu %4lu %4lu %4u %5u %10u %9u ", ifs[k].name, t->rx_bytes,
			   t->rx_packets, t->rx_errors, t->rx_dropped, 0, 0, 0, 0);
		seq_printf(s, "%8lu %7lu %4lu %4lu %4u %5u %7u %10u\n", t->tx_bytes, t->tx_packets,
			   t->tx_errors, t->tx_dropped, 0, 0, 0, 0);
	}
	kfree(ifs);
}

#define RTF_UP		0x0001
#define RTF_GATEWAY	0x0002

static const char *if_name(const struct net_ifaddr *ifs, int n, int index)
{
	const struct net_ifaddr *i = net_ifaddr_find(ifs, n, index);

	return i ? i->name : "?";
}

/* net/'s route list of one family, with the interfaces it names. */
struct routes {
	struct net_ifaddr *ifs;
	struct net_route *list;
	int nifs;
	size_t n;
};

static bool take_routes(struct seqbuf *s, bool v6, struct routes *r)
{
	r->ifs = proc_net_take_ifaddrs(s, &r->nifs);
	if (!r->ifs)
		return false;
	r->list = net_routes(r->ifs, r->nifs, !v6, v6, &r->n);
	if (!r->list) {
		kfree(r->ifs);
		s->failed = true;
		return false;
	}
	return true;
}

static void free_routes(struct routes *r)
{
	kfree(r->list);
	kfree(r->ifs);
}

/* A prefix length's netmask, as the file shows addresses. */
static uint32_t mask_of(unsigned len)
{
	uint8_t m[4] = { 0 };

	for (unsigned k = 0; k < len && k < 32; k++)
		m[k / 8] |= (uint8_t)(0x80 >> (k % 8));
	return proc_net_word(m);
}

static void route_line(struct seqbuf *s, const char *dev, uint32_t dest, uint32_t gw, unsigned flags,
		       uint32_t metric, uint32_t mask)
{
	seq_printf(s, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%u\t%08X\t%d\t%u\t%u", dev, dest, gw, flags, 0, 0,
		   metric, mask, 0, 0, 0);
	seq_pad(s, 127);
	seq_printf(s, "\n");
}

/* The main table (lo's routes are in the local one). */
static void gen_route(struct seqbuf *s)
{
	struct routes r;

	if (!take_routes(s, false, &r))
		return;
	seq_printf(s, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	seq_pad(s, 127);
	seq_printf(s, "\n");
	for (size_t k = 0; k < r.n; k++) {
		const struct net_route *t = &r.list[k];
		if (t->table != RT_TABLE_MAIN)
			continue;
		uint32_t gw = proc_net_word(t->gw);
		route_line(s, if_name(r.ifs, r.nifs, t->oif), proc_net_word(t->dst), gw,
			   RTF_UP | (gw ? RTF_GATEWAY : 0), t->priority, mask_of(t->dst_len));
	}
	free_routes(&r);
}

/* Linux's address scopes (IPV6_ADDR_*): loopback, link-local, global. */
static unsigned scope_of(const uint8_t *a)
{
	static const uint8_t loopback[16] = { [15] = 1 };

	if (!memcmp(a, loopback, 16))
		return 0x10;
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80 ? 0x20 : 0x00;
}

static void put_ip6(struct seqbuf *s, const uint8_t *a)
{
	for (int i = 0; i < 16; i++)
		seq_printf(s, "%02x", a[i]);
}

static void gen_if_inet6(struct seqbuf *s)
{
	int n;
	struct net_ifaddr *ifs = proc_net_take_ifaddrs(s, &n);

	if (!ifs)
		return;
	for (int k = 0; k < n; k++)
		for (int j = 0; j < ifs[k].nip6; j++) {
			const struct net_if_ip6 *a = &ifs[k].ip6[j];
			put_ip6(s, a->addr);
			seq_printf(s, " %02x %02x %02x %02x %8s\n", ifs[k].index, a->prefix,
				   scope_of(a->addr), net_ip6_ifa_flags(a), ifs[k].name);
		}
	kfree(ifs);
}

#define RTF6_UP		0x00000001
#define RTF6_GATEWAY	0x00000002
#define RTF6_RA_DEFAULT	0x00450003	/* RTF_EXPIRES | RTF_ADDRCONF | RTF_DEFAULT | UP, GATEWAY */
#define RTF6_LOCAL	0x80200001	/* RTF_LOCAL | RTF_NONEXTHOP | RTF_UP */
#define RTF6_NULL	0x00200200	/* RTF_NONEXTHOP | RTF_REJECT */

static const uint8_t no_addr[16];

static void route6_line(struct seqbuf *s, const uint8_t *dest, unsigned len, const uint8_t *via,
			unsigned metric, unsigned flags, const char *dev)
{
	put_ip6(s, dest);
	seq_printf(s, " %02x ", len);
	put_ip6(s, no_addr);
	seq_printf(s, " %02x ", 0);
	put_ip6(s, via);
	seq_printf(s, " %08x %08x %08x %08x %8s\n", metric, 1, 0, flags, dev);
}

static unsigned rtf6_flags(const struct net_route *t)
{
	if (t->type == RTN_LOCAL)
		return RTF6_LOCAL;
	if (t->protocol == RTPROT_RA)
		return RTF6_RA_DEFAULT;
	return RTF6_UP | (memcmp(t->gw, no_addr, 16) ? RTF6_GATEWAY : 0);
}

/* Every table, as Linux's walk of them gives it, and then the
 * "unreachable" route that ends lookups. */
static void gen_ipv6_route(struct seqbuf *s)
{
	struct routes r;

	if (!take_routes(s, true, &r))
		return;
	for (size_t k = 0; k < r.n; k++) {
		const struct net_route *t = &r.list[k];
		route6_line(s, t->dst, t->dst_len, t->gw, t->priority, rtf6_flags(t), if_name(r.ifs, r.nifs, t->oif));
	}
	for (int k = 0; k < r.nifs; k++)
		if (r.ifs[k].flags & NET_IFF_LOOPBACK)
			route6_line(s, no_addr, 0, no_addr, 0xffffffff, RTF6_NULL, r.ifs[k].name);
	free_routes(&r);
}

static int list_arp(void *out, int max, const void *arg)
{
	(void)arg;
	return net_arp_list(out, max);
}

#define ATF_COM		0x02
#define ARPHRD_ETHER	1

static void gen_arp(struct seqbuf *s)
{
	int n, nif;
	struct net_arp_info *e = proc_net_take(s, list_arp, NULL, sizeof *e, &n);
	struct net_ifaddr *ifs = e ? proc_net_take_ifaddrs(s, &nif) : NULL;

	if (ifs) {
		seq_printf(s, "IP address       HW type     Flags       HW address            Mask     Device\n");
		for (int k = 0; k < n; k++) {
			char ip[16], mac[18];
			snprintf(ip, sizeof ip, "%u.%u.%u.%u", e[k].ip[0], e[k].ip[1], e[k].ip[2], e[k].ip[3]);
			snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", e[k].mac[0], e[k].mac[1],
				 e[k].mac[2], e[k].mac[3], e[k].mac[4], e[k].mac[5]);
			seq_printf(s, "%-16s 0x%-10x0x%-10x%s     *        %s\n", ip, ARPHRD_ETHER,
				   e[k].complete ? ATF_COM : 0, mac, if_name(ifs, nif, e[k].ifindex));
		}
	}
	kfree(ifs);
	kfree(e);
}

static const struct proc_file net_files[] = {
	{ "arp", gen_arp }, { "dev", gen_dev }, { "if_inet6", gen_if_inet6 },
	{ "igmp", proc_net_gen_igmp }, { "igmp6", proc_net_gen_igmp6 },
	{ "ipv6_route", gen_ipv6_route }, { "netstat", proc_net_gen_netstat },
	{ "packet", proc_net_gen_packet }, { "raw", proc_net_gen_raw }, { "raw6", proc_net_gen_raw6 },
	{ "route", gen_route }, { "snmp", proc_net_gen_snmp }, { "sockstat", proc_net_gen_sockstat },
	{ "sockstat6", proc_net_gen_sockstat6 }, { "tcp", proc_net_gen_tcp },
	{ "tcp6", proc_net_gen_tcp6 }, { "udp", proc_net_gen_udp }, { "udp6", proc_net_gen_udp6 },
	{ "unix", proc_net_gen_unix },
};

static struct inode *net_dir;	/* set once at boot; /proc holds it */

struct inode *proc_net_dir(void)
{
	return net_dir;
}

static int fill_net(struct inode *dir);
static const struct inode_ops net_dir_ops = { .fill = fill_net };

/* At the first look into /proc/net, as /sys's: a program that never
 * looks pays for none of its entries (hello's least -m went up 144K with
 * them made at boot).  A fill that failed for memory is tried again at
 * the next look; names already made stay. */
static int fill_net(struct inode *dir)
{
	dir->ops = NULL;
	int err = proc_add_files(dir, net_files, sizeof net_files / sizeof net_files[0], false);
	if (err)
		dir->ops = &net_dir_ops;
	return err;
}

int proc_net_make(struct inode *proc)
{
	net_dir = proc_add_dir(proc, "net", 0555, &net_dir_ops);
	return net_dir ? 0 : -ENOMEM;
}
