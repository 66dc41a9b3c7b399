/* The VFS as the kernel itself uses it: building the tree at boot and
 * reading the program to run. */
#ifndef AMPHI_FS_VFS_KERNEL_H
#define AMPHI_FS_VFS_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inode;

/* Caller holds vfs_lock.  Paths are absolute. */
/* mkdir -p: the directory at path (made with mode where missing), with a
 * reference in *out if out. */
int vfs_make_dirs(const char *path, uint32_t mode, struct inode **out);
/* A regular file at path with these contents, replacing one already there. */
int vfs_make_file(const char *path, const void *data, size_t size, uint32_t mode);
/* The same, but the whole pages at the start of data (page-aligned memory
 * nobody else owns: the initrd's) become the file's own (tmpfs_adopt);
 * only what follows the last whole page is copied.  *taken: how many
 * pages the file took, failed or not. */
int vfs_make_file_taking_pages(const char *path, void *data, size_t size, uint32_t mode,
			       size_t *taken);
int vfs_make_symlink(const char *path, const char *target);
/* 1 if path names something (without following a last symlink), else 0. */
int vfs_exists(const char *path);
/* Whether path (relative to the caller's directory) names a symlink
 * itself, its last component not followed. */
bool vfs_is_symlink(const char *path);

/* Takes vfs_lock.  execve's look-up: the regular file path names (from
 * the caller's directory), referenced in *out, and its absolute path with
 * every symlink resolved in abs (PATH_MAX bytes).  -ENOENT, -ENOTDIR,
 * -ELOOP, -ENAMETOOLONG, -EACCES (not a regular file, or no execute bit). */
int vfs_open_exec(const char *path, struct inode **out, char *abs);
/* A regular file's bytes from pos (no lock held): how many, or -errno. */
long vfs_read_at(struct inode *i, void *buf, size_t n, int64_t pos);
int64_t vfs_size(struct inode *i);

/* Takes vfs_lock.  The whole regular file at path (symlinks followed) in a
 * new kmalloc'd buffer: -ENOENT, -EACCES (not a regular file, or no execute
 * bit with exec), -ENOMEM. */
int vfs_read_whole(const char *path, int exec, void **data, size_t *size);

#endif
