/* Batched block I/O for the page cache: pieces of pages (each inside one
 * page, a multiple of the sector size) gathered into requests, a piece
 * that continues the previous one on the disk and in memory joining its
 * request, then submitted together and waited for. */
#ifndef AMPHI_FS_PAGECACHE_IO_H
#define AMPHI_FS_PAGECACHE_IO_H

#include <stdint.h>

#include "dev/blk.h"

struct pcache_req;

struct pcache_io {
	struct blk_dev *dev;
	enum blk_op op;
	struct pcache_req *cur;		/* being built, not yet submitted */
	struct pcache_req *all;		/* every request made, freed by the wait */
	struct blk_wait wait;
};

void pcache_io_start(struct pcache_io *io, struct blk_dev *d, enum blk_op op);
/* len bytes at byte offset off of the device, to or from physical pa. */
void pcache_io_add(struct pcache_io *io, uint64_t off, uint64_t pa, uint32_t len);
/* Submits what is left, waits for every request: 0 or the first -errno. */
int pcache_io_wait(struct pcache_io *io);

#endif
