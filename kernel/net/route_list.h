/* The routes amphi's addresses imply, as Linux would hold them for the
 * same addresses.  lwIP routes by its interfaces' subnets and gateways
 * and has no table of its own; rtnetlink (RTM_GETROUTE) and /proc/net
 * (route, ipv6_route) both show this one list, in Linux's values. */
#ifndef AMPHI_NET_ROUTE_LIST_H
#define AMPHI_NET_ROUTE_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "net/netif.h"

#define AF_INET_K	2
#define AF_INET6_K	10

#define RT_TABLE_MAIN	254
#define RT_TABLE_LOCAL	255

#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK	253
#define RT_SCOPE_HOST	254

#define RTPROT_KERNEL	2
#define RTPROT_STATIC	4
#define RTPROT_RA	9
#define RTPROT_DHCP	16

#define RTN_UNICAST	1
#define RTN_LOCAL	2
#define RTN_BROADCAST	3
#define RTN_MULTICAST	5

struct net_route {
	uint8_t family, dst_len, table, protocol, scope, type;
	uint8_t dst[16], gw[16], prefsrc[16];	/* zeros: none */
	int oif;				/* the interface's index */
	uint32_t priority;			/* IPv4's 0: none */
};

/* Room for the routes of n interfaces: IPv4's five at most (lo's three
 * local ones; a gateway, a subnet, an address and its broadcast), and
 * IPv6's prefixes and addresses with a default and a multicast route. */
#define NET_ROUTES_MAX(n)	((size_t)(n) * (5 + 2 * (NET_IF_MAX_IP6 + 1)))

/* An IPv4 netmask's prefix length (its leading ones). */
unsigned net_prefix_len4(const uint8_t mask[4]);

/* The routes of ifs[0..n) (lo first, as net_ifaddrs lists them), IPv4's
 * if v4 and IPv6's if v6, each family's main table before its local one,
 * into list (NET_ROUTES_MAX(n) entries); returns how many. */
size_t net_route_list(const struct net_ifaddr *ifs, int n, bool v4, bool v6, struct net_route *list);

#endif
