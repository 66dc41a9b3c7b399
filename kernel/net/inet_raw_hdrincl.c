/* Raw sockets that send whole packets, IP header and all: IPPROTO_RAW
 * sockets, and raw sockets with IP_HDRINCL or IPV6_HDRINCL set (one flag,
 * as in Linux).  lwIP sends such a packet as it is (RAW_FLAGS_HDRINCL),
 * routed by the address the send names; what Linux's raw_send_hdrinc
 * fills in of an IPv4 header is filled in here first: the length, the
 * checksum, and the source and identification where the program left
 * them zero.  An IPv6 packet goes as the program built it, as on Linux. */
#include "core/errno.h"
#include "core/random.h"
#include "core/string.h"
#include "net/inet_internal.h"

#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"

#define IP_HDRINCL	3
#define IPV6_HDRINCL	36

bool inet_hdrincl_option(int level, int name)
{
	return (level == IPPROTO_IP && name == IP_HDRINCL) || (level == IPPROTO_IPV6 && name == IPV6_HDRINCL);
}

static void apply(struct inet_sock *sk)
{
	LOCK_TCPIP_CORE();
	struct raw_pcb *pcb = sk->conn->pcb.raw;
	raw_setflags(pcb, (uint8_t)(sk->hdrincl ? raw_flags(pcb) | RAW_FLAGS_HDRINCL
					       : raw_flags(pcb) & ~RAW_FLAGS_HDRINCL));
	UNLOCK_TCPIP_CORE();
}

/* At creation: IPPROTO_RAW sockets send whole packets from the start. */
void inet_hdrincl_init(struct inet_sock *sk)
{
	sk->hdrincl = sk->sock->protocol == IPPROTO_RAW;
	apply(sk);
}

/* Only raw sockets take it; any socket tells it (0 but for raw ones). */
int inet_hdrincl_set(struct inet_sock *sk, int level, const void *val, uint32_t len)
{
	int v;

	if (sk->sock->type != SOCK_RAW || (level == IPPROTO_IPV6 && sk->sock->family == AF_INET))
		return -ENOPROTOOPT;
	int err = inet_opt_int(level, val, len, &v);
	if (err)
		return err;
	sk->hdrincl = v != 0;
	apply(sk);
	return 0;
}

int inet_hdrincl_get(struct inet_sock *sk, int level, void *val, uint32_t *len)
{
	if (level == IPPROTO_IPV6 && sk->sock->family == AF_INET)
		return -EOPNOTSUPP;
	return sockopt_write_int(val, len, sk->hdrincl);
}

/* Linux's ip_select_ident picks one per destination; any will do that
 * is not zero. */
static uint16_t next_id(void)
{
	static uint16_t id;

	if (!__atomic_load_n(&id, __ATOMIC_RELAXED))
		random_fill(&id, sizeof id);
	uint16_t v = __atomic_add_fetch(&id, 1, __ATOMIC_RELAXED);
	return v ? v : __atomic_add_fetch(&id, 1, __ATOMIC_RELAXED);
}

/* The IPv4 header's blanks filled in, as raw_send_hdrinc does when the
 * header's own length is sane (at least 20 bytes; a shorter one goes
 * as it is). */
static void fill_header4(uint8_t *h, size_t len, const ip_addr_t *src)
{
	size_t hlen = (size_t)(h[0] & 0xf) * 4;

	if (hlen < IP_HLEN)
		return;
	if (!h[12] && !h[13] && !h[14] && !h[15])
		memcpy(h + 12, &ip_2_ip4(src)->addr, 4);
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
	if (!h[4] && !h[5]) {
		uint16_t id = next_id();
		h[4] = (uint8_t)(id >> 8);
		h[5] = (uint8_t)id;
	}
	h[10] = h[11] = 0;
	uint16_t sum = inet_chksum(h, (uint16_t)hlen);
	memcpy(h + 10, &sum, 2);	/* inet_chksum's result is in network order */
}

/* Before a whole packet p goes to `to` (NULL: the connected peer): 0, or
 * Linux's error for it (too short or a header past its end: EINVAL;
 * longer than the route's MTU: EMSGSIZE; no route: ENETUNREACH). */
int inet_hdrincl_prepare(struct inet_sock *sk, struct pbuf *p, const ip_addr_t *to)
{
	bool v6 = sk->sock->family == AF_INET6;
	uint8_t *h = p->payload;	/* the send's pbuf is one contiguous buffer */
	int err = 0;

	LOCK_TCPIP_CORE();
	struct raw_pcb *pcb = sk->conn->pcb.raw;
	if (!to)
		to = &pcb->remote_ip;
	struct netif *out = ip_route(&pcb->local_ip, to);
	const ip_addr_t *src = !ip_addr_isany(&pcb->local_ip) ? &pcb->local_ip
			       : out ? ip_netif_get_local_ip(out, to) : NULL;
	uint16_t mtu = out ? (v6 ? netif_mtu6(out) : out->mtu) : 0;
	if (!out || !src)
		err = -ENETUNREACH;
	else if (mtu && p->tot_len > mtu)
		err = -EMSGSIZE;
	else if (p->tot_len < (v6 ? IP6_HLEN : IP_HLEN))
		err = -EINVAL;
	else if (!v6 && (size_t)(h[0] & 0xf) * 4 > p->tot_len)
		err = -EINVAL;
	else if (!v6)
		fill_header4(h, p->tot_len, src);
	UNLOCK_TCPIP_CORE();
	return err;
}
