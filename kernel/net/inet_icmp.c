/* ICMP and ICMPv6 errors about datagrams this machine sent, to the
 * sockets that sent them, as Linux's __udp4_lib_err, raw_icmp_error,
 * tcp_v4_err and their IPv6 kin hand them out.
 *
 * The error quotes the start of the datagram that caused it: its IP
 * header, then its UDP header (or, for a raw socket, what followed the IP
 * header).  A UDP socket bound to the quoted source port (and, connected,
 * to its peer) and every raw socket of the quoted protocol that could
 * have sent it hear of it: one that asked (IP_RECVERR, IPV6_RECVERR)
 * queues it for MSG_ERRQUEUE and has it pending (inet_errqueue.c); one
 * that did not hears only the "hard" kinds, and only when connected, as
 * on Linux; a TCP connection's error ends its connect, or is told to it
 * (tcp_error).  Everything is read from the packet with bounds checks and
 * the checksum verified before it is believed: a malformed or forged
 * frame is ignored, never trusted.  lwIP itself drops ICMP errors. */
#include "net/inet_icmp.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "net/inet_internal.h"

#include "lwip/icmp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/icmp6.h"
#include "lwip/prot/ip.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"
#include "lwip/prot/udp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/udp.h"

#define ICMP_HLEN	8	/* type, code, checksum, 4 more */
#define IP_HLEN_MAX	60

struct icmp_kind {
	int err;
	bool hard;	/* Linux's "fatal": told to a connected socket without RECVERR */
};

/* Linux's icmp_err_convert, code by code of "destination unreachable";
 * fragmentation needed is hard, as with Linux's default path MTU
 * discovery. */
static const struct icmp_kind icmp4_unreach[16] = {
	{ ENETUNREACH, false }, { EHOSTUNREACH, false }, { ENOPROTOOPT, true },
	{ ECONNREFUSED, true }, { EMSGSIZE, true }, { EOPNOTSUPP, false },
	{ ENETUNREACH, true }, { EHOSTDOWN, true }, { ENONET, true }, { ENETUNREACH, true },
	{ EHOSTUNREACH, true }, { ENETUNREACH, false }, { EHOSTUNREACH, false },
	{ EHOSTUNREACH, true }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true },
};

/* Linux's icmpv6_err_convert for "destination unreachable". */
static const struct icmp_kind icmp6_unreach[7] = {
	{ ENETUNREACH, false }, { EACCES, true }, { EHOSTUNREACH, false }, { EHOSTUNREACH, false },
	{ ECONNREFUSED, true }, { EACCES, true }, { EACCES, true },
};

static uint16_t be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

/* RFC 1071: adds len bytes of p from off to a one's complement sum. */
static bool sum_pbuf(const struct pbuf *p, uint16_t off, uint16_t len, uint32_t *sum)
{
	uint8_t chunk[64];	/* even, so words never straddle two chunks */

	while (len) {
		uint16_t n = len < sizeof chunk ? len : sizeof chunk;
		if (pbuf_copy_partial(p, chunk, n, off) != n)
			return false;
		for (uint16_t i = 0; i + 1 < n; i += 2)
			*sum += be16(chunk + i);
		if (n & 1)
			*sum += (uint32_t)chunk[n - 1] << 8;
		off += n;
		len -= n;
	}
	return true;
}

static bool sum_is_valid(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Whether inp's frames carry checksums to check: lo's do not, as lwIP
 * itself decides. */
static bool checks(struct netif *inp, uint16_t flag)
{
	IF__NETIF_CHECKSUM_ENABLED(inp, flag)
		return true;
	return false;
}

/* len bytes of p from off, with sum so far (the pseudo-header), check
 * out, or inp does not check flag's kind. */
static bool checksum_ok(struct pbuf *p, struct netif *inp, uint16_t flag, uint16_t off,
			uint16_t len, uint32_t sum)
{
	return !checks(inp, flag) || (sum_pbuf(p, off, len, &sum) && sum_is_valid(sum));
}

/* Zones aside: a link-local peer's zone is ours by construction. */
static bool same_addr(const ip_addr_t *a, const ip_addr_t *b)
{
	if (IP_IS_V6_VAL(*a) && IP_IS_V6_VAL(*b))
		return ip6_addr_cmp_zoneless(ip_2_ip6(a), ip_2_ip6(b));
	return ip_addr_cmp(a, b);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The UDP pcb that sent local:lport -> remote:rport, as Linux's lookup
 * finds it: one connected to that peer, else one bound to the port (and
 * the address, or any). */
static struct udp_pcb *udp_sender(const ip_addr_t *local, uint16_t lport, const ip_addr_t *remote,
				  uint16_t rport)
{
	struct udp_pcb *bound = NULL;

	for (struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next) {
		if (pcb->local_port != lport || (!ip_addr_isany(&pcb->local_ip) && !same_addr(&pcb->local_ip, local)))
			continue;
		if (!(pcb->flags & UDP_FLAGS_CONNECTED)) {
			if (!bound)
				bound = pcb;
		} else if (pcb->remote_port == rport && same_addr(&pcb->remote_ip, remote)) {
			return pcb;
		}
	}
	return bound;
}

/* What an error says and where it lies in its packet. */
struct icmp_error {
	struct icmp_kind kind;
	uint8_t type, code;
	uint32_t info;		/* fragmentation needed, too big: the MTU; parameter problem: where */
	ip_addr_t offender;	/* who sent the error */
	ip_addr_t local, remote;	/* the quoted datagram's source (ours) and destination */
	uint8_t proto;		/* the quoted datagram's protocol */
	uint16_t quoted;	/* where what followed its IP header starts, in the packet */
	uint16_t end;		/* the packet's length */
};

/* The entry a socket would queue: the datagram's bytes from `from` on. */
static struct inet_err *entry_of(struct pbuf *p, const struct icmp_error *q, uint16_t from, uint16_t dport)
{
	uint16_t len = q->end > from ? (uint16_t)(q->end - from) : 0;
	struct inet_err *e = inet_err_new(len);

	if (!e)
		return NULL;
	e->err = q->kind.err;
	e->type = q->type;
	e->code = q->code;
	e->info = q->info;
	ip_addr_copy(e->offender, q->offender);
	ip_addr_copy(e->dst, q->remote);
	e->dport = dport;
	e->stamp = p->rx_ns;
	pbuf_copy_partial(p, e->data, len, from);
	return e;
}

/* The TCP pcb that sent the quoted segment (th: its ports and sequence
 * number), if that number lies between the oldest unacknowledged byte and
 * the next to send: an error quoting anything else is stale or forged,
 * and Linux ignores it too. */
static struct tcp_pcb *tcp_sender(const struct icmp_error *q, const uint8_t th[8])
{
	uint16_t lport = be16(th), rport = be16(th + 2);
	uint32_t seq = be32(th + 4);

	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->local_port == lport && pcb->remote_port == rport &&
		    same_addr(&pcb->local_ip, &q->local) && same_addr(&pcb->remote_ip, &q->remote))
			return TCP_SEQ_BETWEEN(seq, pcb->lastack, pcb->snd_nxt) ? pcb : NULL;
	return NULL;
}

/* As Linux's tcp_v4_err and tcp_v6_err: an error ends a connect at once
 * (Linux aborts in SYN-SENT whatever the kind); a connected socket keeps
 * trying, its error said at once only with IP_RECVERR.  "Fragmentation
 * needed" and "too big" would lower the path MTU, which lwIP does not
 * keep: they are let be.  A half-open passive connection (SYN-RCVD)
 * belongs to no socket yet and is let be too. */
static void tcp_error(struct pbuf *p, const struct icmp_error *q)
{
	uint8_t th[8];

	if (pbuf_copy_partial(p, th, sizeof th, q->quoted) != sizeof th || q->kind.err == EMSGSIZE)
		return;
	if (IP_IS_V4(&q->local) && q->type == ICMP_DUR && q->code > 15)
		return;	/* a code Linux does not know: ignored, not aborted for */
	struct tcp_pcb *pcb = tcp_sender(q, th);
	if (!pcb || pcb->state == SYN_RCVD)
		return;
	bool connecting = pcb->state == SYN_SENT;
	inet_report_icmp_tcp(pcb->callback_arg, q->kind.err, IP_IS_V6(&q->local), connecting);
	if (connecting)	/* no reset: Linux sends none; the error callback reports the error above */
		tcp_abandon(pcb, 0);
}

/* To the raw sockets of the quoted protocol (what they sent follows the
 * IP header), then, for UDP or TCP, to the socket that sent it (what
 * follows the UDP header), as Linux's icmp_socket_deliver. */
static void hand_out(struct pbuf *p, const struct icmp_error *q)
{
	struct inet_err *e = entry_of(p, q, q->quoted, 0);
	uint8_t udp[UDP_HLEN];

	if (e) {
		inet_report_icmp_raw(q->proto, &q->local, &q->remote, e, q->kind.hard);
		kfree(e);
	}
	if (q->proto == IP_PROTO_TCP)
		tcp_error(p, q);
	if (q->proto != IP_PROTO_UDP || pbuf_copy_partial(p, udp, UDP_HLEN, q->quoted) != UDP_HLEN)
		return;
	struct udp_pcb *pcb = udp_sender(&q->local, be16(udp), &q->remote, be16(udp + 2));
	if (pcb && (e = entry_of(p, q, (uint16_t)(q->quoted + UDP_HLEN), be16(udp + 2)))) {
		inet_report_icmp(pcb->recv_arg, e, q->kind.hard);	/* recv_arg: the netconn */
		kfree(e);
	}
}

/* The errors Linux reports (__udp4_lib_err, raw_err): unreachable, time
 * exceeded, parameter problem; false for any other message. */
static bool icmp4_kind(const uint8_t *icmp, struct icmp_error *q)
{
	q->type = icmp[0];
	q->code = icmp[1];
	q->info = 0;
	switch (q->type) {
	case ICMP_DUR:
		q->kind = q->code < 16 ? icmp4_unreach[q->code] : (struct icmp_kind){ EHOSTUNREACH, false };
		if (q->code == ICMP_DUR_FRAG)
			q->info = be16(icmp + 6);
		return true;
	case ICMP_TE:
		q->kind = (struct icmp_kind){ EHOSTUNREACH, false };
		return true;
	case ICMP_PP:
		q->kind = (struct icmp_kind){ EPROTO, true };
		q->info = icmp[4];
		return true;
	}
	return false;
}

/* Every packet comes here: the protocol is looked at in place, and only
 * ICMP is copied out. */
static bool carries(const struct pbuf *p, uint16_t at, uint8_t proto)
{
	return p->len > at && ((const uint8_t *)p->payload)[at] == proto;
}

int inet_icmp4_input(struct pbuf *p, struct netif *inp)
{
	uint8_t b[IP_HLEN_MAX + ICMP_HLEN + IP_HLEN];
	struct icmp_error q;

	if (!carries(p, 9, IP_PROTO_ICMP))
		return 0;
	uint16_t got = pbuf_copy_partial(p, b, sizeof b, 0);
	if (got < IP_HLEN || (be16(b + 6) & 0x3fff))
		return 0;	/* a fragment */
	uint16_t hlen = (uint16_t)((b[0] & 0xf) * 4), total = be16(b + 2);
	uint16_t at = (uint16_t)(hlen + ICMP_HLEN);	/* the quoted IP header */
	if (hlen < IP_HLEN || total != p->tot_len || got < at + IP_HLEN || !icmp4_kind(b + hlen, &q))
		return 0;
	uint16_t qhlen = (uint16_t)((b[at] & 0xf) * 4);
	if ((b[at] >> 4) != 4 || qhlen < IP_HLEN || total < at + qhlen ||
	    !checksum_ok(p, inp, NETIF_CHECKSUM_CHECK_ICMP, hlen, (uint16_t)(total - hlen), 0))
		return 0;
	/* The quoted datagram went from us (its source) to its destination,
	 * and the error is addressed to us. */
	ip_addr_t to;
	IP_ADDR4(&q.local, b[at + 12], b[at + 13], b[at + 14], b[at + 15]);
	IP_ADDR4(&q.remote, b[at + 16], b[at + 17], b[at + 18], b[at + 19]);
	IP_ADDR4(&q.offender, b[12], b[13], b[14], b[15]);
	IP_ADDR4(&to, b[16], b[17], b[18], b[19]);
	if (!ip_addr_cmp(&to, &q.local))
		return 0;
	q.proto = b[at + 9];
	q.quoted = (uint16_t)(at + qhlen);
	q.end = total;
	hand_out(p, &q);
	return 0;
}

static void ip6_from(ip_addr_t *a, const uint8_t *b)
{
	ip6_addr_t v6;

	memcpy(v6.addr, b, 16);
	ip6_addr_clear_zone(&v6);
	ip_addr_copy_from_ip6(*a, v6);
}

/* ICMPv6's checksum covers a pseudo-header: both addresses, the length
 * and the next-header value (RFC 8200, 8.1). */
static uint32_t pseudo_sum(const uint8_t *ip6, uint16_t len)
{
	uint32_t sum = len + IP6_NEXTH_ICMP6;

	for (int i = 8; i < 40; i += 2)
		sum += be16(ip6 + i);
	return sum;
}

/* Linux's icmpv6_err_convert; "too big" is hard, as with Linux's default
 * path MTU discovery. */
static bool icmp6_kind(const uint8_t *icmp, struct icmp_error *q)
{
	q->type = icmp[0];
	q->code = icmp[1];
	q->info = 0;
	switch (q->type) {
	case ICMP6_TYPE_DUR:
		q->kind = q->code < 7 ? icmp6_unreach[q->code] : (struct icmp_kind){ EPROTO, true };
		return true;
	case ICMP6_TYPE_PTB:
		q->kind = (struct icmp_kind){ EMSGSIZE, true };
		q->info = be32(icmp + 4);
		return true;
	case ICMP6_TYPE_TE:
		q->kind = (struct icmp_kind){ EHOSTUNREACH, false };
		return true;
	case ICMP6_TYPE_PP:
		q->kind = (struct icmp_kind){ EPROTO, true };
		q->info = be32(icmp + 4);
		return true;
	}
	return false;
}

int inet_icmp6_input(struct pbuf *p, struct netif *inp)
{
	uint8_t b[IP6_HLEN + ICMP_HLEN + IP6_HLEN];
	struct icmp_error q;

	/* Only an ICMPv6 message right after the header (no extension
	 * headers), quoting a datagram without any either. */
	if (!carries(p, 6, IP6_NEXTH_ICMP6) || pbuf_copy_partial(p, b, sizeof b, 0) < sizeof b)
		return 0;
	uint16_t len = be16(b + 4);
	const uint8_t *icmp = b + IP6_HLEN, *quoted = icmp + ICMP_HLEN;
	if (len + IP6_HLEN != p->tot_len || !icmp6_kind(icmp, &q) || (quoted[0] >> 4) != 6)
		return 0;
	if (!checksum_ok(p, inp, NETIF_CHECKSUM_CHECK_ICMP6, IP6_HLEN, len, pseudo_sum(b, len)) ||
	    memcmp(b + 24, quoted + 8, 16))
		return 0;	/* bad checksum, or not addressed to the sender */
	ip6_from(&q.local, quoted + 8);
	ip6_from(&q.remote, quoted + 24);
	ip6_from(&q.offender, b + 8);
	q.proto = quoted[6];
	q.quoted = sizeof b;
	q.end = (uint16_t)p->tot_len;
	hand_out(p, &q);
	return 0;
}
