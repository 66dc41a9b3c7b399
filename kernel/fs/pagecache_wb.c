/* Writeback: dirty pages to the device, a batch at a time in the order they
 * were dirtied (a file written front to back goes out in long requests).
 * A page keeps its place on the dirty list while it is written, so a sync
 * that finds it in flight waits for that write rather than returning
 * before it reached the device.  A page a shared mapping may store into
 * is written every time and stays listed until no mapping holds it.
 *
 * Dirty limits, Linux's balance_dirty_pages idea in small: past a tenth of
 * RAM dirty, a writer writes back its device's pages itself before going
 * on; past half that, the thread is woken to start early.  The thread
 * also wakes every 5 s, writes back everything and syncs every mounted
 * file system (their journal commit interval). */
#include "fs/pagecache_internal.h"

#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/timer.h"
#include "fs/mount.h"
#include "fs/pagecache_io.h"

#define BATCH		128		/* pages per round of requests */
#define INTERVAL_NS	5000000000ull

static uint64_t dirty_limit(void)
{
	uint64_t n = page_total_count() / 10;
	return n > 256 ? n : 256;
}

/* Takes up to BATCH pages to write into batch: dirty (or shared) pages
 * matching the filter and not yet written in this pass; *busy if one is
 * being written by someone else.  Caller holds pc.lock. */
static unsigned take_batch(struct cpage **batch, struct blk_dev *dev, struct pcache_file *file, uint64_t lo,
			   uint64_t hi, unsigned pass, bool *busy)
{
	struct list *e;
	unsigned n = 0;

	list_for_each(e, &pc.dirty) {
		struct cpage *p = list_entry(e, struct cpage, dlink);
		if ((file && p->file != file) || (dev && p->file->dev != dev) || p->idx < lo || p->idx > hi ||
		    p->pass == pass)
			continue;
		if (p->flags & PG_WRITEBACK) {
			*busy = true;
			continue;
		}
		if (!(p->flags & (PG_DIRTY | PG_SHARED)) || (p->flags & PG_BUSY))
			continue;
		dev = p->file->dev;	/* one device per round */
		p->flags |= PG_WRITEBACK;
		p->pass = pass;
		p->users++;
		if (p->flags & PG_DIRTY) {
			p->flags &= ~PG_DIRTY;
			pc.ndirty--;
		}
		/* Only the cache holds it: no mapping can store into it after
		 * this last write. */
		if ((p->flags & PG_SHARED) && page_ref_count(virt_to_phys(p->data)) == 1)
			p->flags &= ~PG_SHARED;
		batch[n++] = p;
		if (n == BATCH)
			break;
	}
	return n;
}

static int write_batch(struct cpage **batch, unsigned n)
{
	struct pcache_io io;

	pcache_io_start(&io, batch[0]->file->dev, BLK_WRITE);
	for (unsigned j = 0; j < n; j++) {
		struct pcache_file *f = batch[j]->file;
		for (unsigned k = 0; k < f->npieces; k++)
			if (batch[j]->disk[k])
				pcache_io_add(&io, batch[j]->disk[k],
					      virt_to_phys(batch[j]->data) + ((uint64_t)k << f->piece_shift),
					      1u << f->piece_shift);
	}
	int err = pcache_io_wait(&io);
	spin_lock(&pc.lock);
	for (unsigned j = 0; j < n; j++) {
		struct cpage *p = batch[j];
		p->flags &= ~PG_WRITEBACK;
		if (err)
			p->file->err = err;	/* fsync reports it once */
		if (!(p->flags & (PG_DIRTY | PG_SHARED))) {
			p->flags &= ~PG_LISTED;
			list_del(&p->dlink);
		}
		p->users--;
	}
	spin_unlock(&pc.lock);
	waitq_wake_all(&pc.wq);
	return err;
}

int pcache_wb(struct blk_dev *dev, struct pcache_file *file, uint64_t lo, uint64_t hi)
{
	struct cpage *batch[BATCH];
	int first = 0;

	spin_lock(&pc.lock);
	unsigned pass = ++pc.pass;
	for (;;) {
		bool busy = false;
		unsigned n = take_batch(batch, dev, file, lo, hi, pass, &busy);
		if (!n && !busy)
			break;
		if (!n) {
			pcache_wait_locked();
			continue;
		}
		spin_unlock(&pc.lock);
		int err = write_batch(batch, n);
		if (err && !first)
			first = err;
		spin_lock(&pc.lock);
	}
	spin_unlock(&pc.lock);
	return first;
}

int pcache_writeback(struct blk_dev *dev) { return pcache_wb(dev, NULL, 0, UINT64_MAX); }

void pcache_balance(struct pcache_file *f)
{
	uint64_t dirty = __atomic_load_n(&pc.ndirty, __ATOMIC_RELAXED), limit = dirty_limit();

	if (dirty > limit / 2)
		waitq_wake_all(&pc.kick);
	if (dirty > limit)
		(void)pcache_wb(f->dev, NULL, 0, UINT64_MAX);
}

/* A new block above a page: zeroes over all of it on the device now, under
 * the file system's lock (so no sync commits the block's mapping first);
 * the page that allocated it is written over them later. */
int pcache_zero_block(struct pcache_file *f, uint64_t pblk, uint64_t pos)
{
	struct pcache_io io;

	(void)pos;
	pcache_io_start(&io, f->dev, BLK_WRITE);
	for (uint64_t at = 0; at < (1ull << f->log_block); at += PAGE_SIZE)
		pcache_io_add(&io, (pblk << f->log_block) + at, virt_to_phys(zero_page), PAGE_SIZE);
	return pcache_io_wait(&io);
}

static void wb_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct waiter w;
		uint64_t deadline = clock_ns() + INTERVAL_NS;
		waitq_prepare(&pc.kick, &w);
		waitq_sleep_until(&pc.kick, &w, deadline);
		(void)pcache_writeback(NULL);
		if (clock_ns() >= deadline)
			(void)mount_sync_all();
	}
}

void pcache_start(void)
{
	static volatile int started;

	if (__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL))
		return;
	struct thread *t = thread_create("pcache-wb", wb_thread, NULL);
	if (t)
		thread_start(t);
	else
		__atomic_store_n(&started, 0, __ATOMIC_RELEASE);	/* the next attach tries again */
}
