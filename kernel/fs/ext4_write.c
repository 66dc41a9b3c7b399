/* ext2/ext4 file contents, write side: blocks allocated as writes reach
 * holes (near the block before, so files stay contiguous), partial blocks
 * read, changed and written whole, and truncation in both directions.
 * Data goes straight to the device; the page cache sits above this in
 * the kernel, and the metadata that maps the data waits in the buffer
 * cache until a sync. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "dev/blk.h"
#include "fs/stat.h"

uint64_t ext4_block_goal(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk)
{
	uint64_t before, run;

	if (lblk && !ext4_map(fs, ei, lblk - 1, &before, &run) && before)
		return before + 1;
	return fs->first_data_block + 1 + (ei->ino - 1) / fs->inodes_per_group * (uint64_t)fs->blocks_per_group;
}

int ext4_get_block(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, bool create, uint64_t *pblk,
		   bool *fresh)
{
	uint64_t run;

	if (fresh)
		*fresh = false;
	int err = ext4_map(fs, ei, lblk, pblk, &run);
	if (err || *pblk || !create)
		return err;
	if (fs->read_only)
		return -EROFS;
	if (ext4_inode_has_extents(ei)) {
		/* Preallocated (unwritten) reads as a hole: written now, its
		 * old contents garbage like a new block's. */
		if ((err = ext4_ext_convert(fs, ei, lblk, pblk)) || *pblk) {
			if (!err && fresh)
				*fresh = true;
			return err;
		}
	}
	if ((err = ext4_block_alloc(fs, ext4_block_goal(fs, ei, lblk), pblk)))
		return err;
	err = ext4_inode_has_extents(ei) ? ext4_ext_set(fs, ei, lblk, *pblk)
					 : ext4_ind_set(fs, ei, lblk, *pblk);
	if (err) {
		ext4_block_free(fs, *pblk);
		return err;
	}
	ext4_inode_add_blocks(fs, ei, 1);
	if (fresh)
		*fresh = true;
	return 0;
}

/* Bytes [skip, skip + n) of a block from src (NULL: zeroes), the rest
 * kept (or zero if the block is new). */
static int write_partial(struct ext4_fs *fs, uint64_t pblk, bool fresh, uint32_t skip, const void *src,
			 size_t n)
{
	uint8_t *tmp = kmalloc(fs->block_size);
	int err = 0;

	if (!tmp)
		return -ENOMEM;
	if (!fresh)
		err = blk_read(fs->dev, pblk << fs->log_block, tmp, fs->block_size);
	if (!err) {
		if (src)
			memcpy(tmp + skip, src, n);
		else
			memset(tmp + skip, 0, n);
		err = blk_write(fs->dev, pblk << fs->log_block, tmp, fs->block_size);
	}
	kfree(tmp);
	return err;
}

/* A block map's size limit, as Linux's ext4_max_bitmap_size: the blocks
 * three levels name, fewer when i_blocks would overflow (limit: the
 * blocks it can count) with the map's own blocks counted too. */
static uint64_t bitmap_max_blocks(uint64_t limit, uint64_t ppb)
{
	uint64_t data = 12 + ppb + ppb * ppb + ppb * ppb * ppb;
	uint64_t meta = 1 + (1 + ppb) + (1 + ppb + ppb * ppb);

	if (data + meta <= limit)
		return data;
	uint64_t rest = limit - 12 - ppb;	/* past the single indirect block */
	if (rest < ppb * ppb)
		return limit - (1 + 1 + (rest + ppb - 1) / ppb);
	rest -= ppb * ppb;
	meta = 1 + (1 + ppb) + 1 + (rest + ppb - 1) / ppb + (rest + ppb * ppb - 1) / (ppb * ppb);
	return limit - meta;
}

/* Linux's limits, which e2fsck checks: an extent tree's last block is
 * 2^32 - 2, so that an extent's end fits its 32 bits; without huge_file
 * i_blocks counts at most 2^32 - 1 sectors. */
uint64_t ext4_max_size(struct ext4_fs *fs, const struct ext4_inode *ei)
{
	bool huge = fs->ro_compat & EXT4_RO_COMPAT_HUGE_FILE;
	uint64_t limit = huge ? ((uint64_t)1 << 48) - 1 : UINT32_MAX >> (fs->log_block - 9);
	uint64_t blocks;

	if (ei->raw.i_flags & EXT4_EXTENTS_FL)
		blocks = limit < UINT32_MAX ? limit : UINT32_MAX;
	else
		blocks = bitmap_max_blocks(limit, fs->block_size / 4);
	return blocks << fs->log_block;
}

long ext4_file_write(struct ext4_fs *fs, struct ext4_inode *ei, const void *buf, size_t len, uint64_t off)
{
	int err = len ? ext4_journal_room(fs) : 0;	/* a commit between writes, not inside one */

	return err ? err : ext4_file_put(fs, ei, buf, len, off);
}

long ext4_file_put(struct ext4_fs *fs, struct ext4_inode *ei, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	int err = 0;

	if (off + len < off || off + len > ext4_max_size(fs, ei))
		return -EFBIG;
	while (done < len) {
		uint64_t pos = off + done, pblk;
		uint32_t skip = (uint32_t)(pos & (fs->block_size - 1));
		size_t n = fs->block_size - skip < len - done ? fs->block_size - skip : len - done;
		bool fresh;
		err = ext4_get_block(fs, ei, pos >> fs->log_block, true, &pblk, &fresh);
		if (err)
			break;
		if (n == fs->block_size)
			err = blk_write(fs->dev, pblk << fs->log_block, (const uint8_t *)buf + done, n);
		else
			err = write_partial(fs, pblk, fresh, skip, (const uint8_t *)buf + done, n);
		if (err)
			break;
		done += n;
	}
	if (done && off + done > ei->size)
		ext4_inode_set_size(ei, off + done);
	int werr = ext4_inode_write(fs, ei);
	if (done)
		return (long)done;
	return err ? err : werr;
}

/* The inode's blocks are a block map (not a fast symlink's text, not a
 * device's numbers). */
bool ext4_inode_has_blocks(struct ext4_fs *fs, const struct ext4_inode *ei)
{
	uint32_t type = ei->raw.i_mode & S_IFMT;
	return type == S_IFREG || type == S_IFDIR || (type == S_IFLNK && !ext4_inode_fast_symlink(fs, ei));
}

/* Zeroes [skip, skip + n) of the file's block lblk, if it has one (an
 * unwritten block reads zero already). */
static int zero_in_block(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint32_t skip, size_t n)
{
	uint64_t pblk;
	int err = ext4_get_block(fs, ei, lblk, false, &pblk, NULL);

	return err || !pblk ? err : write_partial(fs, pblk, false, skip, NULL, n);
}

int ext4_punch(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t off, uint64_t len)
{
	uint64_t end = off + len, mask = fs->block_size - 1;
	uint64_t first = (off + mask) >> fs->log_block, last = end >> fs->log_block;	/* whole blocks */
	int err = 0;

	if (fs->read_only)
		return -EROFS;
	if (!(fs->incompat & EXT4_INCOMPAT_EXTENTS))
		return -EOPNOTSUPP;
	if ((err = ext4_journal_room(fs)))	/* a commit between operations, not inside one */
		return err;
	if (off & mask) {	/* the first block's part; all of the hole if it ends there */
		uint64_t stop = end < first << fs->log_block ? end : first << fs->log_block;
		err = zero_in_block(fs, ei, off >> fs->log_block, (uint32_t)(off & mask), stop - off);
	}
	if (!err && (end & mask) && last >= first)	/* the last block's part */
		err = zero_in_block(fs, ei, last, 0, end & mask);
	if (!err && first < last)
		err = ext4_inode_has_extents(ei) ? ext4_ext_punch(fs, ei, first, last)
						 : ext4_ind_punch(fs, ei, first, last);
	int werr = ext4_inode_write(fs, ei);
	return err ? err : werr;
}

int ext4_truncate(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t size)
{
	uint64_t keep = (size + fs->block_size - 1) >> fs->log_block;
	uint32_t tail = (uint32_t)(size & (fs->block_size - 1));
	int err = 0;

	if (fs->read_only)
		return -EROFS;
	if (size > ext4_max_size(fs, ei))
		return -EFBIG;
	if (size < ei->size && ext4_inode_has_blocks(fs, ei)) {
		/* What lies past the new end in its last block must read as
		 * zeroes if the file grows again. */
		uint64_t pblk;
		if (tail && !(err = ext4_get_block(fs, ei, keep - 1, false, &pblk, NULL)) && pblk)
			err = write_partial(fs, pblk, false, tail, NULL, fs->block_size - tail);
		if (!err)
			err = ext4_inode_has_extents(ei) ? ext4_ext_truncate(fs, ei, keep)
							 : ext4_ind_truncate(fs, ei, keep);
	}
	if (!err)
		ext4_inode_set_size(ei, size);
	int werr = ext4_inode_write(fs, ei);
	return err ? err : werr;
}
