/* Mounted file systems that keep their data somewhere else: a disk (ext2,
 * ext4, ISO 9660) or a host folder (9p).
 *
 * The VFS tree stays what vfs.h describes: inodes and dentries in memory,
 * one namespace lock.  For a backed file system that tree is a cache of
 * what the backing store holds:
 *
 *  - A directory's entries are read from the store the first time anyone
 *    looks into it (lookup, listing, create): fs_ops.load_dir adds each one
 *    with super_add_entry(), which reads the child inode through
 *    fs_ops.read_inode.  From then on the cached entries are the truth;
 *    every change goes through to the store first and reaches the cache
 *    only when the store took it.
 *  - The VFS keeps doing every check (names, permissions, sticky bits,
 *    EEXIST, ENOTEMPTY, rename's loops), so each file system gives Linux's
 *    errors without repeating them; the hooks only store.
 *  - Regular file data moves through fs_ops.read / write / truncate; a file
 *    system with a block device uses the page cache (fs/pagecache.h) to
 *    implement them; 9p sends them to the host as they come.
 *
 * Inodes of a mounted file system carry inode.sb; inode.ino is the store's
 * own number.  They stay cached while something uses them; past a mark,
 * the entries of directories nobody uses leave memory, all of a directory
 * at once, which then loads again as one never looked into (release_inode
 * for each; mount_cache.c, "Eviction").  All hooks are
 * called with vfs_lock held, except read, write, fsync and the page hooks,
 * which hold the inode's data_lock instead (vfs.h's lock order). */
#ifndef AMPHI_FS_SUPER_H
#define AMPHI_FS_SUPER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"

struct blk_dev;
struct inode;
struct iobuf;
struct super;

/* statfs(2)'s answer, in the file system's own block size. */
struct fs_statfs {
	uint64_t magic;			/* EXT4_SUPER_MAGIC, V9FS_MAGIC, ... */
	uint64_t bsize, blocks, bfree, bavail, files, ffree;
	uint32_t namelen;
};

struct fs_ops {
	/* Fills i (mode, uid, gid, nlink, size, blocks, rdev, times, symlink
	 * target) from the store's inode number ino; nlink as the store
	 * counts it (a directory's too).  For a cached inode of a live store
	 * it is called again to refresh it.  -EUCLEAN or -EIO for a corrupt
	 * or unreadable inode. */
	int (*read_inode)(struct super *sb, uint64_t ino, struct inode *i);
	/* Adds every entry of dir with super_add_entry(). */
	int (*load_dir)(struct inode *dir);

	/* Namespace changes, after the VFS checked them.  create makes the
	 * store's inode for i (mode, owner, rdev, symlink target already set;
	 * it sets i->ino) and names it in dir; link adds a name for an
	 * existing inode; unlink removes one (the inode's blocks go when its
	 * last name and last reference have: release_inode); rename moves
	 * (or, with RENAME_EXCHANGE, swaps) names, replacing a target that
	 * exists (the VFS has checked it may). */
	int (*create)(struct inode *dir, const char *name, struct inode *i);
	/* Optional: O_TMPFILE.  As create, but named nowhere (the store's
	 * link count 0): released and freed unless link names it first. */
	int (*create_unnamed)(struct inode *dir, struct inode *i);
	int (*link)(struct inode *dir, const char *name, struct inode *i);
	int (*unlink)(struct inode *dir, const char *name, struct inode *i);
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		      unsigned flags);
	/* The inode's metadata (mode, owner, times) changed in memory. */
	int (*write_inode)(struct inode *i);

	/* Optional: a regular file is being opened (flags as open(2)), under
	 * vfs_lock: a store that reads and writes through handles of its own
	 * (9p's open fids) makes them here, while the file still has a name. */
	int (*open)(struct inode *i, unsigned flags);

	/* Regular files, under i->data_lock: read shares it with other
	 * reads of the file (so a store's read must be safe beside another),
	 * the rest hold it whole.  read returns bytes (0 at the end) or
	 * -errno; write advances *pos and may change i->size.  write goes
	 * no further than b->max_end (vfs_data_fit, once the position is
	 * fixed); an append sets *pos to the end it found, even when it
	 * fails, so the caller can tell where it was refused. */
	long (*read)(struct inode *i, const struct iobuf *b, int64_t pos);
	long (*write)(struct inode *i, const struct iobuf *b, int64_t *pos, bool append);
	int (*truncate)(struct inode *i, int64_t size);
	/* Optional: fallocate's default mode and KEEP_SIZE: blocks for
	 * [off, off + len) that read as zeroes where there were none; the
	 * size grows to off + len unless keep_size. */
	int (*allocate)(struct inode *i, int64_t off, int64_t len, bool keep_size);
	/* Optional: fallocate's PUNCH_HOLE (vfs_data_punch), with the
	 * inode's fault_lock held too. */
	int (*punch)(struct inode *i, int64_t off, int64_t len);
	int (*fsync)(struct inode *i, bool datasync);
	/* Optional: lseek's SEEK_DATA (hole false) and SEEK_HOLE, as
	 * vfs_data_seek; under the read side of data_lock.  Without it the
	 * whole file is data. */
	int64_t (*seek_data)(struct inode *i, int64_t pos, bool hole);
	/* Optional: O_DIRECT, as read (write: as write); -EINVAL for
	 * what the store cannot do direct (misaligned).  Without it,
	 * O_DIRECT files read and write as others. */
	long (*direct_io)(struct inode *i, const struct iobuf *b, int64_t *pos, bool write, bool append);
	/* Optional: the page backing index idx for mmap (a referenced page
	 * of the page cache), as tmpfs_get_page; create: a shared mapping
	 * of a file open for writing. */
	int (*get_page)(struct inode *i, uint64_t idx, bool create, uint64_t *pa);
	/* get_page gives each mapping a copy of its own: a shared mapping
	 * of a file open for writing is refused (EINVAL, as Linux). */
	bool mmap_readonly;

	/* The inode is leaving memory (unmount, eviction of its cold
	 * directory's entries, or its last name and reference went: the
	 * store frees it if nlink is 0).  Whatever it holds in memory alone
	 * must reach the store here or before (ext4: dirty pages).  Also called
	 * for an inode whose read_inode or create failed.  May be called
	 * where sleeping is not allowed (any inode_put). */
	void (*release_inode)(struct inode *i);

	void (*statfs)(struct super *sb, struct fs_statfs *st);
	/* Everything durable.  Under vfs_lock; also when the run ends
	 * (process_exit_vm), possibly from a thread that holds some inode's
	 * data_lock (a program killed by a fault inside read()): it must not
	 * wait for data locks. */
	int (*sync)(struct super *sb);
	/* The run ends (after sync): leave the store as a clean unmount
	 * would (ext4: the journal marked empty, needs_recovery cleared),
	 * though the VM stops with it mounted.  Optional; under vfs_lock. */
	void (*end)(struct super *sb);
	/* Optional: the mount turns read-only (after a sync; the store
	 * leaves its disk as an unmount would) or read-write again.  An error
	 * leaves the mount as it was. */
	int (*remount)(struct super *sb, bool read_only);
	void (*unmount)(struct super *sb);	/* after a final sync; frees priv */
};

/* One mounted file system. */
struct super {
	const struct fs_ops *ops;
	const char *type;		/* "ext4", "9p", ... as /proc/mounts names it */
	char source[64];		/* "/dev/vda1", the 9p tag */
	bool read_only;
	uint64_t dev;			/* st_dev of every inode in it */
	struct blk_dev *bdev;		/* NULL for 9p */
	struct inode *root;		/* referenced */
	struct inode *covered;		/* the directory it is mounted on; referenced */
	struct list link;		/* in the mount list (vfs_mount.c) */
	void *priv;			/* the file system's */
	/* Added by the mount layer: */
	unsigned id;			/* mountinfo's mount id */
	volatile int writers;		/* files open for writing: no ro remount */
	/* Set by a file system whose store others change too (9p: the host
	 * edits the folder): a directory reloads on each listing from its
	 * start and on a lookup that misses, instead of trusting the cache. */
	bool live;
};

/* A file system type mount(2) and `amphi run --disk DIR` can name. */
struct fs_type {
	const char *name;		/* "ext4" */
	bool nodev;			/* needs no block device (9p): source is a name */
	/* Reads the store and fills sb (ops, priv, read_only when the file
	 * system can only be read, live; root: made with super_inode_new,
	 * its ino set, referenced).  A feature the code does not
	 * support refuses the mount with one printk line naming it and
	 * -EINVAL, or mounts read-only if it is only unsafe to write. */
	int (*mount)(struct super *sb, const char *data);
};

/* For load_dir: names a child inode number in the cache.  The child is read
 * with read_inode unless it is cached already (hard links). */
int super_add_entry(struct inode *dir, const char *name, uint64_t ino);
/* A new inode of sb, empty, to fill (read_inode's target, create's). */
struct inode *super_inode_new(struct super *sb, uint32_t mode);

#endif
