/* Regular file contents, wherever they live: tmpfs's pages, or the store
 * of a mounted file system through its fs_ops under the inode's
 * data_lock (fs/super.h).  Changes to a file of a read-only mount are
 * refused with EROFS here, whatever path they come by.
 *
 * Pages cut from a file leave its mappings in every address space
 * (vm_object_unmap): tmpfs's once the file let go of them; a store's
 * before its cache writes them back and drops them, with the fault_lock
 * held whole, so no store through a mapping lands in a dropped page. */
#include "fs/vfs.h"

#include "core/errno.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/super.h"

long vfs_data_read(struct inode *i, const struct iobuf *b, int64_t pos)
{
	if (!i->sb)
		return tmpfs_read(i, b, pos);
	rwmutex_read_lock(&i->data_lock);
	long n = i->sb->ops->read(i, b, pos);
	rwmutex_read_unlock(&i->data_lock);
	return n;
}

long vfs_data_write(struct inode *i, const struct iobuf *b, int64_t *pos, bool append)
{
	if (!i->sb)
		return tmpfs_write(i, b, pos, append);
	int err = mount_writable(i);
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	long n = i->sb->ops->write(i, b, pos, append);
	rwmutex_write_unlock(&i->data_lock);
	return n;
}

long vfs_data_fit(const struct iobuf *b, int64_t pos, uint64_t store_max, struct iobuf *part)
{
	uint64_t max = b->max_end < store_max ? b->max_end : store_max;

	if ((uint64_t)pos >= max)
		return -EFBIG;
	*part = *b;
	if (part->len > max - (uint64_t)pos)
		part->len = (size_t)(max - (uint64_t)pos);
	return 0;
}

/* The pages the bytes [start, end) touch leave i's mappings, all but
 * private copies (end > start): the pages a punched hole drops, its
 * partial ones at the edges too (a store's cache drops them), or an
 * O_DIRECT range's. */
static void unmap_touched(struct inode *i, uint64_t start, uint64_t end)
{
	uint64_t first = start / PAGE_SIZE;

	vm_object_unmap(&i->mapped, first, (end - 1) / PAGE_SIZE + 1 - first, false);
}

/* O_DIRECT I/O writes back and drops the cache's pages of its range, so
 * they leave the mappings first, as Linux's invalidate_inode_pages2_range
 * has them: else a shared mapping stores on into a page the file no
 * longer has, and every mapping keeps reading the bytes from before a
 * direct write.  (A fault between this and the drop still maps a page
 * about to go: Linux has that race too.) */
static void unmap_direct(struct inode *i, int64_t pos, size_t len)
{
	if (pos >= 0 && len)	/* else refused, or nothing to drop */
		unmap_touched(i, (uint64_t)pos,
			      (uint64_t)pos > UINT64_MAX - len ? UINT64_MAX : (uint64_t)pos + len);
}

long vfs_data_direct(struct inode *i, const struct iobuf *b, int64_t *pos, bool write, bool append)
{
	if (!i->sb || !i->sb->ops->direct_io) {
		if (!write)
			return vfs_data_read(i, b, *pos);
		return vfs_data_write(i, b, pos, append);
	}
	int err = write ? mount_writable(i) : 0;
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	unmap_direct(i, append ? i->size : *pos, b->len);
	long n = i->sb->ops->direct_io(i, b, pos, write, append);
	rwmutex_write_unlock(&i->data_lock);
	return n;
}

/* A truncation to size cuts every page past the end, from private
 * mappings too, as Linux's truncate_pagecache (the access is SIGBUS). */
static void unmap_past(struct inode *i, int64_t size)
{
	if (size >= 0)	/* else refused */
		vm_object_unmap(&i->mapped, pages_for(size), UINT64_MAX, true);
}

int vfs_data_truncate(struct inode *i, int64_t size)
{
	if (!i->sb) {
		int err = tmpfs_truncate(i, size);
		if (!err)
			unmap_past(i, size);
		return err;
	}
	int err = mount_writable(i);
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	rwmutex_write_lock(&i->fault_lock);	/* no fault finds a page it is dropping */
	unmap_past(i, size);
	err = i->sb->ops->truncate(i, size);
	rwmutex_write_unlock(&i->fault_lock);
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

int vfs_data_allocate(struct inode *i, int64_t off, int64_t len, bool keep_size)
{
	if (!i->sb)
		return tmpfs_allocate(i, off, len, keep_size);
	if (!i->sb->ops->allocate)
		return -EOPNOTSUPP;
	int err = mount_writable(i);
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	err = i->sb->ops->allocate(i, off, len, keep_size);
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

int vfs_data_punch(struct inode *i, int64_t off, int64_t len)
{
	if (!i->sb) {
		int err = tmpfs_punch(i, off, len);
		if (!err)
			unmap_touched(i, (uint64_t)off, (uint64_t)(off + len));
		return err;
	}
	if (!i->sb->ops->punch)
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (off > INT64_MAX - len)
		return -EFBIG;
	int err = mount_writable(i);
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	rwmutex_write_lock(&i->fault_lock);	/* no fault maps a page it drops */
	unmap_touched(i, (uint64_t)off, (uint64_t)(off + len));
	err = i->sb->ops->punch(i, off, len);
	rwmutex_write_unlock(&i->fault_lock);
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

/* A punched hole, then blocks for it that read as zeroes: a reader in
 * between finds zeroes too. */
int vfs_data_zero(struct inode *i, int64_t off, int64_t len, bool keep_size)
{
	if (!i->sb || !i->sb->ops->punch || !i->sb->ops->allocate)
		return -EOPNOTSUPP;
	int err = vfs_data_punch(i, off, len);
	return err ? err : vfs_data_allocate(i, off, len, keep_size);
}

int vfs_data_fsync(struct inode *i, bool datasync)
{
	if (!i->sb || !i->sb->ops->fsync)
		return 0;	/* tmpfs: nothing is more durable than memory */
	rwmutex_write_lock(&i->data_lock);
	int err = i->sb->ops->fsync(i, datasync);
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

int64_t seek_in_all_data(int64_t size, int64_t pos, bool hole)
{
	if (pos < 0 || pos >= size)
		return -ENXIO;
	return hole ? size : pos;
}

int64_t vfs_data_seek(struct inode *i, int64_t pos, bool hole)
{
	if (!i->sb)
		return tmpfs_seek(i, pos, hole);
	rwmutex_read_lock(&i->data_lock);
	/* A store that cannot tell (9p, ISO 9660) is all data. */
	int64_t r = i->sb->ops->seek_data ? i->sb->ops->seek_data(i, pos, hole)
					  : seek_in_all_data(i->size, pos, hole);
	rwmutex_read_unlock(&i->data_lock);
	return r;
}
