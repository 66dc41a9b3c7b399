/* ext2/ext4 file contents, read side: the block map walked a run at a
 * time, holes and unwritten extents read as zeroes, and symlink targets.
 * Reads straight from the device into the caller's buffer: the page
 * cache (fs/pagecache.c) sits above this in the kernel. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "dev/blk.h"
#include "fs/stat.h"

/* Part of one block: through a bounce buffer, the device reads whole
 * sectors. */
static int read_partial(struct ext4_fs *fs, uint64_t pblk, uint32_t skip, void *dst, size_t n)
{
	uint8_t *tmp = kmalloc(fs->block_size);

	if (!tmp)
		return -ENOMEM;
	int err = blk_read(fs->dev, pblk << fs->log_block, tmp, fs->block_size);
	if (!err)
		memcpy(dst, tmp + skip, n);
	kfree(tmp);
	return err;
}

/* One stretch of the file that maps to one run (or one hole). */
static long read_run(struct ext4_fs *fs, struct ext4_inode *ei, uint8_t *dst, size_t len, uint64_t off)
{
	uint64_t lblk = off >> fs->log_block, pblk, run;
	uint32_t skip = (uint32_t)(off & (fs->block_size - 1));
	int err = ext4_map(fs, ei, lblk, &pblk, &run);

	if (err)
		return err;
	uint64_t avail = (run << fs->log_block) - skip;
	size_t n = len < avail ? len : (size_t)avail;
	if (!pblk) {
		memset(dst, 0, n);
		return (long)n;
	}
	if (skip || n < fs->block_size)
		n = n < fs->block_size - skip ? n : fs->block_size - skip;
	else
		n &= ~(size_t)(fs->block_size - 1);
	if (skip || n < fs->block_size)
		err = read_partial(fs, pblk, skip, dst, n);
	else
		err = blk_read(fs->dev, pblk << fs->log_block, dst, n);
	return err ? err : (long)n;
}

long ext4_file_read(struct ext4_fs *fs, struct ext4_inode *ei, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off >= ei->size)
		return 0;
	if (len > ei->size - off)
		len = (size_t)(ei->size - off);
	while (done < len) {
		long n = read_run(fs, ei, (uint8_t *)buf + done, len - done, off + done);
		if (n < 0)
			return done ? (long)done : n;
		done += (size_t)n;
	}
	return (long)done;
}

long ext4_readlink(struct ext4_fs *fs, struct ext4_inode *ei, char *buf, size_t size)
{
	if ((ei->raw.i_mode & S_IFMT) != S_IFLNK)
		return -EINVAL;
	if (ei->size == 0 || ei->size > fs->block_size)
		return ext4_corrupt(fs, "bad symlink size", ei->ino);
	if (ei->size >= size)
		return -ENAMETOOLONG;
	size_t n = (size_t)ei->size;
	if (ext4_inode_fast_symlink(fs, ei)) {
		memcpy(buf, ei->raw.i_block, n);
	} else {
		long r = ext4_file_read(fs, ei, buf, n, 0);
		if (r < 0)
			return r;
		if ((size_t)r != n)
			return ext4_corrupt(fs, "short symlink", ei->ino);
	}
	buf[n] = 0;
	if (memchr(buf, 0, n))
		return ext4_corrupt(fs, "NUL in a symlink target", ei->ino);
	return (long)n;
}
