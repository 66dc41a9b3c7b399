/* The link's rings (link.h): single producer, single consumer, fixed slots,
 * indices running free.  The other side of every ring may be hostile, so
 * each index read from the region is checked against our own before use,
 * and a frame is copied out of its slot (length read once) before anyone
 * looks at it. */
#include "link.h"

#include "libc_min.h"

_Static_assert(sizeof(struct link_host) <= LINK_OFF_SRV - LINK_OFF_HOST, "link_host");
_Static_assert(sizeof(struct link_srv) <= LINK_OFF_APP - LINK_OFF_SRV, "link_srv");
_Static_assert(sizeof(struct link_app) <= LINK_OFF_TX - LINK_OFF_APP, "link_app");
_Static_assert(sizeof(struct link_ring) == 128, "link_ring");
_Static_assert(sizeof(struct link_slot) == LINK_SLOT_SIZE, "link_slot");
_Static_assert(LINK_OFF_TX + sizeof(struct link_ring) + LINK_RING_SLOTS * LINK_SLOT_SIZE <=
	       LINK_OFF_RX, "tx ring");
_Static_assert(LINK_END <= LINK_REGION_SIZE, "region");
_Static_assert(sizeof(struct link_ledger) == 64 && sizeof(struct link_ledger_slot) == 64,
	       "link_ledger");
_Static_assert(sizeof(struct link_ledger) + LINK_LEDGER_MAX_SLOTS * sizeof(struct link_ledger_slot) <=
	       LINK_LEDGER_OFF_ASSIGN, "the server's part of the ledger");
_Static_assert(sizeof(struct link_assign) == 96 &&
	       LINK_LEDGER_OFF_ASSIGN + LINK_LEDGER_MAX_SLOTS * sizeof(struct link_assign) <=
	       LINK_LEDGER_SIZE, "the supervisor's part of the ledger");

static uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

bool link_end_open_producer(struct link_end *e, struct link_ring *r)
{
	e->ring = r;
	e->index = load_acquire(&r->prod);
	return e->index - load_acquire(&r->cons) <= LINK_RING_SLOTS;
}

void link_end_reset_producer(struct link_end *e, struct link_ring *r)
{
	e->ring = r;
	e->index = load_acquire(&r->cons);
	store_release(&r->prod, e->index);
}

bool link_end_open_consumer(struct link_end *e, struct link_ring *r)
{
	uint32_t cons = load_acquire(&r->cons), prod = load_acquire(&r->prod);

	e->ring = r;
	e->index = cons;
	if (prod - cons <= LINK_RING_SLOTS)
		return true;
	e->index = prod;	/* out of range: start over from empty */
	store_release(&r->cons, prod);
	return false;
}

int link_ring_room(const struct link_end *e)
{
	uint32_t used = e->index - load_acquire(&e->ring->cons);

	if (used > LINK_RING_SLOTS)
		return -LIB_EPROTO;
	return used == LINK_RING_SLOTS ? -LIB_ENOBUFS : 0;
}

int link_ring_put(struct link_end *e, const struct link_seg *segs, int nsegs, uint16_t flags)
{
	size_t len = 0;

	for (int i = 0; i < nsegs; i++)
		len += segs[i].len;
	if (len < LINK_FRAME_MIN || len > LINK_FRAME_MAX)
		return -LIB_EINVAL;
	int err = link_ring_room(e);	/* acquire: the consumer is done with the slot */
	if (err)
		return err;
	struct link_slot *s = link_ring_slot(e->ring, e->index);
	size_t off = 0;
	for (int i = 0; i < nsegs; i++) {
		memcpy(s->frame + off, segs[i].data, segs[i].len);
		off += segs[i].len;
	}
	s->len = (uint16_t)len;
	s->flags = flags;
	store_release(&e->ring->prod, ++e->index);	/* the slot before the index */
	return 0;
}

/* As virtio's vring_need_event: did the indices (before, now] pass event? */
bool link_ring_should_notify(const struct link_end *e, uint32_t before)
{
	/* Our prod stores before the consumer's prod_event load: without the
	 * full fence the consumer could arm after our load and miss both. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint32_t event = __atomic_load_n(&e->ring->prod_event, __ATOMIC_RELAXED);

	return (uint32_t)(e->index - event - 1) < (uint32_t)(e->index - before);
}

int link_ring_get(struct link_end *e, void *buf, uint16_t *flags)
{
	uint32_t avail = load_acquire(&e->ring->prod) - e->index;	/* slot after index */

	if (avail > LINK_RING_SLOTS)
		return -LIB_EPROTO;
	if (avail == 0)
		return 0;
	struct link_slot *s = link_ring_slot(e->ring, e->index);
	uint16_t len = __atomic_load_n(&s->len, __ATOMIC_RELAXED);
	uint16_t f = __atomic_load_n(&s->flags, __ATOMIC_RELAXED);
	int r = len;
	if (len < LINK_FRAME_MIN || len > LINK_FRAME_MAX)
		r = -LIB_EMSGSIZE;
	else
		memcpy(buf, s->frame, len);
	if (flags)
		*flags = f;
	store_release(&e->ring->cons, ++e->index);	/* our copy before the slot is reused */
	return r;
}

bool link_ring_arm(struct link_end *e)
{
	__atomic_store_n(&e->ring->prod_event, e->index, __ATOMIC_RELAXED);
	/* prod_event stores before the prod load: pairs with the producer's
	 * fence in link_ring_should_notify. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load_acquire(&e->ring->prod) == e->index;
}
