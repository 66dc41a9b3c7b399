/* The network server's forwarding rules (ns_route.h, docs/netserver.md).
 *
 * Two kinds of app share the server.  Shared-mode apps use the server's
 * MAC and addresses: what comes to those is theirs by destination port,
 * and what they send must carry the server's addresses and a port of
 * theirs.  Own-mode apps have their own MAC: the server switches to them
 * by destination MAC, floods broadcast and multicast to them, and checks
 * that they send with their own MAC and no address someone else owns. */
#include "ns_route.h"

#include "libc_min.h"

static const uint8_t zero16[16];

static int proto_index(uint8_t proto)
{
	return proto == PKT_PROTO_TCP ? 0 : proto == PKT_PROTO_UDP ? 1 : -1;
}

void ns_tables_init(struct ns_tables *t, int nslots)
{
	memset(t, 0, sizeof *t);
	t->nslots = nslots;
	uint32_t span = (65536u - NS_EPHEMERAL_BASE) / (uint32_t)nslots;
	for (int s = 0; s < nslots; s++) {
		t->slots[s].port_lo = (uint16_t)(NS_EPHEMERAL_BASE + span * (uint32_t)s);
		t->slots[s].port_hi = (uint16_t)(t->slots[s].port_lo + span - 1);
	}
	for (int i = 0; i < NS_MAX_OWN_ADDRS; i++)
		t->own[i].slot = -1;
}

/* The slot whose ephemeral range holds port; -1 below the ranges. */
static int range_slot(const struct ns_tables *t, uint16_t port)
{
	if (port < NS_EPHEMERAL_BASE)
		return -1;
	uint32_t span = (65536u - NS_EPHEMERAL_BASE) / (uint32_t)t->nslots;
	uint32_t s = (port - NS_EPHEMERAL_BASE) / span;
	return s < (uint32_t)t->nslots ? (int)s : -1;
}

int ns_port_owner(const struct ns_tables *t, uint8_t proto, uint16_t port)
{
	int pi = proto_index(proto);

	if (pi < 0)
		return -1;
	if (t->port_owner[pi][port])
		return t->port_owner[pi][port] - 1;
	return range_slot(t, port);
}

static bool deliverable(const struct ns_tables *t, int s, uint8_t mode)
{
	return s >= 0 && s < t->nslots && t->slots[s].active && !t->slots[s].direct &&
	       t->slots[s].mode == mode;
}

static void add_slot(struct ns_dest *d, int s)
{
	d->slots[s / 64] |= 1ull << (s % 64);
}

static void add_all(const struct ns_tables *t, struct ns_dest *d, uint8_t mode, int except)
{
	for (int s = 0; s < t->nslots; s++)
		if (s != except && deliverable(t, s, mode))
			add_slot(d, s);
}

static int own_slot_by_mac(const struct ns_tables *t, const uint8_t *mac)
{
	for (int s = 0; s < t->nslots; s++) {
		const struct ns_slot *sl = &t->slots[s];
		if (sl->have_mac && !memcmp(sl->mac, mac, 6) && deliverable(t, s, LINK_MODE_OWN))
			return s;
	}
	return -1;
}

static bool is_server_ip(const struct ns_tables *t, bool v6, const uint8_t *a)
{
	if (!v6)
		return t->have_ip4 && !memcmp(a, t->server_ip4, 4);
	for (int i = 0; i < t->nip6; i++)
		if (!memcmp(a, t->server_ip6[i], 16))
			return true;
	return false;
}

/* The owner of an own-mode address; -1 if nobody's. */
static int own_addr_owner(const struct ns_tables *t, bool v6, const uint8_t *a)
{
	for (int i = 0; i < NS_MAX_OWN_ADDRS; i++)
		if (t->own[i].slot >= 0 && t->own[i].v6 == v6 && !memcmp(t->own[i].addr, a, v6 ? 16 : 4))
			return t->own[i].slot;
	return -1;
}

/* ---- frames for the server's MAC: the shared address -------------------- */

static bool shares_icmp6(uint8_t type)
{
	/* Router advertisements give shared apps their default router; a
	 * neighbour advertisement answers one of their solicitations. */
	return type == PKT_ICMP6_RA || type == PKT_ICMP6_NA;
}

static void route_shared(const struct ns_tables *t, const struct pkt_info *pi, struct ns_dest *d)
{
	d->local = true;
	if (pi->l3 == PKT_ARP) {
		if (pi->arp_op == 2)	/* a reply: whoever asked may be an app */
			add_all(t, d, LINK_MODE_SHARED, -1);
		return;
	}
	if (pi->l3 != PKT_IP4 && pi->l3 != PKT_IP6)
		return;
	const struct pkt_flow *f = &pi->flow;
	int owner = -1;
	if (f->has_ports)
		owner = ns_port_owner(t, f->proto, f->dst_port);
	else if (pi->icmp_error && pi->inner.has_ports)	/* quotes what we sent: its source is ours */
		owner = ns_port_owner(t, pi->inner.proto, pi->inner.src_port);
	else if (pi->l3 == PKT_IP6 && f->proto == PKT_PROTO_ICMP6 && shares_icmp6(pi->icmp_type))
		add_all(t, d, LINK_MODE_SHARED, -1);
	if (deliverable(t, owner, LINK_MODE_SHARED)) {
		add_slot(d, owner);
		d->local = false;
	}
}

/* ---- from the wire and from the server's own stack ---------------------- */

static void route_multicast(const struct ns_tables *t, const struct pkt_info *pi,
			    struct ns_dest *d, int except)
{
	add_all(t, d, LINK_MODE_OWN, except);
	struct ns_dest shared = { 0 };
	route_shared(t, pi, &shared);	/* broadcast ARP replies, RAs, a port's datagram */
	for (int i = 0; i < NS_MAX_SLOTS / 64; i++)
		d->slots[i] |= shared.slots[i];
	d->local = true;
}

void ns_route_from_wire(const struct ns_tables *t, const struct pkt_info *pi, struct ns_dest *d)
{
	memset(d, 0, sizeof *d);
	if (pkt_mac_is_multicast(pi->dst_mac)) {
		route_multicast(t, pi, d, -1);
		return;
	}
	if (!memcmp(pi->dst_mac, t->server_mac, 6)) {
		route_shared(t, pi, d);
		return;
	}
	int s = own_slot_by_mac(t, pi->dst_mac);
	if (s >= 0)
		add_slot(d, s);
}

void ns_route_from_local(const struct ns_tables *t, const struct pkt_info *pi, struct ns_dest *d)
{
	memset(d, 0, sizeof *d);
	d->wire = true;
	if (pkt_mac_is_multicast(pi->dst_mac)) {
		add_all(t, d, LINK_MODE_OWN, -1);
		return;
	}
	int s = own_slot_by_mac(t, pi->dst_mac);
	if (s >= 0) {
		add_slot(d, s);
		d->wire = false;
	}
}

/* ---- from an app ----------------------------------------------------------- */

/* The ICMPv6 messages a shared-mode app may send: the server's stack
 * speaks for the shared address in neighbour discovery and MLD. */
static bool shared_icmp6_allowed(uint8_t type)
{
	return type == PKT_ICMP6_NS || (type >= 1 && type <= 4) || type == 128 || type == 129;
}

/* The link-layer address options of RS, RA, NS and NA tell where the
 * sender's address (or NA's target) lives: only at the sender's own MAC.
 * A redirect's names another router. */
static bool lladdr_ok(const struct pkt_info *pi, const uint8_t *mac)
{
	return !pi->nd_has_lladdr || pi->icmp_type == PKT_ICMP6_REDIRECT ||
	       !memcmp(pi->nd_lladdr, mac, 6);
}

static bool shared_source_ok(const struct ns_tables *t, int s, const struct pkt_info *pi)
{
	if (memcmp(pi->src_mac, t->server_mac, 6))
		return false;
	if (pi->l3 == PKT_ARP)	/* the asked host learns the sender's pair */
		return pi->arp_op == 1 && !memcmp(pi->arp_sha, t->server_mac, 6) && t->have_ip4 &&
		       !memcmp(pi->arp_spa, t->server_ip4, 4);
	if (pi->l3 != PKT_IP4 && pi->l3 != PKT_IP6)
		return false;
	bool v6 = pi->l3 == PKT_IP6;
	if (!is_server_ip(t, v6, pi->flow.src))
		return false;
	if (pi->later_fragment)
		return true;	/* no ports, no ICMP type: the first piece had them */
	if (v6 && pi->flow.proto == PKT_PROTO_ICMP6)
		return shared_icmp6_allowed(pi->icmp_type) && lladdr_ok(pi, t->server_mac);
	if (pi->flow.has_ports)
		return ns_port_owner(t, pi->flow.proto, pi->flow.src_port) == s;
	/* A transport header the parser did not reach (more extension
	 * headers than it follows), or TCP or UDP too short for ports:
	 * whatever a receiver reads there was not checked. */
	if (pi->flow.proto == 0 || proto_index(pi->flow.proto) >= 0)
		return false;
	return true;	/* ICMP echo: nothing of another app's to check */
}

/* Whether slot s may send from address a: unspecified (DHCP and DAD use
 * it), or an address neither the server nor another app owns. */
static bool own_may_use(const struct ns_tables *t, int s, bool v6, const uint8_t *a)
{
	if (!memcmp(a, zero16, v6 ? 16 : 4))
		return true;
	if (is_server_ip(t, v6, a))
		return false;
	int owner = own_addr_owner(t, v6, a);
	return owner < 0 || owner == s;
}

/* An own-mode app's source: its MAC, and no address another app or the
 * server owns.  Anything but IP and Ethernet/IPv4 ARP is refused: inside
 * a VLAN tag, or in ARP of another hardware type (Linux takes IEEE 802's
 * on Ethernet), an address would go unchecked. */
static bool own_source_ok(const struct ns_tables *t, int s, const struct pkt_info *pi)
{
	const struct ns_slot *sl = &t->slots[s];

	if (!sl->have_mac || memcmp(pi->src_mac, sl->mac, 6))
		return false;
	if (pi->l3 == PKT_ARP)
		return !memcmp(pi->arp_sha, sl->mac, 6) && own_may_use(t, s, false, pi->arp_spa);
	if (pi->l3 != PKT_IP4 && pi->l3 != PKT_IP6)
		return false;
	bool v6 = pi->l3 == PKT_IP6;
	if (!own_may_use(t, s, v6, pi->flow.src))
		return false;
	if (!v6 || pi->flow.proto != PKT_PROTO_ICMP6)
		return true;
	/* A neighbour advertisement claims its target, as ARP its sender. */
	if (pi->icmp_type == PKT_ICMP6_NA && !own_may_use(t, s, true, pi->nd_target))
		return false;
	return lladdr_ok(pi, sl->mac);
}

bool ns_route_from_slot(const struct ns_tables *t, int s, const struct pkt_info *pi,
			struct ns_dest *d)
{
	memset(d, 0, sizeof *d);
	if (s < 0 || s >= t->nslots || !t->slots[s].active)
		return false;
	bool shared = t->slots[s].mode == LINK_MODE_SHARED;
	if (shared ? !shared_source_ok(t, s, pi) : !own_source_ok(t, s, pi))
		return false;
	if (pkt_mac_is_multicast(pi->dst_mac)) {
		d->wire = true;
		add_all(t, d, LINK_MODE_OWN, s);
		d->local = !shared;	/* the server's stack never hears itself */
		return true;
	}
	if (!memcmp(pi->dst_mac, t->server_mac, 6)) {
		if (!shared)
			route_shared(t, pi, d);
		return true;	/* a shared app to its own address: nowhere */
	}
	int to = own_slot_by_mac(t, pi->dst_mac);
	if (to >= 0 && to != s)
		add_slot(d, to);
	else if (to < 0)
		d->wire = true;
	return true;
}

/* ---- claims --------------------------------------------------------------- */

static enum link_result port_claim(const struct ns_tables *t, int s, const struct link_claim *c)
{
	int pi = proto_index(c->kind == LINK_CLAIM_TCP ? PKT_PROTO_TCP : PKT_PROTO_UDP);

	if (t->slots[s].mode != LINK_MODE_SHARED || c->port == 0)
		return LINK_REFUSED_INVALID;
	/* The server's own stack is a DHCP and DHCPv6 client. */
	if (pi == 1 && (c->port == 68 || c->port == 546))
		return LINK_REFUSED_IN_USE;
	int range = range_slot(t, c->port);
	if (range >= 0 && range != s)
		return LINK_REFUSED_IN_USE;
	uint16_t owner = t->port_owner[pi][c->port];
	return owner == 0 || owner == s + 1 ? LINK_GRANTED : LINK_REFUSED_IN_USE;
}

/* An own-address app may have the one MAC its supervisor gave it (with
 * which it would otherwise take the frames of any MAC it named: the
 * gateway's, another app's to be). */
static enum link_result mac_claim(const struct ns_tables *t, int s, const uint8_t *mac)
{
	static const uint8_t zero[6];

	if (pkt_mac_is_multicast(mac) || !memcmp(mac, zero, 6) ||
	    memcmp(mac, t->slots[s].assigned_mac, 6))
		return LINK_REFUSED_INVALID;
	if (!memcmp(mac, t->server_mac, 6))
		return LINK_REFUSED_IN_USE;
	for (int o = 0; o < t->nslots; o++)
		if (o != s && t->slots[o].have_mac && !memcmp(t->slots[o].mac, mac, 6))
			return LINK_REFUSED_IN_USE;
	return LINK_GRANTED;
}

static bool addr_valid(bool v6, const uint8_t *a)
{
	if (!memcmp(a, zero16, v6 ? 16 : 4))
		return false;
	if (v6)		/* not multicast, not loopback (::1) */
		return a[0] != 0xff && !(!memcmp(a, zero16, 15) && a[15] == 1);
	return a[0] < 224 && !(a[0] == 127);		/* unicast, not loopback */
}

static enum link_result addr_claim(const struct ns_tables *t, int s, bool v6, const uint8_t *a)
{
	if (!addr_valid(v6, a))
		return LINK_REFUSED_INVALID;
	if (is_server_ip(t, v6, a))
		return LINK_REFUSED_IN_USE;
	int owner = own_addr_owner(t, v6, a);
	return owner < 0 || owner == s ? LINK_GRANTED : LINK_REFUSED_IN_USE;
}

enum link_result ns_claim_check(const struct ns_tables *t, int s, const struct link_claim *c)
{
	if (s < 0 || s >= t->nslots)
		return LINK_REFUSED_INVALID;
	switch (c->kind) {
	case LINK_CLAIM_TCP:
	case LINK_CLAIM_UDP:
		return port_claim(t, s, c);
	case LINK_CLAIM_MAC:
		return t->slots[s].mode == LINK_MODE_OWN ? mac_claim(t, s, c->addr) : LINK_REFUSED_INVALID;
	case LINK_CLAIM_IP4:
	case LINK_CLAIM_IP6:
		if (t->slots[s].mode != LINK_MODE_OWN)
			return LINK_REFUSED_INVALID;
		return addr_claim(t, s, c->kind == LINK_CLAIM_IP6, c->addr);
	default:
		return LINK_REFUSED_INVALID;
	}
}
