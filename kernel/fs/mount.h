/* The VFS side of mounted file systems (fs/super.h): the file system
 * types, the mount list, and the store hooks the namespace code calls.
 *
 * A directory with a file system mounted on it has inode.mounted; path
 * lookup (dir_lookup) goes on at that file system's root instead, and ".."
 * at a mount's root leads to the parent of the directory it covers.  The
 * mounted file system's directories load their entries (fs_ops.load_dir)
 * the first time dir_find, dir_empty, dir_lookup or dir_iterate look into
 * them (vfs_dir.c: one place).  Callers hold vfs_lock unless noted. */
#ifndef AMPHI_FS_MOUNT_H
#define AMPHI_FS_MOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/super.h"

struct inode;
struct blk_dev;

/* fs_types.c: the types mount(2) names; NULL if unknown. */
const struct fs_type *fs_type_find(const char *name);
/* The index-th type, or NULL past the last (/proc/filesystems). */
const struct fs_type *fs_type_at(unsigned index);

/* Mounts a new file system of type t on dir (a directory, not "/", as
 * lookup found it: the top of what is mounted there).  source is what
 * /proc/mounts shows; bdev the block device or NULL.  0 or -errno. */
int mount_add(const struct fs_type *t, const char *source, struct blk_dev *bdev, const char *data,
	      bool read_only, struct inode *dir);
/* Unmounts the file system whose root is root: -EINVAL if root is not a
 * mount's root, -EBUSY while anything but the cache and the caller's one
 * reference on root hold one of its inodes, or something is mounted
 * inside it.  Syncs first; on success the caller's reference is gone. */
int mount_remove(struct inode *root);
/* MS_REMOUNT: read-only or read-write; going read-only syncs. */
int mount_set_read_only(struct inode *root, bool read_only);

/* The mount list, oldest first (/proc/mounts): fn for each; stops at a
 * non-zero return.  Paths are those of the covered directories. */
int mount_each(int (*fn)(struct super *sb, void *arg), void *arg);

/* Everything durable: one file system, or all (sync(2)).  Take vfs_lock
 * themselves.  0 or the first error. */
int mount_sync(struct super *sb);
int mount_sync_all(void);
/* The run ends: every file system's unnamed inodes released
 * (mount_release_unnamed), everything synced, then each left as a clean
 * unmount would (fs_ops.end). */
int mount_end_all(void);

/* -EROFS for a change to an inode of a read-only mount. */
int mount_writable(const struct inode *i);
/* The directory a mount root stands for in its parent (itself if i is
 * no mount's root): for "..", paths and names. */
struct inode *mount_covered(struct inode *i);
/* The top of what is mounted on i (i itself if nothing is). */
struct inode *mount_top(struct inode *i);

/* mount_cache.c.  vfs_dir.c calls mount_load_dir before looking into a
 * directory of a mounted file system: it loads it the first time; a live
 * one (super.live) also adds the names a look-up missed, and a listing
 * from its start forgets those the store lost.  0 or -errno (the
 * directory then looks empty). */
enum mount_load { MOUNT_LOAD_ONCE, MOUNT_LOAD_MISS, MOUNT_LOAD_LIST };
int mount_load_dir(struct inode *dir, enum mount_load why);
/* A live store's inode: its metadata read again (a look-up found it). */
int mount_refresh(struct inode *i);
/* The cache's hash, made at the first mount: 0 or -ENOMEM. */
int mount_cache_init(void);
/* More references on sb's inodes than its cache and extra account for,
 * or a mount inside it. */
bool mount_cache_busy(struct super *sb, int extra);
/* The run ends with files still open: sb's inodes that lost their last
 * name leave the store now (release_inode), as the last close at a
 * shutdown would, so the disk keeps no inode that nothing names.  Under
 * vfs_lock, at the end of the run only. */
void mount_release_unnamed(struct super *sb);
/* Drops a directory's cached subtree (unmount, a reload). */
void mount_forget_tree(struct inode *top);
/* A new inode of a mounted file system (create set its ino). */
void mount_cache_add(struct inode *i);
/* Past a mark of cached inodes, gives back the entries of directories
 * nothing uses (mount_cache.c says which), to be read again when next
 * looked into.  Caller holds vfs_lock and no pointer into the tree yet
 * (vfs_lock calls it); may sleep writing dirty pages back. */
void mount_evict(void);

/* The store's hooks for the namespace code, each a no-op (0) for tmpfs;
 * called after the VFS checks and before the cache changes. */
int mount_create(struct inode *dir, const char *name, struct inode *i);
/* O_TMPFILE in a mounted directory: the store makes i (no name); a store
 * that cannot gives -EOPNOTSUPP. */
int mount_create_unnamed(struct inode *dir, struct inode *i);
int mount_link(struct inode *dir, const char *name, struct inode *i);
int mount_unlink(struct inode *dir, const char *name, struct inode *i);
int mount_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		 unsigned flags);
int mount_write_inode(struct inode *i);

/* vfs_inode.c: the inode is being freed. */
void mount_inode_free(struct inode *i);

#endif
