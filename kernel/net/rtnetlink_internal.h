/* NETLINK_ROUTE's handlers, shared between kernel/net/rtnetlink*.c: the
 * interfaces (links), their addresses and the routes, as Linux's
 * rtnetlink gives them, from lwIP's state (net_ifaddrs). */
#ifndef AMPHI_NET_RTNETLINK_INTERNAL_H
#define AMPHI_NET_RTNETLINK_INTERNAL_H

#include "net/netif.h"
#include "net/netlink_internal.h"
#include "net/route_list.h"

#define RTM_NEWLINK	16
#define RTM_GETLINK	18
#define RTM_NEWADDR	20
#define RTM_GETADDR	22
#define RTM_NEWROUTE	24
#define RTM_GETROUTE	26
#define RTM_NEWNEIGH	28
#define RTM_GETNEIGH	30
#define RTM_NEWRULE	32
#define RTM_GETRULE	34

#define AF_UNSPEC_K	0

#define RTA_DST		1
#define RTA_SRC		2
#define RTA_OIF		4
#define RTA_GATEWAY	5
#define RTA_PRIORITY	6
#define RTA_PREFSRC	7
#define RTA_CACHEINFO	12
#define RTA_TABLE	15
#define RTA_PREF	20

struct rtmsg_k {
	uint8_t family, dst_len, src_len, tos, table, protocol, scope, type;
	uint32_t flags;
};

#define RTNL_IFS_MAX	8	/* interfaces a request looks at: lo, eth0 and room */

/* The interfaces, lo first: how many (at most RTNL_IFS_MAX), or -ENOMEM.
 * *out is kmalloc'd; the caller frees it. */
int rtnl_interfaces(struct net_ifaddr **out);

#define RTM_DELLINK	17
#define RTM_DELADDR	21

/* One message of type for interface i, or for its address a6 (NULL: its
 * IPv4 one); false when b is full. */
bool rtnl_put_link(struct nl_buf *b, const struct net_ifaddr *i, uint16_t type, uint16_t flags,
		   uint32_t seq, uint32_t pid);
bool rtnl_put_addr(struct nl_buf *b, const struct net_ifaddr *i, const struct net_if_ip6 *a6,
		   uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid);

/* A GET's answer into b, or a dump's next datagram. */
int rtnl_getlink(const struct nl_request *r, struct nl_buf *b);
int rtnl_dump_links(struct nl_dump *d, struct nl_buf *b);
int rtnl_dump_addrs(struct nl_dump *d, struct nl_buf *b);
int rtnl_dump_routes(struct nl_dump *d, struct nl_buf *b);
int rtnl_dump_neigh(struct nl_dump *d, struct nl_buf *b);
int rtnl_getroute(const struct nl_request *r, struct nl_buf *b);

/* A route's rtmsg, with rtm_flags (RTM_F_ and RTCF_). */
struct rtmsg_k rtnl_rtmsg_of(const struct net_route *r, uint32_t rtm_flags);
/* One RTM_NEWROUTE of header m and attrs' attributes; false when b is full. */
bool rtnl_put_route(struct nl_buf *b, const struct rtmsg_k *m, const struct net_route *r, uint16_t flags,
		    uint32_t seq, uint32_t pid, bool (*attrs)(struct nl_buf *b, const struct net_route *r));
/* ip -6 route get: the route to dst (NULL: ::), out of oif if given. */
int rtnl_getroute6(const struct nl_request *r, const struct nlattr_k *dst, const struct nlattr_k *oif,
		   struct nl_buf *b);
int rtnl_dump_rules(struct nl_dump *d, struct nl_buf *b);

#endif
