/* IP_PKTINFO and IPV6_PKTINFO on a received datagram: the address it was
 * sent to and the interface it came in on, as Linux's ip_cmsg_recv_pktinfo
 * and ip6_datagram_recv_common_ctl give them; and on an IPv4 send, with
 * IP_TTL and IP_TOS, what Linux's ip_cmsg_send takes: the source address
 * and interface of one datagram. */
#include "net/inet_internal.h"

#include "core/errno.h"
#include "core/string.h"

#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#define SOL_IP		0
#define SOL_IPV6	41
#define IP_TOS		1
#define IP_TTL		2
#define IP_PKTINFO	8
#define IPV6_PKTINFO	50
#define SCM_RIGHTS	1
#define SCM_CREDENTIALS	2

struct in_pktinfo_k {		/* Linux's struct in_pktinfo */
	int32_t ifindex;
	uint32_t spec_dst, addr;	/* network order */
};

struct in6_pktinfo_k {		/* Linux's struct in6_pktinfo */
	uint8_t addr[16];
	int32_t ifindex;
};

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

/* A control message at SOL_SOCKET on an inet send: files and credentials
 * are let be, as Linux's __sock_cmsg_send does; the others it takes (a
 * mark, transmit timestamps and times) amphi cannot act on. */
static int socket_level(const struct sock_cmsg *h)
{
	return h->type == SCM_RIGHTS || h->type == SCM_CREDENTIALS ? 0 : -EINVAL;
}

/* IP_TTL takes an int of 1 to 255, IP_TOS an int or a byte of 0 to 255. */
static int small_value(const struct sock_cmsg *h, const char *data, int least, int *out)
{
	int v;

	if (h->len == CMSG_HDR + sizeof(int))
		memcpy(&v, data, sizeof v);
	else if (h->type == IP_TOS && h->len == CMSG_HDR + 1)
		v = *(const uint8_t *)data;
	else
		return -EINVAL;
	if (v < least || v > 255)
		return -EINVAL;
	*out = v;
	return 0;
}

static int ip_level(const struct sock_cmsg *h, const char *data, struct inet_send_ctl *c)
{
	struct in_pktinfo_k i;

	switch (h->type) {
	case IP_PKTINFO:
		if (h->len != CMSG_HDR + sizeof i)
			return -EINVAL;
		memcpy(&i, data, sizeof i);
		c->ifindex = i.ifindex;
		ip4_addr_set_u32(&c->src, i.spec_dst);
		return 0;
	case IP_TTL:
		return small_value(h, data, 1, &c->ttl);
	case IP_TOS:
		return small_value(h, data, 0, &c->tos);
	default:
		return -EINVAL;
	}
}

int inet_send_ctl_parse(const struct sock_msg *m, struct inet_send_ctl *c)
{
	struct sock_cmsg h;
	const char *data;
	size_t at = 0;
	int more, err = 0;

	*c = (struct inet_send_ctl){ .ttl = -1, .tos = -1 };
	while (!err && (more = sock_msg_next_cmsg(m, &at, &h, &data)) > 0) {
		if (h.level == SOL_SOCKET)
			err = socket_level(&h);
		else if (h.level == SOL_IP)
			err = ip_level(&h, data, c);
		c->given |= h.level == SOL_IP;
	}
	return err ? err : more;
}

/* Whether addr is one of ours (lo's being all of 127/8, as on Linux).
 * Core lock held. */
static bool local_address(const ip4_addr_t *addr)
{
	struct netif *n;

	if (ip4_addr_isloopback(addr))
		return true;
	NETIF_FOREACH(n)
		if (ip4_addr_cmp(netif_ip4_addr(n), addr))
			return true;
	return false;
}

/* Core lock held: the datagram with the socket's TTL and TOS swapped for
 * the message's a moment. */
static err_t send_as_asked(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *to, uint16_t port,
			   struct netif *out, const struct inet_send_ctl *c)
{
	uint8_t ttl = pcb->ttl, tos = pcb->tos;
	ip_addr_t src;
	err_t e;

	if (c->ttl >= 0)
		pcb->ttl = (uint8_t)c->ttl;
	if (c->tos >= 0)
		pcb->tos = (uint8_t)c->tos;
	if (ip4_addr_isany_val(c->src)) {
		e = udp_sendto_if(pcb, p, to, port, out);
	} else {
		ip_addr_copy_from_ip4(src, c->src);
		e = udp_sendto_if_src(pcb, p, to, port, out, &src);
	}
	pcb->ttl = ttl;
	pcb->tos = tos;
	return e;
}

long inet_send_with_ctl(struct inet_sock *sk, struct pbuf *p, const ip_addr_t *to, uint16_t port,
			const struct inet_send_ctl *c)
{
	long err = 0;

	LOCK_TCPIP_CORE();
	struct udp_pcb *pcb = sk->conn->pcb.udp;
	if (!to) {
		to = &pcb->remote_ip;
		port = pcb->remote_port;
	}
	struct netif *out = c->ifindex ? netif_get_by_index((uint8_t)c->ifindex) : NULL;
	if (c->ifindex && (c->ifindex < 0 || c->ifindex > 255 || !out))
		err = -ENODEV;
	else if (!ip4_addr_isany_val(c->src) && !local_address(&c->src))
		err = -ENETUNREACH;	/* Linux 6.18's route lookup: a source not ours */
	if (!err && !out) {
		ip_addr_t src;
		ip_addr_copy_from_ip4(src, c->src);
		out = ip_route(&src, to);
		if (!out)
			err = -ENETUNREACH;
	}
	if (!err)
		err = inet_err(send_as_asked(pcb, p, to, port, out, c));
	UNLOCK_TCPIP_CORE();
	return err;
}
