/* The page cache: file data of a file system on a block device (ext2/ext4)
 * in 4 KiB pages, shared by read(), write() and mmap, written back later
 * (docs/storage.md, "The page cache").
 *
 * A page is cut into pieces of one file system block each (one piece when
 * blocks are 4 KiB; four of 1 KiB; for blocks above 4 KiB the page is one
 * piece, a part of its block).  Each piece records where it lives on the
 * device, found through the file system's map hook, or 0 for a hole.
 * Blocks are allocated when write() or a shared mapping's fault dirties a
 * piece (no delayed allocation), under the file system's lock, and the
 * page is marked dirty before that lock is let go: a sync, which writes
 * dirty pages before metadata under the same lock, never finds metadata
 * that maps a block whose page it does not see dirty.
 *
 * Locks: one spinlock (pagecache.c) guards the look-up hash, the lists and
 * every page's state; a page's bytes are guarded by nothing but the
 * inode's data_lock for read/write (mappings store into them at will).
 * Nothing here takes a data_lock, so a fault inside read()'s copy (user
 * memory that maps the same file) is served; the file system's lock is
 * taken only around map calls, never while copying user memory. */
#ifndef AMPHI_FS_PAGECACHE_H
#define AMPHI_FS_PAGECACHE_H

#include <stdbool.h>
#include <stdint.h>

struct blk_dev;
struct inode;
struct iobuf;

/* What the file system gives the cache for each of its files. */
struct pcache_ops {
	/* Take and drop the file system's lock around map. */
	void (*lock)(struct inode *i);
	void (*unlock)(struct inode *i);
	/* The device block of the file's block lblk (0: a hole), allocated
	 * if create (*fresh: it is new, its old contents are garbage).
	 * Without create, *run (if run is not NULL) is how many blocks from
	 * lblk on map contiguously (or are a hole), at least 1. */
	int (*map)(struct inode *i, uint64_t lblk, bool create, uint64_t *pblk, bool *fresh, uint64_t *run);
	/* Optional: a map that allocates failed with -ENOSPC; true if room
	 * was made (ext4: a journal commit gave back the blocks freed since
	 * the last) and the cache should map once more.  Called under lock,
	 * with every block mapped so far under a dirty page or on the
	 * device. */
	bool (*make_room)(struct inode *i);
};

/* Each file of a cached file system says once (before the first call
 * below) which device and ops it uses; log_block is log2 of the block
 * size (10 to 16). */
int pcache_attach(struct inode *i, struct blk_dev *dev, unsigned log_block, const struct pcache_ops *ops);

/* Under i->data_lock.  read: bytes copied (0 at the end, i->size is the
 * end) or -errno; write: bytes stored at pos (the caller then grows
 * i->size and the store's size). */
long pcache_read(struct inode *i, const struct iobuf *b, int64_t pos);
long pcache_write(struct inode *i, const struct iobuf *b, int64_t pos);
/* The size is about to change from i->size to size: pages past it are
 * dropped (waiting for their writeback), the page at the new end keeps
 * zeroes after it and forgets the blocks the store is about to free; a
 * growing file gets zeroes after its old end. */
int pcache_resize(struct inode *i, int64_t size);
/* lseek's SEEK_DATA (hole false) or SEEK_HOLE from pos: the offset, or
 * -ENXIO (pos outside the file, or no data after it).  Caller holds i's
 * data_lock (pagecache_seek.c). */
int64_t pcache_seek(struct inode *i, int64_t pos, bool hole);
/* Writes back the file's dirty pages and waits: 0 or -EIO. */
int pcache_sync_file(struct inode *i);
/* The inode leaves memory: its pages are written back (discard: dropped
 * without writing, the file is gone) and freed. */
void pcache_forget(struct inode *i, bool discard);
/* Writes back and drops the pages of [pos, pos + len). */
int pcache_evict_range(struct inode *i, int64_t pos, uint64_t len);
/* O_DIRECT read or write (pagecache_direct.c), under i->data_lock: bytes
 * moved or -errno (-EINVAL when not sector aligned).  A write's caller
 * grows the size as after pcache_write. */
long pcache_direct(struct inode *i, const struct iobuf *b, int64_t pos, bool write);
/* O_DIRECT on a raw device: len bytes at pos to or from the program's
 * memory at user, all sector aligned and inside the device, with no
 * bounce buffer.  Bytes moved or -errno. */
long pcache_direct_dev(struct blk_dev *d, uint64_t user, uint64_t pos, size_t len, bool write);

/* mmap: the page idx with a reference for the mapping (write: a shared
 * mapping that may store into it; a hole gets its block, -ENOSPC if the
 * disk has none).  May sleep; takes no data_lock (the caller holds the
 * inode's fault_lock, which keeps truncation out). */
int pcache_get_page(struct inode *i, uint64_t idx, bool write, uint64_t *pa);

/* Every dirty page on dev (NULL: everywhere) written and waited for: the
 * file systems' write_data hook, sync, the writeback thread.  Takes no
 * file system lock and no data_lock.  0 or the first -errno. */
int pcache_writeback(struct blk_dev *dev);

/* Counts for /proc/meminfo and the tests. */
uint64_t pcache_pages(void);
uint64_t pcache_dirty_pages(void);

/* Starts the writeback thread (once, at the first mount). */
void pcache_start(void);

#endif
