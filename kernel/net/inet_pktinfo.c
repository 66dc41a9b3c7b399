/* IP_PKTINFO and IPV6_PKTINFO on a received datagram: the address it was
 * sent to and the interface it came in on, as Linux's ip_cmsg_recv_pktinfo
 * and ip6_datagram_recv_common_ctl give them. */
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

void inet_pktinfo_out(const struct inet_sock *sk, const struct netbuf *nb, struct sock_msg *m,
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
	if (sk->pktinfo && IP_IS_V4(to)) {
		struct in_pktinfo_k i4 = { ifindex, spec_dst(ip_2_ip4(to), ifindex), ip_2_ip4(to)->addr };
		sock_msg_put_cmsg(m, used, SOL_IP, IP_PKTINFO, &i4, sizeof i4);
	}
}
