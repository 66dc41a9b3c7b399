/* ext4's fallocate: blocks reserved for a file without writing them.
 * Each hole in the range gets a block near the one before, mapped by an
 * unwritten extent, which reads as zeroes; a later write turns the block
 * it touches into a written one (ext4_ext_convert, from ext4_get_block).
 * Blocks already mapped, written or not, stay as they are. */
#include "fs/ext4_internal.h"

#include "core/errno.h"

int ext4_allocate(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t off, uint64_t len, bool keep_size)
{
	uint64_t end = off + len, last = 0;
	int err = 0;

	if (fs->read_only)
		return -EROFS;
	if (!ext4_inode_has_extents(ei))
		return -EOPNOTSUPP;
	if (end < off || end > ext4_max_size(fs, ei))
		return -EFBIG;
	if ((err = ext4_journal_room(fs)))	/* a commit between operations, not inside one */
		return err;
	for (uint64_t lblk = off >> fs->log_block; lblk << fs->log_block < end && !err; lblk++) {
		uint64_t pblk, run;
		if ((err = ext4_map(fs, ei, lblk, &pblk, &run)) || pblk || ext4_ext_mapped(fs, ei, lblk))
			continue;
		/* After the block just taken: ext4_map reads it, unwritten, as a hole. */
		if ((err = ext4_block_alloc(fs, last ? last + 1 : ext4_block_goal(fs, ei, lblk), &pblk)))
			break;
		if ((err = ext4_ext_set_unwritten(fs, ei, lblk, pblk))) {
			ext4_block_free(fs, pblk);
			break;
		}
		ext4_inode_add_blocks(fs, ei, 1);
		last = pblk;
	}
	if (!err && !keep_size && end > ei->size)
		ext4_inode_set_size(ei, end);
	int werr = ext4_inode_write(fs, ei);
	return err ? err : werr;
}
