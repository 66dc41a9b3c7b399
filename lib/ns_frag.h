/* Later fragments of an IP datagram carry no ports, so the network server
 * cannot tell from them whose they are: it sends them where the first
 * fragment went (docs/netserver.md).  This is the small cache that
 * remembers where: a datagram is named by (source, destination, protocol,
 * identification) as RFC 791 has it (RFC 8200: source, destination and
 * identification for IPv6), and its first fragment's slot is good only for
 * the app attached there then, never for the next app on that slot.  Soft
 * state, lost with the server as the fragments would be.  Freestanding;
 * the caller serialises access. */
#ifndef AMPHI_LIB_NS_FRAG_H
#define AMPHI_LIB_NS_FRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

#define NS_FRAG_CACHE	64
#define NS_FRAG_TTL_NS	(30ull * 1000000000)	/* IPv4's reassembly time, roughly */

struct ns_frag_key {
	bool v6;
	uint8_t proto;		/* IPv4's; 0 for IPv6 */
	uint32_t id;
	uint8_t src[16], dst[16];	/* IPv4 in the first 4 bytes */
};

struct ns_frag_entry {
	struct ns_frag_key key;
	int slot;
	uint32_t attach_seq;	/* of the app the first fragment went to */
	uint64_t expires;	/* 0: never used */
};

struct ns_frag_cache {
	struct ns_frag_entry e[NS_FRAG_CACHE];
	unsigned next;		/* the entry to reuse next (oldest first) */
};

/* The first fragment of pi's datagram went to slot, whose app is
 * attach_seq; now is the time in ns. */
void ns_frag_note(struct ns_frag_cache *fc, const struct pkt_info *pi, int slot,
		  uint32_t attach_seq, uint64_t now);

/* The slot a later fragment pi goes to: where its first fragment went, if
 * that was within NS_FRAG_TTL_NS and attach_of(slot) still names the same
 * app; else -1. */
int ns_frag_find(const struct ns_frag_cache *fc, const struct pkt_info *pi, uint64_t now,
		 uint32_t (*attach_of)(int slot));

#endif
