/* ext4 extent trees, read side: a file's logical block to its disk block.
 *
 * The tree's root is the header and 4 entries in the inode's i_block; each
 * level below is one block with a header, entries sorted by logical block
 * and (metadata_csum) a checksum tail after eh_max entries.  The depth
 * falls by one at each step, so a walk ends after at most 5 blocks. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "crc32c.h"
#include "fs/bcache.h"
#include "fs/ext4_extents.h"

bool ext4_ext_header_ok(struct ext4_fs *fs, const struct ext4_extent_header *h, unsigned room,
			unsigned depth)
{
	(void)fs;
	return h->eh_magic == EXT4_EXT_MAGIC && h->eh_max <= room && h->eh_max > 0 &&
	       h->eh_entries <= h->eh_max && h->eh_depth == depth;
}

unsigned ext4_ext_block_room(struct ext4_fs *fs)
{
	return (fs->block_size - sizeof(struct ext4_extent_header) - 4) / sizeof(struct ext4_extent);
}

uint32_t ext4_ext_block_csum(struct ext4_fs *fs, struct ext4_inode *ei, const uint8_t *b)
{
	const struct ext4_extent_header *h = (const void *)b;
	(void)fs;
	return crc32c(ei->csum_seed, b, sizeof *h + (size_t)h->eh_max * sizeof(struct ext4_extent));
}

static uint32_t *tail_of(uint8_t *b)
{
	const struct ext4_extent_header *h = (const void *)b;
	return (uint32_t *)(b + sizeof *h + (size_t)h->eh_max * sizeof(struct ext4_extent));
}

void ext4_ext_block_csum_set(struct ext4_fs *fs, struct ext4_inode *ei, uint8_t *b)
{
	if (fs->csum)
		*tail_of(b) = ext4_ext_block_csum(fs, ei, b);
}

/* A tree block below the root at the given depth: read and checked. */
int ext4_ext_read_node(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t blk, unsigned depth,
		       struct buf **out)
{
	int err = ext4_bread(fs, blk, out);
	if (err)
		return err;
	uint8_t *b = (*out)->data;
	/* The header every time: a corrupt tree may point at a block from
	 * another depth.  The checksum once. */
	if (!ext4_ext_header_ok(fs, (void *)b, ext4_ext_block_room(fs), depth))
		err = ext4_corrupt(fs, "bad extent block header", ei->ino);
	else if (fs->csum && (*out)->checked_as != EXT4_AS_EXTENTS && *tail_of(b) != ext4_ext_block_csum(fs, ei, b))
		err = ext4_corrupt(fs, "extent block checksum mismatch", ei->ino);
	if (err) {
		bcache_put(*out);
		*out = NULL;
		return err;
	}
	(*out)->checked_as = EXT4_AS_EXTENTS;
	return 0;
}

struct ext4_extent_header *ext4_ext_root(struct ext4_inode *ei)
{
	return (struct ext4_extent_header *)ei->raw.i_block;
}

uint64_t ext4_idx_leaf(const struct ext4_extent_idx *x)
{
	return (uint64_t)x->ei_leaf_hi << 32 | x->ei_leaf_lo;
}

uint64_t ext4_ext_start(const struct ext4_extent *e)
{
	return (uint64_t)e->ee_start_hi << 32 | e->ee_start_lo;
}

unsigned ext4_ext_len(const struct ext4_extent *e)
{
	return e->ee_len > EXT4_EXT_INIT_MAX_LEN ? e->ee_len - EXT4_EXT_INIT_MAX_LEN : e->ee_len;
}

/* The last entry at or before lblk (entries are 12 bytes whatever their
 * kind, their first field the logical block): its index, or -1.  Checks
 * the order on the way, so a corrupt node cannot send a walk astray. */
static int find_entry(struct ext4_fs *fs, struct ext4_inode *ei, const struct ext4_extent_header *h,
		      uint64_t lblk, uint64_t *next)
{
	const struct ext4_extent *e = (const void *)(h + 1);
	int found = -1;

	for (unsigned k = 0; k < h->eh_entries; k++) {
		if (k && e[k].ee_block <= e[k - 1].ee_block)
			return ext4_corrupt(fs, "extent entries out of order", ei->ino);
		if (e[k].ee_block <= lblk)
			found = (int)k;
		else if (e[k].ee_block < *next) {
			*next = e[k].ee_block;
			break;
		}
	}
	if (found < 0 && h->eh_entries == 0)
		return -1;
	return found;
}

/* The extent holding lblk in a leaf, or a hole up to *next. */
static int map_leaf(struct ext4_fs *fs, struct ext4_inode *ei, const struct ext4_extent_header *h,
		    uint64_t lblk, uint64_t next, uint64_t *pblk, uint64_t *run)
{
	int k = find_entry(fs, ei, h, lblk, &next);
	if (k < -1)
		return k;
	*pblk = 0;
	*run = next - lblk;
	if (k < 0)
		return 0;
	const struct ext4_extent *e = (const struct ext4_extent *)(h + 1) + k;
	uint64_t len = ext4_ext_len(e), start = ext4_ext_start(e);
	if (len == 0 || !ext4_block_ok(fs, start) || !ext4_block_ok(fs, start + len - 1) ||
	    (uint64_t)e->ee_block + len > next)
		return ext4_corrupt(fs, "bad extent", ei->ino);
	if (lblk >= e->ee_block + len)
		return 0;	/* a hole after it */
	*run = e->ee_block + len - lblk;
	if (e->ee_len <= EXT4_EXT_INIT_MAX_LEN)	/* unwritten extents read as zeroes */
		*pblk = start + (lblk - e->ee_block);
	return 0;
}

int ext4_ext_map(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk, uint64_t *run)
{
	const struct ext4_extent_header *h = ext4_ext_root(ei);
	struct buf *b = NULL;
	uint64_t next = (uint64_t)1 << 32;	/* the first logical block past this subtree */
	int err = 0;

	if (!ext4_ext_header_ok(fs, h, 4, h->eh_depth) || h->eh_depth > EXT4_EXT_MAX_DEPTH)
		return ext4_corrupt(fs, "bad extent root", ei->ino);
	if (lblk >= next)
		return -EFBIG;
	for (unsigned depth = h->eh_depth; depth > 0 && !err; depth--) {
		int k = find_entry(fs, ei, h, lblk, &next);
		if (k < 0) {
			err = k == -1 ? 0 : k;
			*pblk = 0;
			*run = next - lblk;
			break;
		}
		const struct ext4_extent_idx *x = (const struct ext4_extent_idx *)(h + 1) + k;
		struct buf *child;
		err = ext4_ext_read_node(fs, ei, ext4_idx_leaf(x), depth - 1, &child);
		if (b)
			bcache_put(b);
		b = child;
		if (!err) {
			h = (const void *)b->data;
			if (depth == 1)
				err = map_leaf(fs, ei, h, lblk, next, pblk, run);
		}
	}
	if (!err && ext4_ext_root(ei)->eh_depth == 0)
		err = map_leaf(fs, ei, h, lblk, next, pblk, run);
	if (b)
		bcache_put(b);
	return err;
}

int ext4_map(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk, uint64_t *run)
{
	if (lblk >= ext4_max_blocks(fs, ei))
		return -EFBIG;
	if (ext4_inode_has_extents(ei))
		return ext4_ext_map(fs, ei, lblk, pblk, run);
	return ext4_ind_map(fs, ei, lblk, pblk, run);
}

uint64_t ext4_max_blocks(struct ext4_fs *fs, const struct ext4_inode *ei)
{
	if (ei->raw.i_flags & EXT4_EXTENTS_FL)
		return (uint64_t)1 << 32;
	uint64_t apb = fs->block_size / 4;
	return 12 + apb + apb * apb + apb * apb * apb;
}
