/* The table that finds a directory entry by directory and name. */
#ifndef AMPHI_FS_VFS_HASH_H
#define AMPHI_FS_VFS_HASH_H

#include <stddef.h>

#include "fs/vfs.h"

/* Caller holds vfs_lock.  add: 0, or -1 if no table could be made. */
int vfs_hash_add(struct dentry *d);
void vfs_hash_remove(struct dentry *d);
struct dentry *vfs_hash_find(const struct inode *dir, const char *name, size_t len);

#endif
