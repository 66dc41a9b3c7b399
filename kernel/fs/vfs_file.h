/* Open files on VFS inodes: regular files, directories, O_PATH handles,
 * and the helpers devices and /proc use to make theirs. */
#ifndef AMPHI_FS_VFS_FILE_H
#define AMPHI_FS_VFS_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/file.h"
#include "fs/vfs.h"

#define O_LARGEFILE	00100000
#define O_TMPFILE	(020000000 | O_DIRECTORY)

/* Opens inode i as open(2) would with flags (O_TRUNC included).  Caller
 * holds vfs_lock and a reference on i (the file takes its own). */
int vfs_open_inode(struct inode *i, unsigned flags, struct file **out);

/* A file on i with ops, holding a reference on i; NULL if no memory.  Ops
 * made this way use vfs_file_release (or call it from their own). */
struct file *vfs_file_new(struct inode *i, const struct file_ops *ops, unsigned flags, void *priv);
void vfs_file_release(struct file *f);
int vfs_file_stat(struct file *f, struct kstat *st);
/* Always ready, as poll(2) sees regular files; epoll refuses files with it. */
unsigned vfs_file_poll(struct file *f, struct poll_table *pt);

/* Writers and running programs keep each other out (Linux's ETXTBSY):
 * get/put count an opening for writing (or truncate(2)); -ETXTBSY while
 * a program runs from i.  vfs_file_deny_write marks f, a regular file
 * a program is about to run from, as such until it is released:
 * -ETXTBSY while i is open for writing. */
int vfs_get_write_access(struct inode *i);
void vfs_put_write_access(struct inode *i);
int vfs_file_deny_write(struct file *f);
/* f, just opened for writing, is not counted as a writer: memfd_create's
 * own file, which Linux makes without counting it (a memfd runs with its
 * first descriptor open). */
void vfs_file_uncount_write(struct file *f);

/* The inode behind an open file: files opened through the VFS, including
 * O_PATH ones; NULL for pipes, sockets, the console. */
static inline struct inode *file_inode(const struct file *f) { return f->inode; }
bool file_is_path(const struct file *f);	/* opened with O_PATH */

/* Directory entries from *pos into b as linux_dirent64 (dirent64) or the
 * old linux_dirent records; bytes filled, 0 at the end, -EINVAL if b cannot
 * hold the next one.  Takes vfs_lock. */
long vfs_getdents(struct file *f, const struct iobuf *b, int64_t *pos, bool dirent64);

#endif
