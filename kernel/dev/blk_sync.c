/* The block layer's synchronous helpers (blk.h): split a transfer into
 * requests of page-sized segments, submit them, and sleep until all are
 * done.  Memory that is not physically contiguous (a kernel stack) goes
 * through bounce pages.
 *
 * At boot, drivers register their disks (and the partition tables are
 * read) from CPU 0's idle thread, which may not sleep: it halts until the
 * completion interrupt instead. */
#include "dev/blk.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/waitq.h"

#define INFLIGHT	8	/* requests per round */
#define BOUNCE_PAGES	32

void blk_wait_init(struct blk_wait *w)
{
	*w = (struct blk_wait){ SPINLOCK_INIT, 0, 0, { SPINLOCK_INIT, LIST_INIT(w->wq.waiters) } };
}

/* w lives on the waiter's stack: the wake-up happens under w->lock, so
 * the waiter, which looks at pending under it too, cannot return (and
 * drop w) before the last touch here, the unlock. */
static void wait_done(struct blk_req *r)
{
	struct blk_wait *w = r->priv;

	spin_lock(&w->lock);
	if (r->status && !w->status)
		w->status = r->status;
	if (!--w->pending)
		waitq_wake_all(&w->wq);
	spin_unlock(&w->lock);
}

void blk_wait_submit(struct blk_wait *w, struct blk_dev *d, struct blk_req *r)
{
	uint64_t f = spin_lock_irqsave(&w->lock);
	w->pending++;
	spin_unlock_irqrestore(&w->lock, f);
	r->done = wait_done;
	r->priv = w;
	blk_submit(d, r);
}

void blk_wait_fail(struct blk_wait *w, int err)
{
	uint64_t f = spin_lock_irqsave(&w->lock);
	if (!w->status)
		w->status = err;
	spin_unlock_irqrestore(&w->lock, f);
}

static bool wait_finished(struct blk_wait *w)
{
	spin_lock(&w->lock);
	bool done = !w->pending;
	spin_unlock(&w->lock);
	return done;
}

int blk_wait_finish(struct blk_wait *w)
{
	struct waiter sleeper;

	blk_unplug();
	if (current() == this_cpu()->idle_thread) {
		uint64_t f = irq_save();
		while (!wait_finished(w))
			arch_cpu_idle();	/* sti; hlt: the interrupt cannot slip in between */
		irq_restore(f);
		return w->status;
	}
	for (;;) {
		uint64_t f = spin_lock_irqsave(&w->lock);
		if (!w->pending) {
			spin_unlock_irqrestore(&w->lock, f);
			return w->status;
		}
		waitq_prepare(&w->wq, &sleeper);
		spin_unlock_irqrestore(&w->lock, f);
		waitq_sleep(&w->wq, &sleeper);
	}
}

/* Submits reqs[0..n) and waits for all: 0 or the first -errno. */
static int run(struct blk_dev *d, struct blk_req *reqs, int n)
{
	struct blk_wait w;

	blk_wait_init(&w);
	for (int i = 0; i < n; i++)
		blk_wait_submit(&w, d, &reqs[i]);
	return blk_wait_finish(&w);
}

/* Adds to r's segments the next part of [pa, pa + len): page-split
 * segments, at most max sectors.  Returns the bytes it took. */
static uint64_t fill(struct blk_req *r, uint64_t pa, uint64_t len, uint32_t ssize, uint64_t max)
{
	uint64_t took = 0;

	while (took < len && r->nsegs < BLK_MAX_SEGS && took / ssize < max) {
		uint64_t in_page = PAGE_SIZE - ((pa + took) & (PAGE_SIZE - 1));
		uint64_t n = len - took < in_page ? len - took : in_page;
		if ((took + n) / ssize > max)
			n = max * ssize - took;
		r->segs[r->nsegs++] = (struct blk_seg){ pa + took, (uint32_t)n };
		took += n;
	}
	/* Whole sectors: a segment limit hit in mid-sector gives back the rest. */
	for (uint64_t cut = took % ssize; cut;) {
		struct blk_seg *last = &r->segs[r->nsegs - 1];
		uint64_t n = last->len < cut ? last->len : cut;
		last->len -= (uint32_t)n;
		cut -= n;
		took -= n;
		if (!last->len)
			r->nsegs--;
	}
	return took;
}

/* Physically contiguous memory [va, va + len): rounds of INFLIGHT
 * requests. */
static int transfer(struct blk_dev *d, enum blk_op op, uint64_t off, void *va, uint64_t len,
		    struct blk_req *reqs)
{
	uint64_t pa = virt_to_phys(va), done = 0;
	uint32_t ss = d->sector_size;
	uint64_t max = d->max_count ? d->max_count : ~0u;

	while (done < len) {
		int n = 0;
		for (; n < INFLIGHT && done < len; n++) {
			struct blk_req *r = &reqs[n];
			r->op = op;
			r->sector = (off + done) / ss;
			r->nsegs = 0;
			uint64_t took = fill(r, pa + done, len - done, ss, max);
			r->count = (uint32_t)(took / ss);
			done += took;
		}
		int err = run(d, reqs, n);
		if (err)
			return err;
	}
	return 0;
}

/* The direct map and the kernel image are contiguous; kernel stacks
 * (and anything else mapped page by page) are not. */
static bool contiguous(const void *va)
{
	uint64_t v = (uint64_t)va;

	return (v >= DIRECT_BASE && v < KSTACK_AREA) || v >= KERNEL_VMA;
}

static int bounced(struct blk_dev *d, enum blk_op op, uint64_t off, uint8_t *buf, uint64_t len,
		   struct blk_req *reqs)
{
	size_t pages = PAGE_ROUND_UP(len) / PAGE_SIZE < BOUNCE_PAGES ? PAGE_ROUND_UP(len) / PAGE_SIZE
								     : BOUNCE_PAGES;
	uint8_t *b;
	int err = 0;

	while (!(b = page_alloc_virt_uninit(pages)) && pages > 1)
		pages /= 2;
	if (!b)
		return -ENOMEM;
	uint64_t chunk = pages * PAGE_SIZE;
	for (uint64_t done = 0; done < len && !err; done += chunk) {
		uint64_t n = len - done < chunk ? len - done : chunk;
		if (op == BLK_WRITE)
			memcpy(b, buf + done, n);
		err = transfer(d, op, off + done, b, n, reqs);
		if (!err && op == BLK_READ)
			memcpy(buf + done, b, n);
	}
	page_free_virt(b, pages);
	return err;
}

static int rw(struct blk_dev *d, enum blk_op op, uint64_t off, void *buf, size_t len)
{
	if (off % d->sector_size || len % d->sector_size)
		return -EINVAL;
	if (off > blk_bytes(d) || len > blk_bytes(d) - off)
		return -EINVAL;
	if (op == BLK_WRITE && d->read_only)
		return -EROFS;
	if (!len)
		return 0;
	struct blk_req *reqs = kmalloc(sizeof *reqs * INFLIGHT);
	if (!reqs)
		return -ENOMEM;
	int err = contiguous(buf) ? transfer(d, op, off, buf, len, reqs) : bounced(d, op, off, buf, len, reqs);
	kfree(reqs);
	return err;
}

int blk_read(struct blk_dev *d, uint64_t off, void *buf, size_t len)
{
	return rw(d, BLK_READ, off, buf, len);
}

int blk_write(struct blk_dev *d, uint64_t off, const void *buf, size_t len)
{
	return rw(d, BLK_WRITE, off, (void *)buf, len);
}

static bool piece_ok(struct blk_dev *d, const struct blk_piece *p)
{
	uint32_t ss = d->sector_size;

	return !(p->off % ss) && !(p->len % ss) && p->off <= blk_bytes(d) && p->len <= blk_bytes(d) - p->off &&
	       contiguous(p->buf);
}

/* Whether piece p, from byte at on, may go on in r: r is empty, or ends
 * on the disk where the piece goes on. */
static bool continues(struct blk_dev *d, const struct blk_req *r, const struct blk_piece *p, uint32_t at)
{
	return !r->count || (r->sector + r->count) * d->sector_size == p->off + at;
}

/* Adds as much of piece p (from byte at on) to r as fits, r continued by
 * it.  Returns the bytes it took. */
static uint32_t add_piece(struct blk_dev *d, struct blk_req *r, const struct blk_piece *p, uint32_t at)
{
	uint32_t ss = d->sector_size;
	uint64_t max = d->max_count ? d->max_count : ~0u;

	if (!r->count) {
		r->op = BLK_WRITE;
		r->sector = (p->off + at) / ss;
		r->nsegs = 0;
	}
	uint32_t took = (uint32_t)fill(r, virt_to_phys((const uint8_t *)p->buf + at), p->len - at, ss, max - r->count);
	r->count += took / ss;
	return took;
}

int blk_write_pieces(struct blk_dev *d, const struct blk_piece *p, unsigned n)
{
	if (d->read_only)
		return -EROFS;
	for (unsigned k = 0; k < n; k++)
		if (!piece_ok(d, &p[k]))
			return -EINVAL;
	struct blk_req *reqs = kmalloc(sizeof *reqs * INFLIGHT);
	if (!reqs)
		return -ENOMEM;
	int err = 0;
	unsigned k = 0;
	uint32_t at = 0;	/* bytes of p[k] already in a request */
	while (k < n && !err) {
		int nr = 0;	/* the request being filled */
		reqs[0].count = 0;
		while (k < n && nr < INFLIGHT) {
			struct blk_req *r = &reqs[nr];
			at += continues(d, r, &p[k], at) ? add_piece(d, r, &p[k], at) : 0;
			if (at == p[k].len)
				k++, at = 0;
			else if (++nr < INFLIGHT)	/* r is full, or the piece lies elsewhere */
				reqs[nr].count = 0;
		}
		err = run(d, reqs, nr < INFLIGHT && reqs[nr].count ? nr + 1 : nr);
	}
	kfree(reqs);
	return err;
}

static int one(struct blk_dev *d, enum blk_op op, uint64_t sector, uint32_t count)
{
	struct blk_req *r = kmalloc(sizeof *r);

	if (!r)
		return -ENOMEM;
	r->op = op;
	r->sector = sector;
	r->count = count;
	r->nsegs = 0;
	int err = run(d, r, 1);
	kfree(r);
	return err;
}

int blk_flush(struct blk_dev *d)
{
	struct blk_dev *disk = d->parent ? d->parent : d;

	if (!disk->volatile_cache)
		return disk->gone ? -EIO : 0;
	return one(d, BLK_FLUSH, 0, 0);
}

int blk_discard(struct blk_dev *d, uint64_t off, uint64_t len)
{
	uint32_t ss = d->sector_size;
	uint64_t max = d->max_discard ? d->max_discard : d->max_count ? d->max_count : ~0u;
	int err = 0;

	if (off % ss || len % ss || off > blk_bytes(d) || len > blk_bytes(d) - off)
		return -EINVAL;
	if (d->read_only)
		return -EROFS;
	if (!d->discard)
		return -EOPNOTSUPP;
	for (uint64_t s = off / ss, end = (off + len) / ss; s < end && !err; s += max) {
		uint64_t n = end - s < max ? end - s : max;
		err = one(d, BLK_DISCARD, s, (uint32_t)n);
	}
	return err;
}
