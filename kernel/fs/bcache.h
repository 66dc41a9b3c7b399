/* The buffer cache: metadata blocks of one block device (bitmaps, inode
 * tables, extent and indirect blocks, directories) kept in memory.
 *
 * A buffer is one file system block, read once and shared by every user
 * while it stays cached.  A change marks it dirty; bcache_sync() writes the
 * dirty ones back in block order and flushes the device's cache.  Clean,
 * unreferenced buffers beyond a limit are dropped, oldest use first; dirty
 * ones stay until written.
 *
 * Locking: the cache's own lock guards the table and the counts; a
 * buffer's contents belong to whoever holds the file system's lock (the
 * cache never looks at them except to read or write them whole). */
#ifndef AMPHI_FS_BCACHE_H
#define AMPHI_FS_BCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"

struct blk_dev;
struct bcache;

struct buf {
	uint64_t blk;
	uint8_t *data;		/* block_size bytes */
	struct bcache *cache;
	int refs;		/* under the cache's lock */
	bool dirty;
	/* What the file system last found the contents sound as (a
	 * checksum, a structure), in its own numbering of kinds of block;
	 * 0 after a read.  It need not look again while it uses the block as
	 * that kind (what it writes keeps the block sound as that kind), but
	 * a corrupt disk may name one block as two kinds (a directory block
	 * that is a bitmap): each kind checks unless it was the last. */
	uint8_t checked_as;
	struct list hlink;	/* in the hash chain */
	struct list lru;	/* in the cache's use order, unreferenced ones */
};

/* NULL without memory.  Blocks of block_size bytes (a multiple of the
 * device's sector size); max_clean is how many unreferenced clean
 * buffers stay cached. */
struct bcache *bcache_new(struct blk_dev *d, uint32_t block_size, unsigned max_clean);
/* Writes back nothing: bcache_sync first.  No buffer may be referenced. */
void bcache_free(struct bcache *c);

/* The block, read from the device unless cached: 0 and a referenced
 * buffer in *out, or -EIO / -ENOMEM. */
int bcache_read(struct bcache *c, uint64_t blk, struct buf **out);
/* A block the file system just allocated as kind (checked_as): its old
 * contents do not matter, so it is not read; the buffer comes zeroed
 * (dirty, and checked as that kind: what is in it is the file system's
 * own). */
int bcache_new_block(struct bcache *c, uint64_t blk, uint8_t kind, struct buf **out);
void bcache_dirty(struct buf *b);
/* The buffer to the device now (not flushed), clean then. */
int bcache_write(struct buf *b);
void bcache_put(struct buf *b);
/* A freed block: a cached copy must not be written back over whatever
 * the block becomes next. */
void bcache_forget(struct bcache *c, uint64_t blk);

/* Every dirty buffer to the device, in one batch, not flushed: 0 or the
 * first error (then every one of them stays dirty). */
int bcache_write_back(struct bcache *c);
/* bcache_write_back, then a flush. */
int bcache_sync(struct bcache *c);
unsigned bcache_dirty_count(struct bcache *c);
/* Up to max dirty buffers, referenced, in block order (a journal commit
 * copies them into the log before bcache_write_back writes them home): how many. */
unsigned bcache_dirty_get(struct bcache *c, struct buf **out, unsigned max);

#endif
