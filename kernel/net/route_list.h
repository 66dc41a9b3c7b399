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

/* Whether an address of bytes bytes is all zeros (none). */
static inline bool net_addr_none(const uint8_t *a, size_t bytes)
{
	for (size_t k = 0; k < bytes; k++)
		if (a[k])
			return false;
	return true;
}

/* An IPv4 netmask's prefix length (its leading ones). */
unsigned net_prefix_len4(const uint8_t mask[4]);

/* The routes of ifs[0..n) (lo first, as net_ifaddrs lists them), IPv4's
 * if v4 and IPv6's if v6, each family's main table before its local one:
 * a kmalloc'd array of *count (the caller frees it), or NULL without
 * memory. */
struct net_route *net_routes(const struct net_ifaddr *ifs, int n, bool v4, bool v6, size_t *count);

#endif
