/* ICMP and ICMPv6 "destination unreachable" to connected UDP sockets.
 *
 * The error quotes the start of the datagram that caused it: its IP
 * header, then its UDP header.  When that datagram came from a connected
 * UDP socket (same local port, same peer), the socket's next call reports
 * the error once, as on Linux; unconnected sockets hear nothing, as on
 * Linux without IP_RECVERR.  Everything is read from the packet with
 * bounds checks and the checksum verified before it is believed: a
 * malformed or forged frame is ignored, never trusted. */
#include "net/inet_icmp.h"

#include "core/errno.h"
#include "core/string.h"
#include "net/inet_internal.h"

#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/icmp6.h"
#include "lwip/prot/ip.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"
#include "lwip/prot/udp.h"
#include "lwip/udp.h"

#define ICMP_HLEN	8	/* type, code, checksum, 4 more */
#define IP_HLEN_MAX	60

/* The errors Linux gives a connected UDP socket for each unreachable code
 * (the "hard" ones; soft ones such as "net unreachable", which may be
 * transient, are not reported without IP_RECVERR).  0: not reported. */
static const int icmp4_unreach_errno[16] = {
	[2] = ENOPROTOOPT,	/* protocol unreachable */
	[3] = ECONNREFUSED,	/* port unreachable */
	[6] = ENETUNREACH,	/* destination network unknown */
	[7] = EHOSTDOWN,	/* destination host unknown */
	[8] = ENONET,		/* source host isolated */
	[9] = ENETUNREACH,	/* network administratively prohibited */
	[10] = EHOSTUNREACH,	/* host administratively prohibited */
	[13] = EHOSTUNREACH,	/* communication administratively prohibited */
	[14] = EHOSTUNREACH,	/* host precedence violation */
	[15] = EHOSTUNREACH,	/* precedence cutoff */
};

static const int icmp6_unreach_errno[7] = {
	[1] = EACCES,		/* administratively prohibited */
	[4] = ECONNREFUSED,	/* port unreachable */
	[5] = EACCES,		/* source address failed policy */
	[6] = EACCES,		/* reject route */
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

/* The connected UDP pcb that sent local:lport -> remote:rport, if any. */
static struct udp_pcb *sender(const ip_addr_t *local, uint16_t lport, const ip_addr_t *remote,
			      uint16_t rport)
{
	for (struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next) {
		if (!(pcb->flags & UDP_FLAGS_CONNECTED) || pcb->local_port != lport ||
		    pcb->remote_port != rport || !same_addr(&pcb->remote_ip, remote))
			continue;
		if (ip_addr_isany(&pcb->local_ip) || same_addr(&pcb->local_ip, local))
			return pcb;
	}
	return NULL;
}

static void report(const ip_addr_t *local, const uint8_t *udp, const ip_addr_t *remote, int err)
{
	struct udp_pcb *pcb = sender(local, be16(udp), remote, be16(udp + 2));

	if (pcb)
		inet_report_error(pcb->recv_arg, -err);	/* recv_arg: the netconn */
}

/* Every packet comes here: the protocol is looked at in place, and only
 * ICMP is copied out. */
static bool carries(const struct pbuf *p, uint16_t at, uint8_t proto)
{
	return p->len > at && ((const uint8_t *)p->payload)[at] == proto;
}

int inet_icmp4_input(struct pbuf *p, struct netif *inp)
{
	uint8_t b[IP_HLEN_MAX + ICMP_HLEN + IP_HLEN_MAX + UDP_HLEN];

	if (!carries(p, 9, IP_PROTO_ICMP))
		return 0;
	uint16_t got = pbuf_copy_partial(p, b, sizeof b, 0);
	if (got < IP_HLEN || (be16(b + 6) & 0x3fff))
		return 0;	/* a fragment */
	uint16_t hlen = (uint16_t)((b[0] & 0xf) * 4), total = be16(b + 2);
	uint16_t q = (uint16_t)(hlen + ICMP_HLEN);	/* the quoted IP header */
	if (hlen < IP_HLEN || total != p->tot_len || got < q + IP_HLEN || b[hlen] != ICMP_DUR ||
	    b[hlen + 1] >= 16 || !icmp4_unreach_errno[b[hlen + 1]])
		return 0;
	uint16_t qhlen = (uint16_t)((b[q] & 0xf) * 4);
	if ((b[q] >> 4) != 4 || qhlen < IP_HLEN || b[q + 9] != IP_PROTO_UDP || got < q + qhlen + UDP_HLEN ||
	    !checksum_ok(p, inp, NETIF_CHECKSUM_CHECK_ICMP, hlen, (uint16_t)(total - hlen), 0))
		return 0;
	/* The quoted datagram went from us (its source) to its destination,
	 * and the error is addressed to us. */
	ip_addr_t local, remote, to;
	IP_ADDR4(&local, b[q + 12], b[q + 13], b[q + 14], b[q + 15]);
	IP_ADDR4(&remote, b[q + 16], b[q + 17], b[q + 18], b[q + 19]);
	IP_ADDR4(&to, b[16], b[17], b[18], b[19]);
	if (ip_addr_cmp(&to, &local))
		report(&local, b + q + qhlen, &remote, icmp4_unreach_errno[b[hlen + 1]]);
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

int inet_icmp6_input(struct pbuf *p, struct netif *inp)
{
	uint8_t b[IP6_HLEN + ICMP_HLEN + IP6_HLEN + UDP_HLEN];

	/* Only an ICMPv6 message right after the header (no extension
	 * headers), quoting a UDP datagram whose header follows its own. */
	if (!carries(p, 6, IP6_NEXTH_ICMP6) || pbuf_copy_partial(p, b, sizeof b, 0) < sizeof b)
		return 0;
	uint16_t len = be16(b + 4);
	const uint8_t *icmp = b + IP6_HLEN, *quoted = icmp + ICMP_HLEN;
	if (len + IP6_HLEN != p->tot_len || icmp[0] != ICMP6_TYPE_DUR || icmp[1] >= 7 ||
	    !icmp6_unreach_errno[icmp[1]] || (quoted[0] >> 4) != 6 || quoted[6] != IP_PROTO_UDP)
		return 0;
	if (!checksum_ok(p, inp, NETIF_CHECKSUM_CHECK_ICMP6, IP6_HLEN, len, pseudo_sum(b, len)) ||
	    memcmp(b + 24, quoted + 8, 16))
		return 0;	/* bad checksum, or not addressed to the sender */
	ip_addr_t local, remote;
	ip6_from(&local, quoted + 8);
	ip6_from(&remote, quoted + 24);
	report(&local, quoted + IP6_HLEN, &remote, icmp6_unreach_errno[icmp[1]]);
	return 0;
}
