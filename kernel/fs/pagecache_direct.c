/* O_DIRECT on a cached file system: the device moves the bytes straight
 * to or from the program's pages (pinned while it works: page_pin),
 * after the cache wrote back and dropped its pages of the range, so the
 * two never disagree.  Offsets, lengths and buffers must be multiples of
 * the device's sector size (EINVAL otherwise), as Linux asks on ext4.  A
 * transfer that is sector- but not block-aligned goes through the cache
 * and its pages are written back and dropped after, which is what Linux's
 * ext4 does when it cannot do it direct either. */
#include "fs/pagecache_internal.h"

#include "core/errno.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/vm.h"
#include "fs/file.h"
#include "fs/pagecache_io.h"
#include "fs/vfs.h"

#define CHUNK_PAGES	256	/* 1 MiB of the program's memory per round */

static void unpin(uint64_t *pa, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		page_unpin(pa[k]);
}

/* One round moves [pos, pos + len) with the user memory at addr (sector
 * aligned), whose pages pa[] are pinned. */
typedef int round_fn(void *ctx, uint64_t addr, const uint64_t *pa, uint64_t pos, size_t len, bool write);

/* The page of pa[] (pinned from addr's page on) that holds va. */
static uint64_t page_at(const uint64_t *pa, uint64_t addr, uint64_t va)
{
	return pa[(PAGE_ROUND_DOWN(va) - PAGE_ROUND_DOWN(addr)) / PAGE_SIZE];
}

/* The blocks of a file's round, each added to io (a hole read as
 * zeroes).  Caller holds the file system's lock. */
static int map_round(struct pcache_file *f, struct pcache_io *io, uint64_t addr, const uint64_t *pa,
		     uint64_t pos, size_t len, bool write)
{
	uint32_t bs = 1u << f->log_block;
	int err = 0;

	for (size_t done = 0; done < len && !err; done += bs) {
		uint64_t pblk;
		err = f->ops->map(f->inode, (pos + done) >> f->log_block, write, &pblk, NULL, NULL);
		for (size_t at = 0; at < bs && !err;) {
			uint64_t va = addr + done + at, off = va & (PAGE_SIZE - 1);
			uint64_t page = page_at(pa, addr, va);
			uint32_t n = (uint32_t)(PAGE_SIZE - off < bs - at ? PAGE_SIZE - off : bs - at);
			if (pblk)
				pcache_io_add(io, (pblk << f->log_block) + at, page + off, n);
			else
				memset((char *)phys_to_virt(page) + off, 0, n);
			at += n;
		}
	}
	return err;
}

/* A file's round: blocks from the file system (pos and len block
 * aligned); a write allocates holes and keeps its lock until the data is
 * on the device (no sync may write metadata that maps a block before its
 * data).  A write that finds the disk full, once what it mapped is on the
 * device, may have the file system make room and go through the round
 * again (the blocks it already has are just written twice). */
static int file_round(void *ctx, uint64_t addr, const uint64_t *pa, uint64_t pos, size_t len, bool write)
{
	struct pcache_file *f = ctx;
	struct inode *i = f->inode;
	struct pcache_io io;
	bool retried = false;
	int err, ioerr;

	f->ops->lock(i);
	for (;;) {
		pcache_io_start(&io, f->dev, write ? BLK_WRITE : BLK_READ);
		err = map_round(f, &io, addr, pa, pos, len, write);
		if (!write)
			f->ops->unlock(i);
		ioerr = pcache_io_wait(&io);
		if (!write || err != -ENOSPC || ioerr || retried || !f->ops->make_room || !f->ops->make_room(i))
			break;
		retried = true;
	}
	if (write)
		f->ops->unlock(i);
	return err ? err : ioerr;
}

/* A raw device's round: its bytes from pos on, as they lie. */
static int dev_round(void *ctx, uint64_t addr, const uint64_t *pa, uint64_t pos, size_t len, bool write)
{
	struct pcache_io io;

	pcache_io_start(&io, ctx, write ? BLK_WRITE : BLK_READ);
	for (size_t done = 0; done < len;) {
		uint64_t va = addr + done, off = va & (PAGE_SIZE - 1);
		uint32_t n = (uint32_t)(PAGE_SIZE - off < len - done ? PAGE_SIZE - off : len - done);
		pcache_io_add(&io, pos + done, page_at(pa, addr, va) + off, n);
		done += n;
	}
	return pcache_io_wait(&io);
}

/* Rounds of up to 1 MiB: the program's pages pinned (brought in as its
 * own access would: a device read stores into them), moved, let go. */
static long rounds(round_fn *fn, void *ctx, uint64_t user, uint64_t pos, size_t len, bool write)
{
	uint64_t pa[CHUNK_PAGES + 1];
	size_t done = 0;
	int err = 0;

	while (done < len && !err) {
		uint64_t addr = user + done;
		size_t n = len - done < (CHUNK_PAGES << PAGE_SHIFT) ? len - done : CHUNK_PAGES << PAGE_SHIFT;
		unsigned npages = (unsigned)((PAGE_ROUND_UP(addr + n) - PAGE_ROUND_DOWN(addr)) / PAGE_SIZE), got = 0;
		for (; got < npages && !err; got++)
			err = vm_pin_page(mm_current(), PAGE_ROUND_DOWN(addr) + got * PAGE_SIZE, !write, &pa[got]);
		if (err) {
			unpin(pa, got - 1);
			err = err == -EAGAIN ? err : -EFAULT;
			break;
		}
		err = fn(ctx, addr, pa, pos + done, n, write);
		unpin(pa, npages);
		if (!err)
			done += n;
	}
	return done ? (long)done : err;
}

long pcache_direct(struct inode *i, const struct iobuf *b, int64_t pos, bool write)
{
	struct pcache_file *f = i->pcache;
	uint64_t ss = f->dev->sector_size, bs = 1ull << f->log_block;
	size_t len = b->len;

	if (!b->user || (((uint64_t)pos | len | b->user) & (ss - 1)))
		return -EINVAL;
	if (!write) {
		if (pos >= i->size)
			return 0;
		if ((uint64_t)(i->size - pos) < len)
			len = (size_t)((uint64_t)(i->size - pos) + ss - 1) & ~(size_t)(ss - 1);
	}
	if (!len)
		return 0;
	int err = pcache_evict_range(i, pos, len);
	if (err)
		return err;
	if (((uint64_t)pos | len) & (bs - 1)) {
		struct iobuf part = iobuf_user(b->user, len);
		long n = write ? pcache_write(i, &part, pos) : pcache_read(i, &part, pos);
		err = n > 0 ? pcache_evict_range(i, pos, (uint64_t)n) : 0;
		return err && n > 0 ? err : n;
	}
	long n = rounds(file_round, f, b->user, (uint64_t)pos, len, write);
	if (!write && n > 0 && (uint64_t)n > (uint64_t)(i->size - pos))
		n = i->size - pos;
	return n;
}

long pcache_direct_dev(struct blk_dev *d, uint64_t user, uint64_t pos, size_t len, bool write)
{
	return rounds(dev_round, d, user, pos, len, write);
}
