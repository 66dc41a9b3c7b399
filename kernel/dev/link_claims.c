/* Claims, the app's side (docs/netserver.md, "Claims"): the netif says
 * what it uses (its MAC and addresses in own mode, its TCP and UDP ports
 * in shared mode), the port writes that into the region's claims table
 * and rings the server, whose verdict comes back at the same index.
 * bind() waits for the verdict; addresses are announced without waiting.
 * The other kinds, for the mode we are not in, need nobody's leave. */
#include "core/errno.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/string.h"
#include "dev/ivshmem.h"
#include "dev/link_app_internal.h"

#define VERDICT_WAIT_NS	(20ull * 1000000000)	/* a server may be restarting */

void link_claims_init(struct link_port *l)
{
	waitq_init(&l->claim_wq);
}

/* The region's kind for c, or NONE when our mode needs no claim for it. */
static uint8_t region_kind(const struct link_port *l, enum net_claim_kind k)
{
	bool shared = l->mode == LINK_MODE_SHARED;

	switch (k) {
	case NET_CLAIM_TCP: return shared ? LINK_CLAIM_TCP : LINK_CLAIM_NONE;
	case NET_CLAIM_UDP: return shared ? LINK_CLAIM_UDP : LINK_CLAIM_NONE;
	case NET_CLAIM_MAC: return shared ? LINK_CLAIM_NONE : LINK_CLAIM_MAC;
	case NET_CLAIM_IP4: return shared ? LINK_CLAIM_NONE : LINK_CLAIM_IP4;
	case NET_CLAIM_IP6: return shared ? LINK_CLAIM_NONE : LINK_CLAIM_IP6;
	}
	return LINK_CLAIM_NONE;
}

static struct link_claim to_claim(uint8_t kind, const struct net_claim *c)
{
	struct link_claim lc = { .kind = kind, .port = c->port };

	memcpy(lc.addr, c->addr, kind == LINK_CLAIM_MAC ? 6 : kind == LINK_CLAIM_IP4 ? 4 :
				 kind == LINK_CLAIM_IP6 ? 16 : 0);
	return lc;
}

static bool same(const struct link_claim *a, const struct link_claim *b)
{
	return a->kind == b->kind && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

/* Caller holds claim_lock.  Publishes held[i] as a new request. */
static void publish(struct link_port *l, int i)
{
	struct link_claim *r = &link_app(l->region)->claims[i];
	struct link_held *h = &l->held[i];

	if (++l->next_req == 0)
		l->next_req = 1;
	h->req = l->next_req;
	h->result = LINK_PENDING;
	r->kind = h->c.kind;
	r->port = h->c.port;
	memcpy(r->addr, h->c.addr, 16);
	__atomic_store_n(&r->req, h->req, __ATOMIC_RELEASE);	/* the fields before req */
}

/* Ports nest: sockets bind them, more than one may hold a port.  The MAC
 * and the addresses are eth0's alone and held once, however often it says
 * so (it says so again each time it comes back onto the link), so one
 * release lets them go. */
static bool nests(uint8_t kind)
{
	return kind == LINK_CLAIM_TCP || kind == LINK_CLAIM_UDP;
}

/* Caller holds claim_lock.  The entry for lc, made if new; -1 if full. */
static int entry_for(struct link_port *l, const struct link_claim *lc)
{
	int free = -1;

	for (int i = 0; i < LINK_MAX_CLAIMS; i++) {
		if (l->held[i].refs && same(&l->held[i].c, lc)) {
			if (nests(lc->kind))
				l->held[i].refs++;
			return i;
		}
		if (!l->held[i].refs && free < 0)
			free = i;
	}
	if (free >= 0) {
		l->held[free].c = *lc;
		l->held[free].refs = 1;
		publish(l, free);
	}
	return free;
}

/* Caller holds claim_lock. */
static void put_entry(struct link_port *l, int i)
{
	if (--l->held[i].refs)
		return;
	l->held[i].c.kind = LINK_CLAIM_NONE;
	publish(l, i);		/* a release: the server answers, nobody waits */
}

static int verdict_errno(uint32_t result)
{
	return result == LINK_GRANTED ? 0 : result == LINK_REFUSED_IN_USE ? -EADDRINUSE : -EACCES;
}

/* Sleeps until entry i has its verdict; the verdict, or LINK_PENDING
 * when the server never answered. */
static uint32_t wait_verdict(struct link_port *l, int i)
{
	uint64_t end = clock_ns() + VERDICT_WAIT_NS;

	for (;;) {
		struct waiter w;
		uint64_t f = spin_lock_irqsave(&l->claim_lock);
		uint32_t result = l->held[i].result;
		if (result != LINK_PENDING || clock_ns() >= end) {
			spin_unlock_irqrestore(&l->claim_lock, f);
			return result;
		}
		waitq_prepare(&l->claim_wq, &w);
		spin_unlock_irqrestore(&l->claim_lock, f);
		waitq_sleep_until(&l->claim_wq, &w, end);
	}
}

int link_claim(struct net_port *port, const struct net_claim *c, bool wait)
{
	struct link_port *l = port->driver;
	uint8_t kind = region_kind(l, c->kind);

	if (kind == LINK_CLAIM_NONE)
		return 0;
	struct link_claim lc = to_claim(kind, c);
	uint64_t f = spin_lock_irqsave(&l->claim_lock);
	int i = entry_for(l, &lc);
	spin_unlock_irqrestore(&l->claim_lock, f);
	if (i < 0)
		return -ENOBUFS;
	ivshmem_ring(l->dev, l->server_peer, LINK_VEC_CONTROL);
	if (!wait)
		return 0;
	uint32_t result = wait_verdict(l, i);
	int err = result == LINK_PENDING ? -EADDRNOTAVAIL : verdict_errno(result);
	if (err) {
		f = spin_lock_irqsave(&l->claim_lock);
		put_entry(l, i);
		spin_unlock_irqrestore(&l->claim_lock, f);
		ivshmem_ring(l->dev, l->server_peer, LINK_VEC_CONTROL);
	}
	return err;
}

void link_release(struct net_port *port, const struct net_claim *c)
{
	struct link_port *l = port->driver;
	uint8_t kind = region_kind(l, c->kind);

	if (kind == LINK_CLAIM_NONE)
		return;
	struct link_claim lc = to_claim(kind, c);
	uint64_t f = spin_lock_irqsave(&l->claim_lock);
	for (int i = 0; i < LINK_MAX_CLAIMS; i++) {
		if (l->held[i].refs && same(&l->held[i].c, &lc)) {
			put_entry(l, i);
			break;
		}
	}
	spin_unlock_irqrestore(&l->claim_lock, f);
	ivshmem_ring(l->dev, l->server_peer, LINK_VEC_CONTROL);
}

static void log_refusal(const struct link_held *h)
{
	static const char *const what[] = { "", "TCP port", "UDP port", "MAC", "IPv4 address",
					    "IPv6 address" };

	printk("link: the network server refused our %s%s\n", what[h->c.kind],
	       h->result == LINK_REFUSED_IN_USE ? " (another app has it)" : "");
}

void link_claims_news(struct link_port *l)
{
	const struct link_verdict *v = link_srv(l->region)->verdicts;
	uint64_t f = spin_lock_irqsave(&l->claim_lock);

	for (int i = 0; i < LINK_MAX_CLAIMS; i++) {
		struct link_held *h = &l->held[i];
		if (!h->refs || __atomic_load_n(&v[i].req, __ATOMIC_ACQUIRE) != h->req)
			continue;
		uint32_t result = v[i].result;
		if (result == h->result || result == LINK_PENDING || result > LINK_RELEASED)
			continue;
		h->result = result;
		if (result != LINK_GRANTED && h->c.kind >= LINK_CLAIM_MAC)
			log_refusal(h);	/* addresses: nobody waits for these */
	}
	spin_unlock_irqrestore(&l->claim_lock, f);
	waitq_wake_all(&l->claim_wq);
}
