/* The block layer's core (blk.h): the registry of disks and partitions,
 * per-CPU batches with merging, and completion.  The synchronous helpers
 * are in blk_sync.c, partition tables in blk_part.c.
 *
 * A batch belongs to a CPU and is guarded by its own lock (a thread may
 * move to another CPU between blk_submit and blk_unplug, so blk_unplug
 * hands every CPU's waiting batch to the drivers, not only its own).  The
 * requests of a batch go to the hardware queue of the CPU they were
 * queued on. */
#include "dev/blk.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "dev/blk_internal.h"

struct batch {
	struct spinlock lock;		/* guards reqs and the counts */
	struct list reqs;
	uint64_t read_bytes, written_bytes;	/* asked of the disks (blk_io_totals) */
} __attribute__((aligned(64)));

static struct batch batches[MAX_CPUS];

/* Requests merged into one: the driver sees req; each of parts (linked
 * by their own link field) completes with its status. */
struct merged {
	struct blk_req req;
	struct list parts;
};

void blk_batches_init(void)
{
	for (int i = 0; i < MAX_CPUS; i++)
		list_init(&batches[i].reqs);
}

/* ---- completion ---------------------------------------------------------------- */

static void log_error(struct blk_dev *d, const struct blk_req *r, int status)
{
	if (__atomic_exchange_n(&d->error_logged, true, __ATOMIC_ACQ_REL))
		return;
	static const char *const ops[] = { "read", "write", "flush", "discard" };
	printk("%s: %s error (%d) at sector %lu; later errors on it are not logged\n", d->name,
	       ops[r->op], status, r->sector);
}

void blk_complete(struct blk_req *r, int status)
{
	if (status > 0 || status < -4095)
		status = -EIO;	/* a driver's bad value is still a failure */
	if (status && r->dev)
		log_error(r->dev, r, status);
	r->status = status;
	r->done(r);
}

static void merged_done(struct blk_req *m)
{
	struct merged *mg = container_of(m, struct merged, req);
	struct list *pos, *n;

	list_for_each_safe(pos, n, &mg->parts) {
		struct blk_req *r = list_entry(pos, struct blk_req, link);
		list_del(pos);
		r->status = m->status;
		r->done(r);
	}
	kfree(mg);
}

/* ---- merging ------------------------------------------------------------------ */

static bool page_edge(uint64_t pa) { return (pa & 4095) == 0; }

/* Whether r's segments may follow t's in one request (blk.h's rule on
 * page boundaries), and how many segments that takes. */
static bool segs_fit(const struct blk_req *t, const struct blk_req *r, unsigned *nsegs)
{
	const struct blk_seg *last = &t->segs[t->nsegs - 1], *first = &r->segs[0];
	bool joined = last->pa + last->len == first->pa;

	if (!joined && (!page_edge(last->pa + last->len) || !page_edge(first->pa)))
		return false;
	*nsegs = t->nsegs + r->nsegs - joined;
	return *nsegs <= BLK_MAX_SEGS;
}

static bool can_merge(const struct blk_req *t, const struct blk_req *r, unsigned *nsegs)
{
	struct blk_dev *d = r->dev;

	return t->dev == d && t->op == r->op && (r->op == BLK_READ || r->op == BLK_WRITE) &&
	       t->sector + t->count == r->sector && t->nsegs && r->nsegs &&
	       (uint64_t)t->count + r->count <= d->max_count && segs_fit(t, r, nsegs);
}

/* t (in the batch) becomes a merged request if it is not one yet; NULL
 * when memory is short (then nothing merges). */
static struct merged *as_merged(struct blk_req *t)
{
	if (t->done == merged_done)
		return container_of(t, struct merged, req);
	struct merged *mg = kmalloc(sizeof *mg);
	if (!mg)
		return NULL;
	mg->req = *t;
	mg->req.done = merged_done;
	mg->req.priv = NULL;
	list_init(&mg->parts);
	list_insert_between(&mg->req.link, t->link.prev, t->link.next);
	list_init(&t->link);
	list_add_tail(&mg->parts, &t->link);
	return mg;
}

static void append_segs(struct blk_req *t, const struct blk_req *r)
{
	unsigned i = 0;
	struct blk_seg *last = &t->segs[t->nsegs - 1];

	if (last->pa + last->len == r->segs[0].pa)
		last->len += r->segs[i++].len;
	for (; i < r->nsegs; i++)
		t->segs[t->nsegs++] = r->segs[i];
	t->count += r->count;
}

/* Caller holds b->lock. */
static bool try_merge(struct batch *b, struct blk_req *r)
{
	unsigned nsegs;

	if (list_empty(&b->reqs))
		return false;
	struct blk_req *t = list_entry(b->reqs.prev, struct blk_req, link);
	if (!can_merge(t, r, &nsegs))
		return false;
	struct merged *mg = as_merged(t);
	if (!mg)
		return false;
	append_segs(&mg->req, r);
	list_add_tail(&mg->parts, &r->link);
	return true;
}

/* ---- submission ------------------------------------------------------------------ */

/* A partition's request goes to its disk, shifted; one outside the device
 * or not allowed on it fails at once. */
static int remap(struct blk_dev *d, struct blk_req *r)
{
	if ((r->op == BLK_WRITE || r->op == BLK_DISCARD) && d->read_only)
		return -EROFS;
	if (r->op != BLK_FLUSH && (r->sector > d->nsectors || r->count > d->nsectors - r->sector))
		return -EINVAL;
	if (r->op == BLK_DISCARD && !d->discard)
		return -EOPNOTSUPP;
	if (r->nsegs > BLK_MAX_SEGS)
		return -EINVAL;
	if (d->parent) {
		if (r->op != BLK_FLUSH)
			r->sector += d->start;
		d = d->parent;
	}
	r->dev = d;
	return d->gone ? -EIO : 0;
}

void blk_submit(struct blk_dev *d, struct blk_req *r)
{
	int err = remap(d, r);

	if (err) {
		r->dev = NULL;	/* not the device's failure: not logged */
		r->status = err;
		r->done(r);
		return;
	}
	uint64_t f = irq_save();
	struct batch *b = &batches[this_cpu()->id];
	spin_lock(&b->lock);
	if (r->op == BLK_READ)
		b->read_bytes += (uint64_t)r->count * d->sector_size;
	else if (r->op == BLK_WRITE)
		b->written_bytes += (uint64_t)r->count * d->sector_size;
	if (!try_merge(b, r))
		list_add_tail(&b->reqs, &r->link);
	spin_unlock(&b->lock);
	irq_restore(f);
}

void blk_io_totals(uint64_t *read_bytes, uint64_t *written_bytes)
{
	*read_bytes = *written_bytes = 0;
	for (int k = 0; k < ncpus; k++) {
		uint64_t f = spin_lock_irqsave(&batches[k].lock);
		*read_bytes += batches[k].read_bytes;
		*written_bytes += batches[k].written_bytes;
		spin_unlock_irqrestore(&batches[k].lock, f);
	}
}

/* Hands reqs (all for disk d) to queue q, or fails them if d left. */
static void hand_over(struct blk_dev *d, unsigned q, struct list *reqs)
{
	if (!d->gone) {
		d->ops->submit(d, q % d->nqueues, reqs);
		return;
	}
	while (!list_empty(reqs)) {
		struct blk_req *r = list_entry(reqs->next, struct blk_req, link);
		list_del(&r->link);
		blk_complete(r, -EIO);
	}
}

/* Sends CPU cpu's batch, one list per disk. */
static void unplug_cpu(int cpu)
{
	struct batch *b = &batches[cpu];
	struct list all, one;

	list_init(&all);
	uint64_t f = spin_lock_irqsave(&b->lock);
	if (!list_empty(&b->reqs)) {
		list_insert_between(&all, b->reqs.prev, b->reqs.next);
		list_init(&b->reqs);
	}
	spin_unlock_irqrestore(&b->lock, f);
	while (!list_empty(&all)) {
		struct blk_dev *d = list_entry(all.next, struct blk_req, link)->dev;
		struct list *pos, *n;
		list_init(&one);
		list_for_each_safe(pos, n, &all) {
			if (list_entry(pos, struct blk_req, link)->dev == d) {
				list_del(pos);
				list_add_tail(&one, pos);
			}
		}
		hand_over(d, (unsigned)cpu, &one);
	}
}

void blk_unplug(void)
{
	for (int cpu = 0; cpu < ncpus; cpu++)
		if (!list_empty(&batches[cpu].reqs))	/* a stale look only skips work queued meanwhile
							 * by another thread, which unplugs it itself */
			unplug_cpu(cpu);
}

void blk_gone(struct blk_dev *d)
{
	d->gone = true;
	printk("%s: the device left; its requests fail from now on\n", d->name);
}
