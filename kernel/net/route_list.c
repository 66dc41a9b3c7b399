/* The routes amphi's addresses imply (route_list.h), as Linux 6 holds
 * them: an IPv4 address brings its subnet (main table), itself and its
 * subnet's broadcast (local table), and a gateway a default route; an
 * IPv6 address on an interface other than lo brings its prefix at once,
 * and itself (local table) once duplicate detection has passed it; each
 * such interface has the multicast route, and the first router lwIP
 * learned from an advertisement gives the default route.  An interface
 * that is down has none. */
#include "net/route_list.h"

#include "core/kmalloc.h"
#include "core/string.h"

/* Room for the routes of one interface: IPv4's five at most (lo's three
 * local ones; a gateway, a subnet, an address and its broadcast), and
 * IPv6's prefixes and addresses with a default and a multicast route. */
#define ROUTES_PER_IF	(5 + 2 * (NET_IF_MAX_IP6 + 1))

#define V6_METRIC	256	/* Linux's for the routes an address brings */
#define V6_DEFAULT_METRIC 1024	/* and for a router's default route */

static struct net_route *add(struct net_route *list, size_t *n, uint8_t family, uint8_t table, uint8_t type,
			     uint8_t scope, int oif)
{
	struct net_route *r = &list[(*n)++];

	*r = (struct net_route){ .family = family, .table = table, .protocol = RTPROT_KERNEL,
				 .scope = scope, .type = type, .oif = oif };
	return r;
}

static void set_dst(struct net_route *r, const uint8_t *dst, unsigned bytes, unsigned len)
{
	memcpy(r->dst, dst, bytes);
	r->dst_len = (uint8_t)len;
}

unsigned net_prefix_len4(const uint8_t mask[4])
{
	unsigned p = 0;

	for (int k = 0; k < 4; k++)
		for (uint8_t m = mask[k]; m & 0x80; m <<= 1)
			p++;
	return p;
}

/* ---- IPv4 ------------------------------------------------------------------------ */

static void main_v4(const struct net_ifaddr *i, struct net_route *list, size_t *n)
{
	if (net_addr_none(i->addr, 4) || (i->flags & NET_IFF_LOOPBACK))
		return;	/* lo's routes are all in the local table */
	if (!net_addr_none(i->gateway, 4)) {
		struct net_route *r = add(list, n, AF_INET_K, RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_UNIVERSE,
					  i->index);
		r->protocol = i->dhcp ? RTPROT_DHCP : RTPROT_STATIC;
		memcpy(r->gw, i->gateway, 4);
	}
	uint8_t net[4];
	for (int k = 0; k < 4; k++)
		net[k] = i->addr[k] & i->netmask[k];
	struct net_route *r = add(list, n, AF_INET_K, RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_LINK, i->index);
	set_dst(r, net, 4, net_prefix_len4(i->netmask));
	memcpy(r->prefsrc, i->addr, 4);
}

static void local_v4(const struct net_ifaddr *i, struct net_route *list, size_t *n)
{
	if (net_addr_none(i->addr, 4))
		return;
	if (i->flags & NET_IFF_LOOPBACK) {
		struct net_route *r = add(list, n, AF_INET_K, RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_HOST, i->index);
		uint8_t net[4] = { i->addr[0], 0, 0, 0 };
		set_dst(r, net, 4, net_prefix_len4(i->netmask));
		memcpy(r->prefsrc, i->addr, 4);
	}
	struct net_route *r = add(list, n, AF_INET_K, RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_HOST, i->index);
	set_dst(r, i->addr, 4, 32);
	memcpy(r->prefsrc, i->addr, 4);
	uint8_t bcast[4];
	for (int k = 0; k < 4; k++)
		bcast[k] = i->addr[k] | (uint8_t)~i->netmask[k];
	r = add(list, n, AF_INET_K, RT_TABLE_LOCAL, RTN_BROADCAST, RT_SCOPE_LINK, i->index);
	set_dst(r, bcast, 4, 32);
	memcpy(r->prefsrc, i->addr, 4);
}

/* ---- IPv6 ------------------------------------------------------------------------ */

static void prefix_of(const struct net_if_ip6 *a, uint8_t dst[16])
{
	unsigned len = a->prefix > 128 ? 128 : a->prefix;

	memset(dst, 0, 16);
	memcpy(dst, a->addr, len / 8);
	if (len % 8)
		dst[len / 8] = a->addr[len / 8] & (uint8_t)(0xff00 >> (len % 8));
}

static bool same_prefix(const struct net_route *list, size_t n, const uint8_t *dst, unsigned len, int oif)
{
	for (size_t k = 0; k < n; k++)
		if (list[k].family == AF_INET6_K && list[k].table == RT_TABLE_MAIN && list[k].oif == oif &&
		    list[k].dst_len == len && !memcmp(list[k].dst, dst, 16))
			return true;
	return false;
}

/* Each prefix once per interface, tentative addresses' too: Linux adds
 * the prefix route with the address, before duplicate detection.  lo's
 * ::1 brings none in Linux 6. */
static void main_v6(const struct net_ifaddr *i, struct net_route *list, size_t *n)
{
	if (i->flags & NET_IFF_LOOPBACK)
		return;
	for (int j = 0; j < i->nip6; j++) {
		uint8_t dst[16];
		prefix_of(&i->ip6[j], dst);
		if (same_prefix(list, *n, dst, i->ip6[j].prefix, i->index))
			continue;
		struct net_route *r = add(list, n, AF_INET6_K, RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_UNIVERSE,
					  i->index);
		set_dst(r, dst, 16, i->ip6[j].prefix);
		r->priority = V6_METRIC;
	}
	if (!net_addr_none(i->gateway6, 16)) {	/* a router's advertisement */
		struct net_route *r = add(list, n, AF_INET6_K, RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_UNIVERSE,
					  i->index);
		r->protocol = RTPROT_RA;
		memcpy(r->gw, i->gateway6, 16);
		r->priority = V6_DEFAULT_METRIC;
	}
}

/* An address of ours is local once duplicate detection has passed it. */
static void local_addrs_v6(const struct net_ifaddr *i, struct net_route *list, size_t *n)
{
	for (int j = 0; j < i->nip6; j++) {
		if (i->ip6[j].tentative || i->ip6[j].dad_failed)
			continue;
		struct net_route *r = add(list, n, AF_INET6_K, RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_UNIVERSE,
					  i->index);
		set_dst(r, i->ip6[j].addr, 16, 128);
	}
}

static void multicast_v6(const struct net_ifaddr *i, struct net_route *list, size_t *n)
{
	static const uint8_t multicast[16] = { 0xff };

	if ((i->flags & NET_IFF_LOOPBACK) || !i->nip6)
		return;
	struct net_route *r = add(list, n, AF_INET6_K, RT_TABLE_LOCAL, RTN_MULTICAST, RT_SCOPE_UNIVERSE, i->index);
	set_dst(r, multicast, 16, 8);
	r->priority = V6_METRIC;
}

/* ---- the list -------------------------------------------------------------------- */

static bool routed(const struct net_ifaddr *i) { return i->flags & NET_IFF_UP; }

/* Linux's trie and tree walks meet the tables in this order: IPv4's
 * default routes and subnets, then its local table (lo's 127/8 after the
 * others'); IPv6's prefixes and default routes, then its local
 * addresses and the multicast routes after them. */
struct net_route *net_routes(const struct net_ifaddr *ifs, int nifs, bool v4, bool v6, size_t *count)
{
	struct net_route *list = kmalloc((size_t)nifs * ROUTES_PER_IF * sizeof *list);
	size_t n = 0;

	if (!list)
		return NULL;

	for (int k = 0; v4 && k < nifs; k++)
		if (routed(&ifs[k]))
			main_v4(&ifs[k], list, &n);
	for (int k = nifs - 1; v4 && k >= 0; k--)
		if (routed(&ifs[k]))
			local_v4(&ifs[k], list, &n);
	for (int k = 0; v6 && k < nifs; k++)
		if (routed(&ifs[k]))
			main_v6(&ifs[k], list, &n);
	for (int k = 0; v6 && k < nifs; k++)
		if (routed(&ifs[k]))
			local_addrs_v6(&ifs[k], list, &n);
	for (int k = 0; v6 && k < nifs; k++)
		if (routed(&ifs[k]))
			multicast_v6(&ifs[k], list, &n);
	*count = n;
	return list;
}
