/* ext4 extent trees: what ext4_extents.c (reading) shares with
 * ext4_extwrite.c (growing and shrinking the tree).  Locked. */
#ifndef AMPHI_FS_EXT4_EXTENTS_H
#define AMPHI_FS_EXT4_EXTENTS_H

#include "fs/ext4_internal.h"

struct ext4_extent_header *ext4_ext_root(struct ext4_inode *ei);
bool ext4_ext_header_ok(struct ext4_fs *fs, const struct ext4_extent_header *h, unsigned room,
			unsigned depth);
/* Entries that fit in a tree block below the root (room for the tail). */
unsigned ext4_ext_block_room(struct ext4_fs *fs);
uint32_t ext4_ext_block_csum(struct ext4_fs *fs, struct ext4_inode *ei, const uint8_t *b);
void ext4_ext_block_csum_set(struct ext4_fs *fs, struct ext4_inode *ei, uint8_t *b);
int ext4_ext_read_node(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t blk, unsigned depth,
		       struct buf **out);
uint64_t ext4_idx_leaf(const struct ext4_extent_idx *x);
uint64_t ext4_ext_start(const struct ext4_extent *e);
unsigned ext4_ext_len(const struct ext4_extent *e);

#endif
