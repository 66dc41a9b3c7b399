/* ext2/ext4 directory blocks: what reading (ext4_dir.c) shares with
 * changing them (ext4_dirwrite.c).  Locked. */
#ifndef AMPHI_FS_EXT4_DIR_H
#define AMPHI_FS_EXT4_DIR_H

#include "fs/ext4_internal.h"

/* A record length as stored (65536 does not fit 16 bits). */
uint32_t ext4_rec_len(struct ext4_fs *fs, uint16_t disk);
uint32_t ext4_dir_leaf_csum(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b);
uint32_t ext4_dx_count_offset(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b, uint64_t lblk);
int ext4_dir_read_block(struct ext4_fs *fs, struct ext4_inode *dir, uint64_t lblk, struct buf **out);

#endif
