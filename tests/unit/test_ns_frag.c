/* Where the network server sends later fragments (lib/ns_frag.c): to the
 * slot the first fragment of the same datagram went to, the datagram named
 * by source, destination, protocol (IPv4) and identification, and only
 * while the app that got the first fragment is still the slot's.  Frames
 * are built by hand and parsed by lib/pkt.c, as the server does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "frames.h"
#include "ns_frag.h"

static const uint8_t SRV[6] = { 0x52, 0x54, 0, 0, 0, 1 }, PEER[6] = { 0x52, 0x55, 0, 0, 0, 9 };
static const uint8_t PEER4[4] = { 192, 0, 2, 1 }, PEER4B[4] = { 192, 0, 2, 2 };
static const uint8_t SRV4[4] = { 10, 0, 2, 15 }, OWN4[4] = { 10, 0, 2, 102 };
static const uint8_t PEER6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t SRV6[16] = { 0xfd, [15] = 0x15 }, OWN6[16] = { 0xfd, [15] = 0x66 };

#define NOW	(1000ull * 1000000000)
#define MF	0x2000		/* IPv4: more fragments */

enum { FIRST, LATER };

static uint32_t attach[4] = { 11, 12, 13, 14 };	/* each slot's app now */

static uint32_t attach_of(int slot) { return attach[slot]; }

static struct pkt_info parsed(const struct fb *f)
{
	struct pkt_info pi;

	assert_int_equal(pkt_parse(f->b, f->len, &pi), 0);
	assert_true(pi.fragment);
	return pi;
}

/* A piece of an IPv4 datagram: the first (UDP header) or a later one. */
static struct pkt_info frag4(uint8_t proto, const uint8_t *src, const uint8_t *dst, uint16_t id,
			     int which)
{
	struct fb f;

	eth(&f, SRV, PEER, PKT_ETH_IP4);
	ip4(&f, proto, src, dst, 5, which == FIRST ? MF : 185, id);
	if (which == FIRST)
		udp(&f, 5000, 53);
	else
		fb_zero(&f, 32);
	return parsed(&f);
}

/* A piece of an IPv6 datagram; dest_opts puts a destination options
 * header before UDP, inside the fragmentable part. */
static struct pkt_info frag6_piece(const uint8_t *dst, uint32_t id, int which, bool dest_opts)
{
	struct fb f;

	eth(&f, SRV, PEER, PKT_ETH_IP6);
	ip6(&f, 44, PEER6, dst);
	frag6(&f, dest_opts ? 60 : PKT_PROTO_UDP, which == FIRST ? 0 : 160, which == FIRST, id);
	if (which == LATER) {
		fb_zero(&f, 32);
		return parsed(&f);
	}
	if (dest_opts)
		ext6(&f, 60, PKT_PROTO_UDP, 0);
	udp(&f, 5000, 53);
	return parsed(&f);
}

/* The first fragment of an IPv4 datagram went to slot at time when. */
static void note4(struct ns_frag_cache *fc, const uint8_t *src, const uint8_t *dst, uint16_t id,
		  int slot, uint64_t when)
{
	struct pkt_info first = frag4(PKT_PROTO_UDP, src, dst, id, FIRST);

	ns_frag_note(fc, &first, slot, attach[slot], when);
}

static void follows_its_first_fragment(void **state)
{
	struct ns_frag_cache fc = { 0 };
	struct pkt_info first = frag4(PKT_PROTO_UDP, PEER4, SRV4, 7, FIRST);
	struct pkt_info later = frag4(PKT_PROTO_UDP, PEER4, SRV4, 7, LATER);

	(void)state;
	assert_int_equal(ns_frag_find(&fc, &later, NOW, attach_of), -1);
	ns_frag_note(&fc, &first, 2, attach[2], NOW);
	assert_int_equal(ns_frag_find(&fc, &later, NOW, attach_of), 2);
	assert_int_equal(ns_frag_find(&fc, &later, NOW + NS_FRAG_TTL_NS - 1, attach_of), 2);
	assert_int_equal(ns_frag_find(&fc, &later, NOW + NS_FRAG_TTL_NS, attach_of), -1);

	struct pkt_info first6 = frag6_piece(SRV6, 0x12345678, FIRST, false);
	struct pkt_info later6 = frag6_piece(SRV6, 0x12345678, LATER, false);
	ns_frag_note(&fc, &first6, 1, attach[1], NOW);
	assert_int_equal(ns_frag_find(&fc, &later6, NOW, attach_of), 1);
}

/* The same source and identification, but another datagram: to another
 * destination (an own-address app), or of another protocol. */
static void key_holds_destination_and_protocol(void **state)
{
	struct ns_frag_cache fc = { 0 };

	(void)state;
	note4(&fc, PEER4, OWN4, 7, 3, NOW);
	struct pkt_info to_server = frag4(PKT_PROTO_UDP, PEER4, SRV4, 7, LATER);
	struct pkt_info other_proto = frag4(PKT_PROTO_TCP, PEER4, OWN4, 7, LATER);
	struct pkt_info other_src = frag4(PKT_PROTO_UDP, PEER4B, OWN4, 7, LATER);
	struct pkt_info other_id = frag4(PKT_PROTO_UDP, PEER4, OWN4, 8, LATER);
	assert_int_equal(ns_frag_find(&fc, &to_server, NOW, attach_of), -1);
	assert_int_equal(ns_frag_find(&fc, &other_proto, NOW, attach_of), -1);
	assert_int_equal(ns_frag_find(&fc, &other_src, NOW, attach_of), -1);
	assert_int_equal(ns_frag_find(&fc, &other_id, NOW, attach_of), -1);
	struct pkt_info same = frag4(PKT_PROTO_UDP, PEER4, OWN4, 7, LATER);
	assert_int_equal(ns_frag_find(&fc, &same, NOW, attach_of), 3);

	struct pkt_info first6 = frag6_piece(OWN6, 99, FIRST, false);
	ns_frag_note(&fc, &first6, 2, attach[2], NOW);
	struct pkt_info later6_server = frag6_piece(SRV6, 99, LATER, false);
	assert_int_equal(ns_frag_find(&fc, &later6_server, NOW, attach_of), -1);
}

/* RFC 8200 names an IPv6 datagram without its protocol: a later fragment
 * whose fragmentable part starts with an extension header still follows. */
static void ipv6_key_needs_no_protocol(void **state)
{
	struct ns_frag_cache fc = { 0 };
	struct pkt_info first = frag6_piece(OWN6, 5, FIRST, true);
	struct pkt_info later = frag6_piece(OWN6, 5, LATER, true);

	(void)state;
	ns_frag_note(&fc, &first, 1, attach[1], NOW);
	assert_int_equal(ns_frag_find(&fc, &later, NOW, attach_of), 1);
}

/* The app that got the first fragment left, another took its slot: the
 * rest of the datagram is not the newcomer's. */
static void not_for_the_next_app_on_the_slot(void **state)
{
	struct ns_frag_cache fc = { 0 };
	struct pkt_info later = frag4(PKT_PROTO_UDP, PEER4, OWN4, 7, LATER);

	(void)state;
	note4(&fc, PEER4, OWN4, 7, 2, NOW);
	attach[2] = 0;		/* left */
	assert_int_equal(ns_frag_find(&fc, &later, NOW, attach_of), -1);
	attach[2] = 99;		/* a new app */
	assert_int_equal(ns_frag_find(&fc, &later, NOW, attach_of), -1);
	attach[2] = 13;
}

/* An identification used again (16 bits come round) for a datagram to
 * another slot: the newer first fragment decides; the cache keeps the
 * newest NS_FRAG_CACHE. */
static void newest_wins_and_oldest_goes(void **state)
{
	struct ns_frag_cache fc = { 0 };
	struct pkt_info first = frag4(PKT_PROTO_UDP, PEER4, SRV4, 7, FIRST);
	struct pkt_info later = frag4(PKT_PROTO_UDP, PEER4, SRV4, 7, LATER);

	(void)state;
	ns_frag_note(&fc, &first, 0, attach[0], NOW);
	ns_frag_note(&fc, &first, 1, attach[1], NOW + 1);
	assert_int_equal(ns_frag_find(&fc, &later, NOW + 2, attach_of), 1);
	for (uint16_t id = 100; id < 100 + NS_FRAG_CACHE - 1; id++)
		note4(&fc, PEER4, SRV4, id, 3, NOW + 2);
	assert_int_equal(ns_frag_find(&fc, &later, NOW + 3, attach_of), 1);
	note4(&fc, PEER4, SRV4, 999, 3, NOW + 3);
	assert_int_equal(ns_frag_find(&fc, &later, NOW + 4, attach_of), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(follows_its_first_fragment),
		cmocka_unit_test(key_holds_destination_and_protocol),
		cmocka_unit_test(ipv6_key_needs_no_protocol),
		cmocka_unit_test(not_for_the_next_app_on_the_slot),
		cmocka_unit_test(newest_wins_and_oldest_goes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
