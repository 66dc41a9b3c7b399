/* The network server's forwarding decisions (docs/netserver.md,
 * "Addresses"): given a parsed frame and where it came from, where it may
 * go.  Pure functions over tables the server builds from the apps'
 * regions; the kernel's netserver/ moves the frames.  Freestanding, so the
 * host's unit tests drive every rule. */
#ifndef AMPHI_LIB_NS_ROUTE_H
#define AMPHI_LIB_NS_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "link.h"
#include "pkt.h"

#define NS_MAX_SLOTS		256
#define NS_EPHEMERAL_BASE	32768u
#define NS_MAX_OWN_ADDRS	(NS_MAX_SLOTS * 4)

struct ns_slot {
	bool active;		/* an app is attached and not shut */
	bool direct;		/* it uses a NIC of its own for now: deliver nothing */
	uint8_t mode;		/* enum link_mode */
	bool have_mac;		/* own mode: MAC granted */
	uint8_t mac[6];
	uint8_t assigned_mac[6];	/* own mode: the supervisor's, the one it may claim */
	uint16_t port_lo, port_hi;	/* shared mode: ephemeral range */
};

struct ns_own_addr {
	int16_t slot;		/* -1: free entry */
	bool v6;
	uint8_t addr[16];
};

struct ns_tables {
	int nslots;
	uint8_t server_mac[6];
	bool have_ip4;
	uint8_t server_ip4[4];
	int nip6;
	uint8_t server_ip6[LINK_MAX_ADDR6][16];
	uint16_t port_owner[2][65536];	/* [0] TCP, [1] UDP: slot + 1, 0 none */
	struct ns_slot slots[NS_MAX_SLOTS];
	struct ns_own_addr own[NS_MAX_OWN_ADDRS];	/* own-mode addresses granted */
};

/* Where a frame goes: any of the wire, the server's own stack, and slots. */
struct ns_dest {
	bool wire, local;
	uint64_t slots[NS_MAX_SLOTS / 64];
};

static inline bool ns_dest_has(const struct ns_dest *d, int s)
{
	return d->slots[s / 64] >> (s % 64) & 1;
}

/* Empty tables for nslots slots (1..NS_MAX_SLOTS): each slot's ephemeral
 * range is its share of NS_EPHEMERAL_BASE..65535. */
void ns_tables_init(struct ns_tables *t, int nslots);
/* Slot s's owner of port in proto's table, by claim or by range; -1 none. */
int ns_port_owner(const struct ns_tables *t, uint8_t proto, uint16_t port);

void ns_route_from_wire(const struct ns_tables *t, const struct pkt_info *pi, struct ns_dest *d);
void ns_route_from_local(const struct ns_tables *t, const struct pkt_info *pi, struct ns_dest *d);
/* From slot s.  false when the frame breaks the slot's rules (a source
 * that is not its own): it is dropped and counted. */
bool ns_route_from_slot(const struct ns_tables *t, int s, const struct pkt_info *pi,
			struct ns_dest *d);

/* Whether slot s may be granted this claim now (not counting grants it
 * already holds for the same thing). */
enum link_result ns_claim_check(const struct ns_tables *t, int s, const struct link_claim *c);

#endif
