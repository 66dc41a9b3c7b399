/* RTM_GETLINK: the interfaces as Linux's rtnl_fill_ifinfo describes them
 * (struct ifinfomsg, then attributes in its order). */
#include "net/rtnetlink_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

#define ARPHRD_ETHER	1
#define ARPHRD_LOOPBACK	772
#define IFF_LOWER_UP	0x10000
#define IF_OPER_UNKNOWN	0
#define IF_OPER_DOWN	2
#define IF_OPER_UP	6

#define IFLA_ADDRESS	1
#define IFLA_BROADCAST	2
#define IFLA_IFNAME	3
#define IFLA_MTU	4
#define IFLA_QDISC	6
#define IFLA_STATS	7
#define IFLA_TXQLEN	13
#define IFLA_OPERSTATE	16
#define IFLA_STATS64	23
#define IFLA_LINKMODE	17
#define IFLA_GROUP	27
#define IFLA_PROMISCUITY 30
#define IFLA_NUM_TX_QUEUES 31
#define IFLA_NUM_RX_QUEUES 32
#define IFLA_CARRIER	33
#define IFLA_CARRIER_CHANGES 35
#define IFLA_MIN_MTU	50
#define IFLA_MAX_MTU	51
#define IFLA_PAD	42

#define IFNAMSIZ	16
#define TXQLEN		1000	/* Linux's default, lo's too */
#define ETH_MIN_MTU	68
#define ETH_MAX_MTU	65535	/* virtio-net's */

struct ifinfomsg_k {
	uint8_t family, pad;
	uint16_t type;
	int32_t index;
	uint32_t flags, change;
};

static bool is_lo(const struct net_ifaddr *i) { return i->flags & NET_IFF_LOOPBACK; }

static uint8_t operstate(const struct net_ifaddr *i)
{
	if (is_lo(i))
		return IF_OPER_UNKNOWN;	/* lo has no carrier to speak of, as on Linux */
	return i->flags & NET_IFF_RUNNING ? IF_OPER_UP : IF_OPER_DOWN;
}

/* Linux's rtnl_link_stats64 (6.18: 25 counters) and rtnl_link_stats (the
 * same, 32 bits, less the last): amphi counts the first eight. */
#define STATS_COUNTERS	25

static bool put_stats(struct nl_buf *b, const struct net_if_stats *st)
{
	const uint64_t first[8] = { st->rx_packets, st->tx_packets, st->rx_bytes, st->tx_bytes,
				    st->rx_errors, st->tx_errors, st->rx_dropped, st->tx_dropped };
	uint64_t s64[STATS_COUNTERS] = { 0 };
	uint32_t s32[STATS_COUNTERS - 1] = { 0 };

	for (int k = 0; k < 8; k++) {
		s64[k] = first[k];
		s32[k] = (uint32_t)first[k];	/* wraps, as Linux's copy */
	}
	/* 64-bit counters start 8-aligned, after an empty IFLA_PAD if need be,
	 * as Linux's nla_reserve_64bit lays them. */
	bool aligned = !((b->len + sizeof(struct nlattr_k)) % 8) || nla_put(b, IFLA_PAD, s64, 0);
	return aligned && nla_put(b, IFLA_STATS64, s64, sizeof s64) && nla_put(b, IFLA_STATS, s32, sizeof s32);
}

static bool put_attrs(struct nl_buf *b, const struct net_ifaddr *i)
{
	static const uint8_t ether_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zeros[6];
	bool lo = is_lo(i), running = i->flags & NET_IFF_RUNNING;

	/* amphi queues no frames of its own: no queueing discipline. */
	return nla_put_str(b, IFLA_IFNAME, i->name) && nla_put_u32(b, IFLA_TXQLEN, TXQLEN) &&
	       nla_put_u8(b, IFLA_OPERSTATE, operstate(i)) && nla_put_u8(b, IFLA_LINKMODE, 0) &&
	       nla_put_u32(b, IFLA_MTU, i->mtu) &&
	       nla_put_u32(b, IFLA_MIN_MTU, lo ? 0 : ETH_MIN_MTU) &&
	       nla_put_u32(b, IFLA_MAX_MTU, lo ? 0 : ETH_MAX_MTU) &&
	       nla_put_u32(b, IFLA_GROUP, 0) && nla_put_u32(b, IFLA_PROMISCUITY, 0) &&
	       nla_put_u32(b, IFLA_NUM_TX_QUEUES, 1) && nla_put_u32(b, IFLA_NUM_RX_QUEUES, 1) &&
	       nla_put_u8(b, IFLA_CARRIER, lo || running) &&
	       nla_put_u32(b, IFLA_CARRIER_CHANGES, !lo && running) &&
	       nla_put(b, IFLA_ADDRESS, lo ? zeros : i->mac, 6) &&
	       nla_put(b, IFLA_BROADCAST, lo ? zeros : ether_bcast, 6) &&
	       put_stats(b, &i->stats) && nla_put_str(b, IFLA_QDISC, "noqueue");
}

bool rtnl_put_link(struct nl_buf *b, const struct net_ifaddr *i, uint16_t type, uint16_t flags,
		   uint32_t seq, uint32_t pid)
{
	struct nlmsghdr_k *h = nlmsg_begin(b, type, flags, seq, pid, sizeof(struct ifinfomsg_k));

	if (!h)
		return false;
	struct ifinfomsg_k *ifi = nlmsg_body(h);
	ifi->type = is_lo(i) ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
	ifi->index = i->index;
	ifi->flags = i->flags | (i->flags & NET_IFF_RUNNING ? IFF_LOWER_UP : 0);
	if (!put_attrs(b, i)) {
		nlmsg_cancel(b, h);
		return false;
	}
	nlmsg_end(b, h);
	return true;
}

/* Linux's policy for IFLA_IFNAME: a string of 1 to 15 bytes, less a
 * trailing NUL. */
static bool name_valid(const struct nlattr_k *a)
{
	size_t len = nla_len(a);

	if (len && !((const char *)nla_data(a))[len - 1])
		len--;
	return nla_len(a) && len <= IFNAMSIZ - 1;
}

/* The interface a GET names, by index or else by IFLA_IFNAME: its
 * position in ifs, -ENODEV when there is none, -EINVAL when it names
 * none, as Linux's rtnl_getlink. */
static int named(const struct nl_request *r, const struct net_ifaddr *ifs, int n)
{
	size_t body = r->h->len - NLMSG_HDRLEN;
	const struct ifinfomsg_k *ifi = nlmsg_body((struct nlmsghdr_k *)r->h);

	if (body < sizeof *ifi)
		return -EINVAL;
	const struct nlattr_k *a = nla_find(ifi + 1, body - sizeof *ifi, IFLA_IFNAME);
	if (a && !name_valid(a))
		return -ERANGE;
	if (ifi->index <= 0 && !a)
		return -EINVAL;
	for (int k = 0; k < n; k++) {
		const char *name = ifs[k].name;
		if (ifi->index > 0 ? ifs[k].index == ifi->index
				   : strnlen(nla_data(a), nla_len(a)) == strlen(name) &&
				     !memcmp(nla_data(a), name, strlen(name)))
			return k;
	}
	return -ENODEV;
}

int rtnl_getlink(const struct nl_request *r, struct nl_buf *b)
{
	struct net_ifaddr *ifs;
	int n = rtnl_interfaces(&ifs);

	if (n < 0)
		return n;
	int k = named(r, ifs, n);
	if (k >= 0)
		k = rtnl_put_link(b, &ifs[k], RTM_NEWLINK, 0, r->h->seq, r->pid) ? 0 : -EMSGSIZE;
	kfree(ifs);
	return k;
}

int rtnl_dump_links(struct nl_dump *d, struct nl_buf *b)
{
	struct net_ifaddr *ifs;
	int n = rtnl_interfaces(&ifs);

	if (n < 0)
		return n;
	while (d->next < (size_t)n && rtnl_put_link(b, &ifs[d->next], RTM_NEWLINK, NLM_F_MULTI, d->seq, d->pid))
		d->next++;
	kfree(ifs);
	/* Linux's link dump ends with a datagram of its own for NLMSG_DONE. */
	return d->next < (size_t)n || b->len ? NL_DUMP_MORE : NL_DUMP_DONE;
}
