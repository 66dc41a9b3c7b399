/* lseek's SEEK_DATA and SEEK_HOLE in a file of the page cache, from the
 * file system's block map: a mapped block is data, a hole or an unwritten
 * extent (fallocate's, not yet written) a hole.  Blocks are allocated
 * when written (pagecache.h: no delayed allocation), so the map knows
 * every byte a program wrote.  As Linux's iomap_seek_data/hole: offsets
 * at block granularity, never before pos; the end of the file is a hole. */
#include "core/errno.h"
#include "fs/pagecache_internal.h"
#include "fs/vfs.h"

int64_t pcache_seek(struct inode *i, int64_t pos, bool hole)
{
	struct pcache_file *f = i->pcache;
	int64_t size = i->size, found = hole ? size : -ENXIO;

	if (pos < 0 || pos >= size)
		return -ENXIO;
	uint64_t lblk = (uint64_t)pos >> f->log_block, last = (uint64_t)(size - 1) >> f->log_block;
	f->ops->lock(i);
	while (lblk <= last) {
		uint64_t pblk, run;
		bool fresh;
		int err = f->ops->map(i, lblk, false, &pblk, &fresh, &run);
		if (err) {
			found = err;
			break;
		}
		if ((pblk != 0) != hole) {
			int64_t at = (int64_t)(lblk << f->log_block);
			found = at > pos ? at : pos;
			break;
		}
		lblk += run;
	}
	f->ops->unlock(i);
	return found > size ? size : found;
}
