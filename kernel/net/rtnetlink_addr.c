/* RTM_GETADDR: the interfaces' addresses as Linux's inet_fill_ifaddr and
 * inet6_fill_ifaddr describe them.  A dump lists IPv4's, then IPv6's, each
 * by interface; a family of neither lists both, as Linux's rtnl_dump_all. */
#include "net/rtnetlink_internal.h"

#include "core/kmalloc.h"
#include "core/string.h"

#define IFA_ADDRESS	1
#define IFA_LOCAL	2
#define IFA_LABEL	3
#define IFA_BROADCAST	4
#define IFA_CACHEINFO	6
#define IFA_FLAGS	8
#define IFA_PROTO	11

/* Who made an IPv6 address (IFA_PROTO), as Linux 6.x says. */
#define IFAPROT_KERNEL_LO 1
#define IFAPROT_KERNEL_RA 2
#define IFAPROT_KERNEL_LL 3

struct ifaddrmsg_k {
	uint8_t family, prefixlen, flags, scope;
	uint32_t index;
};

struct ifa_cacheinfo_k {
	uint32_t prefered, valid, cstamp, tstamp;
};

/* One address, whichever family. */
struct addr {
	const struct net_ifaddr *i;
	const struct net_if_ip6 *a6;	/* NULL: i's IPv4 address */
};

static bool put_cacheinfo(struct nl_buf *b, uint32_t pref, uint32_t valid)
{
	struct ifa_cacheinfo_k c = { pref, valid, 0, 0 };

	return nla_put(b, IFA_CACHEINFO, &c, sizeof c);
}

static bool put_v4(struct nl_buf *b, struct ifaddrmsg_k *ifa, const struct net_ifaddr *i)
{
	ifa->family = AF_INET_K;
	ifa->prefixlen = (uint8_t)net_prefix_len4(i->netmask);
	ifa->flags = NET_IFA_F_PERMANENT;
	ifa->scope = i->addr[0] == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	return nla_put(b, IFA_ADDRESS, i->addr, 4) && nla_put(b, IFA_LOCAL, i->addr, 4) &&
	       (net_addr_none(i->broadcast, 4) || nla_put(b, IFA_BROADCAST, i->broadcast, 4)) &&
	       nla_put_str(b, IFA_LABEL, i->name) && nla_put_u32(b, IFA_FLAGS, ifa->flags) &&
	       put_cacheinfo(b, NET_LIFE_FOREVER, NET_LIFE_FOREVER);
}

static uint8_t scope6(const uint8_t a[16])
{
	static const uint8_t loopback[16] = { [15] = 1 };

	if (!memcmp(a, loopback, 16))
		return RT_SCOPE_HOST;
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
}

static bool put_v6(struct nl_buf *b, struct ifaddrmsg_k *ifa, const struct net_if_ip6 *a)
{
	uint32_t flags = net_ip6_ifa_flags(a);

	ifa->family = AF_INET6_K;
	ifa->prefixlen = a->prefix;
	ifa->flags = (uint8_t)flags;
	ifa->scope = scope6(a->addr);

	uint8_t proto = ifa->scope == RT_SCOPE_HOST ? IFAPROT_KERNEL_LO
			: ifa->scope == RT_SCOPE_LINK ? IFAPROT_KERNEL_LL
			: a->autoconf ? IFAPROT_KERNEL_RA : 0;

	return nla_put(b, IFA_ADDRESS, a->addr, 16) && put_cacheinfo(b, a->pref_life, a->valid_life) &&
	       nla_put_u32(b, IFA_FLAGS, flags) && (!proto || nla_put_u8(b, IFA_PROTO, proto));
}

bool rtnl_put_addr(struct nl_buf *b, const struct net_ifaddr *i, const struct net_if_ip6 *a6,
		   uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid)
{
	struct nlmsghdr_k *h = nlmsg_begin(b, type, flags, seq, pid, sizeof(struct ifaddrmsg_k));

	if (!h)
		return false;
	struct ifaddrmsg_k *ifa = nlmsg_body(h);
	ifa->index = (uint32_t)i->index;
	if (!(a6 ? put_v6(b, ifa, a6) : put_v4(b, ifa, i))) {
		nlmsg_cancel(b, h);
		return false;
	}
	nlmsg_end(b, h);
	return true;
}

/* The addresses d asks for, in Linux's order; how many. */
static size_t list_addrs(const struct net_ifaddr *ifs, int n, uint8_t family, struct addr *out)
{
	bool v4 = family != AF_INET6_K, v6 = family != AF_INET_K;
	size_t count = 0;

	for (int k = 0; v4 && k < n; k++)
		if (!net_addr_none(ifs[k].addr, 4))
			out[count++] = (struct addr){ &ifs[k], NULL };
	for (int k = 0; v6 && k < n; k++)
		for (int j = 0; j < ifs[k].nip6; j++)
			out[count++] = (struct addr){ &ifs[k], &ifs[k].ip6[j] };
	return count;
}

int rtnl_dump_addrs(struct nl_dump *d, struct nl_buf *b)
{
	struct addr list[RTNL_IFS_MAX * (1 + NET_IF_MAX_IP6)];
	struct net_ifaddr *ifs;
	int n = rtnl_interfaces(&ifs);

	if (n < 0)
		return n;
	size_t count = list_addrs(ifs, n, d->family, list);
	while (d->next < count && rtnl_put_addr(b, list[d->next].i, list[d->next].a6, RTM_NEWADDR,
						NLM_F_MULTI, d->seq, d->pid))
		d->next++;
	kfree(ifs);
	/* Linux ends an IPv6 dump in its last datagram, the others alone. */
	return d->next < count || (b->len && d->family != AF_INET6_K) ? NL_DUMP_MORE : NL_DUMP_DONE;
}
