/* Path lookup: absolute or relative to a starting directory, "." and "..",
 * symlinks followed up to SYMLOOP_MAX times (then -ELOOP), trailing slashes
 * demanding a directory, -ENAMETOOLONG for a component over NAME_MAX,
 * -ENOTDIR for a non-directory used as one.  Callers hold vfs_lock; every
 * inode handed back carries a reference. */
#ifndef AMPHI_FS_PATH_H
#define AMPHI_FS_PATH_H

#include <stdbool.h>

#include "fs/vfs.h"

/* Where the result was found: its directory and name, after following
 * symlinks (for /proc/self/fd names).  dir is NULL when the path named a
 * directory by "/", "." or "..". */
struct path_last {
	struct inode *dir;
	char name[NAME_MAX + 1];
};

/* The inode path names.  follow: follow a symlink in the last component
 * (a trailing slash always does).  last may be NULL; if not, release it
 * with path_last_put(). */
int path_lookup(struct inode *start, const char *path, bool follow, struct inode **out,
		struct path_last *last);
void path_last_put(struct path_last *last);

/* The directory that would hold path's last component, and that name
 * (empty for "/").  *slash says whether path ended in slashes.  The name is
 * not looked up, so it may be "." or "..". */
int path_parent(struct inode *start, const char *path, struct inode **dir,
		char name[NAME_MAX + 1], bool *slash);

#endif
