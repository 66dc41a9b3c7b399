/* open(2) on a path: lookup or creation, then the open file. */
#ifndef AMPHI_FS_VFS_OPEN_H
#define AMPHI_FS_VFS_OPEN_H

struct file;
struct inode;

/* Opens path (relative to start, which the caller holds a reference on) with
 * open(2)'s flags; mode for O_CREAT and O_TMPFILE, the umask not yet
 * applied.  Takes vfs_lock. */
int vfs_open(struct inode *start, const char *path, unsigned flags, unsigned mode, struct file **out);

#endif
