/* AIO contexts (linux/aio.h): the table of each address space, the count
 * of outstanding requests, completions into the ring, io_getevents, and
 * the end of a context.
 *
 * Locks, outermost first: a context's ring_lock (a mutex: readers of the
 * ring, who copy to the program), aio_table_lock (every address space's
 * table, aio-nr, and whether a context is in its table), a context's lock (spinlock with interrupts off: a
 * completion may come from a waker's callback). */
#include "linux/aio.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/mutex.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "core/waitq.h"
#include "linux/aio_internal.h"

#define MAX_CPUS 64

struct aio_ctx {
	bool in_table;		/* under aio_table_lock */
	struct mm *mm;		/* whose table: not referenced, the teardown hook ends ctx first */
	uint64_t user_id;	/* where the ring is mapped: under aio_table_lock once in the table */
	uint32_t id;		/* its index, as ring->id says */
	unsigned max_reqs;	/* what io_setup asked: aio-nr's share */
	unsigned nr_events;	/* the ring's slots: trusted, unlike ring->nr */
	unsigned req_batch;	/* slots a CPU takes from the pool at a time */
	size_t npages;
	struct aio_pages *pages;
	int refs;		/* the table's, each lookup's, each request's; atomic */

	struct spinlock lock;	/* guards the fields below */
	bool dead;
	unsigned tail;		/* the kernel's own: where the next event goes */
	unsigned completed;	/* events posted since slots were last taken back */
	unsigned reqs_available;	/* the pool */
	unsigned cpu_reqs[MAX_CPUS];	/* each CPU's batch */
	struct list active;	/* struct aio_pending */

	struct mutex ring_lock;	/* io_getevents: one reader moves head at a time */
	struct waitq wait;	/* io_getevents, and a destroyer waiting for refs */
};

static unsigned long events_nr;	/* aio-nr, under aio_table_lock */

unsigned aio_ring_size(const struct aio_ctx *ctx) { return ctx->nr_events; }

unsigned long aio_nr(void) { return __atomic_load_n(&events_nr, __ATOMIC_RELAXED); }

static struct aio_ring *ring_of(struct aio_ctx *ctx) { return aio_pages_at(ctx->pages, 0); }

/* ---- references --------------------------------------------------------------- */

void aio_hold(struct aio_ctx *ctx) { __atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED); }

/* The destroyer waits on ctx->wait for the last reference but its own,
 * so a put of a dead context wakes it, inside ctx->lock: once the
 * destroyer, holding that lock, sees the count it waits for, no put is
 * still touching ctx. */
void aio_put(struct aio_ctx *ctx)
{
	uint64_t flags = spin_lock_irqsave(&ctx->lock);

	__atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL);
	if (ctx->dead)
		waitq_wake_all(&ctx->wait);
	spin_unlock_irqrestore(&ctx->lock, flags);
}

static void ctx_free(struct aio_ctx *ctx)
{
	aio_pages_put(ctx->pages);
	kfree(ctx);
}

/* ---- the table ---------------------------------------------------------------- */

/* Into the table, counted in aio-nr: -EAGAIN past aio-max-nr, -ENOMEM. */
static long table_add(struct aio_ctx *ctx)
{
	long err = -EAGAIN;

	aio_table_lock();
	if (events_nr + ctx->max_reqs <= AIO_MAX_NR && !(err = aio_table_insert(ctx->mm, ctx, &ctx->id))) {
		events_nr += ctx->max_reqs;
		ctx->in_table = true;
		ring_of(ctx)->id = ctx->id;
	}
	aio_table_unlock();
	return err;
}

/* A program may mremap its ring (CRIU does): on Linux the ring's
 * mremap hook makes the new address the context's.  Here the first call
 * that names the new address, where the whole ring now starts, does.
 * Caller holds aio_table_lock. */
static bool named_by(struct aio_ctx *ctx, uint64_t ctx_id)
{
	if (ctx->user_id == ctx_id)
		return true;
	if (!aio_pages_mapped_at(ctx->pages, ctx->mm, ctx_id))
		return false;
	ctx->user_id = ctx_id;
	return true;
}

struct aio_ctx *aio_lookup(uint64_t ctx_id)
{
	struct aio_ctx *ctx;
	uint32_t id;

	if (copy_from_user(&id, ctx_id + offsetof(struct aio_ring, id), sizeof id))
		return NULL;
	aio_table_lock();
	ctx = aio_table_find(mm_current(), id);
	if (ctx && named_by(ctx, ctx_id))
		aio_hold(ctx);
	else
		ctx = NULL;
	aio_table_unlock();
	return ctx;
}

/* ---- io_setup ----------------------------------------------------------------- */

/* Linux's sizes: twice what was asked (at least 4 per CPU) and two more
 * ("1 is required, 2 for good luck"), rounded up to whole pages of
 * events; the pool is one less than the ring. */
static long ctx_sizes(struct aio_ctx *ctx, unsigned nr)
{
	unsigned cpus = (unsigned)ncpus;
	/* in 32 bits, as Linux: a count that wraps to 0 is EAGAIN */
	unsigned events = (nr > cpus * 4 ? nr : cpus * 4) * 2;

	if (events > 0x10000000u / sizeof(struct io_event))
		return -EINVAL;
	if (!events || nr > AIO_MAX_NR)
		return -EAGAIN;
	ctx->npages = (sizeof(struct aio_ring) + ((uint64_t)events + 2) * sizeof(struct io_event) + PAGE_SIZE - 1) / PAGE_SIZE;
	ctx->nr_events = (unsigned)((ctx->npages * PAGE_SIZE - sizeof(struct aio_ring)) / sizeof(struct io_event));
	ctx->max_reqs = nr;
	ctx->reqs_available = ctx->nr_events - 1;
	ctx->req_batch = (ctx->nr_events - 1) / (cpus * 4);
	if (ctx->req_batch < 1)
		ctx->req_batch = 1;
	return 0;
}

static void ring_init(struct aio_ctx *ctx)
{
	*ring_of(ctx) = (struct aio_ring){ .id = ~0u, .nr = ctx->nr_events, .magic = AIO_RING_MAGIC,
					   .compat_features = AIO_RING_COMPAT,
					   .header_length = sizeof(struct aio_ring) };
}

long aio_setup(unsigned nr, uint64_t *ctx_id)
{
	struct aio_ctx *ctx = kmalloc_program(sizeof *ctx);

	if (!ctx)
		return -ENOMEM;
	memset(ctx, 0, sizeof *ctx);
	long err = ctx_sizes(ctx, nr);
	if (err) {
		kfree(ctx);
		return err;
	}
	ctx->lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&ctx->active);
	mutex_init(&ctx->ring_lock);
	waitq_init(&ctx->wait);
	ctx->refs = 1;	/* the table's */
	ctx->mm = mm_current();
	if (!(ctx->pages = aio_pages_new(ctx->npages))) {
		kfree(ctx);
		return -ENOMEM;
	}
	ring_init(ctx);
	long at = aio_pages_map(ctx->pages, ctx->mm);
	ctx->user_id = (uint64_t)at;	/* before lookups can find it */
	if (at < 0 || (err = table_add(ctx))) {
		if (at >= 0)
			vm_unmap(ctx->mm, (uint64_t)at, ctx->npages * PAGE_SIZE);
		ctx_free(ctx);
		return at < 0 ? at : err;
	}
	*ctx_id = (uint64_t)at;
	return 0;
}

/* ---- slots -------------------------------------------------------------------- */

static unsigned events_in_ring(struct aio_ctx *ctx, unsigned head)
{
	head %= ctx->nr_events;
	return head <= ctx->tail ? ctx->tail - head : ctx->nr_events - (head - ctx->tail);
}

/* Slots of events the program has reaped (head, which it may have moved
 * itself) go back to this CPU.  Caller holds ctx->lock. */
static void put_slots(struct aio_ctx *ctx, unsigned n)
{
	unsigned *mine = &ctx->cpu_reqs[this_cpu()->id % MAX_CPUS];

	*mine += n;
	while (*mine >= ctx->req_batch * 2) {
		*mine -= ctx->req_batch;
		ctx->reqs_available += ctx->req_batch;
	}
}

static void refill_slots(struct aio_ctx *ctx, unsigned head)
{
	unsigned in_ring = events_in_ring(ctx, head);
	unsigned reaped = ctx->completed > in_ring ? ctx->completed - in_ring : 0;

	if (reaped) {
		ctx->completed -= reaped;
		put_slots(ctx, reaped);
	}
}

/* Caller holds ctx->lock. */
static bool take_slot(struct aio_ctx *ctx)
{
	unsigned *mine = &ctx->cpu_reqs[this_cpu()->id % MAX_CPUS];

	if (!*mine) {
		if (ctx->reqs_available < ctx->req_batch)
			return false;
		ctx->reqs_available -= ctx->req_batch;
		*mine = ctx->req_batch;
	}
	(*mine)--;
	return true;
}

long aio_get_slot(struct aio_ctx *ctx)
{
	uint64_t flags = spin_lock_irqsave(&ctx->lock);
	bool ok = take_slot(ctx);

	if (!ok && ctx->completed) {
		refill_slots(ctx, __atomic_load_n(&ring_of(ctx)->head, __ATOMIC_RELAXED));
		ok = take_slot(ctx);
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
	return ok ? 0 : -EAGAIN;
}

void aio_put_slot(struct aio_ctx *ctx)
{
	uint64_t flags = spin_lock_irqsave(&ctx->lock);

	put_slots(ctx, 1);
	spin_unlock_irqrestore(&ctx->lock, flags);
}

/* ---- completions -------------------------------------------------------------- */

void aio_complete(struct aio_ctx *ctx, const struct io_event *ev)
{
	uint64_t flags = spin_lock_irqsave(&ctx->lock);
	unsigned pos = ctx->tail + AIO_EVENTS_OFFSET;
	struct aio_ring *ring = ring_of(ctx);

	memcpy(aio_pages_at(ctx->pages, pos * sizeof *ev), ev, sizeof *ev);
	if (++ctx->tail >= ctx->nr_events)
		ctx->tail = 0;
	/* the event before the tail that announces it (libaio reads the
	 * ring without entering the kernel) */
	__atomic_store_n(&ring->tail, ctx->tail, __ATOMIC_RELEASE);
	if (++ctx->completed > 1)
		refill_slots(ctx, __atomic_load_n(&ring->head, __ATOMIC_RELAXED));
	spin_unlock_irqrestore(&ctx->lock, flags);
	waitq_wake_all(&ctx->wait);
	aio_put(ctx);
}

/* ---- cancellable requests ----------------------------------------------------- */

bool aio_pending_add(struct aio_ctx *ctx, struct aio_pending *p)
{
	uint64_t flags = spin_lock_irqsave(&ctx->lock);
	bool live = !ctx->dead;

	if (live)
		list_add_tail(&ctx->active, &p->link);
	spin_unlock_irqrestore(&ctx->lock, flags);
	return live;
}

bool aio_pending_del(struct aio_ctx *ctx, struct aio_pending *p)
{
	uint64_t flags = spin_lock_irqsave(&ctx->lock);
	bool was = !list_empty(&p->link);

	list_del(&p->link);
	spin_unlock_irqrestore(&ctx->lock, flags);
	return was;
}

long aio_cancel(struct aio_ctx *ctx, uint64_t obj)
{
	uint64_t flags = spin_lock_irqsave(&ctx->lock);
	long err = -EINVAL;
	struct list *l;

	list_for_each(l, &ctx->active) {
		struct aio_pending *p = list_entry(l, struct aio_pending, link);
		if (p->obj == obj) {
			list_del(&p->link);
			p->cancel(p);
			err = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
	return err;
}

/* ---- io_getevents ------------------------------------------------------------- */

/* Copies up to nr events from head on, one page's run at a time: how
 * many, 0 for none, -EFAULT (head left where it was, as on Linux).
 * Caller holds ctx->ring_lock. */
static long read_ring(struct aio_ctx *ctx, uint64_t uevents, long nr)
{
	struct aio_ring *ring = ring_of(ctx);
	unsigned head = __atomic_load_n(&ring->head, __ATOMIC_RELAXED) % ctx->nr_events;
	uint64_t flags = spin_lock_irqsave(&ctx->lock);
	unsigned tail = ctx->tail;
	long n = 0;

	spin_unlock_irqrestore(&ctx->lock, flags);
	while (n < nr && head != tail) {
		unsigned pos = head + AIO_EVENTS_OFFSET;
		long run = (head <= tail ? tail : ctx->nr_events) - head;
		long page_left = AIO_EVENTS_PER_PAGE - pos % AIO_EVENTS_PER_PAGE;
		run = run < nr - n ? run : nr - n;
		run = run < page_left ? run : page_left;
		if (copy_to_user(uevents + (uint64_t)n * sizeof(struct io_event),
				 aio_pages_at(ctx->pages, pos * sizeof(struct io_event)),
				 (size_t)run * sizeof(struct io_event)))
			return -EFAULT;
		n += run;
		head = (head + (unsigned)run) % ctx->nr_events;
	}
	if (n)
		__atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
	return n;
}

/* One look: true when the call is done (*got >= min_nr, or an error or a
 * dead context to report). */
static bool read_events(struct aio_ctx *ctx, long min_nr, long nr, uint64_t uevents, long *got)
{
	mutex_lock(&ctx->ring_lock);
	long r = read_ring(ctx, uevents + (uint64_t)*got * sizeof(struct io_event), nr - *got);
	mutex_unlock(&ctx->ring_lock);
	if (r > 0)
		*got += r;
	if (__atomic_load_n(&ctx->dead, __ATOMIC_ACQUIRE))
		r = -EINVAL;
	if (!*got)
		*got = r;
	return r < 0 || *got >= min_nr;
}

/* Whether read_events could find something new (or must report death).
 * Caller holds ctx->lock. */
static bool worth_looking(struct aio_ctx *ctx)
{
	return ctx->dead || __atomic_load_n(&ring_of(ctx)->head, __ATOMIC_RELAXED) % ctx->nr_events != ctx->tail;
}

long aio_getevents(struct aio_ctx *ctx, long min_nr, long nr, uint64_t uevents, uint64_t deadline)
{
	long got = 0;

	if (read_events(ctx, min_nr, nr, uevents, &got) || deadline == UINT64_MAX)
		return got;
	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&ctx->lock);
		bool look = worth_looking(ctx);
		if (!look)
			waitq_prepare(&ctx->wait, &w);
		spin_unlock_irqrestore(&ctx->lock, flags);
		if (!look)
			waitq_sleep_interruptible(&ctx->wait, &w, deadline);
		if (read_events(ctx, min_nr, nr, uevents, &got) || thread_signalled() ||
		    (deadline && clock_ns() >= deadline))
			return got;
		if (look)
			sched_yield();	/* events another reader is taking: let it */
	}
}

/* ---- the end of a context ----------------------------------------------------- */

/* Out of the table: false if it was out already.  Then every pending
 * request is asked to end, and the caller waits for them (ctx_drain). */
static bool ctx_kill(struct aio_ctx *ctx)
{
	aio_table_lock();
	bool live = ctx->in_table;
	if (live) {
		aio_table_remove(ctx->mm, ctx->id);
		ctx->in_table = false;
		events_nr -= ctx->max_reqs;
	}
	aio_table_unlock();
	if (!live)
		return false;
	uint64_t flags = spin_lock_irqsave(&ctx->lock);
	__atomic_store_n(&ctx->dead, true, __ATOMIC_RELEASE);
	while (!list_empty(&ctx->active)) {
		struct aio_pending *p = list_entry(ctx->active.next, struct aio_pending, link);
		list_del(&p->link);
		p->cancel(p);
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
	waitq_wake_all(&ctx->wait);
	return true;
}

/* Waits, not interruptibly (as Linux), until only the caller's reference
 * (held since lookup) and the table's (given up here) are left; frees. */
static void ctx_drain(struct aio_ctx *ctx)
{
	aio_put(ctx);	/* the table's */
	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&ctx->lock);
		bool done = __atomic_load_n(&ctx->refs, __ATOMIC_ACQUIRE) == 1;
		if (!done)
			waitq_prepare(&ctx->wait, &w);
		spin_unlock_irqrestore(&ctx->lock, flags);
		if (done)
			break;
		waitq_sleep(&ctx->wait, &w);
	}
	ctx_free(ctx);
}

long aio_destroy(struct aio_ctx *ctx)
{
	if (!ctx_kill(ctx)) {
		aio_put(ctx);
		return -EINVAL;
	}
	/* whatever is mapped there now goes, as Linux's vm_munmap of it */
	vm_unmap(mm_current(), ctx->user_id, ctx->npages * PAGE_SIZE);
	ctx_drain(ctx);
	return 0;
}

/* The address space's last user is leaving: its contexts end, their
 * requests waited for; the mappings go after, with the rest. */
static void aio_mm_teardown(struct mm *mm)
{
	for (;;) {
		aio_table_lock();
		struct aio_ctx *ctx = aio_table_any(mm);
		if (ctx)
			aio_hold(ctx);
		aio_table_unlock();
		if (!ctx)
			return;
		if (ctx_kill(ctx))
			ctx_drain(ctx);
		else
			aio_put(ctx);
	}
}

void aio_init(void) { mm_set_teardown_hook(aio_mm_teardown); }
