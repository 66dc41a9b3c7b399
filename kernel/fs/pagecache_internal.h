/* The page cache's pieces, shared by its files: pagecache.c (look-up,
 * filling, read, write, mmap), pagecache_wb.c (writeback, dirty limits,
 * the thread), pagecache_lru.c (giving clean pages back). */
#ifndef AMPHI_FS_PAGECACHE_INTERNAL_H
#define AMPHI_FS_PAGECACHE_INTERNAL_H

#include "arch/x86_64/arch.h"
#include "core/list.h"
#include "core/spinlock.h"
#include "core/waitq.h"
#include "fs/pagecache.h"

#define PIECES_MAX	(PAGE_SIZE / 1024)	/* 1 KiB blocks, ext4's smallest */

/* Page states, under pc.lock. */
#define PG_UPTODATE	1	/* the bytes are the file's */
#define PG_DIRTY	2	/* changed since written back */
#define PG_WRITEBACK	4	/* being written to the device */
#define PG_BUSY		8	/* being read from the device */
#define PG_SHARED	16	/* a shared mapping may store into it: written back while mapped */
#define PG_LISTED	32	/* on pc.dirty (dirty, shared or in writeback) */

struct pcache_file {
	struct inode *inode;
	struct blk_dev *dev;
	const struct pcache_ops *ops;
	unsigned log_block;
	unsigned piece_shift;	/* log2 of a piece: the block, at most the page */
	unsigned npieces;
	struct list pages;	/* its cpages, under pc.lock */
	uint64_t next_read;	/* the page a sequential read() goes on with */
	int err;		/* a writeback error fsync has not yet reported */
};

struct cpage {
	struct cpage *hnext;	/* in its hash bucket */
	struct pcache_file *file;
	uint64_t idx;
	uint8_t *data;		/* through the direct map */
	uint64_t disk[PIECES_MAX];	/* byte offset on the device, 0: a hole (or not yet asked) */
	unsigned flags;
	unsigned users;		/* threads working on it: it is not freed meanwhile */
	unsigned pass;		/* the writeback pass that last wrote it */
	struct list flink;	/* in file->pages */
	struct list lru;	/* in pc.lru, least recently used first */
	struct list dlink;	/* in pc.dirty while PG_LISTED */
};

struct pcache {
	struct spinlock lock;	/* everything here and in every cpage but its bytes */
	struct cpage **hash;
	uint64_t hmask;
	struct list lru;
	struct list dirty;	/* oldest first */
	uint64_t npages, ndirty;
	unsigned pass;
	struct waitq wq;	/* a page left PG_BUSY or PG_WRITEBACK */
	struct waitq kick;	/* the writeback thread sleeps here */
};

extern struct pcache pc;

/* Caller holds pc.lock: sleeps until woken (pc.wq), with it held again. */
void pcache_wait_locked(void);
/* Caller holds pc.lock. */
void pcache_mark_dirty(struct cpage *p);
void pcache_free_page(struct cpage *p);	/* unhooked from everything, freed */

/* pagecache_wb.c.  Writes back the dirty pages of file (NULL: of dev,
 * NULL: all) with index in [lo, hi]: 0 or the first -errno. */
int pcache_wb(struct blk_dev *dev, struct pcache_file *file, uint64_t lo, uint64_t hi);
/* A writer just dirtied pages: writes back itself over the limit. */
void pcache_balance(struct pcache_file *f);
/* A block larger than a page, just allocated: zeroes on the device. */
int pcache_zero_block(struct pcache_file *f, uint64_t pblk, uint64_t pos);

/* pagecache_lru.c.  Frees up to want clean, unused pages; the count.
 * Never sleeps; does nothing if pc.lock is taken. */
size_t pcache_reclaim(size_t want);
/* A page for the cache (not zeroed: filling or a whole-page write sets
 * every byte before it is up to date), or NULL when memory is short even after
 * giving back clean pages. */
void *pcache_page_alloc(void);

#endif
