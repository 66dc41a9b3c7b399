/* ext2's block map, write side: indirect blocks made as a new block needs
 * them (zeroed: every entry a hole), and freed with the data below them
 * when a truncation or a punched hole covers all they map. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "fs/bcache.h"
#include "fs/ext4_indirect.h"

/* A new indirect block for *slot: 0 with it referenced in *out. */
static int new_ind(struct ext4_fs *fs, struct ext4_inode *ei, uint32_t *slot, uint64_t goal, struct buf **out)
{
	uint64_t blk;
	int err = ext4_block_alloc(fs, goal, &blk);

	/* Unchecked: an indirect block has no check of its own (each
	 * number in it is checked where it is used). */
	if (!err)
		err = bcache_new_block(fs->bc, blk, EXT4_UNCHECKED, out);
	if (err)
		return err;
	*slot = (uint32_t)blk;
	ext4_inode_add_blocks(fs, ei, 1);
	return 0;
}

int ext4_ind_set(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t pblk)
{
	unsigned slot;
	uint32_t idx[3];
	int levels = ext4_ind_path(fs, lblk, &slot, idx);

	if (levels < 0)
		return levels;
	if (pblk >> 32)
		return -EFBIG;
	uint32_t *entry = &ei->raw.i_block[slot];
	struct buf *b = NULL;
	int err = 0;
	for (int k = 0; k < levels && !err; k++) {
		struct buf *next;
		if (*entry)
			err = ext4_bread(fs, *entry, &next);
		else
			err = new_ind(fs, ei, entry, pblk, &next);
		if (b) {
			bcache_dirty(b);
			bcache_put(b);
		}
		b = err ? NULL : next;
		if (b)
			entry = (uint32_t *)b->data + idx[k];
	}
	if (!err)
		*entry = (uint32_t)pblk;
	if (b) {
		bcache_dirty(b);
		bcache_put(b);
	}
	return err;
}

static int free_block(struct ext4_fs *fs, struct ext4_inode *ei, uint32_t *slot)
{
	int err = ext4_block_free(fs, *slot);
	if (!err) {
		*slot = 0;
		ext4_inode_add_blocks(fs, ei, -1);
	}
	return err;
}

/* Frees what the tree at *slot (levels of indirection, its first logical
 * block base, span blocks per entry) maps in [from, to); the tree's own
 * block too when its whole range lies inside. */
static int ind_free_tree(struct ext4_fs *fs, struct ext4_inode *ei, uint32_t *slot, int levels, uint64_t base,
			 uint64_t span, uint64_t from, uint64_t to)
{
	uint32_t apb = fs->block_size / 4;
	uint64_t covers = levels ? span * apb : 1;
	bool inside = base >= from && base + covers <= to;

	if (!*slot)
		return 0;
	if (levels == 0)
		return inside ? free_block(fs, ei, slot) : 0;
	struct buf *b;
	int err = ext4_block_check_taken(fs, *slot);	/* a block named twice: walked once */
	if (!err)
		err = ext4_bread(fs, *slot, &b);
	if (err)
		return err;
	uint32_t *e = (uint32_t *)b->data;
	for (uint32_t i = 0; i < apb && !err; i++) {
		uint64_t child = base + i * span;
		if (child + span <= from || child >= to || !e[i])
			continue;
		err = ind_free_tree(fs, ei, &e[i], levels - 1, child, span / apb, from, to);
		bcache_dirty(b);
	}
	bcache_put(b);
	if (!err && inside)
		err = free_block(fs, ei, slot);
	return err;
}

int ext4_ind_punch(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t from, uint64_t to)
{
	uint64_t apb = fs->block_size / 4, base = EXT4_IND_DIRECT, span = 1;
	int err = 0;

	for (unsigned i = 0; i < EXT4_IND_DIRECT && !err; i++)
		err = ind_free_tree(fs, ei, &ei->raw.i_block[i], 0, i, 1, from, to);
	for (int levels = 1; levels <= 3 && !err; levels++) {
		uint64_t covers = span * apb;
		err = ind_free_tree(fs, ei, &ei->raw.i_block[EXT4_IND_DIRECT + levels - 1], levels, base, span,
				    from, to);
		base += covers;
		span = covers;
	}
	return err;
}

int ext4_ind_truncate(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk)
{
	return ext4_ind_punch(fs, ei, lblk, UINT64_MAX);
}
