/* The control messages of a received datagram, as Linux's ip_cmsg_recv
 * and ip6_datagram_recv_*_ctl give them: IP_PKTINFO and IPV6_PKTINFO (the
 * address it was sent to and the interface it came in on), the TTL or
 * hop limit and the TOS or traffic class its header carried; and every
 * packet's arrival time, which socket_tstamp.c gives. */
#include "net/inet_internal.h"

#include "core/string.h"

#include "lwip/netif.h"
#include "lwip/tcpip.h"

/* Where a reply would come from: the address itself when it is one of
 * ours, the interface's own for a broadcast or multicast. */
static uint32_t spec_dst(const ip4_addr_t *to, uint8_t ifindex)
{
	uint32_t addr = ip4_addr_get_u32(to);

	LOCK_TCPIP_CORE();
	struct netif *n = netif_get_by_index(ifindex);
	if (n && (ip4_addr_ismulticast(to) || ip4_addr_isbroadcast(to, n)))
		addr = ip4_addr_get_u32(netif_ip4_addr(n));
	UNLOCK_TCPIP_CORE();
	return addr;
}

void inet_rx_header4(struct pbuf *p)
{
	const uint8_t *h = p->payload;

	p->rx_ns = socket_tstamp_now();
	if (p->len >= 20) {
		p->rx_tos = h[1];
		p->rx_ttl = h[8];
	}
}

void inet_rx_header6(struct pbuf *p)
{
	const uint8_t *h = p->payload;

	p->rx_ns = socket_tstamp_now();
	if (p->len >= 40) {
		p->rx_tos = (uint8_t)((h[0] & 0x0f) << 4 | h[1] >> 4);
		p->rx_ttl = h[7];
	}
}

/* An IPv4 datagram's: the packet information, TTL, TOS, in Linux's order. */
static void ipv4_ctl(const struct inet_sock *sk, const struct netbuf *nb, struct sock_msg *m,
		     size_t *used)
{
	const ip_addr_t *to = netbuf_destaddr(nb);
	uint8_t ifindex = nb->p->if_idx;

	if (sk->pktinfo) {
		struct in_pktinfo_k i4 = { ifindex, spec_dst(ip_2_ip4(to), ifindex), ip_2_ip4(to)->addr };
		sock_msg_put_cmsg(m, used, SOL_IP, IP_PKTINFO, &i4, sizeof i4);
	}
	if (sk->recvttl) {
		int ttl = nb->p->rx_ttl;
		sock_msg_put_cmsg(m, used, SOL_IP, IP_TTL, &ttl, sizeof ttl);
	}
	if (sk->recvtos)
		sock_msg_put_cmsg(m, used, SOL_IP, IP_TOS, &nb->p->rx_tos, 1);
}

/* An IPv6 datagram's hop limit and traffic class, then RFC 2292's
 * packet information and hop limit (v6 datagrams only, as Linux's
 * ip6_datagram_recv_specific_ctl). */
static void ipv6_ctl(const struct inet_sock *sk, const struct netbuf *nb, struct sock_msg *m,
		     size_t *used)
{
	int hops = nb->p->rx_ttl;

	if (sk->recvhoplimit6)
		sock_msg_put_cmsg(m, used, SOL_IPV6, IPV6_HOPLIMIT, &hops, sizeof hops);
	if (sk->recvtclass6) {
		int tclass = nb->p->rx_tos;
		sock_msg_put_cmsg(m, used, SOL_IPV6, IPV6_TCLASS, &tclass, sizeof tclass);
	}
	if (sk->pktinfo2292) {
		struct in6_pktinfo_k i6 = { .ifindex = nb->p->if_idx };
		memcpy(i6.addr, ip_2_ip6(netbuf_destaddr(nb))->addr, 16);
		sock_msg_put_cmsg(m, used, SOL_IPV6, IPV6_2292PKTINFO, &i6, sizeof i6);
	}
	if (sk->hoplimit2292)
		sock_msg_put_cmsg(m, used, SOL_IPV6, IPV6_2292HOPLIMIT, &hops, sizeof hops);
}

void inet_recv_ctl_out(const struct inet_sock *sk, const struct netbuf *nb, struct sock_msg *m,
		      size_t *used)
{
	const ip_addr_t *to = netbuf_destaddr(nb);
	uint8_t ifindex = nb->p->if_idx;

	if (!(nb->flags & NETBUF_FLAG_DESTADDR) || ifindex == NETIF_NO_INDEX)
		return;
	if (sk->recvpktinfo6) {
		struct in6_pktinfo_k i6 = { .ifindex = ifindex };
		if (IP_IS_V6(to)) {
			memcpy(i6.addr, ip_2_ip6(to)->addr, 16);
		} else {
			i6.addr[10] = i6.addr[11] = 0xff;	/* ::ffff:a.b.c.d */
			memcpy(&i6.addr[12], &ip_2_ip4(to)->addr, 4);
		}
		sock_msg_put_cmsg(m, used, SOL_IPV6, IPV6_PKTINFO, &i6, sizeof i6);
	}
	if (IP_IS_V4(to))
		ipv4_ctl(sk, nb, m, used);
	else
		ipv6_ctl(sk, nb, m, used);
}
