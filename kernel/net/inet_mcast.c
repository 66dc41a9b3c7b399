/* Multicast on UDP and raw sockets, as Linux 6.18 gives it.
 *
 * Sending: a datagram to a group leaves with IP_MULTICAST_TTL (1 unless
 * set), through IP_MULTICAST_IF's interface or the route's, and a copy
 * comes back to this machine's members while IP_MULTICAST_LOOP is on
 * (the default); lwIP's pcb has a field for each (inet_mcast_apply).  An
 * IPv6 socket's pcb holds IPv6's settings (and IPV6_UNICAST_HOPS); a
 * datagram it sends to an IPv4-mapped address goes with IPv4's (and
 * IP_TTL), swapped in for the one send (inet_send_with_ctl).
 *
 * Receiving: a socket joins a group on an interface (IP_ADD_MEMBERSHIP,
 * MCAST_JOIN_GROUP, IPV6_JOIN_GROUP).  lwIP's IGMP and MLD count an
 * interface's members, announce the group and let its datagrams in;
 * this file keeps each socket's own list, so that a socket leaves only
 * what it joined, its groups go when it closes, and IP_MULTICAST_ALL off
 * can hold back a group it did not join (inet_mcast_wanted).  At most
 * IGMP_MAX_MEMBERSHIPS IPv4 groups a socket, as Linux's default sysctl;
 * IPv6's, which Linux bounds only by option memory, at MLD_MAX_GROUPS. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "net/inet_internal.h"

#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/netif.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#define IPV6_UNICAST_HOPS	16
#define IPV6_MULTICAST_IF	17
#define IPV6_MULTICAST_HOPS	18
#define IPV6_MULTICAST_LOOP	19
#define IPV6_ADD_MEMBERSHIP	20
#define IPV6_DROP_MEMBERSHIP	21
#define IPV6_MULTICAST_ALL	29
#define IP_MULTICAST_IF		32
#define IP_MULTICAST_TTL	33
#define IP_MULTICAST_LOOP	34
#define IP_ADD_MEMBERSHIP	35
#define IP_DROP_MEMBERSHIP	36
#define MCAST_JOIN_GROUP	42
#define MCAST_LEAVE_GROUP	45
#define IP_MULTICAST_ALL	49

#define IGMP_MAX_MEMBERSHIPS	20	/* Linux's net.ipv4.igmp_max_memberships */
#define MLD_MAX_GROUPS		256

struct inet_group {
	struct inet_group *next;
	ip_addr_t group;
	uint8_t ifindex;
	uint32_t local4;	/* IPv4: the interface address the join gave (0: none) */
};

/* What programs pass: struct ip_mreqn (ip_mreq is its first 8 bytes),
 * struct ipv6_mreq, struct group_req. */
struct mreqn_k {
	uint32_t group, local;	/* network order */
	int32_t ifindex;
};

struct ipv6_mreq_k {
	uint8_t group[16];
	uint32_t ifindex;
};

struct group_req_k {
	uint32_t ifindex;
	uint32_t pad;
	uint16_t family;
	uint16_t port;
	union {
		uint32_t in4;				/* sockaddr_in's address */
		struct { uint32_t flow; uint8_t a[16]; } in6;	/* sockaddr_in6's */
	};
	uint8_t rest[128 - 4 - 20];
};

int inet_hops6(const struct inet_sock *sk)
{
	return sk->hops6 >= 0 ? sk->hops6 : IP_DEFAULT_TTL;
}

void inet_mcast_init(struct inet_sock *sk)
{
	sk->mc = (struct inet_mcast){ .ttl4 = 1, .hops6 = 1, .loop4 = true, .loop6 = true,
				      .all4 = true, .all6 = true };
	sk->hops6 = -1;
}

bool inet_mcast_option(int level, int name)
{
	if (level == IPPROTO_IP)
		return (name >= IP_MULTICAST_IF && name <= IP_DROP_MEMBERSHIP) || name == IP_MULTICAST_ALL ||
		       name == MCAST_JOIN_GROUP || name == MCAST_LEAVE_GROUP;
	if (level == IPPROTO_IPV6)
		return (name >= IPV6_UNICAST_HOPS && name <= IPV6_DROP_MEMBERSHIP) ||
		       name == IPV6_MULTICAST_ALL || name == MCAST_JOIN_GROUP || name == MCAST_LEAVE_GROUP;
	return false;
}

/* ---- the pcb --------------------------------------------------------------- */

/* Core lock held.  Puts on the pcb the settings a datagram to an IPv4
 * (v4) or IPv6 destination leaves with; a TCP pcb takes only the
 * unicast TTL or hop limit. */
void inet_mcast_apply_for(struct inet_sock *sk, bool v4)
{
	struct ip_pcb *ip = sk->conn->pcb.ip;
	const struct inet_mcast *mc = &sk->mc;
	uint8_t ttl = v4 ? mc->ttl4 : mc->hops6, index = v4 ? mc->ifindex4 : mc->ifindex6;
	bool loop = v4 ? mc->loop4 : mc->loop6;

	ip->ttl = (uint8_t)(v4 ? sk->ttl : inet_hops6(sk));
	if (NETCONNTYPE_GROUP(sk->conn->type) == NETCONN_UDP) {
		struct udp_pcb *pcb = sk->conn->pcb.udp;
		udp_set_multicast_ttl(pcb, ttl);
		udp_set_multicast_netif_index(pcb, index);
		if (loop)
			udp_set_flags(pcb, UDP_FLAGS_MULTICAST_LOOP);
		else
			udp_clear_flags(pcb, UDP_FLAGS_MULTICAST_LOOP);
	} else if (NETCONNTYPE_GROUP(sk->conn->type) == NETCONN_RAW) {
		struct raw_pcb *pcb = sk->conn->pcb.raw;
		raw_set_multicast_ttl(pcb, ttl);
		raw_set_multicast_netif_index(pcb, index);
		raw_setflags(pcb, (uint8_t)(loop ? raw_flags(pcb) | RAW_FLAGS_MULTICAST_LOOP
						 : raw_flags(pcb) & ~RAW_FLAGS_MULTICAST_LOOP));
	}
}

/* An IPv6 socket's pcb holds IPv6's settings, or IPv4's when its peer
 * is an IPv4-mapped address. */
void inet_mcast_apply(struct inet_sock *sk)
{
	inet_mcast_apply_for(sk, sk->sock->family == AF_INET || IP_IS_V4_VAL(sk->conn->pcb.ip->remote_ip));
}

void inet_mcast_connecting(struct inet_sock *sk, const ip_addr_t *peer)
{
	LOCK_TCPIP_CORE();
	if (sk->conn->pcb.ip)
		inet_mcast_apply_for(sk, sk->sock->family == AF_INET || (peer && IP_IS_V4(peer)));
	UNLOCK_TCPIP_CORE();
}

bool inet_mcast_v4_differs(const struct inet_sock *sk)
{
	const struct inet_mcast *mc = &sk->mc;

	return sk->ttl != inet_hops6(sk) || mc->ttl4 != mc->hops6 || mc->ifindex4 != mc->ifindex6 ||
	       mc->loop4 != mc->loop6;
}

/* ---- membership ------------------------------------------------------------ */

/* The socket's membership of group: on interface ifindex if not 0 (one
 * that does not exist matches none), else joined by address local4 if
 * not 0, else on any interface. */
static struct inet_group **find_group(struct inet_sock *sk, const ip_addr_t *group, int ifindex,
				      uint32_t local4)
{
	for (struct inet_group **g = &sk->mc.groups; *g; g = &(*g)->next) {
		if (!ip_addr_cmp(&(*g)->group, group))
			continue;
		if (ifindex ? (*g)->ifindex == ifindex : !local4 || (*g)->local4 == local4)
			return g;
	}
	return NULL;
}

/* lwIP's interface count for the group; an IPv4 interface is always in
 * all-systems (224.0.0.1), which lwIP will not count. */
static err_t netif_join(struct netif *n, const ip_addr_t *group, bool join)
{
	if (IP_IS_V6(group))
		return join ? mld6_joingroup_netif(n, ip_2_ip6(group)) : mld6_leavegroup_netif(n, ip_2_ip6(group));
	if (ip4_addr_get_u32(ip_2_ip4(group)) == PP_HTONL(0xe0000001ul))	/* 224.0.0.1 */
		return ERR_OK;
	return join ? igmp_joingroup_netif(n, ip_2_ip4(group)) : igmp_leavegroup_netif(n, ip_2_ip4(group));
}

/* Core lock held. */
static int join(struct inet_sock *sk, const ip_addr_t *group, struct netif *n, uint32_t local4)
{
	uint8_t index = netif_get_index(n);
	bool v4 = IP_IS_V4(group);

	if (find_group(sk, group, index, 0))
		return -EADDRINUSE;
	if (v4 ? sk->mc.groups4 >= IGMP_MAX_MEMBERSHIPS : sk->mc.groups6 >= MLD_MAX_GROUPS)
		return -ENOBUFS;
	struct inet_group *g = kmalloc(sizeof *g);
	if (!g)
		return -ENOBUFS;
	err_t e = netif_join(n, group, true);
	if (e != ERR_OK) {
		kfree(g);
		return e == ERR_MEM ? -ENOBUFS : -EINVAL;
	}
	*g = (struct inet_group){ sk->mc.groups, *group, index, local4 };
	sk->mc.groups = g;
	*(v4 ? &sk->mc.groups4 : &sk->mc.groups6) += 1;
	return 0;
}

/* Core lock held.  The entry's interface may be gone: then lwIP forgot
 * its groups with it. */
static void leave_entry(struct inet_sock *sk, struct inet_group **at)
{
	struct inet_group *g = *at;
	struct netif *n = netif_get_by_index(g->ifindex);

	if (n)
		netif_join(n, &g->group, false);
	*(IP_IS_V4(&g->group) ? &sk->mc.groups4 : &sk->mc.groups6) -= 1;
	*at = g->next;
	kfree(g);
}

static int leave(struct inet_sock *sk, const ip_addr_t *group, int ifindex, uint32_t local4)
{
	struct inet_group **at = find_group(sk, group, ifindex, local4);

	if (!at)
		return -EADDRNOTAVAIL;
	leave_entry(sk, at);
	return 0;
}

void inet_mcast_leave_all(struct inet_sock *sk)
{
	if (!sk->mc.groups)
		return;
	LOCK_TCPIP_CORE();
	while (sk->mc.groups)
		leave_entry(sk, &sk->mc.groups);
	UNLOCK_TCPIP_CORE();
}

/* The interface of this index, or NULL (lwIP's indices are 1 to 255). */
static struct netif *netif_at(long index)
{
	return index > 0 && index < 256 ? netif_get_by_index((uint8_t)index) : NULL;
}

/* The interface with this IPv4 address, or NULL. */
static struct netif *netif_of_addr4(uint32_t addr)
{
	struct netif *n;

	NETIF_FOREACH(n)
		if (ip4_addr_get_u32(netif_ip4_addr(n)) == addr && addr)
			return n;
	return NULL;
}

/* Where an IPv4 group is joined: the interface named by index, else by
 * address, else the group's route (Linux's ip_mc_find_dev). */
static struct netif *group_netif4(const struct mreqn_k *m)
{
	if (m->ifindex)
		return netif_at(m->ifindex);
	if (m->local)
		return netif_of_addr4(m->local);
	ip4_addr_t group = { m->group };
	return ip4_route(&group);
}

static struct netif *group_netif6(const ip_addr_t *group, uint32_t ifindex)
{
	if (ifindex)
		return netif_at(ifindex);
	return ip6_route(IP6_ADDR_ANY6, ip_2_ip6(group));
}

/* IP_ADD_MEMBERSHIP and IP_DROP_MEMBERSHIP, or MCAST_JOIN_GROUP's IPv4
 * form.  Core lock held. */
static int member4(struct inet_sock *sk, const struct mreqn_k *m, bool join_it)
{
	ip_addr_t group = IPADDR4_INIT(m->group);

	if (!ip4_addr_ismulticast(ip_2_ip4(&group)))
		return -EINVAL;
	struct netif *n = group_netif4(m);
	if (join_it)
		return n ? join(sk, &group, n, m->local) : -ENODEV;
	/* As Linux's ip_mc_leave_group: the interface the request names or
	 * routes to, else the address the join named. */
	if (!n && !m->ifindex && !m->local)
		return -ENODEV;
	int index = m->ifindex ? m->ifindex : n ? netif_get_index(n) : 0;
	return leave(sk, &group, index, m->local);
}

static int member6(struct inet_sock *sk, const uint8_t addr[16], uint32_t ifindex, bool join_it)
{
	ip_addr_t group;

	memcpy(ip_2_ip6(&group)->addr, addr, 16);
	IP_SET_TYPE_VAL(group, IPADDR_TYPE_V6);
	ip6_addr_clear_zone(ip_2_ip6(&group));
	if (!ip6_addr_ismulticast(ip_2_ip6(&group)))
		return -EINVAL;
	if (!join_it)
		return leave(sk, &group, (int)ifindex, 0);
	/* Linux refuses a second join before it looks for the interface. */
	if (!ifindex && find_group(sk, &group, 0, 0))
		return -EADDRINUSE;
	struct netif *n = group_netif6(&group, ifindex);
	return n ? join(sk, &group, n, 0) : -ENODEV;
}

static bool is_membership(int level, int name)
{
	if (name == MCAST_JOIN_GROUP || name == MCAST_LEAVE_GROUP)
		return true;
	if (level == IPPROTO_IP)
		return name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP;
	return name == IPV6_ADD_MEMBERSHIP || name == IPV6_DROP_MEMBERSHIP;
}

/* MCAST_JOIN_GROUP or MCAST_LEAVE_GROUP: a struct group_req, whose group
 * is of the level's family. */
static int group_req(int level, const void *val, uint32_t len, struct group_req_k *gr)
{
	if (len < sizeof *gr)
		return -EINVAL;
	memcpy(gr, val, sizeof *gr);
	if (level == IPPROTO_IP && gr->family != AF_INET)
		return -EINVAL;
	if (level == IPPROTO_IPV6 && gr->family != AF_INET6)
		return -EADDRNOTAVAIL;
	return 0;
}

static int set_membership(struct inet_sock *sk, int level, int name, const void *val, uint32_t len)
{
	bool join_it = name == MCAST_JOIN_GROUP ||
		       name == (level == IPPROTO_IP ? IP_ADD_MEMBERSHIP : IPV6_ADD_MEMBERSHIP);
	struct mreqn_k m = { 0 };
	struct ipv6_mreq_k m6;
	struct group_req_k gr;
	int err = 0;

	if (inet_is_tcp(sk))
		return -EPROTO;
	if (name == MCAST_JOIN_GROUP || name == MCAST_LEAVE_GROUP) {
		if ((err = group_req(level, val, len, &gr)))
			return err;
		m = (struct mreqn_k){ gr.in4, 0, (int32_t)gr.ifindex };
		memcpy(m6.group, gr.in6.a, 16);
		m6.ifindex = gr.ifindex;
	} else if (level == IPPROTO_IP) {
		if (len < 8)
			return -EINVAL;
		memcpy(&m, val, len >= sizeof m ? sizeof m : 8);
	} else {
		if (len < sizeof m6)
			return -EINVAL;
		memcpy(&m6, val, sizeof m6);
	}
	LOCK_TCPIP_CORE();
	if (level == IPPROTO_IP)
		err = member4(sk, &m, join_it);
	else
		err = member6(sk, m6.group, m6.ifindex, join_it);
	UNLOCK_TCPIP_CORE();
	return err;
}

bool inet_mcast_wanted(struct inet_sock *sk, const struct netbuf *nb)
{
	const ip_addr_t *to = netbuf_destaddr(nb);

	if (!(nb->flags & NETBUF_FLAG_DESTADDR) || !ip_addr_ismulticast(to))
		return true;
	if (IP_IS_V4(to) ? sk->mc.all4 : sk->mc.all6)
		return true;
	/* Linux's ip_mc_sf_allow asks for a membership on the interface
	 * the datagram came in on, inet6_mc_check on any. */
	ip_addr_t group = *to;
	int index = nb->p->if_idx;
	if (IP_IS_V6(&group)) {
		ip6_addr_clear_zone(ip_2_ip6(&group));
		index = 0;
	}
	LOCK_TCPIP_CORE();
	bool yes = find_group(sk, &group, index, 0) != NULL;
	UNLOCK_TCPIP_CORE();
	return yes;
}

/* ---- the settings ------------------------------------------------------------ */

/* IP_MULTICAST_IF: a struct ip_mreqn, an ip_mreq (whose second address
 * Linux reads as the interface's) or an in_addr; 0.0.0.0 and index 0
 * route again. */
static int set_if4(struct inet_sock *sk, const void *val, uint32_t len)
{
	struct mreqn_k m = { 0 };

	if (inet_is_tcp(sk) || len < 4)
		return -EINVAL;
	if (len >= sizeof m)
		memcpy(&m, val, sizeof m);
	else if (len >= 8)
		memcpy(&m, val, 8);
	else
		memcpy(&m.local, val, 4);
	if (!m.ifindex && !m.local) {
		sk->mc.ifindex4 = 0;
		sk->mc.if_addr4 = 0;
		return 0;
	}
	LOCK_TCPIP_CORE();
	struct netif *n = m.ifindex ? netif_at(m.ifindex) : netif_of_addr4(m.local);
	uint8_t index = n ? netif_get_index(n) : 0;
	UNLOCK_TCPIP_CORE();
	if (!n)
		return -EADDRNOTAVAIL;
	sk->mc.ifindex4 = index;
	sk->mc.if_addr4 = m.local;
	return 0;
}

static int set_if6(struct inet_sock *sk, int v)
{
	if (inet_is_tcp(sk))
		return -ENOPROTOOPT;
	if (v) {
		LOCK_TCPIP_CORE();
		bool exists = netif_at(v) != NULL;
		UNLOCK_TCPIP_CORE();
		if (!exists)
			return -ENODEV;
	}
	sk->mc.ifindex6 = (uint8_t)v;
	return 0;
}

/* A hop count: -1 is the default, else 0 to 255. */
static int hops(int v, int dflt, int *out)
{
	if (v < -1 || v > 255)
		return -EINVAL;
	*out = v == -1 ? dflt : v;
	return 0;
}

static int set_value4(struct inet_sock *sk, int name, int v)
{
	int ttl, err;

	switch (name) {
	case IP_MULTICAST_TTL:
		if (inet_is_tcp(sk))
			return -EINVAL;
		if ((err = hops(v, 1, &ttl)))
			return err;
		sk->mc.ttl4 = (uint8_t)ttl;
		return 0;
	case IP_MULTICAST_LOOP:	sk->mc.loop4 = v != 0; return 0;
	case IP_MULTICAST_ALL:
		if (v != 0 && v != 1)
			return -EINVAL;	/* Linux 6.18; IPv6's takes any value */
		sk->mc.all4 = v;
		return 0;
	default:		return -ENOPROTOOPT;
	}
}

static int set_value6(struct inet_sock *sk, int name, int v)
{
	int n, err;

	switch (name) {
	case IPV6_UNICAST_HOPS:
		if ((err = hops(v, -1, &n)))
			return err;
		sk->hops6 = n;
		return 0;
	case IPV6_MULTICAST_HOPS:
		if (inet_is_tcp(sk))
			return -ENOPROTOOPT;
		if ((err = hops(v, 1, &n)))
			return err;
		sk->mc.hops6 = (uint8_t)n;
		return 0;
	case IPV6_MULTICAST_LOOP:
		if (v != 0 && v != 1)
			return -EINVAL;
		sk->mc.loop6 = v;
		return 0;
	case IPV6_MULTICAST_ALL:	sk->mc.all6 = v != 0; return 0;
	case IPV6_MULTICAST_IF:		return set_if6(sk, v);
	default:			return -ENOPROTOOPT;
	}
}

/* The caller applies what was set to the pcb (inet_opts_apply). */
int inet_mcast_setsockopt(struct inet_sock *sk, int level, int name, const void *val, uint32_t len)
{
	int v, err;

	if (level == IPPROTO_IPV6 && sk->sock->family == AF_INET)
		return -ENOPROTOOPT;
	if (is_membership(level, name))
		return set_membership(sk, level, name, val, len);
	if (level == IPPROTO_IP && name == IP_MULTICAST_IF)
		return set_if4(sk, val, len);
	if ((err = inet_opt_int(level, val, len, &v)))
		return err;
	return level == IPPROTO_IP ? set_value4(sk, name, v) : set_value6(sk, name, v);
}

int inet_mcast_getsockopt(struct inet_sock *sk, int level, int name, void *val, uint32_t *len)
{
	const struct inet_mcast *mc = &sk->mc;
	int v;

	if (level == IPPROTO_IPV6 && sk->sock->family == AF_INET)
		return -EOPNOTSUPP;
	if (level == IPPROTO_IP && name == IP_MULTICAST_IF)
		return sockopt_write_bytes(val, len, &mc->if_addr4, sizeof mc->if_addr4);
	switch (level == IPPROTO_IP ? name : -name) {
	case IP_MULTICAST_TTL:		v = mc->ttl4; break;
	case IP_MULTICAST_LOOP:		v = mc->loop4; break;
	case IP_MULTICAST_ALL:		v = mc->all4; break;
	case -IPV6_UNICAST_HOPS:	v = inet_hops6(sk); break;
	case -IPV6_MULTICAST_HOPS:	v = mc->hops6; break;
	case -IPV6_MULTICAST_LOOP:	v = mc->loop6; break;
	case -IPV6_MULTICAST_ALL:	v = mc->all6; break;
	case -IPV6_MULTICAST_IF:	v = mc->ifindex6; break;
	default:			return -ENOPROTOOPT;
	}
	return sockopt_write_int(val, len, v);
}
