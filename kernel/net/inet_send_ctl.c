/* The control messages of a UDP or raw send: the source address and interface
 * of one datagram (IP_PKTINFO, IPV6_PKTINFO), its TTL or hop limit and
 * its TOS or traffic class, as Linux's ip_cmsg_send (an IPv4 destination,
 * an IPv6 socket's mapped ones too) and ip6_datagram_send_ctl (an IPv6
 * one) take them, and the datagram sent so. */
#include "net/inet_internal.h"

#include "core/errno.h"
#include "core/string.h"

#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

/* A message at SOL_SOCKET: files and credentials are let be, as Linux's
 * __sock_cmsg_send does; the others it takes (a mark, transmit timestamps
 * and times) amphi cannot act on. */
static int socket_level(const struct sock_cmsg *h)
{
	return h->type == SCM_RIGHTS || h->type == SCM_CREDENTIALS ? 0 : -EINVAL;
}

/* An int of least to 255 (IP_TOS may be a byte too). */
static int small_value(const struct sock_cmsg *h, const char *data, int least, int *out)
{
	int v;

	if (h->len == CMSG_HDR + sizeof(int))
		memcpy(&v, data, sizeof v);
	else if (h->level == SOL_IP && h->type == IP_TOS && h->len == CMSG_HDR + 1)
		v = *(const uint8_t *)data;
	else
		return -EINVAL;
	if (v < least || v > 255)
		return -EINVAL;
	*out = v;
	return 0;
}

/* IPV6_PKTINFO: its address, which must be a mapped IPv4 one when the
 * datagram is IPv4 (Linux's ip_cmsg_send), and is taken as IPv6 (so
 * never ours if mapped) when it is IPv6. */
static int pktinfo6(const struct sock_cmsg *h, const char *data, bool to_v4, struct inet_send_ctl *c)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct in6_pktinfo_k i;

	if (h->len != CMSG_HDR + sizeof i)
		return -EINVAL;
	memcpy(&i, data, sizeof i);
	bool is_mapped = !memcmp(i.addr, mapped, sizeof mapped);
	if (to_v4 && !is_mapped)
		return -EINVAL;
	c->ifindex = i.ifindex;
	if (to_v4) {
		uint32_t a;
		memcpy(&a, &i.addr[12], 4);
		ip_addr_set_ip4_u32_val(c->src, a);
	} else {
		memcpy(ip_2_ip6(&c->src)->addr, i.addr, 16);
		IP_SET_TYPE_VAL(c->src, IPADDR_TYPE_V6);
		ip6_addr_clear_zone(ip_2_ip6(&c->src));
	}
	return 0;
}

/* A message to an IPv4 destination. */
static int for_ipv4(const struct sock_cmsg *h, const char *data, bool v6_socket, struct inet_send_ctl *c)
{
	struct in_pktinfo_k i;

	if (h->level == SOL_IPV6)
		return v6_socket && h->type == IPV6_PKTINFO ? pktinfo6(h, data, true, c) : 0;
	if (h->level != SOL_IP)
		return 0;
	switch (h->type) {
	case IP_PKTINFO:
		if (h->len != CMSG_HDR + sizeof i)
			return -EINVAL;
		memcpy(&i, data, sizeof i);
		c->ifindex = i.ifindex;
		ip_addr_set_ip4_u32_val(c->src, i.spec_dst);
		return 0;
	case IP_TTL:
		return small_value(h, data, 1, &c->ttl);
	case IP_TOS:
		return small_value(h, data, 0, &c->tos);
	default:
		return -EINVAL;
	}
}

/* A message to an IPv6 destination: -1 for the hop limit or class is the
 * socket's own. */
static int for_ipv6(const struct sock_cmsg *h, const char *data, struct inet_send_ctl *c)
{
	if (h->level != SOL_IPV6)
		return 0;
	switch (h->type) {
	case IPV6_PKTINFO:
		return pktinfo6(h, data, false, c);
	case IPV6_HOPLIMIT:
		return small_value(h, data, -1, &c->ttl);
	case IPV6_TCLASS:
		return small_value(h, data, -1, &c->tos);
	default:
		return -EINVAL;
	}
}

int inet_send_ctl_parse(const struct inet_sock *sk, const struct sock_msg *m, const ip_addr_t *to,
			struct inet_send_ctl *c)
{
	*c = (struct inet_send_ctl){ .ttl = -1, .tos = -1 };
	if (!m->controllen)
		return 0;	/* most sends: nothing to read */
	bool v6_socket = sk->sock->family == AF_INET6;
	bool to_v4 = to ? IP_IS_V4(to) : !v6_socket || IP_IS_V4(&sk->conn->pcb.udp->remote_ip);
	struct sock_cmsg h;
	const char *data;
	size_t at = 0;
	int more, err = 0;

	while (!err && (more = sock_msg_next_cmsg(m, &at, &h, &data)) > 0) {
		if (h.level == SOL_SOCKET)
			err = socket_level(&h);
		else
			err = to_v4 ? for_ipv4(&h, data, v6_socket, c) : for_ipv6(&h, data, c);
	}
	return err ? err : more;
}

bool inet_send_ctl_asks(const struct inet_send_ctl *c)
{
	return !ip_addr_isany_val(c->src) || c->ifindex || c->ttl >= 0 || c->tos >= 0 || c->ipv4_settings;
}

/* A raw socket's datagram through `out`, from src (any: the socket's
 * address, else out's own towards `to`), as lwIP's raw_sendto picks it. */
static err_t raw_send_if(struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *to, struct netif *out,
			 const ip_addr_t *src)
{
	if (ip_addr_isany(src))
		src = !ip_addr_isany(&pcb->local_ip) ? &pcb->local_ip : ip_netif_get_local_ip(out, to);
	return src ? raw_sendto_if_src(pcb, p, to, out, src) : ERR_RTE;
}

/* Core lock held: the datagram through `out` (NULL: as lwIP routes it),
 * with the socket's TTL and TOS swapped for the message's a moment. */
static err_t send_as_asked(struct netconn *conn, struct pbuf *p, const ip_addr_t *to, uint16_t port,
			   struct netif *out, const struct inet_send_ctl *c)
{
	struct ip_pcb *ip = conn->pcb.ip;
	struct udp_pcb *udp = conn->pcb.udp;
	uint8_t ttl = ip->ttl, tos = ip->tos;
	bool raw = NETCONNTYPE_GROUP(conn->type) == NETCONN_RAW;
	err_t e;

	if (c->ttl >= 0)
		ip->ttl = (uint8_t)c->ttl;
	if (c->tos >= 0)
		ip->tos = (uint8_t)c->tos;
	if (!out)	/* lwIP's own choice, as a plain send */
		e = raw ? raw_sendto(conn->pcb.raw, p, to) : udp_sendto(udp, p, to, port);
	else if (raw)
		e = raw_send_if(conn->pcb.raw, p, to, out, &c->src);
	else if (ip_addr_isany_val(c->src))
		e = udp_sendto_if(udp, p, to, port, out);
	else
		e = udp_sendto_if_src(udp, p, to, port, out, &c->src);
	ip->ttl = ttl;
	ip->tos = tos;
	return e;
}

long inet_send_with_ctl(struct inet_sock *sk, struct pbuf *p, const ip_addr_t *to, uint16_t port,
			const struct inet_send_ctl *c)
{
	long err = 0;

	LOCK_TCPIP_CORE();
	struct ip_pcb *pcb = sk->conn->pcb.ip;
	if (!to) {
		to = &pcb->remote_ip;
		port = sk->sock->type == SOCK_RAW ? 0 : sk->conn->pcb.udp->remote_port;
	}
	/* The message's interface, else the socket's (SO_BINDTODEVICE). */
	uint8_t index = c->ifindex ? (uint8_t)c->ifindex : pcb->netif_idx;
	struct netif *out = index != NETIF_NO_INDEX ? netif_get_by_index(index) : NULL;
	bool src = !ip_addr_isany_val(c->src);
	if (c->ifindex && (c->ifindex < 0 || c->ifindex > 255 || !out))
		err = -ENODEV;
	else if (src && !inet_addr_usable_locked(&c->src))
		err = IP_IS_V4(to) ? -ENETUNREACH : -EINVAL;	/* as Linux 6.18 */
	if (!err && src && !out && !(out = ip_route(&c->src, to)))
		err = -ENETUNREACH;
	if (!err && c->ipv4_settings)
		inet_mcast_apply_for(sk, true);
	if (!err)
		err = inet_err(send_as_asked(sk->conn, p, to, port, out, c));
	if (c->ipv4_settings)
		inet_mcast_apply(sk);
	UNLOCK_TCPIP_CORE();
	return err;
}
