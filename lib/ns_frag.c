/* Where later fragments go (ns_frag.h). */
#include "ns_frag.h"

#include "libc_min.h"

static void key_of(const struct pkt_info *pi, struct ns_frag_key *k)
{
	memset(k, 0, sizeof *k);	/* compared whole, padding too */
	k->v6 = pi->l3 == PKT_IP6;
	/* An IPv6 later fragment shows the upper layer only when no other
	 * extension header comes first: RFC 8200 leaves it out of the key. */
	k->proto = k->v6 ? 0 : pi->flow.proto;
	k->id = pi->frag_id;
	memcpy(k->src, pi->flow.src, 16);
	memcpy(k->dst, pi->flow.dst, 16);
}

void ns_frag_note(struct ns_frag_cache *fc, const struct pkt_info *pi, int slot,
		  uint32_t attach_seq, uint64_t now)
{
	struct ns_frag_entry *e = &fc->e[fc->next++ % NS_FRAG_CACHE];

	key_of(pi, &e->key);
	e->slot = slot;
	e->attach_seq = attach_seq;
	e->expires = now + NS_FRAG_TTL_NS;
}

int ns_frag_find(const struct ns_frag_cache *fc, const struct pkt_info *pi, uint64_t now,
		 uint32_t (*attach_of)(int slot))
{
	struct ns_frag_key k;

	key_of(pi, &k);
	for (unsigned n = 1; n <= NS_FRAG_CACHE; n++) {	/* newest first: ids come round */
		const struct ns_frag_entry *e = &fc->e[(fc->next - n) % NS_FRAG_CACHE];
		if (e->expires > now && !memcmp(&e->key, &k, sizeof k) &&
		    attach_of(e->slot) == e->attach_seq)
			return e->slot;
	}
	return -1;
}
