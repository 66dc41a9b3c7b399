/* ip -6 route get: RTM_GETROUTE for one IPv6 address, answered as Linux
 * 6's inet6_rtm_getroute and rt6_fill_node answer it, from the routes
 * amphi's addresses imply (net/route_list.h).  The local table comes
 * first (our own addresses, reached through lo; the multicast route),
 * then the main table's longest prefix (an address's prefix, the
 * router's default route).  The source is the one Linux's address
 * selection picks among the outgoing interface's addresses that are past
 * duplicate detection (RFC 6724's scope and longest-match rules). */
#include "net/rtnetlink_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

#define SCOPE_GLOBAL	0x0e

struct rta_cacheinfo_k {
	uint32_t clntref, lastuse;
	int32_t expires;
	uint32_t error, used, id, ts, tsage;
};

/* ---- the source address ---------------------------------------------------------- */

/* RFC 4291's scopes, as Linux's ipv6_addr_scope gives them (:: is 0). */
static unsigned scope_of(const uint8_t a[16])
{
	static const uint8_t loopback[16] = { [15] = 1 };

	if (a[0] == 0xff)
		return a[1] & 0x0f;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return 0x02;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return 0x05;	/* site-local, as QEMU's user network still hands out */
	if (!memcmp(a, loopback, 16))
		return 0x01;
	return net_addr_none(a, 16) ? 0 : SCOPE_GLOBAL;
}

static unsigned common_bits(const uint8_t *a, const uint8_t *b)
{
	unsigned n = 0;

	for (int k = 0; k < 16 && a[k] == b[k]; k++)
		n += 8;
	if (n < 128)
		n += (unsigned)__builtin_clz((unsigned)(a[n / 8] ^ b[n / 8]) << 24);
	return n;
}

/* Whether candidate a is better than b for dst: RFC 6724's rule 2 (the
 * smallest scope that still reaches dst, else the largest), then rule 8
 * (the longest prefix in common with dst). */
static bool better_source(const uint8_t *a, const uint8_t *b, const uint8_t *dst)
{
	unsigned sa = scope_of(a), sb = scope_of(b), sd = scope_of(dst);

	if (sa != sb)
		return sa < sb ? sa >= sd : sb < sd;
	return common_bits(a, dst) > common_bits(b, dst);
}

/* The source for dst out of i; false if i has no address to give. */
static bool pick_source(const struct net_ifaddr *i, const uint8_t *dst, uint8_t src[16])
{
	const uint8_t *best = NULL;

	for (int j = 0; j < i->nip6; j++) {
		const struct net_if_ip6 *a = &i->ip6[j];
		if (a->tentative || a->dad_failed)
			continue;
		if (!best || better_source(a->addr, best, dst))
			best = a->addr;
	}
	if (best)
		memcpy(src, best, 16);
	return best != NULL;
}

/* ---- the route ------------------------------------------------------------------- */

static bool matches(const struct net_route *r, const uint8_t *dst)
{
	unsigned len = r->dst_len;

	return !memcmp(r->dst, dst, len / 8) &&
	       (len % 8 == 0 || !((r->dst[len / 8] ^ dst[len / 8]) & (uint8_t)(0xff00 >> (len % 8))));
}

/* The local table's answer for dst, else the main table's longest prefix
 * (the lower metric among equals); oif > 0 keeps to that interface. */
static const struct net_route *lookup(const struct net_route *list, size_t n, const uint8_t *dst, int oif)
{
	const struct net_route *best = NULL;

	for (size_t k = 0; k < n; k++)
		if (list[k].table == RT_TABLE_LOCAL && matches(&list[k], dst) &&
		    (list[k].type == RTN_LOCAL || oif <= 0 || list[k].oif == oif))
			return &list[k];
	for (size_t k = 0; k < n; k++) {
		const struct net_route *r = &list[k];
		if (r->table != RT_TABLE_MAIN || !matches(r, dst) || (oif > 0 && r->oif != oif))
			continue;
		if (!best || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len && r->priority < best->priority))
			best = r;
	}
	return best;
}

static const struct net_ifaddr *loopback(const struct net_ifaddr *ifs, int n)
{
	for (int k = 0; k < n; k++)
		if (ifs[k].flags & NET_IFF_LOOPBACK)
			return &ifs[k];
	return NULL;
}

/* The answer: the route found, for dst itself, with its source; our own
 * address goes out through lo, from itself. */
static int answer(const struct net_ifaddr *ifs, int nifs, const struct net_route *found, const uint8_t *dst,
		  struct net_route *out)
{
	*out = *found;
	memcpy(out->dst, dst, 16);
	out->dst_len = 128;
	if (found->type == RTN_LOCAL) {
		const struct net_ifaddr *lo = loopback(ifs, nifs);
		if (!lo)
			return -ENETUNREACH;
		out->oif = lo->index;
		memcpy(out->prefsrc, dst, 16);
		return 0;
	}
	const struct net_ifaddr *i = net_ifaddr_find(ifs, nifs, found->oif);
	if (!i)
		return -ENETUNREACH;
	pick_source(i, dst, out->prefsrc);	/* none: no RTA_PREFSRC, as Linux */
	return 0;
}

/* ---- the message ----------------------------------------------------------------- */

static bool put_attrs(struct nl_buf *b, const struct net_route *r)
{
	static const uint8_t none[16];
	struct rta_cacheinfo_k ci = { 0 };	/* no cache here: nothing used or expiring */

	return nla_put_u32(b, RTA_TABLE, r->table) && nla_put(b, RTA_DST, r->dst, 16) &&
	       nla_put(b, RTA_SRC, none, 16) &&
	       (net_addr_none(r->prefsrc, 16) || nla_put(b, RTA_PREFSRC, r->prefsrc, 16)) &&
	       nla_put_u32(b, RTA_PRIORITY, r->priority) &&
	       (net_addr_none(r->gw, 16) || nla_put(b, RTA_GATEWAY, r->gw, 16)) &&
	       nla_put_u32(b, RTA_OIF, (uint32_t)r->oif) && nla_put(b, RTA_CACHEINFO, &ci, sizeof ci) &&
	       nla_put_u8(b, RTA_PREF, 0);
}

static int find_route(const uint8_t *dst, int oif, struct net_route *out)
{
	struct net_ifaddr *ifs;
	int nifs = rtnl_interfaces(&ifs);

	if (nifs < 0)
		return nifs;
	size_t n;
	struct net_route *list = net_routes(ifs, nifs, false, true, &n);
	int err = -ENOMEM;
	if (list) {
		const struct net_route *found = lookup(list, n, dst, oif);
		err = found ? answer(ifs, nifs, found, dst, out) : -ENETUNREACH;
	}
	kfree(list);
	kfree(ifs);
	return err;
}

/* Linux's policy for the request's attributes: a destination shorter
 * than an address is EINVAL, an interface index shorter than 4 bytes
 * ERANGE. */
int rtnl_getroute6(const struct nl_request *r, const struct nlattr_k *dst, const struct nlattr_k *oif,
		   struct nl_buf *b)
{
	uint8_t to[16] = { 0 };
	int out_if = 0;

	if (dst && nla_len(dst) < 16)
		return -EINVAL;
	if (oif && nla_len(oif) < 4)
		return -ERANGE;
	if (dst)
		memcpy(to, nla_data(dst), 16);
	if (oif)
		memcpy(&out_if, nla_data(oif), 4);
	struct net_route route;
	int err = find_route(to, out_if, &route);
	if (err)
		return err;
	struct rtmsg_k m = rtnl_rtmsg_of(&route, 0);
	m.src_len = 128;	/* RTA_SRC: the request's source, none */
	return rtnl_put_route(b, &m, &route, 0, r->h->seq, r->pid, put_attrs) ? 0 : -EMSGSIZE;
}
