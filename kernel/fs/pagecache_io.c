/* The page cache's block I/O (pagecache_io.h).  Requests are built here
 * rather than one per piece so a run of 4 KiB pages that lie one after
 * the other on the disk costs one request, not one allocation and one
 * merge per page. */
#include "fs/pagecache_io.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

struct pcache_req {
	struct blk_req r;
	struct pcache_req *next;	/* in io->all */
};

void pcache_io_start(struct pcache_io *io, struct blk_dev *d, enum blk_op op)
{
	memset(io, 0, sizeof *io);
	io->dev = d;
	io->op = op;
	blk_wait_init(&io->wait);
}

static void submit_cur(struct pcache_io *io)
{
	if (io->cur)
		blk_wait_submit(&io->wait, io->dev, &io->cur->r);
	io->cur = NULL;
}

/* The piece continues cur: the next sectors, and in memory either the
 * same bytes' continuation or a new page after a segment that ended at a
 * page boundary (the block layer's segment rule). */
static bool joins(struct pcache_io *io, uint64_t off, uint64_t pa, uint32_t len)
{
	struct blk_req *r = &io->cur->r;
	struct blk_seg *last = &r->segs[r->nsegs - 1];
	uint32_t ss = io->dev->sector_size;
	uint32_t max = io->dev->max_count ? io->dev->max_count : ~0u;

	if (off != (r->sector + r->count) * ss || r->count + len / ss > max)
		return false;
	if (last->pa + last->len == pa && (pa & (PAGE_SIZE - 1)))
		return true;
	return !((last->pa + last->len) & (PAGE_SIZE - 1)) && !(pa & (PAGE_SIZE - 1)) && r->nsegs < BLK_MAX_SEGS;
}

void pcache_io_add(struct pcache_io *io, uint64_t off, uint64_t pa, uint32_t len)
{
	uint32_t ss = io->dev->sector_size;

	if (io->cur && joins(io, off, pa, len)) {
		struct blk_req *r = &io->cur->r;
		struct blk_seg *last = &r->segs[r->nsegs - 1];
		if (last->pa + last->len == pa)
			last->len += len;
		else
			r->segs[r->nsegs++] = (struct blk_seg){ pa, len };
		r->count += len / ss;
		return;
	}
	submit_cur(io);
	struct pcache_req *q = kmalloc(sizeof *q);
	if (!q) {
		blk_wait_fail(&io->wait, -ENOMEM);
		return;
	}
	memset(q, 0, sizeof *q);
	q->r.op = io->op;
	q->r.sector = off / ss;
	q->r.count = len / ss;
	q->r.nsegs = 1;
	q->r.segs[0] = (struct blk_seg){ pa, len };
	q->next = io->all;
	io->all = q;
	io->cur = q;
}

int pcache_io_wait(struct pcache_io *io)
{
	submit_cur(io);
	int err = blk_wait_finish(&io->wait);
	while (io->all) {
		struct pcache_req *q = io->all;
		io->all = q->next;
		kfree(q);
	}
	return err;
}
