/* Shared by the file system calls (sys_fs*.c). */
#ifndef AMPHI_LINUX_SYS_FS_INTERNAL_H
#define AMPHI_LINUX_SYS_FS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/vfs.h"

#define AT_FDCWD		-100
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_REMOVEDIR		0x200
#define AT_EACCESS		0x200
#define AT_SYMLINK_FOLLOW	0x400
#define AT_NO_AUTOMOUNT		0x800
#define AT_EMPTY_PATH		0x1000
#define AT_STATX_SYNC_TYPE	0x6000

/* A path from user memory in a buffer from fs/pathbuf.h (pathbuf_put it):
 * -EFAULT, -ENAMETOOLONG (PATH_MAX with its NUL). */
long path_from_user(uint64_t upath, char **out);

/* Where a path given with dirfd starts: the root for an absolute path, the
 * cwd for AT_FDCWD, else dirfd's directory (-EBADF, -ENOTDIR).  Referenced.
 * Caller holds vfs_lock. */
int at_start(int dirfd, const char *path, struct inode **out);

/* The inode dirfd and path name: follow says whether to follow a symlink
 * in the last component; with AT_EMPTY_PATH in flags an empty path names
 * dirfd's own inode.  Referenced.  Takes vfs_lock. */
int at_lookup(int dirfd, uint64_t upath, int flags, bool follow, struct inode **out);

/* The parent directory of path's last component and its name.  Caller holds
 * vfs_lock. */
int at_parent(int dirfd, const char *path, struct inode **dir, char name[NAME_MAX + 1],
	      bool *slash);

#endif
