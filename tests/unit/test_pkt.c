/* The network server's frame parser (lib/pkt.c): frames of every kind it
 * understands, built by hand, each field checked; then each frame cut at
 * every length, parsed from a buffer of exactly that length (ASan sees a
 * read past it) with answers that must agree with the whole frame's; then
 * a few hundred thousand random and mutated frames. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "frames.h"
#include "pkt.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa }, mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t v4a[4] = { 10, 0, 2, 15 }, v4b[4] = { 192, 0, 2, 7 };
static const uint8_t v6a[16] = { 0xfd, 0, [15] = 0x15 }, v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
static const uint8_t tgt[16] = { 0xfe, 0x80, [8] = 0x11, [15] = 0x99 };

/* Parses the first len bytes of f from a buffer of exactly len bytes.
 * The MAC pointers must point into it; they are cleared before it goes. */
static int parse_n(const struct fb *f, size_t len, struct pkt_info *pi)
{
	uint8_t *buf = malloc(len ? len : 1);

	memcpy(buf, f->b, len);
	int r = pkt_parse(buf, len, pi);
	if (r == 0) {
		assert_ptr_equal(pi->dst_mac, buf);
		assert_ptr_equal(pi->src_mac, buf + 6);
	}
	pi->dst_mac = pi->src_mac = NULL;
	free(buf);
	return r;
}

static int parse(const struct fb *f, struct pkt_info *pi)
{
	return parse_n(f, f->len, pi);
}

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void same_flow(const struct pkt_flow *a, const struct pkt_flow *b)
{
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->has_ports, b->has_ports);
	assert_int_equal(a->src_port, b->src_port);
	assert_int_equal(a->dst_port, b->dst_port);
	assert_memory_equal(a->src, b->src, 16);
	assert_memory_equal(a->dst, b->dst, 16);
}

static void same_info(const struct pkt_info *a, const struct pkt_info *b)
{
	assert_int_equal(a->ethertype, b->ethertype);
	assert_int_equal(a->l3, b->l3);
	assert_int_equal(a->arp_op, b->arp_op);
	assert_memory_equal(a->arp_sha, b->arp_sha, 6);
	assert_memory_equal(a->arp_spa, b->arp_spa, 4);
	assert_memory_equal(a->arp_tpa, b->arp_tpa, 4);
	same_flow(&a->flow, &b->flow);
	assert_int_equal(a->fragment, b->fragment);
	assert_int_equal(a->later_fragment, b->later_fragment);
	assert_int_equal(a->frag_id, b->frag_id);
	assert_int_equal(a->icmp_type, b->icmp_type);
	assert_int_equal(a->icmp_code, b->icmp_code);
	assert_int_equal(a->icmp_error, b->icmp_error);
	same_flow(&a->inner, &b->inner);
	assert_memory_equal(a->nd_target, b->nd_target, 16);
	assert_int_equal(a->nd_has_lladdr, b->nd_has_lladdr);
	assert_memory_equal(a->nd_lladdr, b->nd_lladdr, 6);
}

/* What a cut frame tells must be what the whole one tells, or nothing. */
static void part_of_flow(const struct pkt_flow *p, const struct pkt_flow *w)
{
	if (p->proto)
		assert_int_equal(p->proto, w->proto);
	if (p->has_ports) {
		assert_true(w->has_ports);
		assert_int_equal(p->src_port, w->src_port);
		assert_int_equal(p->dst_port, w->dst_port);
	}
	if (!zero(p->src, 16) || !zero(p->dst, 16)) {
		assert_memory_equal(p->src, w->src, 16);
		assert_memory_equal(p->dst, w->dst, 16);
	}
}

static void part_of(const struct pkt_info *p, const struct pkt_info *w)
{
	assert_int_equal(p->ethertype, w->ethertype);
	if (p->l3 != PKT_OTHER)
		assert_int_equal(p->l3, w->l3);
	if (p->l3 == PKT_ARP) {
		assert_int_equal(p->arp_op, w->arp_op);
		assert_memory_equal(p->arp_sha, w->arp_sha, 6);
	}
	part_of_flow(&p->flow, &w->flow);
	if (p->fragment) {
		assert_true(w->fragment);
		assert_int_equal(p->later_fragment, w->later_fragment);
		assert_int_equal(p->frag_id, w->frag_id);
	}
	if (p->icmp_type || p->icmp_code) {
		assert_int_equal(p->icmp_type, w->icmp_type);
		assert_int_equal(p->icmp_code, w->icmp_code);
	}
	if (p->icmp_error) {
		assert_true(w->icmp_error);
		part_of_flow(&p->inner, &w->inner);
	}
	if (!zero(p->nd_target, 16))
		assert_memory_equal(p->nd_target, w->nd_target, 16);
	static const uint8_t ones[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (p->nd_has_lladdr) {
		assert_true(w->nd_has_lladdr);
		if (memcmp(p->nd_lladdr, w->nd_lladdr, 6))	/* more options, disagreeing */
			assert_memory_equal(w->nd_lladdr, ones, 6);
	}
}

/* Sane answers at every length: -EINVAL below fail_below (the end of the
 * Ethernet or IP header), then either -EINVAL or a part of the whole
 * frame's answer (an extension header cut short), 0 and a part of the
 * answer from ok_from on, and the whole answer from whole_from on. */
static void cut_loosely(const struct fb *f, size_t fail_below, size_t ok_from, size_t whole_from)
{
	struct pkt_info whole, pi;

	assert_int_equal(parse(f, &whole), 0);
	for (size_t len = 0; len <= f->len; len++) {
		int r = parse_n(f, len, &pi);
		if (len < fail_below)
			assert_int_equal(r, -22);
		else if (len >= ok_from)
			assert_int_equal(r, 0);
		if (r)
			continue;
		if (len >= whole_from)
			same_info(&pi, &whole);
		else
			part_of(&pi, &whole);
	}
}

static void cut_everywhere(const struct fb *f, size_t ok_from, size_t whole_from)
{
	cut_loosely(f, ok_from, ok_from, whole_from);
}

/* ---- ARP ------------------------------------------------------------------ */

static void arp_request(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, bcast, mac_a, PKT_ETH_ARP);
	arp(&f, 1, 1, mac_a, v4a, (const uint8_t[6]){ 0 }, v4b);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.l3, PKT_ARP);
	assert_int_equal(pi.ethertype, PKT_ETH_ARP);
	assert_int_equal(pi.arp_op, 1);
	assert_memory_equal(pi.arp_sha, mac_a, 6);
	assert_memory_equal(pi.arp_spa, v4a, 4);
	assert_memory_equal(pi.arp_tpa, v4b, 4);
	assert_int_equal(pi.flow.proto, 0);
	cut_everywhere(&f, 14, 42);

	fb_zero(&f, 18);	/* Ethernet's padding to 60 bytes */
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.l3, PKT_ARP);
	assert_int_equal(pi.arp_op, 1);
}

static void arp_reply(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_ARP);
	arp(&f, 1, 2, mac_b, v4b, mac_a, v4a);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.l3, PKT_ARP);
	assert_int_equal(pi.arp_op, 2);
	assert_memory_equal(pi.arp_sha, mac_b, 6);
	assert_memory_equal(pi.arp_spa, v4b, 4);
	assert_memory_equal(pi.arp_tpa, v4a, 4);
	cut_everywhere(&f, 14, 42);
}

/* Other hardware or protocol types, other address lengths: not ARP as the
 * server knows it, and not an error either. */
static void arp_other_kinds(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;
	static const struct { unsigned at; uint8_t v; } edits[] = {
		{ 15, 6 }, { 16, 0x86 }, { 17, 0xdd }, { 18, 8 }, { 19, 16 }, { 14, 1 },
	};

	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		eth(&f, bcast, mac_a, PKT_ETH_ARP);
		arp(&f, 1, 1, mac_a, v4a, mac_b, v4b);
		f.b[edits[i].at] = edits[i].v;
		assert_int_equal(parse(&f, &pi), 0);
		assert_int_equal(pi.l3, PKT_OTHER);
		assert_int_equal(pi.arp_op, 0);
		assert_int_equal(pi.ethertype, PKT_ETH_ARP);
	}
}

/* ---- Ethernet -------------------------------------------------------------- */

static void ethernet_only(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, 0x8100);	/* a VLAN tag: not followed */
	fb_u16(&f, 5);
	fb_u16(&f, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_TCP, v4a, v4b, 5, 0, 1);
	tcp(&f, 1, 2);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.ethertype, 0x8100);
	assert_int_equal(pi.l3, PKT_OTHER);
	assert_int_equal(pi.flow.proto, 0);
	assert_false(pi.flow.has_ports);
	cut_everywhere(&f, 14, 14);

	for (size_t len = 0; len < 14; len++)
		assert_int_equal(parse_n(&f, len, &pi), -22);
	assert_int_equal(parse_n(&f, 14, &pi), 0);
}

static void multicast_macs(void **state)
{
	(void)state;
	assert_true(pkt_mac_is_multicast(bcast));
	assert_true(pkt_mac_is_multicast((const uint8_t[6]){ 0x01, 0, 0x5e, 0, 0, 1 }));
	assert_true(pkt_mac_is_multicast((const uint8_t[6]){ 0x33, 0x33, 0xff, 0, 0, 1 }));
	assert_false(pkt_mac_is_multicast(mac_a));
	assert_false(pkt_mac_is_multicast((const uint8_t[6]){ 0x52, 0x54, 0, 0x12, 0x34, 0x56 }));
	assert_false(pkt_mac_is_multicast((const uint8_t[6]){ 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }));
}

/* ---- IPv4 ------------------------------------------------------------------- */

static void ip4_tcp_udp(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_TCP, v4b, v4a, 5, 0x4000, 0x1234);	/* DF: not a fragment */
	tcp(&f, 443, 40000);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.l3, PKT_IP4);
	assert_int_equal(pi.ethertype, PKT_ETH_IP4);
	assert_int_equal(pi.flow.proto, PKT_PROTO_TCP);
	assert_true(pi.flow.has_ports);
	assert_int_equal(pi.flow.src_port, 443);
	assert_int_equal(pi.flow.dst_port, 40000);
	assert_memory_equal(pi.flow.src, v4b, 4);
	assert_memory_equal(pi.flow.dst, v4a, 4);
	assert_true(zero(pi.flow.src + 4, 12) && zero(pi.flow.dst + 4, 12));
	assert_false(pi.fragment);
	assert_false(pi.icmp_error);
	assert_int_equal(pi.frag_id, 0);
	cut_everywhere(&f, 34, 38);

	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_UDP, v4a, v4b, 5, 0, 0);
	udp(&f, 68, 67);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.flow.proto, PKT_PROTO_UDP);
	assert_true(pi.flow.has_ports);
	assert_int_equal(pi.flow.src_port, 68);
	assert_int_equal(pi.flow.dst_port, 67);
	cut_everywhere(&f, 34, 38);

	/* Other protocols: no ports, even with bytes where they would be. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, 132, v4a, v4b, 5, 0, 0);	/* SCTP */
	udp(&f, 1, 2);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.flow.proto, 132);
	assert_false(pi.flow.has_ports);
	cut_everywhere(&f, 34, 34);
}

/* Options move the transport header; every IHL from 5 to 15. */
static void ip4_options(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	for (unsigned ihl = 5; ihl <= 15; ihl++) {
		eth(&f, mac_a, mac_b, PKT_ETH_IP4);
		ip4(&f, PKT_PROTO_UDP, v4a, v4b, ihl, 0, 0);
		udp(&f, 5353, 53);
		assert_int_equal(parse(&f, &pi), 0);
		assert_true(pi.flow.has_ports);
		assert_int_equal(pi.flow.src_port, 5353);
		assert_int_equal(pi.flow.dst_port, 53);
		cut_everywhere(&f, 14 + ihl * 4, 14 + ihl * 4 + 4);
	}
}

/* An IHL below 5, a wrong version: -EINVAL at any length. */
static void ip4_malformed(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	for (unsigned ihl = 0; ihl < 5; ihl++) {
		eth(&f, mac_a, mac_b, PKT_ETH_IP4);
		ip4(&f, PKT_PROTO_TCP, v4a, v4b, 5, 0, 0);
		tcp(&f, 1, 2);
		f.b[14] = (uint8_t)(0x40 | ihl);
		for (size_t len = 0; len <= f.len; len++)
			assert_int_equal(parse_n(&f, len, &pi), -22);
	}
	static const uint8_t versions[] = { 0x05, 0x35, 0x65, 0xf5 };
	for (size_t i = 0; i < sizeof versions; i++) {
		eth(&f, mac_a, mac_b, PKT_ETH_IP4);
		ip4(&f, PKT_PROTO_TCP, v4a, v4b, 5, 0, 0);
		tcp(&f, 1, 2);
		f.b[14] = versions[i];
		assert_int_equal(parse(&f, &pi), -22);
	}
	/* An IHL longer than the frame. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_TCP, v4a, v4b, 5, 0, 0);
	fb_zero(&f, 39);
	f.b[14] = 0x4f;
	assert_int_equal(parse(&f, &pi), -22);
	fb_zero(&f, 1);
	assert_int_equal(parse(&f, &pi), 0);
	assert_false(pi.flow.has_ports);
}

static void ip4_fragments(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	/* The first: MF, offset 0, ports present. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_UDP, v4b, v4a, 5, 0x2000, 0xbeef);
	udp(&f, 4000, 5000);
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.fragment);
	assert_false(pi.later_fragment);
	assert_int_equal(pi.frag_id, 0xbeef);
	assert_true(pi.flow.has_ports);
	assert_int_equal(pi.flow.dst_port, 5000);
	cut_everywhere(&f, 34, 38);

	/* Later ones, with or without MF: no transport header to read. */
	static const uint16_t later[] = { 0x2000 | 185, 185, 1, 0x1fff, 0x6001 };
	for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
		eth(&f, mac_a, mac_b, PKT_ETH_IP4);
		ip4(&f, PKT_PROTO_UDP, v4b, v4a, 5, later[i], 0xbeef);
		udp(&f, 4000, 5000);
		assert_int_equal(parse(&f, &pi), 0);
		assert_true(pi.fragment);
		assert_true(pi.later_fragment);
		assert_int_equal(pi.frag_id, 0xbeef);
		assert_int_equal(pi.flow.proto, PKT_PROTO_UDP);
		assert_false(pi.flow.has_ports);
		assert_int_equal(pi.flow.src_port, 0);
		assert_memory_equal(pi.flow.src, v4b, 4);
		cut_everywhere(&f, 34, 34);
	}
}

static void ip4_icmp_echo(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;
	static const uint8_t not_errors[] = { 0, 8, 9, 10, 13, 14, 42, 255 };

	for (size_t i = 0; i < sizeof not_errors; i++) {
		eth(&f, mac_a, mac_b, PKT_ETH_IP4);
		ip4(&f, PKT_PROTO_ICMP, v4b, v4a, 5, 0, 0);
		icmp(&f, not_errors[i], 0);
		ip4(&f, PKT_PROTO_UDP, v4a, v4b, 5, 0, 0);	/* looks quoted; is not */
		udp(&f, 1, 2);
		assert_int_equal(parse(&f, &pi), 0);
		assert_int_equal(pi.flow.proto, PKT_PROTO_ICMP);
		assert_int_equal(pi.icmp_type, not_errors[i]);
		assert_false(pi.icmp_error);
		assert_false(pi.flow.has_ports);
		assert_false(pi.inner.has_ports);
		cut_everywhere(&f, 34, 42);
	}
}

/* Every ICMPv4 error type, quoting TCP and UDP, the quoted header with and
 * without options. */
static void ip4_icmp_errors(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;
	static const uint8_t errors[] = { 3, 4, 5, 11, 12 };

	for (size_t i = 0; i < sizeof errors; i++) {
		for (unsigned ihl = 5; ihl <= 7; ihl += 2) {
			uint8_t proto = i % 2 ? PKT_PROTO_TCP : PKT_PROTO_UDP;
			eth(&f, mac_a, mac_b, PKT_ETH_IP4);
			ip4(&f, PKT_PROTO_ICMP, v4b, v4a, 5, 0, 0);
			icmp(&f, errors[i], 4);
			ip4(&f, proto, v4a, v4b, ihl, 0, 0);
			udp(&f, 33000, 53);	/* the 8 bytes RFC 792 quotes */
			assert_int_equal(parse(&f, &pi), 0);
			assert_int_equal(pi.icmp_type, errors[i]);
			assert_int_equal(pi.icmp_code, 4);
			assert_true(pi.icmp_error);
			assert_false(pi.flow.has_ports);
			assert_int_equal(pi.inner.proto, proto);
			assert_true(pi.inner.has_ports);
			assert_int_equal(pi.inner.src_port, 33000);
			assert_int_equal(pi.inner.dst_port, 53);
			assert_memory_equal(pi.inner.src, v4a, 4);
			assert_memory_equal(pi.inner.dst, v4b, 4);
			assert_memory_equal(pi.flow.src, v4b, 4);
			cut_everywhere(&f, 34, 42 + ihl * 4 + 4);
		}
	}
}

/* A quoted packet cut short: no ports; its IP header cut short: not an
 * error the server can place. */
static void ip4_icmp_quote_short(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_ICMP, v4b, v4a, 5, 0, 0);
	icmp(&f, 3, 3);
	ip4(&f, PKT_PROTO_UDP, v4a, v4b, 5, 0, 0);
	fb_u16(&f, 33000);
	fb_u8(&f, 0);		/* three bytes of the UDP header */
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.icmp_error);
	assert_int_equal(pi.inner.proto, PKT_PROTO_UDP);
	assert_false(pi.inner.has_ports);
	assert_memory_equal(pi.inner.src, v4a, 4);
	cut_everywhere(&f, 34, 62);

	f.len = 14 + 20 + 8 + 19;
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.icmp_type, 3);
	assert_false(pi.icmp_error);
	assert_int_equal(pi.inner.proto, 0);

	/* The quoted header says it has options the quote does not hold. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_ICMP, v4b, v4a, 5, 0, 0);
	icmp(&f, 11, 0);
	ip4(&f, PKT_PROTO_TCP, v4a, v4b, 5, 0, 0);
	udp(&f, 1, 2);
	f.b[42] = 0x4f;
	assert_int_equal(parse(&f, &pi), 0);
	assert_false(pi.icmp_error);
	assert_false(pi.inner.has_ports);
	/* Or is not IPv4. */
	f.b[42] = 0x65;
	assert_int_equal(parse(&f, &pi), 0);
	assert_false(pi.icmp_error);
}

/* An error quoting a piece that is not the first of its datagram quotes
 * payload, not ports: nothing may be taken from it. */
static void ip4_icmp_quotes_later_fragment(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_ICMP, v4b, v4a, 5, 0, 0);
	icmp(&f, 3, 4);	/* fragmentation needed */
	ip4(&f, PKT_PROTO_UDP, v4a, v4b, 5, 0x2000 | 100, 7);
	udp(&f, 40001, 40002);	/* payload bytes, whatever they look like */
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.icmp_error);
	assert_int_equal(pi.inner.proto, PKT_PROTO_UDP);
	assert_false(pi.inner.has_ports);
	assert_false(pi.fragment);	/* the error itself is whole */
	cut_everywhere(&f, 34, 62);
}

/* ICMP's numbers belong to their IP version: protocol 58 in IPv4 and 1 in
 * IPv6 are nothing the parser knows. */
static void icmp_wrong_version(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(&f, PKT_PROTO_ICMP6, v4b, v4a, 5, 0, 0);
	icmp(&f, 3, 0);
	ip4(&f, PKT_PROTO_UDP, v4a, v4b, 5, 0, 0);
	udp(&f, 1, 2);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.flow.proto, PKT_PROTO_ICMP6);
	assert_int_equal(pi.icmp_type, 0);
	assert_false(pi.icmp_error);
	cut_everywhere(&f, 34, 34);

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_ICMP, v6b, v6a);
	icmp(&f, 1, 0);
	ip6(&f, PKT_PROTO_UDP, v6a, v6b);
	udp(&f, 1, 2);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.flow.proto, PKT_PROTO_ICMP);
	assert_int_equal(pi.icmp_type, 0);
	assert_false(pi.icmp_error);
	cut_everywhere(&f, 54, 54);

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_ICMP, v6b, v6a);
	nd(&f, PKT_ICMP6_NA, tgt);
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(zero(pi.nd_target, 16));
}

/* ---- IPv6 ------------------------------------------------------------------- */

static void ip6_tcp_udp(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_TCP, v6b, v6a);
	tcp(&f, 80, 50000);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.l3, PKT_IP6);
	assert_int_equal(pi.ethertype, PKT_ETH_IP6);
	assert_int_equal(pi.flow.proto, PKT_PROTO_TCP);
	assert_true(pi.flow.has_ports);
	assert_int_equal(pi.flow.src_port, 80);
	assert_int_equal(pi.flow.dst_port, 50000);
	assert_memory_equal(pi.flow.src, v6b, 16);
	assert_memory_equal(pi.flow.dst, v6a, 16);
	assert_false(pi.fragment);
	cut_everywhere(&f, 54, 58);

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_UDP, v6a, v6b);
	udp(&f, 546, 547);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.flow.proto, PKT_PROTO_UDP);
	assert_int_equal(pi.flow.src_port, 546);
	assert_int_equal(pi.flow.dst_port, 547);
	cut_everywhere(&f, 54, 58);

	/* No next header (59), ESP (50): upper layers without ports. */
	static const uint8_t others[] = { 59, 50, 132, 255 };
	for (size_t i = 0; i < sizeof others; i++) {
		eth(&f, mac_a, mac_b, PKT_ETH_IP6);
		ip6(&f, others[i], v6a, v6b);
		udp(&f, 1, 2);
		assert_int_equal(parse(&f, &pi), 0);
		assert_int_equal(pi.flow.proto, others[i]);
		assert_false(pi.flow.has_ports);
		cut_everywhere(&f, 54, 54);
	}
}

static void ip6_malformed(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_TCP, v6b, v6a);
	tcp(&f, 80, 50000);
	for (int v = 0; v < 16; v++) {
		f.b[14] = (uint8_t)(v << 4);
		assert_int_equal(parse(&f, &pi), v == 6 ? 0 : -22);
	}
	/* An IPv6 header under IPv4's ethertype and the reverse. */
	f.b[12] = 0x08, f.b[13] = 0x00;
	assert_int_equal(parse(&f, &pi), -22);
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip4(&f, PKT_PROTO_TCP, v4a, v4b, 5, 0, 0);
	tcp(&f, 1, 2);
	fb_zero(&f, 20);
	assert_int_equal(parse(&f, &pi), -22);
}

/* Hop-by-hop, routing, destination options, a first fragment, AH, then
 * UDP: each header's own length rule. */
static void ip6_extension_chain(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, 0, v6b, v6a);
	ext6(&f, 0, 43, 1);		/* 16 bytes */
	ext6(&f, 43, 60, 2);		/* 24 */
	ext6(&f, 60, 44, 0);		/* 8 */
	frag6(&f, 51, 0, true, 0xdeadbeef);
	ext6(&f, 51, PKT_PROTO_UDP, 4);	/* AH: (4 + 2) * 4 = 24 */
	size_t l4 = f.len;
	udp(&f, 1234, 4321);
	assert_int_equal(l4, 14 + 40 + 16 + 24 + 8 + 8 + 24);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.l3, PKT_IP6);
	assert_int_equal(pi.flow.proto, PKT_PROTO_UDP);
	assert_true(pi.flow.has_ports);
	assert_int_equal(pi.flow.src_port, 1234);
	assert_int_equal(pi.flow.dst_port, 4321);
	assert_true(pi.fragment);
	assert_false(pi.later_fragment);
	assert_int_equal(pi.frag_id, 0xdeadbeef);
	/* Cut inside the chain, the frame is malformed (each header says
	 * another follows), unless only the last one's body is cut. */
	cut_loosely(&f, 54, l4, l4 + 4);

	/* AH's length is in 4-byte units: an odd count lands mid-word. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, 51, v6b, v6a);
	ext6(&f, 51, PKT_PROTO_TCP, 3);	/* 20 bytes */
	tcp(&f, 7, 8);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.flow.proto, PKT_PROTO_TCP);
	assert_int_equal(pi.flow.src_port, 7);
	assert_int_equal(pi.flow.dst_port, 8);
}

/* A header whose length runs past the frame: the protocol after it may be
 * seen, its ports are not. */
static void ip6_extension_overrun(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, 60, v6b, v6a);
	fb_u8(&f, PKT_PROTO_TCP);
	fb_u8(&f, 255);		/* 2048 bytes */
	fb_zero(&f, 30);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.flow.proto, PKT_PROTO_TCP);
	assert_false(pi.flow.has_ports);
	cut_loosely(&f, 56, 56, 56);

	/* ... and a header after it is out of the frame: malformed. */
	f.b[54] = 44;
	assert_int_equal(parse(&f, &pi), -22);
}

/* Chains of every length up to 100 destination options headers: the
 * parser follows eight and then gives up, leaving the protocol unknown
 * and the frame otherwise whole. */
static void ip6_long_chains(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	for (int n = 0; n <= 100; n++) {
		eth(&f, mac_a, mac_b, PKT_ETH_IP6);
		ip6(&f, n ? 60 : PKT_PROTO_TCP, v6b, v6a);
		for (int i = 0; i < n; i++)
			ext6(&f, 60, i == n - 1 ? PKT_PROTO_TCP : 60, 0);
		tcp(&f, 99, 100);
		assert_int_equal(parse(&f, &pi), 0);
		assert_int_equal(pi.l3, PKT_IP6);
		if (n <= 8) {
			assert_int_equal(pi.flow.proto, PKT_PROTO_TCP);
			assert_true(pi.flow.has_ports);
			assert_int_equal(pi.flow.src_port, 99);
		} else {
			assert_int_equal(pi.flow.proto, 0);
			assert_false(pi.flow.has_ports);
		}
		if (n % 25 == 0 || n == 8 || n == 9)
			cut_loosely(&f, 54, f.len - 20, f.len - 16);
	}
}

static void ip6_fragments(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, 44, v6b, v6a);
	frag6(&f, PKT_PROTO_TCP, 0, true, 77);
	tcp(&f, 1000, 2000);
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.fragment);
	assert_false(pi.later_fragment);
	assert_int_equal(pi.frag_id, 77);
	assert_true(pi.flow.has_ports);
	assert_int_equal(pi.flow.dst_port, 2000);
	cut_everywhere(&f, 62, 66);

	/* An atomic fragment (offset 0, no MF) is still one. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, 44, v6b, v6a);
	frag6(&f, PKT_PROTO_UDP, 0, false, 78);
	udp(&f, 1000, 2000);
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.fragment);
	assert_false(pi.later_fragment);
	assert_true(pi.flow.has_ports);

	static const uint16_t offsets[] = { 1, 185, 8191 };
	for (size_t i = 0; i < 3; i++) {
		eth(&f, mac_a, mac_b, PKT_ETH_IP6);
		ip6(&f, 0, v6b, v6a);
		ext6(&f, 0, 44, 0);
		frag6(&f, PKT_PROTO_UDP, offsets[i], i != 1, 0x01020304);
		udp(&f, 1000, 2000);
		assert_int_equal(parse(&f, &pi), 0);
		assert_true(pi.fragment);
		assert_true(pi.later_fragment);
		assert_int_equal(pi.frag_id, 0x01020304);
		assert_int_equal(pi.flow.proto, PKT_PROTO_UDP);
		assert_false(pi.flow.has_ports);
		cut_everywhere(&f, 70, 70);
	}
}

/* A later fragment's payload is data, not headers, even when the header
 * the fragment header names is one that would be followed. */
static void ip6_later_fragment_payload(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, 44, v6b, v6a);
	frag6(&f, 60, 100, true, 5);
	fb_u8(&f, 60);		/* payload that reads as a destination */
	fb_u8(&f, 200);		/* options header running off the frame */
	fb_zero(&f, 62);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.l3, PKT_IP6);
	assert_true(pi.later_fragment);
	assert_int_equal(pi.frag_id, 5);
	assert_int_equal(pi.flow.proto, 0);
	assert_false(pi.flow.has_ports);
	cut_everywhere(&f, 62, 62);

	/* Payload that reads as a chain ending in TCP gives no protocol. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, 44, v6b, v6a);
	frag6(&f, 0, 100, false, 6);
	ext6(&f, 0, PKT_PROTO_TCP, 0);
	tcp(&f, 1, 2);
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.later_fragment);
	assert_int_equal(pi.flow.proto, 0);
	assert_false(pi.flow.has_ports);
}

static void ip6_icmp_errors(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	for (uint8_t type = 1; type <= 4; type++) {
		uint8_t proto = type % 2 ? PKT_PROTO_TCP : PKT_PROTO_UDP;
		eth(&f, mac_a, mac_b, PKT_ETH_IP6);
		ip6(&f, PKT_PROTO_ICMP6, v6b, v6a);
		icmp(&f, type, 0);
		ip6(&f, proto, v6a, v6b);
		tcp(&f, 41000, 443);
		assert_int_equal(parse(&f, &pi), 0);
		assert_int_equal(pi.flow.proto, PKT_PROTO_ICMP6);
		assert_int_equal(pi.icmp_type, type);
		assert_true(pi.icmp_error);
		assert_int_equal(pi.inner.proto, proto);
		assert_true(pi.inner.has_ports);
		assert_int_equal(pi.inner.src_port, 41000);
		assert_int_equal(pi.inner.dst_port, 443);
		assert_memory_equal(pi.inner.src, v6a, 16);
		assert_memory_equal(pi.inner.dst, v6b, 16);
		cut_everywhere(&f, 54, 62 + 40 + 4);
	}

	/* Packet too big quoting a first fragment behind options. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_ICMP6, v6b, v6a);
	icmp(&f, 2, 0);
	ip6(&f, 60, v6a, v6b);
	ext6(&f, 60, 44, 1);
	frag6(&f, PKT_PROTO_UDP, 0, true, 9);
	udp(&f, 50001, 53);
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.icmp_error);
	assert_false(pi.fragment);		/* the quoted one is, not this */
	assert_int_equal(pi.inner.proto, PKT_PROTO_UDP);
	assert_int_equal(pi.inner.src_port, 50001);
	cut_everywhere(&f, 54, 62 + 40 + 16 + 8 + 4);

	/* ... or a later fragment: no ports. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_ICMP6, v6b, v6a);
	icmp(&f, 2, 0);
	ip6(&f, 44, v6a, v6b);
	frag6(&f, PKT_PROTO_UDP, 150, true, 9);
	udp(&f, 50001, 53);
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.icmp_error);
	assert_false(pi.inner.has_ports);
	cut_everywhere(&f, 54, 110);

	/* Informational types (128 and up) quote nothing. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_ICMP6, v6b, v6a);
	icmp(&f, 129, 0);
	ip6(&f, PKT_PROTO_TCP, v6a, v6b);
	tcp(&f, 1, 2);
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.icmp_type, 129);
	assert_false(pi.icmp_error);
	assert_false(pi.inner.has_ports);
}

static void ip6_icmp_quote_short(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;

	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_ICMP6, v6b, v6a);
	icmp(&f, 1, 4);
	ip6(&f, PKT_PROTO_UDP, v6a, v6b);
	fb_u16(&f, 50000);
	assert_int_equal(parse(&f, &pi), 0);
	assert_true(pi.icmp_error);
	assert_int_equal(pi.inner.proto, PKT_PROTO_UDP);
	assert_false(pi.inner.has_ports);
	cut_everywhere(&f, 54, 102);

	/* The quoted chain broken off: not an error the server can place. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_ICMP6, v6b, v6a);
	icmp(&f, 1, 4);
	ip6(&f, 60, v6a, v6b);
	fb_u8(&f, 44);
	fb_u8(&f, 0);
	fb_zero(&f, 6);
	fb_zero(&f, 4);		/* half a fragment header */
	assert_int_equal(parse(&f, &pi), 0);
	assert_int_equal(pi.icmp_type, 1);
	assert_false(pi.icmp_error);
	assert_false(pi.inner.has_ports);
	assert_false(pi.fragment);
	cut_everywhere(&f, 54, 62);
}

/* Neighbour discovery: the target of NS, NA and redirects; none for RS,
 * RA, or a message too short to hold one. */
static void ip6_nd(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;
	static const uint8_t types[] = { PKT_ICMP6_RS, PKT_ICMP6_RA, PKT_ICMP6_NS, PKT_ICMP6_NA,
					 PKT_ICMP6_REDIRECT, 128, 143 };

	for (size_t i = 0; i < sizeof types; i++) {
		uint8_t t = types[i];
		bool has_target = t >= PKT_ICMP6_NS && t <= PKT_ICMP6_REDIRECT;
		eth(&f, bcast, mac_a, PKT_ETH_IP6);
		ip6(&f, PKT_PROTO_ICMP6, v6a, v6b);
		nd(&f, t, has_target ? tgt : NULL);
		fb_put(&f, tgt, 16);	/* an option, or payload */
		assert_int_equal(parse(&f, &pi), 0);
		assert_int_equal(pi.icmp_type, t);
		assert_false(pi.icmp_error);
		if (has_target)
			assert_memory_equal(pi.nd_target, tgt, 16);
		else
			assert_true(zero(pi.nd_target, 16));
		cut_everywhere(&f, 54, has_target ? 62 + 16 : 62);
	}
}

/* The link-layer address the options of an ND message give, behind any
 * other options; none when none, or after a malformed one; all ones when
 * two disagree. */
static void ip6_nd_options(void **state)
{
	(void)state;
	struct fb f;
	struct pkt_info pi;
	static const uint8_t ones[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero6[6];
	static const uint8_t types[] = { PKT_ICMP6_RS, PKT_ICMP6_RA, PKT_ICMP6_NS, PKT_ICMP6_NA,
					 PKT_ICMP6_REDIRECT };

	for (size_t i = 0; i < sizeof types; i++) {
		uint8_t t = types[i];
		const uint8_t *target = t >= PKT_ICMP6_NS ? tgt : NULL;
		eth(&f, bcast, mac_a, PKT_ETH_IP6);
		ip6(&f, PKT_PROTO_ICMP6, v6a, v6b);
		nd(&f, t, target);
		size_t opts = f.len;
		assert_int_equal(parse(&f, &pi), 0);
		assert_false(pi.nd_has_lladdr);

		fb_u8(&f, 3);		/* a prefix information option first */
		fb_u8(&f, 4);
		fb_zero(&f, 30);
		nd_opt(&f, t == PKT_ICMP6_NA || t == PKT_ICMP6_REDIRECT ? 2 : 1, mac_b);
		assert_int_equal(parse(&f, &pi), 0);
		assert_true(pi.nd_has_lladdr);
		assert_memory_equal(pi.nd_lladdr, mac_b, 6);
		if (target)
			assert_memory_equal(pi.nd_target, tgt, 16);
		cut_everywhere(&f, 54, f.len);

		nd_opt(&f, 1, mac_b);	/* the same again */
		assert_int_equal(parse(&f, &pi), 0);
		assert_memory_equal(pi.nd_lladdr, mac_b, 6);
		nd_opt(&f, 2, mac_a);	/* another */
		assert_int_equal(parse(&f, &pi), 0);
		assert_true(pi.nd_has_lladdr);
		assert_memory_equal(pi.nd_lladdr, ones, 6);
		cut_everywhere(&f, 54, f.len);

		f.len = opts;
		nd_opt(&f, 1, zero6);	/* a zero address is one too */
		nd_opt(&f, 1, mac_a);
		assert_int_equal(parse(&f, &pi), 0);
		assert_true(pi.nd_has_lladdr);
		assert_memory_equal(pi.nd_lladdr, ones, 6);

		f.len = opts;
		fb_u8(&f, 3);		/* length 0: the receiver drops it all */
		fb_u8(&f, 0);
		fb_zero(&f, 6);
		nd_opt(&f, 1, mac_b);
		assert_int_equal(parse(&f, &pi), 0);
		assert_false(pi.nd_has_lladdr);

		f.len = opts;
		fb_u8(&f, 1);		/* running past the end */
		fb_u8(&f, 2);
		fb_put(&f, mac_b, 6);
		fb_zero(&f, 7);
		assert_int_equal(parse(&f, &pi), 0);
		assert_false(pi.nd_has_lladdr);
		fb_zero(&f, 1);
		assert_int_equal(parse(&f, &pi), 0);
		assert_true(pi.nd_has_lladdr);
		assert_memory_equal(pi.nd_lladdr, mac_b, 6);
	}

	/* Not ND: no options to read. */
	eth(&f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(&f, PKT_PROTO_ICMP6, v6a, v6b);
	icmp(&f, 128, 0);
	nd_opt(&f, 1, mac_b);
	assert_int_equal(parse(&f, &pi), 0);
	assert_false(pi.nd_has_lladdr);
	assert_true(zero(pi.nd_lladdr, 6));
}

/* ---- random frames ---------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	return frames_rand(&rng);
}

/* Frames to start from: one of each kind above, roughly. */
static int corpus(struct fb *out)
{
	struct fb *f = out;

	eth(f, bcast, mac_a, PKT_ETH_ARP);
	arp(f++, 1, 1, mac_a, v4a, mac_b, v4b);
	eth(f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(f, PKT_PROTO_TCP, v4a, v4b, 5, 0, 0);
	tcp(f++, 1, 2);
	eth(f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(f, PKT_PROTO_UDP, v4a, v4b, 9, 0x2000, 3);
	udp(f++, 1, 2);
	eth(f, mac_a, mac_b, PKT_ETH_IP4);
	ip4(f, PKT_PROTO_ICMP, v4a, v4b, 5, 0, 0);
	icmp(f, 3, 1);
	ip4(f, PKT_PROTO_TCP, v4b, v4a, 6, 0, 0);
	udp(f++, 3, 4);
	eth(f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(f, 0, v6a, v6b);
	ext6(f, 0, 43, 0);
	ext6(f, 43, 44, 1);
	frag6(f, 51, 0, true, 1);
	ext6(f, 51, PKT_PROTO_UDP, 1);
	udp(f++, 5, 6);
	eth(f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(f, PKT_PROTO_ICMP6, v6a, v6b);
	icmp(f, 2, 0);
	ip6(f, 60, v6b, v6a);
	ext6(f, 60, PKT_PROTO_TCP, 0);
	tcp(f++, 7, 8);
	eth(f, bcast, mac_a, PKT_ETH_IP6);
	ip6(f, PKT_PROTO_ICMP6, v6a, v6b);
	nd(f, PKT_ICMP6_NS, tgt);
	nd_opt(f++, 1, mac_a);
	eth(f, mac_a, mac_b, PKT_ETH_IP6);
	ip6(f, 44, v6a, v6b);
	frag6(f, 60, 9, 1, 2);
	ext6(f++, 60, 60, 3);
	return (int)(f - out);
}

static const uint8_t interesting[] = { 0, 1, 2, 3, 4, 5, 6, 8, 11, 17, 43, 44, 45, 50, 51, 58,
				       59, 60, 0x40, 0x45, 0x4f, 0x60, 0x80, 0x86, 0xdd, 0xff };

static void mutate(struct fb *f, const struct fb *other)
{
	switch (rnd() % 6) {
	case 0:
		f->b[rnd() % f->len] = (uint8_t)rnd();
		break;
	case 1:
		f->b[rnd() % f->len] = interesting[rnd() % sizeof interesting];
		break;
	case 2:
		f->len = rnd() % (f->len + 1);
		break;
	case 3: {	/* splice the tail of another frame at some point */
		size_t at = rnd() % (f->len + 1), from = rnd() % (other->len + 1);
		memcpy(f->b + at, other->b + from, other->len - from);
		f->len = at + other->len - from;
		break;
	}
	case 4: {	/* grow with random bytes */
		size_t n = rnd() % 64;
		for (size_t i = 0; i < n && f->len < 2048; i++)
			f->b[f->len++] = (uint8_t)rnd();
		break;
	}
	default:
		f->b[rnd() % f->len] ^= (uint8_t)(1u << rnd() % 8);
	}
	if (f->len == 0)
		f->len = 1;
}

/* What every answer must satisfy, whatever the frame. */
static void sane(const struct pkt_info *pi, int r, size_t len)
{
	assert_true(r == 0 || r == -22);
	if (r)
		return;
	assert_true(len >= 14);
	if (pi->l3 == PKT_ARP)
		assert_int_equal(pi->ethertype, PKT_ETH_ARP);
	if (pi->l3 == PKT_IP4)
		assert_int_equal(pi->ethertype, PKT_ETH_IP4);
	if (pi->l3 == PKT_IP6)
		assert_int_equal(pi->ethertype, PKT_ETH_IP6);
	if (pi->l3 != PKT_IP4 && pi->l3 != PKT_IP6) {
		assert_int_equal(pi->flow.proto, 0);
		assert_false(pi->fragment || pi->icmp_error || pi->icmp_type);
	}
	const struct pkt_flow *fl[] = { &pi->flow, &pi->inner };
	for (int i = 0; i < 2; i++)
		if (fl[i]->has_ports)
			assert_true(fl[i]->proto == PKT_PROTO_TCP || fl[i]->proto == PKT_PROTO_UDP);
	if (pi->later_fragment)
		assert_true(pi->fragment && !pi->flow.has_ports && !pi->icmp_type);
	if (pi->flow.has_ports)
		assert_false(pi->icmp_error);
	if (pi->icmp_type || pi->icmp_error)
		assert_int_equal(pi->flow.proto,
				 pi->l3 == PKT_IP6 ? PKT_PROTO_ICMP6 : PKT_PROTO_ICMP);
	if (pi->inner.proto || pi->inner.has_ports)
		assert_true(pi->icmp_error);
	if (pi->nd_has_lladdr)
		assert_true(pi->l3 == PKT_IP6 && pi->icmp_type >= PKT_ICMP6_RS &&
			    pi->icmp_type <= PKT_ICMP6_REDIRECT);
	else
		assert_true(zero(pi->nd_lladdr, 6));
}

static void random_frames(void **state)
{
	(void)state;
	static struct fb base[16], f;
	struct pkt_info pi, cut;
	int n = corpus(base);

	for (int iter = 0; iter < 300000; iter++) {
		if (iter % 8 == 7) {	/* noise behind a known ethertype */
			static const uint16_t types[] = { PKT_ETH_ARP, PKT_ETH_IP4, PKT_ETH_IP6 };
			eth(&f, mac_a, mac_b, types[rnd() % 3]);
			size_t len = rnd() % 200;
			for (size_t i = 0; i < len; i++)
				fb_u8(&f, (uint8_t)(i == 0 && rnd() % 2 ? 0x45 : rnd()));
		} else {
			f = base[rnd() % n];
			for (int m = 1 + rnd() % 4; m > 0; m--)
				mutate(&f, &base[rnd() % n]);
		}
		int r = parse(&f, &pi);
		sane(&pi, r, f.len);
		/* A prefix says part of what the whole says. */
		size_t len = rnd() % (f.len + 1);
		int rc = parse_n(&f, len, &cut);
		sane(&cut, rc, len);
		if (rc == 0) {
			assert_int_equal(r, 0);
			part_of(&cut, &pi);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arp_request),
		cmocka_unit_test(arp_reply),
		cmocka_unit_test(arp_other_kinds),
		cmocka_unit_test(ethernet_only),
		cmocka_unit_test(multicast_macs),
		cmocka_unit_test(ip4_tcp_udp),
		cmocka_unit_test(ip4_options),
		cmocka_unit_test(ip4_malformed),
		cmocka_unit_test(ip4_fragments),
		cmocka_unit_test(ip4_icmp_echo),
		cmocka_unit_test(ip4_icmp_errors),
		cmocka_unit_test(ip4_icmp_quote_short),
		cmocka_unit_test(ip4_icmp_quotes_later_fragment),
		cmocka_unit_test(icmp_wrong_version),
		cmocka_unit_test(ip6_tcp_udp),
		cmocka_unit_test(ip6_malformed),
		cmocka_unit_test(ip6_extension_chain),
		cmocka_unit_test(ip6_extension_overrun),
		cmocka_unit_test(ip6_long_chains),
		cmocka_unit_test(ip6_fragments),
		cmocka_unit_test(ip6_later_fragment_payload),
		cmocka_unit_test(ip6_icmp_errors),
		cmocka_unit_test(ip6_icmp_quote_short),
		cmocka_unit_test(ip6_nd),
		cmocka_unit_test(ip6_nd_options),
		cmocka_unit_test(random_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
