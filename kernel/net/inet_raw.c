/* Raw IP sockets (SOCK_RAW): what ping and traceroute use.  A raw socket
 * is a datagram socket on an lwIP raw PCB, sending and receiving through
 * UDP's calls (inet_udp.c); this file holds what differs:
 *
 * - what a receive holds, as Linux's raw_rcv and rawv6_rcv give it: over
 *   IPv4 the whole packet, header first, over IPv6 what follows the
 *   header and its extensions.  lwIP's own netconn callback keeps neither
 *   where the packet was sent nor its interface, TTL and TOS, which the
 *   control messages need (inet_recv_ctl.c), so the PCB gets ours;
 * - the filters, applied before a packet is queued as on Linux:
 *   ICMP_FILTER on IPv4 ICMP sockets, ICMP6_FILTER on ICMPv6 ones (a bit
 *   set for each message type to drop);
 * - IPV6_CHECKSUM, the offset where the stack sums what an IPv6 raw
 *   socket sends (ICMPv6's at 2 from the start).
 *
 * A raw socket sees each packet of its protocol to this machine, whether
 * or not lwIP answers it (an echo request both reaches the socket and is
 * answered).  IPPROTO_RAW, which sends whole packets the program built,
 * and IP_HDRINCL are inet_raw_hdrincl.c's. */
#include "core/errno.h"
#include "core/string.h"
#include "net/inet_internal.h"

#include "lwip/api.h"
#include "lwip/ip.h"
#include "lwip/memp.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"

#define SOL_RAW		255
#define ICMP_FILTER	1	/* at SOL_RAW, IPv4 ICMP sockets */
#define ICMP6_FILTER	1	/* at IPPROTO_ICMPV6 */
#define IPV6_CHECKSUM	7	/* at SOL_RAW or IPPROTO_IPV6 */
#define ICMP6_FILTER_BYTES 32

bool inet_raw_option(const struct socket *s, int level, int name)
{
	if (inet_hdrincl_option(level, name))
		return true;
	return s->type == SOCK_RAW && ((level == SOL_RAW && (name == ICMP_FILTER || name == IPV6_CHECKSUM)) ||
				       (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) ||
				       (level == IPPROTO_IPV6 && name == IPV6_CHECKSUM));
}

static bool icmp4(const struct inet_sock *sk)
{
	return sk->sock->family == AF_INET && sk->sock->protocol == IPPROTO_ICMP;
}

static bool icmp6(const struct inet_sock *sk)
{
	return sk->sock->family == AF_INET6 && sk->sock->protocol == IPPROTO_ICMPV6;
}

/* Whether the socket's filter drops the message at off in p.  As Linux's
 * icmp_filter and rawv6_filter: one too short to read (an ICMP header,
 * ICMPv6's type and code) is dropped, an ICMP type past 31 never is. */
static bool filtered(const struct inet_sock *sk, const struct pbuf *p, uint16_t off)
{
	uint8_t type;

	if (!icmp4(sk) && !icmp6(sk))
		return false;
	if (p->tot_len < off + (icmp4(sk) ? 8 : 2) || pbuf_copy_partial(p, &type, 1, off) != 1)
		return true;
	if (icmp4(sk))
		return type < 32 && (sk->raw_filter[0] >> type & 1);
	return sk->raw_filter[type / 32] >> (type % 32) & 1;
}

/* The netbuf a receive reads: from `skip` on, with the sender, the
 * address it was sent to and the packet's interface, time, TTL and TOS. */
static struct netbuf *netbuf_of(struct pbuf *p, uint16_t skip)
{
	struct netbuf *nb = memp_malloc(MEMP_NETBUF);
	struct pbuf *q = pbuf_alloc(PBUF_RAW, (u16_t)(p->tot_len - skip), PBUF_RAM);

	if (!nb || !q || pbuf_copy_partial(p, q->payload, q->tot_len, skip) != q->tot_len) {
		if (q)
			pbuf_free(q);
		if (nb)
			memp_free(MEMP_NETBUF, nb);
		return NULL;
	}
	q->if_idx = p->if_idx;
	q->rx_ns = p->rx_ns;
	q->rx_ttl = p->rx_ttl;
	q->rx_tos = p->rx_tos;
	*nb = (struct netbuf){ .p = q, .ptr = q, .flags = NETBUF_FLAG_DESTADDR };
	ip_addr_copy(nb->addr, *ip_current_src_addr());
	ip_addr_copy(nb->toaddr, *ip_current_dest_addr());
	return nb;
}

/* lwIP's receive callback, under the core lock; p holds the IP header.
 * The packet is never eaten: lwIP and other raw sockets see it too. */
static u8_t raw_deliver(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
	struct inet_sock *sk = arg;
	struct netconn *conn = sk->conn;
	uint16_t header = (uint16_t)ip_current_header_tot_len();
	uint16_t skip = IP_IS_V6(from) ? header : 0;

	(void)pcb;
	if (p->tot_len < header || filtered(sk, p, header) || !sys_mbox_valid(&conn->recvmbox))
		return 0;
	int avail = __atomic_load_n(&conn->recv_avail, __ATOMIC_RELAXED);
	if (avail + (int)p->tot_len > conn->recv_bufsize)
		return 0;	/* the receive buffer is full: dropped, as on Linux */
	struct netbuf *nb = netbuf_of(p, skip);
	if (!nb)
		return 0;
	u16_t len = nb->p->tot_len;
	if (sys_mbox_trypost(&conn->recvmbox, nb) != ERR_OK) {
		netbuf_delete(nb);
		return 0;
	}
	__atomic_add_fetch(&conn->recv_avail, len, __ATOMIC_RELAXED);
	conn->callback(conn, NETCONN_EVT_RCVPLUS, len);
	return 0;
}

void inet_raw_attach(struct inet_sock *sk)
{
	LOCK_TCPIP_CORE();
	raw_recv(sk->conn->pcb.raw, raw_deliver, sk);
	UNLOCK_TCPIP_CORE();
	inet_hdrincl_init(sk);
}

/* IPV6_CHECKSUM: -1 for none, else an even offset (the ICMPv6 sum is the
 * protocol's own: not to be moved from IPPROTO_IPV6's level, RFC 3542). */
static int set_checksum(struct inet_sock *sk, int level, const void *val, uint32_t len)
{
	int v;

	if (sk->sock->family != AF_INET6)
		return -ENOPROTOOPT;
	if ((icmp6(sk) && level == IPPROTO_IPV6) || sockopt_read_int(val, len, &v) || (v > 0 && v & 1))
		return -EINVAL;
	LOCK_TCPIP_CORE();
	struct raw_pcb *pcb = sk->conn->pcb.raw;
	pcb->chksum_reqd = v >= 0;
	pcb->chksum_offset = v >= 0 ? (u16_t)v : 0;
	UNLOCK_TCPIP_CORE();
	return 0;
}

static int get_checksum(struct inet_sock *sk, void *val, uint32_t *len)
{
	if (sk->sock->family != AF_INET6)
		return -ENOPROTOOPT;
	LOCK_TCPIP_CORE();
	struct raw_pcb *pcb = sk->conn->pcb.raw;
	int v = pcb->chksum_reqd ? pcb->chksum_offset : -1;
	UNLOCK_TCPIP_CORE();
	return sockopt_write_int(val, len, v);
}

/* Whether a filter of that family (six: ICMP6_FILTER) fits the socket:
 * 0, or Linux's error for the other family's option or protocol. */
static int filter_fits(const struct inet_sock *sk, bool six)
{
	if (sk->sock->family != (six ? AF_INET6 : AF_INET))
		return -ENOPROTOOPT;
	return (six ? icmp6(sk) : icmp4(sk)) ? 0 : -EOPNOTSUPP;
}

/* ICMP6_FILTER's 256 bits, or ICMP_FILTER's 32. */
static size_t filter_bytes(bool six)
{
	return six ? ICMP6_FILTER_BYTES : sizeof(uint32_t);
}

/* A filter as Linux sets one: the bytes given, at most the filter's. */
static int set_filter(struct inet_sock *sk, bool six, const void *val, uint32_t len)
{
	int err = filter_fits(sk, six);

	if (err)
		return err;
	size_t room = filter_bytes(six);
	LOCK_TCPIP_CORE();	/* raw_deliver reads it */
	memcpy(sk->raw_filter, val, len < room ? len : room);
	UNLOCK_TCPIP_CORE();
	return 0;
}

static int get_filter(struct inet_sock *sk, bool six, void *val, uint32_t *len)
{
	int err = filter_fits(sk, six);

	if (err)
		return err;
	size_t room = filter_bytes(six);
	if (*len > room)
		*len = (uint32_t)room;
	memcpy(val, sk->raw_filter, *len);
	return 0;
}

int inet_raw_setsockopt(struct inet_sock *sk, int level, int name, const void *val, uint32_t len)
{
	if (inet_hdrincl_option(level, name))
		return inet_hdrincl_set(sk, level, val, len);
	if (name == IPV6_CHECKSUM && level != IPPROTO_ICMPV6)
		return set_checksum(sk, level, val, len);
	return set_filter(sk, level == IPPROTO_ICMPV6, val, len);
}

int inet_raw_getsockopt(struct inet_sock *sk, int level, int name, void *val, uint32_t *len)
{
	if (inet_hdrincl_option(level, name))
		return inet_hdrincl_get(sk, level, val, len);
	if (name == IPV6_CHECKSUM && level != IPPROTO_ICMPV6)
		return get_checksum(sk, val, len);
	return get_filter(sk, level == IPPROTO_ICMPV6, val, len);
}
