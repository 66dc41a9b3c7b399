/* The network server's forwarding rules (lib/ns_route.c, docs/netserver.md
 * "Addresses"), driven with frames built by hand and parsed by lib/pkt.c,
 * over tables filled the way the server fills them: its addresses, each
 * slot's mode, and claims granted through ns_claim_check.
 *
 * The eight-slot switch most tests use (span 4096 ports per slot):
 *   0 shared   ports 32768-36863, claims TCP 80 and UDP 53
 *   1 shared   ports 36864-40959, claims TCP 8080
 *   2 own      MAC OWN2, 10.0.2.102 and fd00::102
 *   3 own      MAC OWN3, 10.0.2.103
 *   4 shared   not attached (ports 49152-53247)
 *   5 shared   direct (its own NIC for now), claims TCP 9000
 *   6 own      MAC OWN6, not attached
 *   7 own      MAC OWN7, direct */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "frames.h"
#include "ns_route.h"

static const uint8_t SRV[6] = { 0x52, 0x54, 0, 0, 0, 1 };
static const uint8_t OWN2[6] = { 0x02, 0xaa, 0, 0, 0, 2 }, OWN3[6] = { 0x02, 0xaa, 0, 0, 0, 3 };
static const uint8_t OWN6[6] = { 0x02, 0xaa, 0, 0, 0, 6 }, OWN7[6] = { 0x02, 0xaa, 0, 0, 0, 7 };
static const uint8_t PEER[6] = { 0x52, 0x55, 0, 0, 0, 0x99 };	/* a host on the wire */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ALLNODES[6] = { 0x33, 0x33, 0, 0, 0, 1 };
static const uint8_t MCAST4[6] = { 0x01, 0, 0x5e, 0, 0, 0xfb };

static const uint8_t SRV4[4] = { 10, 0, 2, 15 }, IP2[4] = { 10, 0, 2, 102 };
static const uint8_t IP3[4] = { 10, 0, 2, 103 }, FREE4[4] = { 10, 0, 2, 200 };
static const uint8_t PEER4[4] = { 192, 0, 2, 1 }, ANY4[4];
static const uint8_t SRV6[16] = { 0xfd, [15] = 0x15 }, SRV6LL[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t IP2V6[16] = { 0xfd, [14] = 1, [15] = 2 }, FREE6[16] = { 0xfd, [15] = 0x77 };
static const uint8_t PEER6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, ANY6[16];

enum { TCP = PKT_PROTO_TCP, UDP = PKT_PROTO_UDP };

/* ---- tables as the server builds them ------------------------------------------ */

static enum link_result check(const struct ns_tables *t, int s, uint8_t kind, uint16_t port,
			      const uint8_t *addr, size_t n)
{
	struct link_claim c = { .req = 1, .kind = kind, .port = port };

	if (addr)
		memcpy(c.addr, addr, n);
	return ns_claim_check(t, s, &c);
}

/* A claim granted and installed, as kernel/netserver/claims.c does. */
static void grant(struct ns_tables *t, int s, uint8_t kind, uint16_t port, const uint8_t *addr,
		  size_t n)
{
	assert_int_equal(check(t, s, kind, port, addr, n), LINK_GRANTED);
	switch (kind) {
	case LINK_CLAIM_TCP:
	case LINK_CLAIM_UDP:
		t->port_owner[kind == LINK_CLAIM_UDP][port] = (uint16_t)(s + 1);
		return;
	case LINK_CLAIM_MAC:
		t->slots[s].have_mac = true;
		memcpy(t->slots[s].mac, addr, 6);
		return;
	default:
		for (int i = 0; i < NS_MAX_OWN_ADDRS; i++) {
			if (t->own[i].slot >= 0)
				continue;
			t->own[i] = (struct ns_own_addr){ (int16_t)s, kind == LINK_CLAIM_IP6, { 0 } };
			memcpy(t->own[i].addr, addr, n);
			return;
		}
		fail_msg("own addresses full");
	}
}

static struct ns_tables *new_tables(int nslots)
{
	struct ns_tables *t = malloc(sizeof *t);

	ns_tables_init(t, nslots);
	memcpy(t->server_mac, SRV, 6);
	t->have_ip4 = true;
	memcpy(t->server_ip4, SRV4, 4);
	t->nip6 = 2;
	memcpy(t->server_ip6[0], SRV6, 16);
	memcpy(t->server_ip6[1], SRV6LL, 16);
	return t;
}

static void attach(struct ns_tables *t, int s, uint8_t mode)
{
	t->slots[s].active = true;
	t->slots[s].mode = mode;
}

/* The MAC the supervisor gave an own-address slot: the one it may claim. */
static void assign_mac(struct ns_tables *t, int s, const uint8_t *mac)
{
	memcpy(t->slots[s].assigned_mac, mac, 6);
}

static struct ns_tables *switch8(void)
{
	struct ns_tables *t = new_tables(8);

	for (int s = 0; s < 8; s++)
		attach(t, s, s == 0 || s == 1 || s == 4 || s == 5 ? LINK_MODE_SHARED : LINK_MODE_OWN);
	grant(t, 0, LINK_CLAIM_TCP, 80, NULL, 0);
	grant(t, 0, LINK_CLAIM_UDP, 53, NULL, 0);
	grant(t, 1, LINK_CLAIM_TCP, 8080, NULL, 0);
	grant(t, 5, LINK_CLAIM_TCP, 9000, NULL, 0);
	assign_mac(t, 2, OWN2);
	assign_mac(t, 3, OWN3);
	assign_mac(t, 6, OWN6);
	assign_mac(t, 7, OWN7);
	grant(t, 2, LINK_CLAIM_MAC, 0, OWN2, 6);
	grant(t, 2, LINK_CLAIM_IP4, 0, IP2, 4);
	grant(t, 2, LINK_CLAIM_IP6, 0, IP2V6, 16);
	grant(t, 3, LINK_CLAIM_MAC, 0, OWN3, 6);
	grant(t, 3, LINK_CLAIM_IP4, 0, IP3, 4);
	grant(t, 6, LINK_CLAIM_MAC, 0, OWN6, 6);
	grant(t, 7, LINK_CLAIM_MAC, 0, OWN7, 6);
	t->slots[4].active = false;
	t->slots[6].active = false;
	t->slots[5].direct = true;
	t->slots[7].direct = true;
	return t;
}

/* ---- frames --------------------------------------------------------------------- */

static struct fb frame;

static const struct fb *tcp4(const uint8_t *dmac, const uint8_t *smac, const uint8_t *src,
			     const uint8_t *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	eth(&frame, dmac, smac, PKT_ETH_IP4);
	ip4(&frame, proto, src, dst, 5, 0, 0);
	tcp(&frame, sport, dport);
	return &frame;
}

static const struct fb *tcp6(const uint8_t *dmac, const uint8_t *smac, const uint8_t *src,
			     const uint8_t *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	eth(&frame, dmac, smac, PKT_ETH_IP6);
	ip6(&frame, proto, src, dst);
	tcp(&frame, sport, dport);
	return &frame;
}

static const struct fb *arp_frame(const uint8_t *dmac, const uint8_t *smac, uint16_t op,
				  const uint8_t *sha, const uint8_t *spa, const uint8_t *tpa)
{
	eth(&frame, dmac, smac, PKT_ETH_ARP);
	arp(&frame, 1, op, sha, spa, op == 1 ? ANY6 : dmac, tpa);
	return &frame;
}

static const struct fb *icmp6_frame(const uint8_t *dmac, const uint8_t *smac, const uint8_t *src,
				    const uint8_t *dst, uint8_t type, const uint8_t *target)
{
	eth(&frame, dmac, smac, PKT_ETH_IP6);
	ip6(&frame, PKT_PROTO_ICMP6, src, dst);
	if (type >= PKT_ICMP6_RS && type <= PKT_ICMP6_REDIRECT)
		nd(&frame, type, type >= PKT_ICMP6_NS ? target : NULL);
	else
		icmp(&frame, type, 0);
	return &frame;
}

/* An ICMP error from a router quoting what src sent from sport. */
static const struct fb *icmp_error(bool v6, const uint8_t *src, uint8_t proto, uint16_t sport)
{
	if (v6) {
		eth(&frame, SRV, PEER, PKT_ETH_IP6);
		ip6(&frame, PKT_PROTO_ICMP6, PEER6, src);
		icmp(&frame, 1, 4);
		ip6(&frame, proto, src, PEER6);
	} else {
		eth(&frame, SRV, PEER, PKT_ETH_IP4);
		ip4(&frame, PKT_PROTO_ICMP, PEER4, src, 5, 0, 0);
		icmp(&frame, 3, 3);
		ip4(&frame, proto, src, PEER4, 5, 0, 0);
	}
	udp(&frame, sport, 53);
	return &frame;
}

static struct pkt_info info(const struct fb *f)
{
	struct pkt_info pi;

	assert_int_equal(pkt_parse(f->b, f->len, &pi), 0);
	return pi;
}

/* ---- routing and what to expect of it ------------------------------------------- */

#define NONE	0ull
#define S(n)	(1ull << (n))

/* Each check says which line of the test built the frame. */
static void expect(int line, const struct ns_dest *d, bool wire, bool local, uint64_t slots)
{
	bool others = false;

	for (int i = 1; i < NS_MAX_SLOTS / 64; i++)
		others |= d->slots[i] != 0;
	if (d->wire != wire || d->local != local || d->slots[0] != slots || others)
		fail_msg("line %d: wire %d local %d slots %#llx%s, want %d %d %#llx", line, d->wire,
			 d->local, (unsigned long long)d->slots[0], others ? " and more" : "", wire,
			 local, (unsigned long long)slots);
}

static void route_wire(int line, const struct ns_tables *t, const struct fb *f, bool local,
		       uint64_t slots)
{
	struct pkt_info pi = info(f);
	struct ns_dest d;

	memset(&d, 0xa5, sizeof d);	/* must be cleared */
	ns_route_from_wire(t, &pi, &d);
	expect(line, &d, false, local, slots);
}

static void route_local(int line, const struct ns_tables *t, const struct fb *f, bool wire,
			uint64_t slots)
{
	struct pkt_info pi = info(f);
	struct ns_dest d;

	memset(&d, 0xa5, sizeof d);
	ns_route_from_local(t, &pi, &d);
	expect(line, &d, wire, false, slots);
}

/* From slot s: accepted and sent where said, or (ok false) refused. */
static void route_slot(int line, const struct ns_tables *t, int s, const struct fb *f, bool ok,
		       bool wire, bool local, uint64_t slots)
{
	struct pkt_info pi = info(f);
	struct ns_dest d;

	memset(&d, 0xa5, sizeof d);
	if (ns_route_from_slot(t, s, &pi, &d) != ok)
		fail_msg("line %d: slot %d's frame %s", line, s, ok ? "refused" : "accepted");
	expect(line, &d, wire, local, slots);
}

#define from_wire(...)	route_wire(__LINE__, __VA_ARGS__)
#define from_local(...)	route_local(__LINE__, __VA_ARGS__)
#define from_slot(t, s, f, ...)	route_slot(__LINE__, t, s, f, true, __VA_ARGS__)
#define refused(t, s, f)	route_slot(__LINE__, t, s, f, false, false, false, NONE)

/* ---- from the wire: the shared address ------------------------------------------- */

/* TCP and UDP for the server's address go to the app that claimed the
 * destination port, or whose ephemeral range holds it. */
static void wire_by_port(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	for (int v6 = 0; v6 < 2; v6++) {
		const struct fb *(*mk)(const uint8_t *, const uint8_t *, const uint8_t *,
				       const uint8_t *, uint8_t, uint16_t, uint16_t) = v6 ? tcp6 : tcp4;
		const uint8_t *peer = v6 ? PEER6 : PEER4, *srv = v6 ? SRV6 : SRV4;
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 80), false, S(0));
		from_wire(t, mk(SRV, PEER, peer, srv, UDP, 5555, 53), false, S(0));
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 8080), false, S(1));
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 443, 32768), false, S(0));
		from_wire(t, mk(SRV, PEER, peer, srv, UDP, 443, 36863), false, S(0));
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 443, 36864), false, S(1));
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 443, 40959), false, S(1));
		/* Unclaimed, or the protocol the claim was not for: the server. */
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 53), true, NONE);
		from_wire(t, mk(SRV, PEER, peer, srv, UDP, 5555, 80), true, NONE);
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 22), true, NONE);
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 32767), true, NONE);
		/* Own-address apps' ranges are nobody's; detached and direct
		 * apps get nothing. */
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 41000), true, NONE);
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 49152), true, NONE);
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 9000), true, NONE);
		from_wire(t, mk(SRV, PEER, peer, srv, TCP, 5555, 57344), true, NONE);
		/* Neither TCP nor UDP. */
		from_wire(t, mk(SRV, PEER, peer, srv, 132, 5555, 80), true, NONE);
	}
	free(t);
}

/* A later fragment has no port: the server's stack (forward.c follows
 * the first fragment's app); the first fragment goes by its port. */
static void wire_fragments(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	eth(&frame, SRV, PEER, PKT_ETH_IP4);
	ip4(&frame, UDP, PEER4, SRV4, 5, 0x2000, 9);
	udp(&frame, 5, 53);
	from_wire(t, &frame, false, S(0));
	eth(&frame, SRV, PEER, PKT_ETH_IP4);
	ip4(&frame, UDP, PEER4, SRV4, 5, 185, 9);
	udp(&frame, 5, 53);
	from_wire(t, &frame, true, NONE);
	free(t);
}

/* The server answers ARP for the shared address; the replies to what
 * shared apps asked may be theirs. */
static void wire_arp(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_wire(t, arp_frame(SRV, PEER, 1, PEER, PEER4, SRV4), true, NONE);
	from_wire(t, arp_frame(SRV, PEER, 2, PEER, PEER4, SRV4), true, S(0) | S(1));
	/* Broadcast: also every own-address app. */
	from_wire(t, arp_frame(BCAST, PEER, 1, PEER, PEER4, SRV4), true, S(2) | S(3));
	from_wire(t, arp_frame(BCAST, PEER, 1, PEER, PEER4, IP2), true, S(2) | S(3));
	from_wire(t, arp_frame(BCAST, PEER, 2, PEER, PEER4, SRV4), true, S(0) | S(1) | S(2) | S(3));
	/* ARP the server does not understand (IEEE 802 hardware): its own. */
	eth(&frame, SRV, PEER, PKT_ETH_ARP);
	arp(&frame, 6, 2, PEER, PEER4, SRV, SRV4);
	from_wire(t, &frame, true, NONE);
	free(t);
}

/* Router and neighbour advertisements reach the shared apps too;
 * solicitations and echo only the server. */
static void wire_nd(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();
	const uint8_t *PEERLL = SRV6LL;	/* any source will do */

	from_wire(t, icmp6_frame(SRV, PEER, PEERLL, SRV6, PKT_ICMP6_RA, NULL), true, S(0) | S(1));
	from_wire(t, icmp6_frame(SRV, PEER, PEER6, SRV6, PKT_ICMP6_NA, PEER6), true, S(0) | S(1));
	from_wire(t, icmp6_frame(SRV, PEER, PEER6, SRV6, PKT_ICMP6_NS, SRV6), true, NONE);
	from_wire(t, icmp6_frame(SRV, PEER, PEER6, SRV6, PKT_ICMP6_REDIRECT, PEER6), true, NONE);
	from_wire(t, icmp6_frame(SRV, PEER, PEER6, SRV6, 128, NULL), true, NONE);
	from_wire(t, icmp6_frame(SRV, PEER, PEER6, SRV6, 129, NULL), true, NONE);
	from_wire(t, icmp6_frame(ALLNODES, PEER, PEERLL, SRV6, PKT_ICMP6_RA, NULL), true,
		  S(0) | S(1) | S(2) | S(3));
	from_wire(t, icmp6_frame(ALLNODES, PEER, PEER6, SRV6, PKT_ICMP6_NS, SRV6), true, S(2) | S(3));
	/* ICMPv4 echo: the server's. */
	eth(&frame, SRV, PEER, PKT_ETH_IP4);
	ip4(&frame, PKT_PROTO_ICMP, PEER4, SRV4, 5, 0, 0);
	icmp(&frame, 8, 0);
	from_wire(t, &frame, true, NONE);
	free(t);
}

/* An ICMP error goes to the app owning the source port of the packet it
 * quotes (what we sent), by claim or by range. */
static void wire_icmp_errors(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	for (int v6 = 0; v6 < 2; v6++) {
		const uint8_t *srv = v6 ? SRV6 : SRV4;
		from_wire(t, icmp_error(v6, srv, UDP, 53), false, S(0));
		from_wire(t, icmp_error(v6, srv, TCP, 80), false, S(0));
		from_wire(t, icmp_error(v6, srv, TCP, 8080), false, S(1));
		from_wire(t, icmp_error(v6, srv, UDP, 33000), false, S(0));
		from_wire(t, icmp_error(v6, srv, TCP, 40000), false, S(1));
		from_wire(t, icmp_error(v6, srv, TCP, 53), true, NONE);
		from_wire(t, icmp_error(v6, srv, UDP, 9999), true, NONE);
		from_wire(t, icmp_error(v6, srv, TCP, 9000), true, NONE);	/* direct */
		from_wire(t, icmp_error(v6, srv, TCP, 50000), true, NONE);	/* detached */
		from_wire(t, icmp_error(v6, srv, 132, 80), true, NONE);
	}
	/* Quoting a packet cut before its ports: the server's. */
	icmp_error(false, SRV4, UDP, 53);
	frame.len -= 6;
	from_wire(t, &frame, true, NONE);
	/* Quoting a later fragment: payload, not ports. */
	icmp_error(false, SRV4, UDP, 53);
	frame.b[14 + 20 + 8 + 6] = 0x20, frame.b[14 + 20 + 8 + 7] = 10;
	from_wire(t, &frame, true, NONE);
	free(t);
}

/* ---- from the wire: own addresses ------------------------------------------------- */

static void wire_by_mac(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_wire(t, tcp4(OWN2, PEER, PEER4, IP2, TCP, 1, 80), false, S(2));
	from_wire(t, tcp6(OWN2, PEER, PEER6, IP2V6, UDP, 1, 2), false, S(2));
	from_wire(t, tcp4(OWN3, PEER, PEER4, IP3, TCP, 1, 80), false, S(3));
	from_wire(t, arp_frame(OWN3, PEER, 2, PEER, PEER4, IP3), false, S(3));
	/* Whatever the addresses inside: the MAC decides. */
	from_wire(t, tcp4(OWN3, PEER, PEER4, SRV4, TCP, 1, 80), false, S(3));
	/* Detached, direct, unknown: dropped. */
	from_wire(t, tcp4(OWN6, PEER, PEER4, IP2, TCP, 1, 80), false, NONE);
	from_wire(t, tcp4(OWN7, PEER, PEER4, IP2, TCP, 1, 80), false, NONE);
	from_wire(t, tcp4(PEER, OWN2, PEER4, IP2, TCP, 1, 80), false, NONE);
	static const uint8_t stranger[6] = { 0x02, 0xaa, 0, 0, 0, 0x42 };
	from_wire(t, tcp4(stranger, PEER, PEER4, SRV4, TCP, 1, 80), false, NONE);
	free(t);
}

/* Broadcast and multicast: the server's stack and every own-address app,
 * plus a shared app when it is for one of its ports. */
static void wire_multicast(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();
	static const uint8_t group4[4] = { 224, 0, 0, 251 };

	from_wire(t, tcp4(BCAST, PEER, PEER4, SRV4, UDP, 67, 68), true, S(2) | S(3));
	from_wire(t, tcp4(MCAST4, PEER, PEER4, group4, UDP, 5353, 5353), true, S(2) | S(3));
	from_wire(t, tcp4(MCAST4, PEER, PEER4, group4, UDP, 5353, 53), true, S(0) | S(2) | S(3));
	from_wire(t, tcp4(MCAST4, PEER, PEER4, group4, UDP, 5353, 49200), true, S(2) | S(3));
	free(t);
}

/* Nothing reaches a detached or direct app, by any rule, even with every
 * other app gone. */
static void wire_detached(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	for (int s = 0; s < 8; s++)
		t->slots[s].direct = true;
	from_wire(t, arp_frame(BCAST, PEER, 2, PEER, PEER4, SRV4), true, NONE);
	from_wire(t, tcp4(SRV, PEER, PEER4, SRV4, TCP, 1, 80), true, NONE);
	from_wire(t, tcp4(OWN2, PEER, PEER4, IP2, TCP, 1, 80), false, NONE);
	free(t);
}

/* ---- from the server's own stack -------------------------------------------------- */

static void local_out(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_local(t, tcp4(PEER, SRV, SRV4, PEER4, TCP, 22, 5555), true, NONE);
	from_local(t, tcp4(OWN2, SRV, SRV4, IP2, TCP, 22, 5555), false, S(2));
	from_local(t, arp_frame(OWN3, SRV, 2, SRV, SRV4, IP3), false, S(3));
	from_local(t, arp_frame(BCAST, SRV, 1, SRV, SRV4, PEER4), true, S(2) | S(3));
	from_local(t, icmp6_frame(ALLNODES, SRV, SRV6LL, SRV6, PKT_ICMP6_NA, SRV6), true, S(2) | S(3));
	from_local(t, tcp4(OWN6, SRV, SRV4, IP2, TCP, 22, 5555), true, NONE);	/* detached */
	free(t);
}

/* ---- from a shared-address app ---------------------------------------------------- */

/* Its frames carry the server's MAC and address and a port of its own. */
static void shared_sends(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	for (int v6 = 0; v6 < 2; v6++) {
		const struct fb *(*mk)(const uint8_t *, const uint8_t *, const uint8_t *,
				       const uint8_t *, uint8_t, uint16_t, uint16_t) = v6 ? tcp6 : tcp4;
		const uint8_t *peer = v6 ? PEER6 : PEER4, *srv = v6 ? SRV6 : SRV4;
		from_slot(t, 0, mk(PEER, SRV, srv, peer, TCP, 80, 5555), true, false, NONE);
		from_slot(t, 0, mk(PEER, SRV, srv, peer, UDP, 53, 5555), true, false, NONE);
		from_slot(t, 0, mk(PEER, SRV, srv, peer, TCP, 33000, 443), true, false, NONE);
		from_slot(t, 0, mk(PEER, SRV, srv, peer, UDP, 36863, 443), true, false, NONE);
		from_slot(t, 1, mk(PEER, SRV, srv, peer, TCP, 8080, 5555), true, false, NONE);
		from_slot(t, 1, mk(PEER, SRV, srv, peer, TCP, 40000, 443), true, false, NONE);
		/* Another app's port, by claim or by range; nobody's port. */
		refused(t, 0, mk(PEER, SRV, srv, peer, TCP, 8080, 5555));
		refused(t, 0, mk(PEER, SRV, srv, peer, TCP, 40000, 443));
		refused(t, 1, mk(PEER, SRV, srv, peer, TCP, 80, 5555));
		refused(t, 1, mk(PEER, SRV, srv, peer, UDP, 53, 5555));
		refused(t, 0, mk(PEER, SRV, srv, peer, TCP, 53, 5555));
		refused(t, 0, mk(PEER, SRV, srv, peer, TCP, 22, 5555));
		refused(t, 0, mk(PEER, SRV, srv, peer, UDP, v6 ? 546 : 68, 547));
		refused(t, 0, mk(PEER, SRV, srv, peer, TCP, 45000, 443));	/* own app 2's range */
		/* A source MAC or address not the server's. */
		refused(t, 0, mk(PEER, OWN2, srv, peer, TCP, 80, 5555));
		refused(t, 0, mk(PEER, PEER, srv, peer, TCP, 80, 5555));
		refused(t, 0, mk(PEER, SRV, v6 ? IP2V6 : IP2, peer, TCP, 80, 5555));
		refused(t, 0, mk(PEER, SRV, v6 ? FREE6 : FREE4, peer, TCP, 80, 5555));
		refused(t, 0, mk(PEER, SRV, v6 ? ANY6 : ANY4, peer, TCP, 80, 5555));
	}
	from_slot(t, 0, tcp6(PEER, SRV, SRV6LL, PEER6, TCP, 80, 5555), true, false, NONE);
	/* Not attached, or no such slot. */
	refused(t, 4, tcp4(PEER, SRV, SRV4, PEER4, TCP, 50000, 443));
	refused(t, -1, tcp4(PEER, SRV, SRV4, PEER4, TCP, 80, 443));
	refused(t, 8, tcp4(PEER, SRV, SRV4, PEER4, TCP, 80, 443));
	refused(t, 255, tcp4(PEER, SRV, SRV4, PEER4, TCP, 80, 443));
	free(t);
}

/* Where a shared app's frames go: the wire, an own-address app by MAC,
 * broadcast to the wire and own-address apps (never back to the server's
 * stack, which would hear its own address), nowhere to its own address. */
static void shared_destinations(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_slot(t, 0, tcp4(OWN2, SRV, SRV4, IP2, TCP, 80, 5555), false, false, S(2));
	from_slot(t, 0, tcp4(OWN3, SRV, SRV4, IP3, TCP, 33000, 22), false, false, S(3));
	from_slot(t, 0, tcp4(OWN6, SRV, SRV4, IP2, TCP, 80, 5555), true, false, NONE);
	from_slot(t, 0, tcp4(SRV, SRV, SRV4, SRV4, TCP, 80, 8080), false, false, NONE);
	from_slot(t, 0, tcp4(BCAST, SRV, SRV4, PEER4, UDP, 53, 53), true, false, S(2) | S(3));
	from_slot(t, 1, tcp4(MCAST4, SRV, SRV4, PEER4, UDP, 40000, 5353), true, false, S(2) | S(3));
	free(t);
}

/* ARP: requests with the server's MAC and address as sender, nothing else
 * (the server's stack answers for the shared address). */
static void shared_arp(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_slot(t, 0, arp_frame(BCAST, SRV, 1, SRV, SRV4, PEER4), true, false, S(2) | S(3));
	from_slot(t, 1, arp_frame(PEER, SRV, 1, SRV, SRV4, PEER4), true, false, NONE);
	refused(t, 0, arp_frame(BCAST, SRV, 1, SRV, IP2, PEER4));
	refused(t, 0, arp_frame(BCAST, SRV, 1, SRV, FREE4, PEER4));
	refused(t, 0, arp_frame(BCAST, SRV, 1, SRV, ANY4, SRV4));
	refused(t, 0, arp_frame(PEER, SRV, 2, SRV, SRV4, PEER4));
	refused(t, 0, arp_frame(BCAST, OWN2, 1, SRV, SRV4, PEER4));
	/* The sender's hardware address is what the asked host learns. */
	refused(t, 0, arp_frame(BCAST, SRV, 1, OWN2, SRV4, PEER4));
	refused(t, 0, arp_frame(BCAST, SRV, 1, PEER, SRV4, PEER4));
	eth(&frame, BCAST, SRV, PKT_ETH_ARP);
	arp(&frame, 6, 1, SRV, SRV4, ANY6, PEER4);	/* IEEE 802: Linux takes it */
	refused(t, 0, &frame);
	/* Without an IPv4 address the server has none to share. */
	t->have_ip4 = false;
	refused(t, 0, arp_frame(BCAST, SRV, 1, SRV, SRV4, PEER4));
	refused(t, 0, tcp4(PEER, SRV, SRV4, PEER4, TCP, 80, 5555));
	free(t);
}

/* ICMPv6: solicitations of neighbours, errors, echo; the server speaks
 * for the shared address in the rest of ND and in MLD. */
static void shared_icmp6(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();
	static const uint8_t allowed[] = { 1, 2, 3, 4, 128, 129, PKT_ICMP6_NS };
	static const uint8_t refused_types[] = { 0, 5, 127, 130, 131, 132, 143, PKT_ICMP6_RS,
						 PKT_ICMP6_RA, PKT_ICMP6_NA, PKT_ICMP6_REDIRECT, 200 };

	for (size_t i = 0; i < sizeof allowed; i++)
		from_slot(t, 0, icmp6_frame(PEER, SRV, SRV6, PEER6, allowed[i], PEER6), true, false,
			  NONE);
	for (size_t i = 0; i < sizeof refused_types; i++)
		refused(t, 0, icmp6_frame(PEER, SRV, SRV6, PEER6, refused_types[i], SRV6));
	refused(t, 0, icmp6_frame(PEER, SRV, IP2V6, PEER6, 128, NULL));
	/* A large echo request comes in pieces; the first says what it is. */
	eth(&frame, PEER, SRV, PKT_ETH_IP6);
	ip6(&frame, 44, SRV6, PEER6);
	frag6(&frame, PKT_PROTO_ICMP6, 0, true, 4);
	icmp(&frame, 128, 0);
	from_slot(t, 0, &frame, true, false, NONE);
	frame.b[14 + 40 + 8] = PKT_ICMP6_NA;
	refused(t, 0, &frame);
	eth(&frame, PEER, SRV, PKT_ETH_IP6);
	ip6(&frame, 44, SRV6, PEER6);
	frag6(&frame, PKT_PROTO_ICMP6, 181, false, 4);
	fb_zero(&frame, 100);
	from_slot(t, 0, &frame, true, false, NONE);
	/* ICMPv4 has no ports and no neighbour discovery: any type. */
	eth(&frame, PEER, SRV, PKT_ETH_IP4);
	ip4(&frame, PKT_PROTO_ICMP, SRV4, PEER4, 5, 0, 0);
	icmp(&frame, 8, 0);
	from_slot(t, 0, &frame, true, false, NONE);
	free(t);
}

/* An ND message's link-layer address options say where the sender's
 * address lives: for a shared app, the server's MAC. */
static void shared_nd_lladdr(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	icmp6_frame(ALLNODES, SRV, SRV6, PEER6, PKT_ICMP6_NS, PEER6);
	nd_opt(&frame, 1, SRV);
	from_slot(t, 0, &frame, true, false, S(2) | S(3));
	nd_opt(&frame, 1, SRV);
	from_slot(t, 0, &frame, true, false, S(2) | S(3));
	nd_opt(&frame, 1, OWN2);
	refused(t, 0, &frame);
	icmp6_frame(PEER, SRV, SRV6, PEER6, PKT_ICMP6_NS, PEER6);
	nd_opt(&frame, 1, PEER);
	refused(t, 0, &frame);
	icmp6_frame(PEER, SRV, SRV6LL, PEER6, PKT_ICMP6_NS, PEER6);
	nd_opt(&frame, 2, OWN3);
	refused(t, 0, &frame);
	free(t);
}

/* The port a receiver reads must be the app's: a packet whose transport
 * header the parser did not reach is refused, as is TCP or UDP too short
 * to hold ports; a later fragment has no ports to check. */
static void shared_hidden_ports(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	for (int n = 0; n <= 12; n++) {
		eth(&frame, PEER, SRV, PKT_ETH_IP6);
		ip6(&frame, n ? 60 : TCP, SRV6, PEER6);
		for (int i = 0; i < n; i++)
			ext6(&frame, 60, i == n - 1 ? TCP : 60, 0);
		tcp(&frame, 8080, 5555);	/* app 1's port */
		refused(t, 0, &frame);
		frame.b[frame.len - 20] = 0, frame.b[frame.len - 19] = 80;
		struct pkt_info pi = info(&frame);
		struct ns_dest d;
		assert_int_equal(ns_route_from_slot(t, 0, &pi, &d), n <= 8);
	}
	tcp4(PEER, SRV, SRV4, PEER4, UDP, 80, 5555);
	frame.len = 14 + 20 + 3;
	refused(t, 0, &frame);
	tcp6(PEER, SRV, SRV6, PEER6, TCP, 80, 5555);
	frame.len = 14 + 40;
	refused(t, 0, &frame);
	eth(&frame, PEER, SRV, PKT_ETH_IP4);
	ip4(&frame, UDP, SRV4, PEER4, 5, 100, 1);
	udp(&frame, 8080, 1);
	from_slot(t, 0, &frame, true, false, NONE);
	eth(&frame, PEER, SRV, PKT_ETH_IP6);
	ip6(&frame, 44, SRV6, PEER6);
	frag6(&frame, 60, 100, false, 1);
	udp(&frame, 8080, 1);
	from_slot(t, 0, &frame, true, false, NONE);
	/* Neither IP nor ARP. */
	eth(&frame, PEER, SRV, 0x8100);
	fb_u16(&frame, 0);
	fb_u16(&frame, PKT_ETH_IP4);
	ip4(&frame, TCP, SRV4, PEER4, 5, 0, 0);
	tcp(&frame, 8080, 1);
	refused(t, 0, &frame);
	free(t);
}

/* ---- from an own-address app ------------------------------------------------------- */

static void own_sends(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_slot(t, 2, tcp4(PEER, OWN2, IP2, PEER4, TCP, 22, 80), true, false, NONE);
	from_slot(t, 2, tcp6(PEER, OWN2, IP2V6, PEER6, TCP, 22, 80), true, false, NONE);
	from_slot(t, 2, tcp4(PEER, OWN2, FREE4, PEER4, TCP, 22, 80), true, false, NONE);
	from_slot(t, 2, tcp6(PEER, OWN2, FREE6, PEER6, TCP, 22, 80), true, false, NONE);
	from_slot(t, 3, tcp4(PEER, OWN3, IP3, PEER4, TCP, 8080, 80), true, false, NONE);
	/* DHCP and DAD: no address yet. */
	from_slot(t, 2, tcp4(BCAST, OWN2, ANY4, (const uint8_t[4]){ 255, 255, 255, 255 }, UDP, 68,
			     67), true, true, S(3));
	from_slot(t, 2, icmp6_frame(ALLNODES, OWN2, ANY6, PEER6, PKT_ICMP6_NS, FREE6), true, true,
		  S(3));
	/* Another's MAC; the server's or another app's address. */
	refused(t, 2, tcp4(PEER, OWN3, IP2, PEER4, TCP, 22, 80));
	refused(t, 2, tcp4(PEER, SRV, IP2, PEER4, TCP, 22, 80));
	refused(t, 2, tcp4(PEER, PEER, IP2, PEER4, TCP, 22, 80));
	refused(t, 2, tcp4(PEER, OWN2, SRV4, PEER4, TCP, 22, 80));
	refused(t, 2, tcp6(PEER, OWN2, SRV6, PEER6, TCP, 22, 80));
	refused(t, 2, tcp6(PEER, OWN2, SRV6LL, PEER6, TCP, 22, 80));
	refused(t, 2, tcp4(PEER, OWN2, IP3, PEER4, TCP, 22, 80));
	refused(t, 3, tcp4(PEER, OWN3, IP2, PEER4, TCP, 22, 80));
	refused(t, 3, tcp6(PEER, OWN3, IP2V6, PEER6, TCP, 22, 80));
	/* Not attached; attached without a MAC granted yet. */
	refused(t, 6, tcp4(PEER, OWN6, FREE4, PEER4, TCP, 22, 80));
	t->slots[3].have_mac = false;
	refused(t, 3, tcp4(PEER, OWN3, IP3, PEER4, TCP, 22, 80));
	free(t);
}

/* ARP: the sender's hardware address must be the app's MAC, its protocol
 * address nobody else's. */
static void own_arp(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_slot(t, 2, arp_frame(BCAST, OWN2, 1, OWN2, IP2, PEER4), true, true, S(3));
	from_slot(t, 2, arp_frame(BCAST, OWN2, 1, OWN2, ANY4, IP2), true, true, S(3));	/* probe */
	from_slot(t, 2, arp_frame(PEER, OWN2, 2, OWN2, IP2, PEER4), true, false, NONE);
	from_slot(t, 2, arp_frame(OWN3, OWN2, 2, OWN2, IP2, IP3), false, false, S(3));
	/* To the server's MAC: a reply may be a shared app's. */
	from_slot(t, 2, arp_frame(SRV, OWN2, 2, OWN2, IP2, SRV4), false, true, S(0) | S(1));
	from_slot(t, 2, arp_frame(SRV, OWN2, 1, OWN2, IP2, SRV4), false, true, NONE);
	refused(t, 2, arp_frame(BCAST, OWN2, 1, OWN3, IP2, PEER4));
	refused(t, 2, arp_frame(BCAST, OWN2, 1, SRV, IP2, PEER4));
	refused(t, 2, arp_frame(PEER, OWN2, 2, OWN2, SRV4, PEER4));
	refused(t, 2, arp_frame(PEER, OWN2, 2, OWN2, IP3, PEER4));
	/* ARP the parser does not take for Ethernet/IPv4, such as IEEE 802
	 * hardware (which Linux accepts), could say anything. */
	eth(&frame, PEER, OWN2, PKT_ETH_ARP);
	arp(&frame, 6, 2, OWN2, SRV4, PEER, PEER4);
	refused(t, 2, &frame);
	free(t);
}

/* A neighbour advertisement claims its target, as an ARP reply its
 * sender: nobody else's address. */
static void own_nd(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_slot(t, 2, icmp6_frame(ALLNODES, OWN2, IP2V6, PEER6, PKT_ICMP6_NA, IP2V6), true, true,
		  S(3));
	from_slot(t, 2, icmp6_frame(PEER, OWN2, IP2V6, PEER6, PKT_ICMP6_NA, FREE6), true, false,
		  NONE);
	from_slot(t, 2, icmp6_frame(PEER, OWN2, IP2V6, PEER6, PKT_ICMP6_NS, SRV6), true, false, NONE);
	refused(t, 2, icmp6_frame(ALLNODES, OWN2, IP2V6, PEER6, PKT_ICMP6_NA, SRV6));
	refused(t, 2, icmp6_frame(PEER, OWN2, IP2V6, PEER6, PKT_ICMP6_NA, SRV6LL));
	refused(t, 2, icmp6_frame(PEER, OWN2, ANY6, PEER6, PKT_ICMP6_NA, SRV6));
	refused(t, 3, icmp6_frame(PEER, OWN3, FREE6, PEER6, PKT_ICMP6_NA, IP2V6));
	free(t);
}

/* RS, RA, NS and NA link-layer address options: the app's own MAC.  A
 * redirect's names the better first hop, someone else. */
static void own_nd_lladdr(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();
	static const uint8_t types[] = { PKT_ICMP6_RS, PKT_ICMP6_RA, PKT_ICMP6_NS, PKT_ICMP6_NA };

	for (size_t i = 0; i < sizeof types; i++) {
		uint8_t opt = types[i] == PKT_ICMP6_NA ? 2 : 1;
		icmp6_frame(PEER, OWN2, IP2V6, PEER6, types[i], IP2V6);
		nd_opt(&frame, opt, OWN2);
		from_slot(t, 2, &frame, true, false, NONE);
		icmp6_frame(PEER, OWN2, IP2V6, PEER6, types[i], IP2V6);
		nd_opt(&frame, opt, SRV);
		refused(t, 2, &frame);
		icmp6_frame(PEER, OWN2, IP2V6, PEER6, types[i], IP2V6);
		nd_opt(&frame, opt, OWN3);
		refused(t, 2, &frame);
		icmp6_frame(PEER, OWN2, IP2V6, PEER6, types[i], IP2V6);
		nd_opt(&frame, opt, OWN2);
		nd_opt(&frame, opt, PEER);
		refused(t, 2, &frame);
	}
	icmp6_frame(PEER, OWN2, IP2V6, PEER6, PKT_ICMP6_REDIRECT, FREE6);
	nd_opt(&frame, 2, OWN3);
	from_slot(t, 2, &frame, true, false, NONE);
	free(t);
}

/* Frames that are neither IP nor ARP say nothing the server can check. */
static void own_other_ethertypes(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	eth(&frame, PEER, OWN2, 0x8100);	/* a VLAN tag around a spoofed source */
	fb_u16(&frame, 0);
	fb_u16(&frame, PKT_ETH_IP4);
	ip4(&frame, TCP, SRV4, PEER4, 5, 0, 0);
	tcp(&frame, 80, 1);
	refused(t, 2, &frame);
	eth(&frame, PEER, OWN2, 0x88cc);	/* LLDP */
	fb_zero(&frame, 40);
	refused(t, 2, &frame);
	free(t);
}

/* Own-address apps reach each other by MAC, the server's address (its
 * stack, or a shared app's port) by its MAC, everyone else on the wire. */
static void own_destinations(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	from_slot(t, 2, tcp4(OWN3, OWN2, IP2, IP3, TCP, 1, 2), false, false, S(3));
	from_slot(t, 3, tcp4(OWN2, OWN3, IP3, IP2, TCP, 2, 1), false, false, S(2));
	from_slot(t, 2, tcp4(OWN2, OWN2, IP2, IP2, TCP, 1, 2), false, false, NONE);	/* itself */
	from_slot(t, 2, tcp4(OWN6, OWN2, IP2, IP3, TCP, 1, 2), true, false, NONE);	/* detached */
	from_slot(t, 2, tcp4(OWN7, OWN2, IP2, IP3, TCP, 1, 2), true, false, NONE);	/* direct */
	from_slot(t, 2, tcp4(SRV, OWN2, IP2, SRV4, TCP, 5000, 80), false, false, S(0));
	from_slot(t, 2, tcp6(SRV, OWN2, IP2V6, SRV6, TCP, 5000, 37000), false, false, S(1));
	from_slot(t, 2, tcp4(SRV, OWN2, IP2, SRV4, TCP, 5000, 22), false, true, NONE);
	from_slot(t, 2, tcp4(BCAST, OWN2, IP2, PEER4, UDP, 1, 2), true, true, S(3));
	from_slot(t, 3, tcp4(MCAST4, OWN3, IP3, PEER4, UDP, 5353, 53), true, true, S(2));
	free(t);
}

/* ---- claims ---------------------------------------------------------------------------- */

static void claim_ports(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	for (uint8_t kind = LINK_CLAIM_TCP; kind <= LINK_CLAIM_UDP; kind++) {
		/* Its own range, anywhere below the ranges. */
		assert_int_equal(check(t, 0, kind, 32768, NULL, 0), LINK_GRANTED);
		assert_int_equal(check(t, 0, kind, 36863, NULL, 0), LINK_GRANTED);
		assert_int_equal(check(t, 1, kind, 36864, NULL, 0), LINK_GRANTED);
		assert_int_equal(check(t, 0, kind, 1, NULL, 0), LINK_GRANTED);
		assert_int_equal(check(t, 0, kind, 32767, NULL, 0), LINK_GRANTED);
		/* Another slot's range, whatever that slot is doing. */
		assert_int_equal(check(t, 0, kind, 36864, NULL, 0), LINK_REFUSED_IN_USE);
		assert_int_equal(check(t, 1, kind, 36863, NULL, 0), LINK_REFUSED_IN_USE);
		assert_int_equal(check(t, 0, kind, 45000, NULL, 0), LINK_REFUSED_IN_USE);
		assert_int_equal(check(t, 0, kind, 50000, NULL, 0), LINK_REFUSED_IN_USE);
		assert_int_equal(check(t, 0, kind, 65535, NULL, 0), LINK_REFUSED_IN_USE);
		assert_int_equal(check(t, 0, kind, 0, NULL, 0), LINK_REFUSED_INVALID);
		/* Own-address apps claim no ports. */
		assert_int_equal(check(t, 2, kind, 80, NULL, 0), LINK_REFUSED_INVALID);
		assert_int_equal(check(t, 2, kind, 42000, NULL, 0), LINK_REFUSED_INVALID);
	}
	/* Claimed by another, or by the same app again. */
	assert_int_equal(check(t, 1, LINK_CLAIM_TCP, 80, NULL, 0), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 5, LINK_CLAIM_TCP, 80, NULL, 0), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 0, LINK_CLAIM_TCP, 9000, NULL, 0), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 0, LINK_CLAIM_TCP, 80, NULL, 0), LINK_GRANTED);
	assert_int_equal(check(t, 1, LINK_CLAIM_UDP, 80, NULL, 0), LINK_GRANTED);
	assert_int_equal(check(t, 1, LINK_CLAIM_TCP, 53, NULL, 0), LINK_GRANTED);
	/* The server's DHCP and DHCPv6 clients' UDP ports. */
	assert_int_equal(check(t, 0, LINK_CLAIM_UDP, 68, NULL, 0), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 0, LINK_CLAIM_UDP, 546, NULL, 0), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 0, LINK_CLAIM_TCP, 68, NULL, 0), LINK_GRANTED);
	assert_int_equal(check(t, 0, LINK_CLAIM_TCP, 546, NULL, 0), LINK_GRANTED);
	assert_int_equal(check(t, 0, LINK_CLAIM_UDP, 67, NULL, 0), LINK_GRANTED);
	assert_int_equal(check(t, 0, LINK_CLAIM_UDP, 547, NULL, 0), LINK_GRANTED);
	/* A granted claim routes; the range's owner keeps the rest. */
	grant(t, 1, LINK_CLAIM_UDP, 80, NULL, 0);
	assert_int_equal(ns_port_owner(t, UDP, 80), 1);
	assert_int_equal(ns_port_owner(t, TCP, 80), 0);
	assert_int_equal(ns_port_owner(t, TCP, 81), -1);
	assert_int_equal(ns_port_owner(t, 132, 80), -1);
	assert_int_equal(ns_port_owner(t, TCP, 40000), 1);
	free(t);
}

static void claim_macs(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();
	static const uint8_t fresh[6] = { 0x02, 0xbb, 0, 0, 0, 1 }, zero[6];
	static const uint8_t group[6] = { 0x03, 0xbb, 0, 0, 0, 1 };

	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, OWN2, 6), LINK_GRANTED);
	/* Only the MAC the supervisor gave the slot: not a fresh one, not
	 * another's (the gateway's frames would go to the claimant). */
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, fresh, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, PEER, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, OWN3, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, OWN6, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, SRV, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, zero, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, group, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, BCAST, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 0, LINK_CLAIM_MAC, 0, fresh, 6), LINK_REFUSED_INVALID);
	/* A slot with no MAC assigned may claim none. */
	assign_mac(t, 2, zero);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, zero, 6), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, OWN2, 6), LINK_REFUSED_INVALID);
	/* Even the assigned MAC, when it is the server's or another's. */
	assign_mac(t, 2, SRV);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, SRV, 6), LINK_REFUSED_IN_USE);
	assign_mac(t, 2, OWN3);
	assert_int_equal(check(t, 2, LINK_CLAIM_MAC, 0, OWN3, 6), LINK_REFUSED_IN_USE);
	free(t);
}

static void claim_addresses(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();
	static const uint8_t bad4[][4] = { { 0, 0, 0, 0 }, { 127, 0, 0, 1 }, { 127, 9, 9, 9 },
					   { 224, 0, 0, 1 }, { 239, 1, 1, 1 }, { 240, 0, 0, 1 },
					   { 255, 255, 255, 255 } };
	static const uint8_t bad6[][16] = { { 0 }, { [15] = 1 }, { 0xff, 0x02, [15] = 1 },
					    { 0xff, 0x0e, [15] = 9 } };

	assert_int_equal(check(t, 2, LINK_CLAIM_IP4, 0, IP2, 4), LINK_GRANTED);
	assert_int_equal(check(t, 2, LINK_CLAIM_IP4, 0, FREE4, 4), LINK_GRANTED);
	assert_int_equal(check(t, 3, LINK_CLAIM_IP4, 0, (const uint8_t[4]){ 1, 0, 0, 1 }, 4),
			 LINK_GRANTED);
	assert_int_equal(check(t, 2, LINK_CLAIM_IP4, 0, IP3, 4), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 3, LINK_CLAIM_IP4, 0, IP2, 4), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 2, LINK_CLAIM_IP4, 0, SRV4, 4), LINK_REFUSED_IN_USE);
	for (size_t i = 0; i < sizeof bad4 / sizeof bad4[0]; i++)
		assert_int_equal(check(t, 2, LINK_CLAIM_IP4, 0, bad4[i], 4), LINK_REFUSED_INVALID);

	assert_int_equal(check(t, 2, LINK_CLAIM_IP6, 0, IP2V6, 16), LINK_GRANTED);
	assert_int_equal(check(t, 2, LINK_CLAIM_IP6, 0, FREE6, 16), LINK_GRANTED);
	assert_int_equal(check(t, 3, LINK_CLAIM_IP6, 0, IP2V6, 16), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 3, LINK_CLAIM_IP6, 0, SRV6, 16), LINK_REFUSED_IN_USE);
	assert_int_equal(check(t, 3, LINK_CLAIM_IP6, 0, SRV6LL, 16), LINK_REFUSED_IN_USE);
	for (size_t i = 0; i < sizeof bad6 / sizeof bad6[0]; i++)
		assert_int_equal(check(t, 2, LINK_CLAIM_IP6, 0, bad6[i], 16), LINK_REFUSED_INVALID);
	/* The same bytes as the other family's address are not it. */
	uint8_t ip2_as_v6[16] = { 10, 0, 2, 102 };
	assert_int_equal(check(t, 3, LINK_CLAIM_IP6, 0, ip2_as_v6, 16), LINK_GRANTED);

	/* Shared-address apps use the server's addresses. */
	assert_int_equal(check(t, 0, LINK_CLAIM_IP4, 0, FREE4, 4), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 0, LINK_CLAIM_IP6, 0, FREE6, 16), LINK_REFUSED_INVALID);
	free(t);
}

static void claim_nonsense(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();

	for (int kind = 0; kind < 256; kind++)
		if (kind < LINK_CLAIM_TCP || kind > LINK_CLAIM_IP6) {
			assert_int_equal(check(t, 0, (uint8_t)kind, 80, FREE6, 16), LINK_REFUSED_INVALID);
			assert_int_equal(check(t, 2, (uint8_t)kind, 80, FREE6, 16), LINK_REFUSED_INVALID);
		}
	assert_int_equal(check(t, -1, LINK_CLAIM_TCP, 80, NULL, 0), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 8, LINK_CLAIM_TCP, 80, NULL, 0), LINK_REFUSED_INVALID);
	assert_int_equal(check(t, 255, LINK_CLAIM_TCP, 80, NULL, 0), LINK_REFUSED_INVALID);
	free(t);
}

/* ---- many slots -------------------------------------------------------------------------- */

/* Each slot's range is its share of 32768..65535, in order, without
 * overlap; the remainder (65536 - 32768 % nslots ..) is nobody's. */
static void ranges(void **state)
{
	(void)state;
	static const int counts[] = { 1, 2, 3, 7, 63, 64, 100, 255, 256 };

	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		int n = counts[i];
		struct ns_tables *t = new_tables(n);
		uint32_t span = 32768u / (uint32_t)n, end = 32768 + span * (uint32_t)n;
		for (int s = 0; s < n; s++) {
			assert_int_equal(t->slots[s].port_lo, 32768 + span * (uint32_t)s);
			assert_int_equal(t->slots[s].port_hi, t->slots[s].port_lo + span - 1);
			if (s)
				assert_int_equal(t->slots[s].port_lo, t->slots[s - 1].port_hi + 1);
		}
		assert_int_equal(t->slots[n - 1].port_hi, end - 1);
		assert_true(65536 - end < (uint32_t)n);
		for (uint32_t p = 0; p < 65536; p++) {
			int want = p < 32768 || p >= end ? -1 : (int)((p - 32768) / span);
			assert_int_equal(ns_port_owner(t, TCP, (uint16_t)p), want);
			assert_int_equal(ns_port_owner(t, UDP, (uint16_t)p), want);
			if (want >= 0) {
				assert_true(p >= t->slots[want].port_lo && p <= t->slots[want].port_hi);
				if (want + 1 < n)
					assert_true(p < t->slots[want + 1].port_lo);
			}
		}
		/* The remainder may be claimed by anyone. */
		attach(t, 0, LINK_MODE_SHARED);
		if (end < 65536)
			assert_int_equal(check(t, 0, LINK_CLAIM_TCP, 65535, NULL, 0), LINK_GRANTED);
		if (n == 64)
			assert_int_equal(span, 512);
		if (n == 256)
			assert_int_equal(span, 128);
		free(t);
	}
}

/* 256 slots: slot numbers past the first word of the destination set,
 * every shared app in a flood, one own-address app at the top. */
static void many_slots(void **state)
{
	(void)state;
	struct ns_tables *t = new_tables(256);
	struct pkt_info pi;
	struct ns_dest d;

	for (int s = 0; s < 255; s++)
		attach(t, s, LINK_MODE_SHARED);
	attach(t, 255, LINK_MODE_OWN);
	assign_mac(t, 255, OWN2);
	grant(t, 255, LINK_CLAIM_MAC, 0, OWN2, 6);
	grant(t, 200, LINK_CLAIM_TCP, 80, NULL, 0);
	for (int s = 0; s < 255; s += 17) {
		pi = info(tcp4(SRV, PEER, PEER4, SRV4, TCP, 1, (uint16_t)(32768 + 128 * s + 127)));
		ns_route_from_wire(t, &pi, &d);
		assert_false(d.local);
		for (int o = 0; o < 256; o++)
			assert_int_equal(ns_dest_has(&d, o), o == s);
		pi = info(tcp4(PEER, SRV, SRV4, PEER4, TCP, (uint16_t)(32768 + 128 * s), 1));
		assert_true(ns_route_from_slot(t, s, &pi, &d));
		assert_false(ns_route_from_slot(t, (s + 1) % 255, &pi, &d));
	}
	pi = info(tcp4(SRV, PEER, PEER4, SRV4, TCP, 1, 80));
	ns_route_from_wire(t, &pi, &d);
	assert_true(ns_dest_has(&d, 200) && d.slots[3] == 1ull << 8 && !d.slots[0] && !d.slots[1]);
	pi = info(arp_frame(BCAST, PEER, 2, PEER, PEER4, SRV4));
	ns_route_from_wire(t, &pi, &d);
	assert_true(d.local);
	for (int w = 0; w < 4; w++)
		assert_true(d.slots[w] == ~0ull);
	pi = info(tcp4(OWN2, PEER, PEER4, IP2, TCP, 1, 80));
	ns_route_from_wire(t, &pi, &d);
	assert_true(!d.local && !d.slots[0] && !d.slots[1] && !d.slots[2] && d.slots[3] == 1ull << 63);
	pi = info(tcp4(BCAST, OWN2, FREE4, PEER4, UDP, 1, 2));
	assert_true(ns_route_from_slot(t, 255, &pi, &d));
	assert_true(d.wire && d.local && !d.slots[0] && !d.slots[3]);
	t->slots[255].active = false;
	pi = info(arp_frame(BCAST, PEER, 2, PEER, PEER4, SRV4));
	ns_route_from_wire(t, &pi, &d);
	assert_true(d.slots[3] == ~0ull >> 1);
	free(t);
}

/* ---- random frames from every side --------------------------------------------------------- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	return frames_rand(&rng);
}

/* The ports a receiving host would read: the whole IPv6 chain, however
 * long.  false when it would find none (a later fragment, not TCP/UDP,
 * too short). */
static bool receiver_ports(const struct fb *f, uint8_t *proto, uint16_t *sport)
{
	const uint8_t *p = f->b;
	size_t at, len = f->len;
	uint16_t type = (uint16_t)(p[12] << 8 | p[13]);

	if (type == PKT_ETH_IP4) {
		if (len < 34 || (p[14] & 15) < 5 || (p[20] << 8 | p[21]) & 0x1fff)
			return false;
		*proto = p[23];
		at = 14 + (p[14] & 15) * 4u;
	} else if (type == PKT_ETH_IP6) {
		if (len < 54)
			return false;
		*proto = p[20];
		for (at = 54; *proto == 0 || *proto == 43 || *proto == 60 || *proto == 51 ||
			      *proto == 44;) {
			if (at + 8 > len)
				return false;
			if (*proto == 44 && (p[at + 2] << 8 | p[at + 3]) & 0xfff8)
				return false;
			size_t n = *proto == 44 ? 8
				 : *proto == 51 ? (p[at + 1] + 2u) * 4 : (p[at + 1] + 1u) * 8;
			*proto = p[at];
			at += n;
		}
	} else {
		return false;
	}
	if ((*proto != TCP && *proto != UDP) || at + 4 > len)
		return false;
	*sport = (uint16_t)(p[at] << 8 | p[at + 1]);
	return true;
}

static bool is_own_addr_of_other(const struct ns_tables *t, int s, bool v6, const uint8_t *a)
{
	for (int i = 0; i < NS_MAX_OWN_ADDRS; i++)
		if (t->own[i].slot >= 0 && t->own[i].slot != s && t->own[i].v6 == v6 &&
		    !memcmp(t->own[i].addr, a, v6 ? 16 : 4))
			return true;
	return false;
}

static bool is_server_addr(const struct ns_tables *t, bool v6, const uint8_t *a)
{
	if (!v6)
		return !memcmp(a, t->server_ip4, 4);
	return !memcmp(a, t->server_ip6[0], 16) || !memcmp(a, t->server_ip6[1], 16);
}

/* What an accepted frame from slot s must not carry: anything of
 * another's, by the rules of the slot's mode. */
static void accepted_is_clean(const struct ns_tables *t, int s, const struct fb *f,
			      const struct pkt_info *pi)
{
	bool shared = t->slots[s].mode == LINK_MODE_SHARED;
	uint8_t proto;
	uint16_t sport;

	assert_true(t->slots[s].active);
	assert_memory_equal(pi->src_mac, shared ? t->server_mac : t->slots[s].mac, 6);
	if (shared && receiver_ports(f, &proto, &sport))
		assert_int_equal(ns_port_owner(t, proto, sport), s);
	assert_true(pi->l3 != PKT_OTHER);
	if (pi->l3 == PKT_ARP) {
		assert_memory_equal(pi->arp_sha, shared ? t->server_mac : t->slots[s].mac, 6);
		if (shared)
			assert_memory_equal(pi->arp_spa, t->server_ip4, 4);
		else
			assert_false(is_server_addr(t, false, pi->arp_spa) ||
				     is_own_addr_of_other(t, s, false, pi->arp_spa));
		return;
	}
	bool v6 = pi->l3 == PKT_IP6;
	if (shared) {
		assert_true(is_server_addr(t, v6, pi->flow.src));
		if (pi->nd_has_lladdr)
			assert_memory_equal(pi->nd_lladdr, t->server_mac, 6);
		return;
	}
	assert_false(is_server_addr(t, v6, pi->flow.src));
	assert_false(is_own_addr_of_other(t, s, v6, pi->flow.src));
	if (v6 && pi->icmp_type == PKT_ICMP6_NA)
		assert_false(is_server_addr(t, true, pi->nd_target) ||
			     is_own_addr_of_other(t, s, true, pi->nd_target));
	if (v6 && pi->nd_has_lladdr && pi->icmp_type != PKT_ICMP6_REDIRECT)
		assert_memory_equal(pi->nd_lladdr, t->slots[s].mac, 6);
}

/* A destination set names only slots that may be given frames, never the
 * sender. */
static void dest_is_sane(const struct ns_tables *t, const struct ns_dest *d, int from)
{
	for (int s = 0; s < NS_MAX_SLOTS; s++) {
		if (!ns_dest_has(d, s))
			continue;
		assert_true(s < t->nslots && s != from);
		assert_true(t->slots[s].active && !t->slots[s].direct);
	}
}

/* Frames an app or a peer might send, to start from. */
static int corpus(struct fb *out)
{
	static const uint8_t *const macs[] = { SRV, OWN2, OWN3, PEER, BCAST, ALLNODES };
	int n = 0;

	for (int m = 0; m < 6; m++) {
		const uint8_t *src = m < 3 ? macs[m] : SRV, *dst = macs[(m + 3) % 6];
		out[n++] = *tcp4(dst, src, m == 1 ? IP2 : SRV4, PEER4, TCP, 80, 5555);
		out[n++] = *tcp6(dst, src, m == 1 ? IP2V6 : SRV6, PEER6, UDP, 33000, 53);
		out[n++] = *arp_frame(dst, src, (uint16_t)(1 + m % 2), src, m == 1 ? IP2 : SRV4, PEER4);
		out[n] = *icmp6_frame(dst, src, m == 1 ? IP2V6 : SRV6, PEER6,
				      (uint8_t)(PKT_ICMP6_NS + m % 2), m == 1 ? IP2V6 : PEER6);
		nd_opt(&out[n++], (uint8_t)(1 + m % 2), src);
		out[n++] = *icmp_error(m % 2, m % 2 ? SRV6 : SRV4, UDP, 53);
		eth(&out[n], dst, src, PKT_ETH_IP6);
		ip6(&out[n], 60, SRV6, PEER6);
		ext6(&out[n], 60, 44, 0);
		frag6(&out[n], TCP, 0, true, 3);
		tcp(&out[n++], 8080, 80);
	}
	return n;
}

static void random_frames(void **state)
{
	(void)state;
	struct ns_tables *t = switch8();
	static struct fb base[64], f;
	int n = corpus(base);

	for (int iter = 0; iter < 200000; iter++) {
		f = base[rnd() % n];
		for (int m = rnd() % 4; m >= 0; m--) {
			size_t at = rnd() % f.len;
			switch (rnd() % 4) {
			case 0:
				f.b[at] = (uint8_t)rnd();
				break;
			case 1:
				f.b[at] = (uint8_t[]){ 0, 1, 6, 17, 44, 58, 60, 0x50, 135, 136 }[rnd() % 10];
				break;
			case 2:
				memcpy(f.b + at, (rnd() % 2 ? OWN3 : SRV), at + 6 <= f.len ? 6 : 0);
				break;
			default:
				f.len = 14 + rnd() % (f.len - 13);
			}
		}
		struct pkt_info pi;
		struct ns_dest d;
		if (pkt_parse(f.b, f.len, &pi))
			continue;
		ns_route_from_wire(t, &pi, &d);
		assert_false(d.wire);
		dest_is_sane(t, &d, -1);
		ns_route_from_local(t, &pi, &d);
		assert_false(d.local);
		dest_is_sane(t, &d, -1);
		for (int s = 0; s < 8; s++) {
			if (ns_route_from_slot(t, s, &pi, &d)) {
				accepted_is_clean(t, s, &f, &pi);
				dest_is_sane(t, &d, s);
			} else {
				expect(__LINE__, &d, false, false, NONE);
			}
		}
	}
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wire_by_port),
		cmocka_unit_test(wire_fragments),
		cmocka_unit_test(wire_arp),
		cmocka_unit_test(wire_nd),
		cmocka_unit_test(wire_icmp_errors),
		cmocka_unit_test(wire_by_mac),
		cmocka_unit_test(wire_multicast),
		cmocka_unit_test(wire_detached),
		cmocka_unit_test(local_out),
		cmocka_unit_test(shared_sends),
		cmocka_unit_test(shared_destinations),
		cmocka_unit_test(shared_arp),
		cmocka_unit_test(shared_icmp6),
		cmocka_unit_test(shared_nd_lladdr),
		cmocka_unit_test(shared_hidden_ports),
		cmocka_unit_test(own_sends),
		cmocka_unit_test(own_arp),
		cmocka_unit_test(own_nd),
		cmocka_unit_test(own_nd_lladdr),
		cmocka_unit_test(own_other_ethertypes),
		cmocka_unit_test(own_destinations),
		cmocka_unit_test(claim_ports),
		cmocka_unit_test(claim_macs),
		cmocka_unit_test(claim_addresses),
		cmocka_unit_test(claim_nonsense),
		cmocka_unit_test(ranges),
		cmocka_unit_test(many_slots),
		cmocka_unit_test(random_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
