/* Claims, the server's side (docs/netserver.md, "Claims").  An app asks
 * for a port, its MAC or an address in its region; we answer at the same
 * index with a verdict, and a grant carries a token only this server's
 * key can make.  A restarted server believes exactly the grants whose
 * tokens check, the later of two winning, so no table survives a crash
 * except in the regions themselves, and no app can forge its way into
 * another's ports or addresses. */
#include "core/printk.h"
#include "core/string.h"
#include "dev/ivshmem.h"
#include "netserver/netserver_internal.h"
#include "siphash.h"

#define MAX_OWN_PER_SLOT	4	/* NS_MAX_OWN_ADDRS / NS_MAX_SLOTS */

struct token_input {
	uint32_t slot, attach_seq;
	uint8_t kind, pad;
	uint16_t port;
	uint8_t addr[16];
	uint64_t grant_seq;
} __attribute__((packed));

static uint64_t token(const struct ns_link *s, const struct link_claim *c, uint64_t grant_seq)
{
	struct token_input in = { (uint32_t)s->index, s->attach_seq, c->kind, 0, c->port, { 0 },
				  grant_seq };

	memcpy(in.addr, c->addr, 16);
	return siphash24(ns.key, &in, sizeof in);
}

static bool is_addr(uint8_t kind) { return kind == LINK_CLAIM_IP4 || kind == LINK_CLAIM_IP6; }

static bool same(const struct link_claim *a, const struct link_claim *b)
{
	return a->kind == b->kind && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

/* ---- the tables (caller holds tables_lock) ---------------------------------- */

static bool install(int slot, const struct link_claim *c)
{
	struct ns_tables *t = ns.tables;

	switch (c->kind) {
	case LINK_CLAIM_TCP:
	case LINK_CLAIM_UDP:
		t->port_owner[c->kind == LINK_CLAIM_UDP][c->port] = (uint16_t)(slot + 1);
		return true;
	case LINK_CLAIM_MAC:
		t->slots[slot].have_mac = true;
		memcpy(t->slots[slot].mac, c->addr, 6);
		return true;
	default:
		for (int i = 0; i < NS_MAX_OWN_ADDRS; i++) {
			if (t->own[i].slot >= 0)
				continue;
			t->own[i] = (struct ns_own_addr){ (int16_t)slot, c->kind == LINK_CLAIM_IP6, { 0 } };
			memcpy(t->own[i].addr, c->addr, 16);
			return true;
		}
		return false;
	}
}

static void uninstall(int slot, const struct link_claim *c)
{
	struct ns_tables *t = ns.tables;

	switch (c->kind) {
	case LINK_CLAIM_TCP:
	case LINK_CLAIM_UDP: {
		uint16_t *owner = &t->port_owner[c->kind == LINK_CLAIM_UDP][c->port];
		if (*owner == slot + 1)
			*owner = 0;
		return;
	}
	case LINK_CLAIM_MAC:
		t->slots[slot].have_mac = false;
		return;
	default:
		for (int i = 0; i < NS_MAX_OWN_ADDRS; i++)
			if (t->own[i].slot == slot && t->own[i].v6 == (c->kind == LINK_CLAIM_IP6) &&
			    !memcmp(t->own[i].addr, c->addr, 16))
				t->own[i].slot = -1;
	}
}

/* Caller holds tables_lock. */
static void drop_grant(struct ns_link *s, struct ns_grant *g)
{
	if (!g->held)
		return;
	uninstall(s->index, &g->c);
	g->held = false;
	if (is_addr(g->c.kind))
		s->nown--;
}

/* Caller holds tables_lock.  false when the tables are full. */
static bool keep_grant(struct ns_link *s, struct ns_grant *g, const struct link_claim *c,
		       uint64_t grant_seq)
{
	if (is_addr(c->kind) && s->nown >= MAX_OWN_PER_SLOT)
		return false;
	if (!install(s->index, c))
		return false;
	g->held = true;
	g->c = *c;
	g->grant_seq = grant_seq;
	if (is_addr(c->kind))
		s->nown++;
	return true;
}

void claims_drop_all(struct ns_link *s)
{
	spin_lock(&ns.tables_lock);
	for (int i = 0; i < LINK_MAX_CLAIMS; i++) {
		drop_grant(s, &s->grants[i]);
		s->grants[i].req = 0;
	}
	ns.tables->slots[s->index].have_mac = false;
	spin_unlock(&ns.tables_lock);
	s->nown = 0;
}

/* ---- verdicts ------------------------------------------------------------------ */

static void write_verdict(struct ns_link *s, int i, uint32_t req, uint32_t result)
{
	struct link_verdict *v = &link_srv(s->region)->verdicts[i];
	const struct ns_grant *g = &s->grants[i];
	bool granted = result == LINK_GRANTED;

	v->result = result;
	v->grant_seq = granted ? g->grant_seq : 0;
	v->token = granted ? token(s, &g->c, g->grant_seq) : 0;
	__atomic_store_n(&v->req, req, __ATOMIC_RELEASE);	/* the verdict before req */
}

static uint32_t decide(struct ns_link *s, struct ns_grant *g, const struct link_claim *c)
{
	spin_lock(&ns.tables_lock);
	drop_grant(s, g);	/* whatever this index held before */
	uint32_t result = c->kind == LINK_CLAIM_NONE ? LINK_RELEASED
			: ns_claim_check(ns.tables, s->index, c);
	if (result == LINK_GRANTED && (uint32_t)ns.next_grant_seq == 0)
		result = LINK_REFUSED_INVALID;	/* this generation's numbers are spent */
	if (result == LINK_GRANTED && !keep_grant(s, g, c, ns.next_grant_seq))
		result = LINK_REFUSED_INVALID;	/* more addresses than a slot may have */
	if (result == LINK_GRANTED)
		ns.next_grant_seq++;
	spin_unlock(&ns.tables_lock);
	return result;
}

/* A copy of claim i as the app wrote it whole; false while it writes. */
static bool read_claim(struct ns_link *s, int i, struct link_claim *c)
{
	struct link_claim *rc = &link_app(s->region)->claims[i];
	uint32_t req = __atomic_load_n(&rc->req, __ATOMIC_ACQUIRE);

	memcpy(c, rc, sizeof *c);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	c->req = req;
	return __atomic_load_n(&rc->req, __ATOMIC_RELAXED) == req;
}

void claims_process(struct ns_link *s)
{
	bool answered = false;

	for (int i = 0; i < LINK_MAX_CLAIMS; i++) {
		struct link_claim c;
		struct ns_grant *g = &s->grants[i];
		if (__atomic_load_n(&link_app(s->region)->claims[i].req, __ATOMIC_ACQUIRE) == g->req ||
		    !read_claim(s, i, &c) || c.req == g->req)
			continue;
		uint32_t result = decide(s, g, &c);
		g->req = c.req;
		write_verdict(s, i, c.req, result);
		answered = true;
	}
	if (answered)
		ivshmem_ring(s->dev, s->app_peer, LINK_VEC_CONTROL);
}

/* ---- after a restart -------------------------------------------------------------- */

/* Caller holds tables_lock.  The slot and index holding what c names. */
static bool find_holder(const struct link_claim *c, struct ns_link **hs, int *hi)
{
	for (int s = 0; s < ns.nslots; s++)
		for (int i = 0; i < LINK_MAX_CLAIMS; i++)
			if (ns.slots[s].grants[i].held && same(&ns.slots[s].grants[i].c, c)) {
				*hs = &ns.slots[s];
				*hi = i;
				return true;
			}
	return false;
}

/* Caller holds tables_lock.  Whether slot s could keep c if the grant
 * held at hs/hi went: checked with that grant out of the tables, which
 * are as they were when this returns. */
static bool could_take_over(struct ns_link *s, const struct link_claim *c, struct ns_link *hs,
			    int hi)
{
	const struct link_claim *held = &hs->grants[hi].c;

	if (is_addr(c->kind) && s->nown >= MAX_OWN_PER_SLOT)
		return false;
	uninstall(hs->index, held);
	bool free = ns_claim_check(ns.tables, s->index, c) == LINK_GRANTED;
	install(hs->index, held);
	return free;
}

/* Caller holds tables_lock.  c, granted at seq by a server before us and
 * refused now because someone holds it: the later grant wins.  Any grant
 * the holder got from a later generation carries a higher number than
 * any of an earlier one (claims_start), so an old token replayed takes
 * nothing from a newer grant.  The holder loses its grant only if s then
 * keeps it; true when s has. */
static bool take_over(struct ns_link *s, struct ns_grant *g, const struct link_claim *c,
		      uint64_t seq)
{
	struct ns_link *hs;
	int hi;

	if (!find_holder(c, &hs, &hi) || hs->grants[hi].grant_seq >= seq ||
	    !could_take_over(s, c, hs, hi))
		return false;
	drop_grant(hs, &hs->grants[hi]);
	write_verdict(hs, hi, hs->grants[hi].req, LINK_REFUSED_IN_USE);
	return keep_grant(s, g, c, seq);
}

/* Takes back one grant a predecessor made, if its token checks. */
static void rebuild_one(struct ns_link *s, int i)
{
	struct link_claim c;
	struct link_verdict v = link_srv(s->region)->verdicts[i];

	if (!read_claim(s, i, &c) || c.kind == LINK_CLAIM_NONE || v.result != LINK_GRANTED ||
	    v.req != c.req || v.token != token(s, &c, v.grant_seq))
		return;
	struct ns_grant *g = &s->grants[i];
	spin_lock(&ns.tables_lock);
	uint32_t result = ns_claim_check(ns.tables, s->index, &c);
	if (result == LINK_GRANTED && !keep_grant(s, g, &c, v.grant_seq))
		result = LINK_REFUSED_INVALID;	/* more addresses than a slot may have */
	else if (result == LINK_REFUSED_IN_USE && take_over(s, g, &c, v.grant_seq))
		result = LINK_GRANTED;
	spin_unlock(&ns.tables_lock);
	g->req = c.req;
	if (result != LINK_GRANTED)
		write_verdict(s, i, c.req, result);
}

/* A generation's grants are numbered from generation << 32: above every
 * grant of every earlier generation, whatever the apps' regions hold.  The
 * token covers the number, so no app can present a later one. */
void claims_start(void)
{
	ns.next_grant_seq = (uint64_t)ns.generation << 32 | 1;
}

void claims_rebuild(struct ns_link *s)
{
	for (int i = 0; i < LINK_MAX_CLAIMS; i++)
		rebuild_one(s, i);
}
