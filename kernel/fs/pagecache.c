/* The page cache (fs/pagecache.h): pages looked up by (file, index) in one
 * hash, filled from the device a batch at a time (with readahead for
 * sequential reads), copied to and from read() and write(), and handed to
 * mappings by reference (core/page_alloc.h), so a page leaves the cache
 * while a mapping still holds it without being freed under it. */
#include "fs/pagecache_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/string.h"
#include "fs/file.h"
#include "fs/pagecache_io.h"
#include "fs/super.h"
#include "fs/vfs.h"

#define READAHEAD	32	/* pages a sequential read() brings in at once */
#define FILL_MAX	128	/* pages one fill reads */

struct pcache pc = {
	.lock = SPINLOCK_INIT,
	.lru = LIST_INIT(pc.lru),
	.dirty = LIST_INIT(pc.dirty),
	.wq = WAITQ_INIT(pc.wq),
	.kick = WAITQ_INIT(pc.kick),
};

uint64_t pcache_pages(void) { return pc.npages; }
uint64_t pcache_dirty_pages(void) { return pc.ndirty; }

/* Page descriptors come from pages of their own, never from kmalloc: the
 * allocator's reclaim hook, which frees them, may run inside kmalloc's lock.  Freed
 * ones wait on a list under pc.lock for the next page the cache takes. */
static struct cpage *free_descs;

static struct cpage *desc_alloc(void)
{
	spin_lock(&pc.lock);
	struct cpage *d = free_descs;
	if (d)
		free_descs = d->hnext;
	spin_unlock(&pc.lock);
	if (d)
		return d;
	struct cpage *page = page_alloc_virt(1);
	if (!page)
		return NULL;
	unsigned n = PAGE_SIZE / sizeof *page;
	spin_lock(&pc.lock);
	for (unsigned k = 1; k < n; k++) {
		page[k].hnext = free_descs;
		free_descs = &page[k];
	}
	spin_unlock(&pc.lock);
	return &page[0];
}

/* Caller holds pc.lock. */
static void desc_free(struct cpage *d)
{
	d->hnext = free_descs;
	free_descs = d;
}

static struct pcache_file *file_of(struct inode *i) { return i->pcache; }

void pcache_wait_locked(void)
{
	struct waiter w;

	waitq_prepare(&pc.wq, &w);
	spin_unlock(&pc.lock);
	waitq_sleep(&pc.wq, &w);
	spin_lock(&pc.lock);
}

/* One bucket per 8 pages of RAM, made at the first attach. */
static int hash_init(void)
{
	uint64_t n = 1024;

	while (n < page_total_count() / 8)
		n *= 2;
	size_t pages = (size_t)(n * sizeof *pc.hash / PAGE_SIZE);
	struct cpage **h = page_alloc_virt(pages ? pages : 1);
	if (!h)
		return -ENOMEM;
	spin_lock(&pc.lock);
	if (pc.hash)
		page_free_virt(h, pages ? pages : 1);
	else
		pc.hash = h, pc.hmask = n - 1;
	spin_unlock(&pc.lock);
	return 0;
}

static struct cpage **bucket(struct pcache_file *f, uint64_t idx)
{
	uint64_t k = ((uint64_t)f >> 6) ^ (idx * 0x9e3779b97f4a7c15ull);
	return &pc.hash[(k ^ (k >> 29)) & pc.hmask];
}

/* Caller holds pc.lock. */
static struct cpage *lookup(struct pcache_file *f, uint64_t idx)
{
	for (struct cpage *p = *bucket(f, idx); p; p = p->hnext)
		if (p->file == f && p->idx == idx)
			return p;
	return NULL;
}

int pcache_attach(struct inode *i, struct blk_dev *dev, unsigned log_block, const struct pcache_ops *ops)
{
	if (i->pcache)
		return 0;
	if (!pc.hash && hash_init())
		return -ENOMEM;
	struct pcache_file *f = kmalloc(sizeof *f);
	if (!f)
		return -ENOMEM;
	memset(f, 0, sizeof *f);
	f->inode = i;
	f->dev = dev;
	f->ops = ops;
	f->log_block = log_block;
	f->piece_shift = log_block < PAGE_SHIFT ? log_block : PAGE_SHIFT;
	f->npieces = 1u << (PAGE_SHIFT - f->piece_shift);
	list_init(&f->pages);
	spin_lock(&pc.lock);
	if (i->pcache) {
		spin_unlock(&pc.lock);
		kfree(f);
		return 0;
	}
	i->pcache = f;
	spin_unlock(&pc.lock);
	pcache_start();
	return 0;
}

/* Page idx of f with a use counted (made, not yet up to date, if absent
 * and create), or NULL (absent, or no memory: *err). */
static struct cpage *page_use(struct pcache_file *f, uint64_t idx, bool create, int *err)
{
	struct cpage *fresh = NULL;

	*err = 0;
	for (;;) {
		spin_lock(&pc.lock);
		struct cpage *p = lookup(f, idx);
		if (p || !fresh) {
			if (p) {
				p->users++;
				list_del(&p->lru);
				list_add_tail(&pc.lru, &p->lru);
			}
			spin_unlock(&pc.lock);
			if (p || !create) {
				if (fresh) {
					page_free_virt(fresh->data, 1);
					spin_lock(&pc.lock);
					desc_free(fresh);
					spin_unlock(&pc.lock);
				}
				return p;
			}
			if (!(fresh = desc_alloc()) || !(fresh->data = pcache_page_alloc())) {
				if (fresh) {
					spin_lock(&pc.lock);
					desc_free(fresh);
					spin_unlock(&pc.lock);
				}
				*err = -ENOMEM;
				return NULL;
			}
			memset(fresh->disk, 0, sizeof fresh->disk);
			fresh->file = f, fresh->idx = idx, fresh->flags = 0, fresh->users = 1, fresh->pass = 0;
			continue;	/* look again: another thread may have made it meanwhile */
		}
		struct cpage **b = bucket(f, idx);
		fresh->hnext = *b;
		*b = fresh;
		list_add_tail(&f->pages, &fresh->flink);
		list_add_tail(&pc.lru, &fresh->lru);
		pc.npages++;
		spin_unlock(&pc.lock);
		return fresh;
	}
}

/* Truncation and eviction wait for a page nobody uses (drop_or_wait). */
static void page_unuse(struct cpage *p)
{
	spin_lock(&pc.lock);
	bool idle = !--p->users;
	spin_unlock(&pc.lock);
	if (idle)
		waitq_wake_all(&pc.wq);
}

void pcache_free_page(struct cpage *p)
{
	struct cpage **b = bucket(p->file, p->idx);

	while (*b != p)
		b = &(*b)->hnext;
	*b = p->hnext;
	list_del(&p->flink);
	list_del(&p->lru);
	if (p->flags & PG_LISTED)
		list_del(&p->dlink);
	if (p->flags & PG_DIRTY)
		pc.ndirty--;
	pc.npages--;
	page_ref_put(virt_to_phys(p->data));	/* a mapping may hold it longer */
	desc_free(p);
}

/* p on the dirty list, for writeback to find.  Caller holds pc.lock. */
static void list_for_writeback(struct cpage *p)
{
	if (!(p->flags & PG_LISTED)) {
		p->flags |= PG_LISTED;
		list_add_tail(&pc.dirty, &p->dlink);
	}
}

void pcache_mark_dirty(struct cpage *p)
{
	if (!(p->flags & PG_DIRTY)) {
		p->flags |= PG_DIRTY;
		pc.ndirty++;
	}
	list_for_writeback(p);
}

/* What p holds failed to become the file's (a store without its block, a
 * copy from the program cut short): read it again at its next use, unless
 * it already holds what the file must keep.  Caller holds pc.lock. */
static void reread_unless_dirty(struct cpage *p)
{
	if (!(p->flags & (PG_DIRTY | PG_SHARED)))
		p->flags &= ~PG_UPTODATE;
}

/* Byte offset in the file of piece k of p. */
static uint64_t piece_pos(const struct cpage *p, unsigned k)
{
	return (p->idx << PAGE_SHIFT) + ((uint64_t)k << p->file->piece_shift);
}

/* The device offset of the piece at file offset pos, in block pblk. */
static uint64_t disk_of(const struct pcache_file *f, uint64_t pblk, uint64_t pos)
{
	return pblk ? (pblk << f->log_block) + (pos & ((1ull << f->log_block) - 1)) : 0;
}

/* Reads pages[0..n) (all PG_BUSY, ours) from the device: each piece's
 * block asked of the file system, holes zeroed, bytes past the end of the
 * file zeroed.  Then up to date (or not, on an error) and no longer busy. */
static int fill(struct pcache_file *f, struct cpage **pages, unsigned n)
{
	struct inode *i = f->inode;
	struct pcache_io io;
	int err = 0;

	/* One map call per run of blocks, not per piece: a map walks the
	 * file's block tree (and checks its checksums) each time. */
	uint64_t first = 0, start = 0, run = 0;
	f->ops->lock(i);
	for (unsigned j = 0; j < n && !err; j++)
		for (unsigned k = 0; k < f->npieces && !err; k++) {
			uint64_t pos = piece_pos(pages[j], k), lblk = pos >> f->log_block;
			if (lblk < first || lblk >= first + run) {
				first = lblk;
				err = f->ops->map(i, lblk, false, &start, NULL, &run);
			}
			pages[j]->disk[k] = disk_of(f, start ? start + (lblk - first) : 0, pos);
		}
	f->ops->unlock(i);
	pcache_io_start(&io, f->dev, BLK_READ);
	for (unsigned j = 0; j < n && !err; j++)
		for (unsigned k = 0; k < f->npieces; k++) {
			uint64_t at = (uint64_t)k << f->piece_shift;
			if (pages[j]->disk[k])
				pcache_io_add(&io, pages[j]->disk[k], virt_to_phys(pages[j]->data) + at,
					      1u << f->piece_shift);
			else
				memset(pages[j]->data + at, 0, 1u << f->piece_shift);
		}
	int ioerr = pcache_io_wait(&io);
	err = err ? err : ioerr;
	int64_t size = __atomic_load_n(&i->size, __ATOMIC_RELAXED);
	for (unsigned j = 0; j < n && !err; j++) {
		int64_t start = (int64_t)(pages[j]->idx << PAGE_SHIFT);
		if (size < start + (int64_t)PAGE_SIZE)
			memset(pages[j]->data + (size > start ? size - start : 0), 0,
			       PAGE_SIZE - (size_t)(size > start ? size - start : 0));
	}
	spin_lock(&pc.lock);
	for (unsigned j = 0; j < n; j++) {
		pages[j]->flags &= ~PG_BUSY;
		if (!err)
			pages[j]->flags |= PG_UPTODATE;
		if (j)
			pages[j]->users--;	/* readahead pages: nobody waits for them here */
	}
	spin_unlock(&pc.lock);
	waitq_wake_all(&pc.wq);
	return err;
}

/* Page idx of f, up to date, with a use counted (or NULL and *err).  A
 * page to read brings up to ra - 1 following absent ones within the file
 * with it. */
static struct cpage *page_ready(struct pcache_file *f, uint64_t idx, unsigned ra, int *err)
{
	struct cpage *p = page_use(f, idx, true, err);
	struct cpage *batch[FILL_MAX];

	if (!p)
		return NULL;
	spin_lock(&pc.lock);
	while (!(p->flags & PG_UPTODATE)) {
		if (p->flags & PG_BUSY) {
			pcache_wait_locked();
			continue;
		}
		p->flags |= PG_BUSY;
		spin_unlock(&pc.lock);
		unsigned n = 1;
		uint64_t end = pages_for(__atomic_load_n(&f->inode->size, __ATOMIC_RELAXED));
		ra = ra < FILL_MAX ? ra : FILL_MAX;
		while (n < ra && idx + n < end) {
			int e;
			struct cpage *q = page_use(f, idx + n, true, &e);
			if (!q)
				break;
			spin_lock(&pc.lock);
			bool take = !(q->flags & (PG_UPTODATE | PG_BUSY));
			if (take)
				q->flags |= PG_BUSY;
			spin_unlock(&pc.lock);
			if (!take) {
				page_unuse(q);
				break;
			}
			batch[n++] = q;
		}
		batch[0] = p;
		*err = fill(f, batch, n);
		if (*err) {
			page_unuse(p);
			return NULL;
		}
		spin_lock(&pc.lock);
	}
	spin_unlock(&pc.lock);
	return p;
}

long pcache_read(struct inode *i, const struct iobuf *b, int64_t pos)
{
	struct pcache_file *f = file_of(i);
	size_t done = 0;
	int err = 0;

	if (pos >= i->size)
		return 0;
	size_t n = (uint64_t)(i->size - pos) < b->len ? (size_t)(i->size - pos) : b->len;
	uint64_t first = (uint64_t)pos >> PAGE_SHIFT, last = ((uint64_t)pos + n - 1) >> PAGE_SHIFT;
	bool sequential = first == f->next_read || first + 1 == f->next_read;
	while (done < n) {
		uint64_t at = (uint64_t)pos + done, off = at & (PAGE_SIZE - 1), idx = at >> PAGE_SHIFT;
		size_t chunk = PAGE_SIZE - off < n - done ? PAGE_SIZE - off : n - done;
		uint64_t want = last - idx + 1;
		struct cpage *p = page_ready(f, idx, (unsigned)(sequential && want < READAHEAD ? READAHEAD
								 : want < FILL_MAX ? want : FILL_MAX), &err);
		if (!p)
			break;
		long fault = iobuf_fill(b, done, p->data + off, chunk);
		page_unuse(p);
		if (fault) {
			err = -EFAULT;
			break;
		}
		done += chunk;
	}
	f->next_read = ((uint64_t)pos + done) >> PAGE_SHIFT;
	return done ? (long)done : err;
}

/* The blocks of p's pieces that [off, off + len) covers, allocated where
 * they are holes.  Caller holds the file system's lock. */
static int map_pieces(struct pcache_file *f, struct cpage *p, unsigned off, unsigned len)
{
	int err = 0;

	for (unsigned k = off >> f->piece_shift; k <= (off + len - 1) >> f->piece_shift && !err; k++) {
		uint64_t pos = piece_pos(p, k), pblk;
		bool fresh = false;
		if (p->disk[k])
			continue;
		err = f->ops->map(f->inode, pos >> f->log_block, true, &pblk, &fresh, NULL);
		if (!err && fresh && f->log_block > PAGE_SHIFT)
			err = pcache_zero_block(f, pblk, pos);
		if (!err)
			p->disk[k] = disk_of(f, pblk, pos);
	}
	return err;
}

/* p dirty if any of its pieces has a block.  Caller holds pc.lock. */
static void dirty_if_mapped(struct cpage *p)
{
	for (unsigned k = 0; k < p->file->npieces; k++)
		if (p->disk[k]) {
			pcache_mark_dirty(p);
			return;
		}
}

/* The blocks of p's pieces that [off, off + len) covers, allocated where
 * they are holes, and p dirty, all under the file system's lock (the
 * ordering rule in pagecache.h).  A block above a page that is new gets
 * zeroes in the rest of it first (they are not in the cache).  When the
 * disk is full the file system may make room once (ext4: a commit gives
 * back the blocks freed since the last), with p dirty first, so the
 * commit finds every block mapped so far under a dirty page.  On an
 * error the pieces without a block forget what was copied into them, and
 * a page not yet dirty is read again at its next use (a whole-page write
 * did not read it). */
static int store(struct pcache_file *f, struct cpage *p, unsigned off, unsigned len)
{
	struct inode *i = f->inode;

	f->ops->lock(i);
	int err = map_pieces(f, p, off, len);
	if (err == -ENOSPC && f->ops->make_room) {
		spin_lock(&pc.lock);
		dirty_if_mapped(p);
		spin_unlock(&pc.lock);
		if (f->ops->make_room(i))
			err = map_pieces(f, p, off, len);
	}
	if (err)
		for (unsigned k = 0; k < f->npieces; k++)
			if (!p->disk[k])
				memset(p->data + ((size_t)k << f->piece_shift), 0, 1u << f->piece_shift);
	spin_lock(&pc.lock);
	dirty_if_mapped(p);
	if (err)
		reread_unless_dirty(p);
	spin_unlock(&pc.lock);
	f->ops->unlock(i);
	return err;
}

/* p, in use by a writer that will store len bytes into it, up to date
 * first: read unless the write covers it or it lies past the end. */
static int prepare_write(struct pcache_file *f, struct cpage **pp, unsigned len)
{
	struct cpage *p = *pp;
	int err = 0;

	spin_lock(&pc.lock);
	while (p->flags & PG_BUSY)
		pcache_wait_locked();
	bool whole = len == PAGE_SIZE || (int64_t)(p->idx << PAGE_SHIFT) >= f->inode->size;
	if (!(p->flags & PG_UPTODATE) && whole) {
		memset(p->data, 0, PAGE_SIZE);
		p->flags |= PG_UPTODATE;
	}
	bool ready = p->flags & PG_UPTODATE;
	spin_unlock(&pc.lock);
	if (ready)
		return 0;
	page_unuse(p);
	*pp = page_ready(f, p->idx, 1, &err);
	return err;
}

/* A file growing from size: what follows its old end in its last page
 * reads as zeroes (a shared mapping may have stored there). */
static void zero_after(struct pcache_file *f, int64_t size)
{
	if (!(size & (PAGE_SIZE - 1)))
		return;
	spin_lock(&pc.lock);
	struct cpage *p = lookup(f, (uint64_t)size >> PAGE_SHIFT);
	if (p && (p->flags & PG_UPTODATE))
		memset(p->data + (size & (PAGE_SIZE - 1)), 0, PAGE_SIZE - (size & (PAGE_SIZE - 1)));
	spin_unlock(&pc.lock);
}

long pcache_write(struct inode *i, const struct iobuf *b, int64_t pos)
{
	struct pcache_file *f = file_of(i);
	size_t done = 0;
	int err = 0;

	if (pos > i->size)
		zero_after(f, i->size);
	while (done < b->len) {
		uint64_t at = (uint64_t)pos + done, off = at & (PAGE_SIZE - 1);
		size_t chunk = PAGE_SIZE - off < b->len - done ? PAGE_SIZE - off : b->len - done;
		struct cpage *p = page_use(f, at >> PAGE_SHIFT, true, &err);
		if (!p || (err = prepare_write(f, &p, (unsigned)chunk)))
			break;
		if (iobuf_drain(b, done, p->data + off, chunk)) {
			spin_lock(&pc.lock);
			reread_unless_dirty(p);	/* copied in part */
			spin_unlock(&pc.lock);
			page_unuse(p);
			err = -EFAULT;
			break;
		}
		err = store(f, p, (unsigned)off, (unsigned)chunk);
		page_unuse(p);
		if (err)
			break;
		done += chunk;
		pcache_balance(f);
	}
	return done ? (long)done : err;
}

int pcache_get_page(struct inode *i, uint64_t idx, bool write, uint64_t *pa)
{
	struct pcache_file *f = file_of(i);
	int err;
	struct cpage *p = page_ready(f, idx, 1, &err);

	if (!p)
		return err;
	if (write && i->sb && !i->sb->read_only) {
		/* Blocks for the pieces inside the file; the page stays on the
		 * dirty list while a mapping may store into it. */
		int64_t size = __atomic_load_n(&i->size, __ATOMIC_RELAXED);
		int64_t start = (int64_t)(idx << PAGE_SHIFT);
		unsigned len = size - start >= (int64_t)PAGE_SIZE ? PAGE_SIZE : size > start ? (unsigned)(size - start) : 0;
		if (len)
			err = store(f, p, 0, len);
		spin_lock(&pc.lock);
		if (!err) {
			p->flags |= PG_SHARED;
			list_for_writeback(p);
		}
		spin_unlock(&pc.lock);
	}
	if (!err) {
		*pa = virt_to_phys(p->data);
		page_ref_get(*pa);
	}
	page_unuse(p);
	return err;
}

/* Waits until p is idle (no use, read or writeback) and frees it, or, if
 * it is not, sleeps once: the caller looks again.  Caller holds pc.lock. */
static bool drop_or_wait(struct cpage *p)
{
	if (p->users || (p->flags & (PG_BUSY | PG_WRITEBACK))) {
		pcache_wait_locked();
		return false;
	}
	pcache_free_page(p);
	return true;
}

/* Frees f's pages with index in [lo, hi], waiting for those in use. */
static void drop_range(struct pcache_file *f, uint64_t lo, uint64_t hi)
{
	spin_lock(&pc.lock);
	for (bool again = true; again;) {
		again = false;
		struct list *e, *next;
		list_for_each_safe(e, next, &f->pages) {
			struct cpage *p = list_entry(e, struct cpage, flink);
			if (p->idx < lo || p->idx > hi)
				continue;
			if (!drop_or_wait(p)) {
				again = true;
				break;
			}
		}
	}
	spin_unlock(&pc.lock);
}

int pcache_resize(struct inode *i, int64_t size)
{
	struct pcache_file *f = file_of(i);

	if (size >= i->size) {
		zero_after(f, i->size);
		return 0;
	}
	drop_range(f, pages_for(size), UINT64_MAX);
	if (!(size & (PAGE_SIZE - 1)))
		return 0;
	/* The page at the new end: zeroes after it, no block the store is
	 * about to free, and written now, so the store's own zeroing of the
	 * block's tail on the device finds the cache's bytes before it. */
	uint64_t idx = (uint64_t)size >> PAGE_SHIFT;
	uint64_t keep = ((uint64_t)size + (1ull << f->log_block) - 1) >> f->log_block;
	spin_lock(&pc.lock);
	struct cpage *p = lookup(f, idx);
	while (p && (p->flags & (PG_BUSY | PG_WRITEBACK))) {
		pcache_wait_locked();
		p = lookup(f, idx);
	}
	if (p) {
		if (p->flags & PG_UPTODATE)
			memset(p->data + (size & (PAGE_SIZE - 1)), 0, PAGE_SIZE - (size & (PAGE_SIZE - 1)));
		for (unsigned k = 0; k < f->npieces; k++)
			if (piece_pos(p, k) >> f->log_block >= keep)
				p->disk[k] = 0;
	}
	spin_unlock(&pc.lock);
	return p ? pcache_wb(NULL, f, idx, idx) : 0;
}

int pcache_sync_file(struct inode *i)
{
	struct pcache_file *f = file_of(i);

	if (!f)
		return 0;
	int err = pcache_wb(NULL, f, 0, UINT64_MAX);
	spin_lock(&pc.lock);
	if (!err)
		err = f->err;
	f->err = 0;
	spin_unlock(&pc.lock);
	return err;
}

int pcache_evict_range(struct inode *i, int64_t pos, uint64_t len)
{
	struct pcache_file *f = file_of(i);

	if (!f || !len)
		return 0;
	uint64_t lo = (uint64_t)pos >> PAGE_SHIFT, hi = ((uint64_t)pos + len - 1) >> PAGE_SHIFT;
	int err = pcache_wb(NULL, f, lo, hi);
	drop_range(f, lo, hi);
	return err;
}

void pcache_forget(struct inode *i, bool discard)
{
	struct pcache_file *f = file_of(i);

	if (!f)
		return;
	if (!discard)
		(void)pcache_wb(NULL, f, 0, UINT64_MAX);
	drop_range(f, 0, UINT64_MAX);
	i->pcache = NULL;
	kfree(f);
}
