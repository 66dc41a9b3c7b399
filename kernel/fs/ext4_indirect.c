/* ext2's block map, read side: 12 direct blocks in i_block, then a single,
 * a double and a triple indirect block.  0 anywhere is a hole. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "fs/bcache.h"
#include "fs/ext4_indirect.h"

/* The path to lblk: the i_block slot and the index at each indirect level
 * below it.  Returns the number of levels (0 for a direct block). */
int ext4_ind_path(struct ext4_fs *fs, uint64_t lblk, unsigned *slot, uint32_t idx[3])
{
	uint64_t apb = fs->block_size / 4;

	if (lblk < EXT4_IND_DIRECT) {
		*slot = (unsigned)lblk;
		return 0;
	}
	lblk -= EXT4_IND_DIRECT;
	for (int levels = 1; levels <= 3; levels++) {
		uint64_t span = 1;
		for (int k = 0; k < levels; k++)
			span *= apb;
		if (lblk < span) {
			*slot = EXT4_IND_DIRECT + (unsigned)levels - 1;
			for (int k = levels - 1; k >= 0; k--) {
				idx[k] = (uint32_t)(lblk % apb);
				lblk /= apb;
			}
			return levels;
		}
		lblk -= span;
	}
	return -EFBIG;
}

/* A hole met at depth (0: the i_block slot itself is 0) of a path of
 * levels: how many blocks from lblk on it spans (the rest of the subtree
 * the missing pointer would hold), so a walk steps over it at once. */
static uint64_t hole_run(struct ext4_fs *fs, int levels, int depth, const uint32_t idx[3])
{
	uint64_t apb = fs->block_size / 4, span = 1, off = 0;

	for (int j = levels - 1; j >= depth; j--) {
		off += idx[j] * span;
		span *= apb;
	}
	return span - off;
}

/* Follows the path down; *leaf gets the last indirect block (referenced)
 * or NULL for a direct block or a hole above it; *run the hole's length
 * when *pblk is 0. */
static int walk(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk,
		struct buf **leaf, uint32_t *leaf_idx, uint64_t *run)
{
	unsigned slot;
	uint32_t idx[3];
	int levels = ext4_ind_path(fs, lblk, &slot, idx), k;

	*leaf = NULL;
	if (levels < 0)
		return levels;
	uint64_t blk = ei->raw.i_block[slot];
	for (k = 0; k < levels && blk; k++) {
		struct buf *b;
		int err = ext4_bread(fs, blk, &b);
		if (*leaf)
			bcache_put(*leaf);
		*leaf = NULL;
		if (err)
			return err;
		blk = ((uint32_t *)b->data)[idx[k]];
		*leaf = b;
		*leaf_idx = idx[k];
	}
	if (blk && !ext4_block_ok(fs, blk))
		return ext4_corrupt(fs, "block number out of range", ei->ino);
	*pblk = blk;
	if (!blk)
		*run = hole_run(fs, levels, k, idx);
	return 0;
}

int ext4_ind_map(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk, uint64_t *run)
{
	struct buf *leaf;
	uint32_t at = 0;

	*run = 1;
	int err = walk(fs, ei, lblk, pblk, &leaf, &at, run);
	if (!err && leaf && *pblk) {
		/* Following entries of the same indirect block that continue
		 * the run on disk: one read for a contiguous stretch. */
		const uint32_t *e = (const uint32_t *)leaf->data;
		uint32_t apb = fs->block_size / 4;
		while (at + *run < apb && e[at + *run] == *pblk + *run && ext4_block_ok(fs, *pblk + *run))
			(*run)++;
	}
	if (leaf)
		bcache_put(leaf);
	return err;
}
