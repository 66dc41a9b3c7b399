/* ext2 and ext4 on a block device (fs/super.h's types).  The same code
 * mounts both (and ext3): the names only say what /proc/mounts shows. */
#ifndef AMPHI_FS_EXT4_H
#define AMPHI_FS_EXT4_H

#include "fs/super.h"

extern const struct fs_type ext4_fs_type;
extern const struct fs_type ext2_fs_type;

#endif
