/* ext2's indirect block map: shared by reading (ext4_indirect.c) and
 * writing (ext4_indwrite.c).  Locked. */
#ifndef AMPHI_FS_EXT4_INDIRECT_H
#define AMPHI_FS_EXT4_INDIRECT_H

#include "fs/ext4_internal.h"

#define EXT4_IND_DIRECT	12

/* The i_block slot for lblk and the index at each indirect level: the
 * number of levels (0-3) or -EFBIG. */
int ext4_ind_path(struct ext4_fs *fs, uint64_t lblk, unsigned *slot, uint32_t idx[3]);

#endif
