/* Parsing just enough of a frame to forward it (pkt.h).  Every read goes
 * through `have()`, which checks the offset and length against the frame. */
#include "pkt.h"

#include "libc_min.h"

#define ETH_HDR		14
#define MAX_EXT_HDRS	8	/* IPv6 extension headers followed before giving up */

struct buf {
	const uint8_t *p;
	size_t len;
};

/* Whether an IP packet is a piece of a fragmented datagram. */
struct frag {
	bool fragment;
	bool later;		/* not the first: what follows its header is data */
	uint32_t id;
};

static bool have(const struct buf *b, size_t off, size_t n)
{
	return off <= b->len && n <= b->len - off;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool pkt_mac_is_multicast(const uint8_t *mac) { return mac[0] & 1; }

static void parse_arp(const struct buf *b, size_t off, struct pkt_info *pi)
{
	const uint8_t *a = b->p + off;

	/* Ethernet (1), IPv4, 6-byte and 4-byte addresses: nothing else. */
	if (!have(b, off, 28) || be16(a) != 1 || be16(a + 2) != PKT_ETH_IP4 || a[4] != 6 ||
	    a[5] != 4)
		return;
	pi->l3 = PKT_ARP;
	pi->arp_op = be16(a + 6);
	memcpy(pi->arp_sha, a + 8, 6);
	memcpy(pi->arp_spa, a + 14, 4);
	memcpy(pi->arp_tpa, a + 24, 4);
}

static void take_ports(const struct buf *b, size_t off, struct pkt_flow *f)
{
	if ((f->proto == PKT_PROTO_TCP || f->proto == PKT_PROTO_UDP) && have(b, off, 4)) {
		f->has_ports = true;
		f->src_port = be16(b->p + off);
		f->dst_port = be16(b->p + off + 2);
	}
}

/* An IPv4 header at off (whose datagram may be cut short, as inside an
 * ICMP error): the flow, the fragment, and the offset of the transport
 * header.  -1 if it is not an IPv4 header at all. */
static long ip4_header(const struct buf *b, size_t off, struct pkt_flow *f, struct frag *fr)
{
	const uint8_t *h = b->p + off;

	if (!have(b, off, 20) || h[0] >> 4 != 4 || (h[0] & 15) < 5 || !have(b, off, (h[0] & 15) * 4u))
		return -1;
	f->proto = h[9];
	memcpy(f->src, h + 12, 4);
	memcpy(f->dst, h + 16, 4);
	uint16_t frag_field = be16(h + 6);
	if (frag_field & 0x3fff) {	/* MF set or an offset */
		fr->fragment = true;
		fr->later = (frag_field & 0x1fff) != 0;
		fr->id = be16(h + 4);
	}
	return (long)(off + (h[0] & 15) * 4u);
}

/* Hop-by-hop options, routing, fragment, destination options, AH. */
static bool is_ext_hdr(uint8_t next)
{
	return next == 0 || next == 43 || next == 44 || next == 60 || next == 51;
}

/* Walks IPv6 extension headers from the fixed header at off: the final
 * protocol in f->proto and the offset of its header, -1 if malformed.  A
 * later fragment's walk ends at its fragment header: what follows is data,
 * and f->proto is the next header only if that is an upper layer. */
static long ip6_header(const struct buf *b, size_t off, struct pkt_flow *f, struct frag *fr)
{
	const uint8_t *h = b->p + off;

	if (!have(b, off, 40) || h[0] >> 4 != 6)
		return -1;
	memcpy(f->src, h + 8, 16);
	memcpy(f->dst, h + 24, 16);
	uint8_t next = h[6];
	size_t at = off + 40;
	for (int seen = 0;; seen++) {
		if (!is_ext_hdr(next)) {
			f->proto = next;
			return (long)at;
		}
		if (seen == MAX_EXT_HDRS)
			return (long)at;	/* too many: proto stays 0, "unknown" */
		if (next == 44) {	/* fragment header: 8 bytes */
			if (!have(b, at, 8))
				return -1;
			fr->fragment = true;
			fr->later = (be16(b->p + at + 2) & 0xfff8) != 0;
			fr->id = be32(b->p + at + 4);
			next = b->p[at];
			at += 8;
			if (fr->later) {
				f->proto = is_ext_hdr(next) ? 0 : next;
				return (long)at;
			}
		} else {
			if (!have(b, at, 2))
				return -1;
			size_t len = next == 51 ? (b->p[at + 1] + 2u) * 4 : (b->p[at + 1] + 1u) * 8;
			next = b->p[at];
			at += len;
		}
	}
}

/* The packet an ICMP error quotes, at off: its flow, as far as it goes.
 * A quoted later fragment holds data where ports would be. */
static void quoted(const struct buf *b, size_t off, bool v6, struct pkt_info *pi)
{
	struct pkt_flow f = { 0 };
	struct frag fr = { 0 };
	long l4 = v6 ? ip6_header(b, off, &f, &fr) : ip4_header(b, off, &f, &fr);

	if (l4 < 0)
		return;
	if (!fr.later)
		take_ports(b, (size_t)l4, &f);
	pi->icmp_error = true;
	pi->inner = f;
}

static bool icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* The link-layer address options of an ND message of this type (pkt.h). */
static void nd_lladdr(const struct buf *b, size_t off, uint8_t type, struct pkt_info *pi)
{
	/* Past the fixed part: RS, RA, redirect, NS and NA (the target). */
	off += type == PKT_ICMP6_RS ? 8 : type == PKT_ICMP6_RA ? 16
	     : type == PKT_ICMP6_REDIRECT ? 40 : 24;
	while (have(b, off, 2)) {
		const uint8_t *opt = b->p + off;
		size_t len = opt[1] * 8u;
		if (len == 0 || !have(b, off, len))
			return;		/* malformed: the receiver drops the message */
		off += len;
		if (opt[0] != 1 && opt[0] != 2)
			continue;
		if (pi->nd_has_lladdr && memcmp(pi->nd_lladdr, opt + 2, 6))
			memset(pi->nd_lladdr, 0xff, 6);
		else
			memcpy(pi->nd_lladdr, opt + 2, 6);
		pi->nd_has_lladdr = true;
	}
}

static void parse_icmp(const struct buf *b, size_t off, bool v6, struct pkt_info *pi)
{
	if (!have(b, off, 8))
		return;
	pi->icmp_type = b->p[off];
	pi->icmp_code = b->p[off + 1];
	if (v6 ? pi->icmp_type < 128 : icmp4_is_error(pi->icmp_type)) {
		quoted(b, off + 8, v6, pi);
		return;
	}
	if (!v6 || pi->icmp_type < PKT_ICMP6_RS || pi->icmp_type > PKT_ICMP6_REDIRECT)
		return;
	if (pi->icmp_type >= PKT_ICMP6_NS && have(b, off + 8, 16))
		memcpy(pi->nd_target, b->p + off + 8, 16);
	nd_lladdr(b, off, pi->icmp_type, pi);
}

static int parse_ip(const struct buf *b, size_t off, bool v6, struct pkt_info *pi)
{
	struct frag fr = { 0 };
	long l4 = v6 ? ip6_header(b, off, &pi->flow, &fr) : ip4_header(b, off, &pi->flow, &fr);

	if (l4 < 0)
		return -LIB_EINVAL;
	pi->l3 = v6 ? PKT_IP6 : PKT_IP4;
	pi->fragment = fr.fragment;
	pi->later_fragment = fr.later;
	pi->frag_id = fr.id;
	if (pi->later_fragment)
		return 0;	/* no transport header in this piece */
	if (pi->flow.proto == (v6 ? PKT_PROTO_ICMP6 : PKT_PROTO_ICMP))
		parse_icmp(b, (size_t)l4, v6, pi);
	else
		take_ports(b, (size_t)l4, &pi->flow);
	return 0;
}

int pkt_parse(const void *frame, size_t len, struct pkt_info *pi)
{
	struct buf b = { frame, len };

	memset(pi, 0, sizeof *pi);
	if (len < ETH_HDR)
		return -LIB_EINVAL;
	pi->dst_mac = b.p;
	pi->src_mac = b.p + 6;
	pi->ethertype = be16(b.p + 12);
	if (pi->ethertype == PKT_ETH_ARP)
		parse_arp(&b, ETH_HDR, pi);
	else if (pi->ethertype == PKT_ETH_IP4 || pi->ethertype == PKT_ETH_IP6)
		return parse_ip(&b, ETH_HDR, pi->ethertype == PKT_ETH_IP6, pi);
	return 0;
}
