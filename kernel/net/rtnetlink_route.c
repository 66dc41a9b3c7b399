/* RTM_GETROUTE: the routes amphi's addresses imply (net/route_list.h),
 * as Linux's fib_dump_info and rt6_fill_node describe them, and the
 * route to one address (ip route get). */
#include "net/rtnetlink_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

#define RTM_F_CLONED	0x200
#define RTCF_LOCAL	0x80000000u	/* ip route get's "<local>" */
#define RTCF_BROADCAST	0x10000000u	/* "<brd>" */
#define RTCF_MULTICAST	0x20000000u	/* "<mc>" */

#define RTNL_FAMILY_IPMR 128	/* IPv4's multicast routes (ip mroute) */

/* ---- messages ------------------------------------------------------------------- */

static bool put_attrs(struct nl_buf *b, const struct net_route *r)
{
	unsigned bytes = r->family == AF_INET6_K ? 16 : 4;

	return nla_put_u32(b, RTA_TABLE, r->table) &&
	       (!r->dst_len || nla_put(b, RTA_DST, r->dst, bytes)) &&
	       ((bytes == 4 && !r->priority) || nla_put_u32(b, RTA_PRIORITY, r->priority)) &&
	       (net_addr_none(r->prefsrc, bytes) || nla_put(b, RTA_PREFSRC, r->prefsrc, bytes)) &&
	       (net_addr_none(r->gw, bytes) || nla_put(b, RTA_GATEWAY, r->gw, bytes)) &&
	       nla_put_u32(b, RTA_OIF, (uint32_t)r->oif) &&
	       (bytes == 4 || nla_put_u8(b, RTA_PREF, 0));
}

/* ip route get's answer, in Linux's rt_fill_info order (the output
 * interface before the source). */
static bool put_lookup_attrs(struct nl_buf *b, const struct net_route *r)
{
	return nla_put_u32(b, RTA_TABLE, r->table) && nla_put(b, RTA_DST, r->dst, 4) &&
	       nla_put_u32(b, RTA_OIF, (uint32_t)r->oif) && nla_put(b, RTA_PREFSRC, r->prefsrc, 4) &&
	       (net_addr_none(r->gw, 4) || nla_put(b, RTA_GATEWAY, r->gw, 4));
}

struct rtmsg_k rtnl_rtmsg_of(const struct net_route *r, uint32_t rtm_flags)
{
	return (struct rtmsg_k){ .family = r->family, .dst_len = r->dst_len, .table = r->table,
				 .protocol = r->protocol, .scope = r->scope, .type = r->type, .flags = rtm_flags };
}

bool rtnl_put_route(struct nl_buf *b, const struct rtmsg_k *m, const struct net_route *r, uint16_t flags,
		    uint32_t seq, uint32_t pid, bool (*attrs)(struct nl_buf *b, const struct net_route *r))
{
	struct nlmsghdr_k *h = nlmsg_begin(b, RTM_NEWROUTE, flags, seq, pid, sizeof *m);

	if (!h)
		return false;
	memcpy(nlmsg_body(h), m, sizeof *m);
	if (!attrs(b, r)) {
		nlmsg_cancel(b, h);
		return false;
	}
	nlmsg_end(b, h);
	return true;
}

/* The routes of family (AF_UNSPEC: both).  Linux answers a family it has
 * no routes of with all of them, except RTNL_FAMILY_IPMR's, which lists
 * multicast forwarding: amphi has none. */
int rtnl_dump_routes(struct nl_dump *d, struct nl_buf *b)
{
	struct net_ifaddr *ifs;
	int nifs = rtnl_interfaces(&ifs);

	if (nifs < 0)
		return nifs;
	bool v4 = d->family != AF_INET6_K && d->family != RTNL_FAMILY_IPMR;
	bool v6 = d->family != AF_INET_K && d->family != RTNL_FAMILY_IPMR;
	size_t n;
	struct net_route *list = net_routes(ifs, nifs, v4, v6, &n);
	if (!list) {
		kfree(ifs);
		return -ENOMEM;
	}
	while (d->next < n) {
		struct rtmsg_k m = rtnl_rtmsg_of(&list[d->next], 0);
		if (!rtnl_put_route(b, &m, &list[d->next], NLM_F_MULTI, d->seq, d->pid, put_attrs))
			break;
		d->next++;
	}
	kfree(list);
	kfree(ifs);
	return d->next < n || b->len ? NL_DUMP_MORE : NL_DUMP_DONE;
}

/* ---- one address's route ------------------------------------------------------- */

/* The way to one address, with the rtmsg flags that say what it is. */
struct lookup {
	struct net_route r;
	uint32_t flags;
};

static bool in_subnet(const struct net_ifaddr *i, const uint8_t dst[4])
{
	for (int k = 0; k < 4; k++)
		if ((dst[k] ^ i->addr[k]) & i->netmask[k])
			return false;
	return true;
}

static const struct net_ifaddr *find(const struct net_ifaddr *ifs, int n, const uint8_t dst[4],
				     bool (*match)(const struct net_ifaddr *i, const uint8_t dst[4]))
{
	for (int k = 0; k < n; k++)
		if (!net_addr_none(ifs[k].addr, 4) && match(&ifs[k], dst))
			return &ifs[k];
	return NULL;
}

static bool is_loopback(const struct net_ifaddr *i, const uint8_t dst[4])
{
	(void)dst;
	return i->flags & NET_IFF_LOOPBACK;
}

static bool is_own(const struct net_ifaddr *i, const uint8_t dst[4])
{
	return !memcmp(i->addr, dst, 4) || (is_loopback(i, dst) && dst[0] == 127);
}

static bool on_link(const struct net_ifaddr *i, const uint8_t dst[4])
{
	return !is_loopback(i, dst) && in_subnet(i, dst);
}

static bool has_gateway(const struct net_ifaddr *i, const uint8_t dst[4])
{
	return !is_loopback(i, dst) && !net_addr_none(i->gateway, 4);
}

static bool is_subnet_broadcast(const struct net_ifaddr *i, const uint8_t dst[4])
{
	return !is_loopback(i, dst) && !memcmp(i->broadcast, dst, 4);
}

static bool is_multicast(const uint8_t dst[4]) { return (dst[0] & 0xf0) == 0xe0; }
static bool is_limited_broadcast(const uint8_t dst[4]) { return (dst[0] & dst[1] & dst[2] & dst[3]) == 0xff; }

static void fill(struct lookup *l, const uint8_t dst[4], const struct net_ifaddr *out, const uint8_t src[4],
		 uint8_t type, uint32_t flags)
{
	*l = (struct lookup){ .r = { .family = AF_INET_K, .dst_len = 32, .table = RT_TABLE_MAIN,
				     .scope = RT_SCOPE_UNIVERSE, .type = type, .oif = out->index },
			      .flags = RTM_F_CLONED | flags };
	memcpy(l->r.dst, dst, 4);
	memcpy(l->r.prefsrc, src, 4);
}

/* A multicast or limited broadcast destination goes out where the default
 * route does, without its gateway, as Linux's __mkroute_output; the
 * all-hosts group is one every multicast interface has joined. */
static void fill_group(struct lookup *r, const uint8_t dst[4], const struct net_ifaddr *via)
{
	static const uint8_t all_hosts[4] = { 224, 0, 0, 1 };

	if (is_limited_broadcast(dst))
		fill(r, dst, via, via->addr, RTN_BROADCAST, RTCF_BROADCAST | RTCF_LOCAL);
	else
		fill(r, dst, via, via->addr, RTN_MULTICAST,
		     RTCF_MULTICAST | (!memcmp(dst, all_hosts, 4) && (via->flags & NET_IFF_MULTICAST) ? RTCF_LOCAL : 0));
}

/* The way to dst as Linux's ip_route_output_key_hash finds it for the
 * routes amphi shows: 0.0.0.0 is this host (from 127.0.0.1); then our
 * addresses (through lo), a subnet's broadcast, groups, a subnet, a
 * gateway (the rest of 0/8 too, as Linux 6.18 routes it). */
static int lookup_v4(const struct net_ifaddr *ifs, int n, const uint8_t dst[4], struct lookup *r)
{
	const struct net_ifaddr *own = find(ifs, n, dst, is_own), *lo = find(ifs, n, dst, is_loopback);
	const struct net_ifaddr *bcast = find(ifs, n, dst, is_subnet_broadcast);
	const struct net_ifaddr *link = find(ifs, n, dst, on_link), *via = find(ifs, n, dst, has_gateway);

	if (net_addr_none(dst, 4) && lo)
		fill(r, dst, lo, lo->addr, RTN_LOCAL, RTCF_LOCAL);
	else if (own && lo)
		fill(r, dst, lo, own->addr, RTN_LOCAL, RTCF_LOCAL);
	else if (bcast)
		fill(r, dst, bcast, bcast->addr, RTN_BROADCAST, RTCF_BROADCAST | RTCF_LOCAL);
	else if ((is_multicast(dst) || is_limited_broadcast(dst)) && via)
		fill_group(r, dst, via);
	else if (link)
		fill(r, dst, link, link->addr, RTN_UNICAST, 0);
	else if (via && !is_multicast(dst) && !is_limited_broadcast(dst)) {
		fill(r, dst, via, via->addr, RTN_UNICAST, 0);
		memcpy(r->r.gw, via->gateway, 4);
	} else
		return -ENETUNREACH;
	return 0;
}

/* RTM_GETROUTE for one address (RTA_DST, none: 0.0.0.0 or ::); another
 * family's is EOPNOTSUPP, as Linux has no handler for them.  An IPv4
 * destination shorter than an address is ERANGE, as Linux's policy for
 * it says. */
int rtnl_getroute(const struct nl_request *r, struct nl_buf *b)
{
	size_t body = r->h->len - NLMSG_HDRLEN;
	const struct rtmsg_k *m = nlmsg_body((struct nlmsghdr_k *)r->h);

	if (m->family != AF_INET_K && m->family != AF_INET6_K)
		return -EOPNOTSUPP;
	if (body < sizeof *m)
		return -EINVAL;
	if (m->family == AF_INET6_K)
		return rtnl_getroute6(r, nla_find(m + 1, body - sizeof *m, RTA_DST),
				      nla_find(m + 1, body - sizeof *m, RTA_OIF), b);
	const struct nlattr_k *a = nla_find(m + 1, body - sizeof *m, RTA_DST);
	uint8_t dst[4] = { 0 };
	if (a && nla_len(a) < 4)
		return -ERANGE;
	if (a)
		memcpy(dst, nla_data(a), 4);
	struct net_ifaddr *ifs;
	int n = rtnl_interfaces(&ifs);
	if (n < 0)
		return n;
	struct lookup way;
	int err = lookup_v4(ifs, n, dst, &way);
	kfree(ifs);
	if (err)
		return err;
	struct rtmsg_k reply = rtnl_rtmsg_of(&way.r, way.flags);
	return rtnl_put_route(b, &reply, &way.r, 0, r->h->seq, r->pid, put_lookup_attrs) ? 0 : -EMSGSIZE;
}
