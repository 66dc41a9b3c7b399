/* The buffer cache (bcache.h): a hash of buffers by block number and a
 * list of the unreferenced ones in use order. */
#include "fs/bcache.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mutex.h"
#include "core/page_alloc.h"
#include "core/string.h"
#include "dev/blk.h"

#define NHASH 512

struct bcache {
	struct blk_dev *dev;
	uint32_t block_size;
	unsigned max_clean;
	struct mutex lock;	/* guards what follows and every buf.refs */
	unsigned nclean_free;	/* unreferenced clean buffers */
	unsigned ndirty;
	struct list lru;	/* unreferenced buffers, least recently used first */
	struct list hash[NHASH];
};

struct bcache *bcache_new(struct blk_dev *d, uint32_t block_size, unsigned max_clean)
{
	struct bcache *c = kmalloc(sizeof *c);

	if (!c)
		return NULL;
	c->dev = d;
	c->block_size = block_size;
	c->max_clean = max_clean;
	mutex_init(&c->lock);
	list_init(&c->lru);
	for (int i = 0; i < NHASH; i++)
		list_init(&c->hash[i]);
	return c;
}

/* A block of a page or more gets whole pages: kmalloc's header would put
 * a 4 KiB block across two pages (and take both), two segments for the
 * device instead of one. */
static uint8_t *data_alloc(uint32_t size)
{
	return size >= PAGE_SIZE ? page_alloc_virt_uninit(size / PAGE_SIZE) : kmalloc(size);
}

static void buf_free(struct buf *b)
{
	struct bcache *c = b->cache;

	list_del(&b->hlink);
	list_del(&b->lru);
	if (c->block_size >= PAGE_SIZE)
		page_free_virt(b->data, c->block_size / PAGE_SIZE);
	else
		kfree(b->data);
	kfree(b);
}

void bcache_free(struct bcache *c)
{
	for (int i = 0; i < NHASH; i++)
		while (!list_empty(&c->hash[i]))
			buf_free(list_entry(c->hash[i].next, struct buf, hlink));
	kfree(c);
}

static struct list *chain(struct bcache *c, uint64_t blk) { return &c->hash[blk % NHASH]; }

/* Caller holds c->lock. */
static struct buf *find(struct bcache *c, uint64_t blk)
{
	struct list *pos;

	list_for_each(pos, chain(c, blk)) {
		struct buf *b = list_entry(pos, struct buf, hlink);
		if (b->blk == blk)
			return b;
	}
	return NULL;
}

/* Takes a reference to a cached buffer.  Caller holds c->lock. */
static void hold(struct bcache *c, struct buf *b)
{
	if (b->refs++ == 0) {
		list_del(&b->lru);
		if (!b->dirty)
			c->nclean_free--;
	}
}

/* Drops the oldest unreferenced clean buffers beyond the limit.  Caller
 * holds c->lock. */
static void shrink(struct bcache *c)
{
	struct list *pos, *n;

	list_for_each_safe(pos, n, &c->lru) {
		if (c->nclean_free <= c->max_clean)
			return;
		struct buf *b = list_entry(pos, struct buf, lru);
		if (!b->dirty) {
			c->nclean_free--;
			buf_free(b);
		}
	}
}

static struct buf *buf_alloc(struct bcache *c, uint64_t blk)
{
	struct buf *b = kmalloc(sizeof *b);

	if (!b)
		return NULL;
	b->data = data_alloc(c->block_size);
	if (!b->data) {
		kfree(b);
		return NULL;
	}
	b->blk = blk;
	b->cache = c;
	b->refs = 1;
	b->dirty = false;
	b->checked_as = 0;
	list_init(&b->lru);
	return b;
}

/* The cached buffer for blk, or a new one inserted (*fresh set) whose
 * contents the caller fills.  Another thread meeting a fresh buffer waits
 * for nothing: callers hold the file system's lock, so none does. */
static int lookup(struct bcache *c, uint64_t blk, struct buf **out, bool *fresh)
{
	mutex_lock(&c->lock);
	struct buf *b = find(c, blk);
	if (b) {
		hold(c, b);
		*fresh = false;
	} else if ((b = buf_alloc(c, blk))) {
		list_add_tail(chain(c, blk), &b->hlink);
		*fresh = true;
	}
	mutex_unlock(&c->lock);
	*out = b;
	return b ? 0 : -ENOMEM;
}

static void drop_new(struct buf *b)
{
	struct bcache *c = b->cache;

	mutex_lock(&c->lock);
	buf_free(b);
	mutex_unlock(&c->lock);
}

int bcache_read(struct bcache *c, uint64_t blk, struct buf **out)
{
	bool fresh;
	int err = lookup(c, blk, out, &fresh);

	if (err || !fresh)
		return err;
	uint64_t off = blk * c->block_size;
	if (off / c->block_size != blk || off + c->block_size > blk_bytes(c->dev))
		err = -EIO;	/* a corrupt block number: past the device */
	else
		err = blk_read(c->dev, off, (*out)->data, c->block_size);
	if (err) {
		drop_new(*out);
		*out = NULL;
	}
	return err;
}

int bcache_new_block(struct bcache *c, uint64_t blk, uint8_t kind, struct buf **out)
{
	bool fresh;
	int err = lookup(c, blk, out, &fresh);

	if (err)
		return err;
	memset((*out)->data, 0, c->block_size);
	(*out)->checked_as = kind;
	bcache_dirty(*out);
	return 0;
}

void bcache_dirty(struct buf *b)
{
	struct bcache *c = b->cache;

	mutex_lock(&c->lock);
	if (!b->dirty) {
		b->dirty = true;
		c->ndirty++;
	}
	mutex_unlock(&c->lock);
}

/* Drops a reference: the last one puts b in the use order.  Caller holds
 * c->lock. */
static void release(struct bcache *c, struct buf *b)
{
	if (--b->refs == 0) {
		list_add_tail(&c->lru, &b->lru);
		if (!b->dirty)
			c->nclean_free++;
	}
}

void bcache_put(struct buf *b)
{
	struct bcache *c = b->cache;

	mutex_lock(&c->lock);
	release(c, b);
	shrink(c);
	mutex_unlock(&c->lock);
}

void bcache_forget(struct bcache *c, uint64_t blk)
{
	mutex_lock(&c->lock);
	struct buf *b = find(c, blk);
	if (b && b->dirty) {
		b->dirty = false;
		c->ndirty--;
		if (b->refs == 0)
			c->nclean_free++;
	}
	if (b && b->refs == 0) {
		c->nclean_free--;
		buf_free(b);
	}
	mutex_unlock(&c->lock);
}

unsigned bcache_dirty_count(struct bcache *c) { return c->ndirty; }

int bcache_write(struct buf *b)
{
	struct bcache *c = b->cache;

	mutex_lock(&c->lock);
	if (b->dirty) {
		b->dirty = false;
		c->ndirty--;
	}
	mutex_unlock(&c->lock);
	int err = blk_write(c->dev, b->blk * c->block_size, b->data, c->block_size);
	if (err)
		bcache_dirty(b);
	return err;
}

/* Shell sort by block number: a commit's few hundred buffers. */
static void sort_bufs(struct buf **v, unsigned n)
{
	for (unsigned gap = n / 2; gap; gap /= 2)
		for (unsigned i = gap; i < n; i++)
			for (unsigned k = i; k >= gap && v[k - gap]->blk > v[k]->blk; k -= gap) {
				struct buf *t = v[k];
				v[k] = v[k - gap];
				v[k - gap] = t;
			}
}

unsigned bcache_dirty_get(struct bcache *c, struct buf **out, unsigned max)
{
	unsigned n = 0;
	struct list *pos;

	mutex_lock(&c->lock);
	for (int i = 0; i < NHASH; i++)
		list_for_each(pos, &c->hash[i]) {
			struct buf *b = list_entry(pos, struct buf, hlink);
			if (b->dirty && n < max) {
				hold(c, b);
				out[n++] = b;
			}
		}
	mutex_unlock(&c->lock);
	sort_bufs(out, n);
	return n;
}

/* bufs[0..n) (held, marked clean) to their homes as one batch: blocks
 * next to each other on the disk share a request. */
static int write_home(struct bcache *c, struct buf **bufs, unsigned n)
{
	struct blk_piece *p = kmalloc(n * sizeof *p);

	if (!p)
		return -ENOMEM;
	for (unsigned k = 0; k < n; k++)
		p[k] = (struct blk_piece){ bufs[k]->blk * c->block_size, bufs[k]->data, c->block_size };
	int err = blk_write_pieces(c->dev, p, n);
	kfree(p);
	return err;
}

int bcache_write_back(struct bcache *c)
{
	unsigned n = bcache_dirty_count(c);

	if (!n)
		return 0;
	struct buf **bufs = kmalloc(n * sizeof *bufs);
	if (!bufs)
		return -ENOMEM;
	n = bcache_dirty_get(c, bufs, n);
	/* Clean before the write: a change meanwhile makes it dirty again. */
	mutex_lock(&c->lock);
	for (unsigned k = 0; k < n; k++)
		bufs[k]->dirty = false;
	c->ndirty -= n;
	mutex_unlock(&c->lock);
	int err = write_home(c, bufs, n);
	mutex_lock(&c->lock);
	for (unsigned k = 0; k < n; k++) {
		struct buf *b = bufs[k];
		if (err && !b->dirty) {	/* which one failed is not known: all stay dirty */
			b->dirty = true;
			c->ndirty++;
		}
		release(c, b);
	}
	shrink(c);
	mutex_unlock(&c->lock);
	kfree(bufs);
	return err;
}

int bcache_sync(struct bcache *c)
{
	int err = bcache_write_back(c);
	int flushed = blk_flush(c->dev);

	return err ? err : flushed;
}
