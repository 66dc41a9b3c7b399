/* The VFS: one tree of inodes in memory (tmpfs), with /dev and /proc as
 * directories of special inodes inside it.
 *
 * Locking.  One global sleeping lock, vfs_lock(), guards the namespace:
 * every directory's entries, parent pointers, link counts, the cwd, and
 * inode metadata (mode, owner, times, symlink targets).  Path lookup and
 * every change to the tree run under it.  A regular file's contents and
 * size have their own sleeping lock (inode.data_lock, a reader-writer
 * lock), so reads and writes of different files, and reads of one file,
 * run in parallel and never hold vfs_lock while copying user memory.  Order: vfs_lock before any data_lock, data_lock before
 * the same inode's fault_lock.  Times are plain
 * stores under either lock; a racing stat may see a mix, as it may on Linux.
 *
 * Lifetime.  inode.refs counts directory entries naming the inode, open
 * files, the cwd, a directory's children (through their parent pointer)
 * and the temporary references lookups hand out.  The last inode_put()
 * frees it; that never takes vfs_lock, so it may happen under it.  A
 * file's last file_put under vfs_lock is released at vfs_unlock (fs/file.c). */
#ifndef AMPHI_FS_VFS_H
#define AMPHI_FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"
#include "core/list.h"
#include "core/mutex.h"
#include "core/rwmutex.h"
#include "core/vm.h"
#include "fs/stat.h"

#define NAME_MAX	255
#define PATH_MAX	4096		/* one page: fs/pathbuf.c relies on it */
#define SYMLOOP_MAX	40

struct dir_resume;
struct file;
struct inode;
struct iobuf;
struct super;

/* Which file system an inode belongs to: st_dev, statfs, /proc/mounts.
 * FS_MOUNTED: a mounted file system's (inode.sb says which).  /proc's and
 * /sys's entries are the kernel's (vfs_generated). */
enum vfs_fs { FS_TMPFS, FS_DEVTMPFS, FS_PROC, FS_MOUNTED, FS_SYSFS };

/* One entry a directory lists (getdents, readdir). */
struct dir_item {
	const char *name;
	uint64_t ino;
	unsigned type;		/* DT_*: the mode's S_IFMT >> 12 */
	int64_t next;		/* the position just after it (getdents' d_off) */
};

/* Hooks for inodes that are not plain tmpfs files (devices, /proc).  Every
 * one is optional; callers hold vfs_lock. */
struct inode_ops {
	/* Builds the open file (devices, generated /proc files, the targets of
	 * /proc/self/fd links).  Sets f->inode itself if the file has one. */
	int (*open)(struct inode *i, unsigned flags, struct file **out);
	/* Directories with generated entries, after the stored ones: lookup
	 * gives a referenced inode or -ENOENT; iterate finds the first entry
	 * with index >= *index, sets *index to it and returns 1, or 0. */
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	int (*iterate)(struct inode *dir, uint64_t *index, struct dir_item *it, char *name);
	/* Symlinks with generated targets: the length written (buf has room
	 * for size bytes and a NUL, which need not be written), or -errno.
	 * follow, for /proc's "magic" links, gives the inode the link leads
	 * to (referenced) or NULL to resolve the target text instead. */
	long (*readlink)(struct inode *link, char *buf, size_t size);
	struct inode *(*follow)(struct inode *link);
	void (*stat)(struct inode *i, struct kstat *st);
	/* A generated directory's own name in its parent (for getcwd). */
	int (*name)(struct inode *dir, char *buf, size_t size);
	void (*release)(struct inode *i);	/* frees priv */
	/* A directory whose entries are made when first needed (/sys):
	 * called, under vfs_lock, before they are first looked up or listed.
	 * It takes itself out of ops before making them, and puts itself
	 * back if it failed, to try again then. */
	int (*fill)(struct inode *dir);
};

struct pcache_file;

/* The pages a file of size bytes spans (size >= 0). */
static inline uint64_t pages_for(int64_t size) { return ((uint64_t)size + PAGE_SIZE - 1) / PAGE_SIZE; }

struct inode {
	volatile int refs;
	uint64_t ino;
	uint8_t fs;			/* enum vfs_fs */
	struct super *sb;		/* a mounted file system's (fs/super.h), or NULL */
	const struct inode_ops *ops;	/* NULL for plain tmpfs inodes */
	void *priv;			/* the ops' own */

	/* Under vfs_lock. */
	uint32_t mode, uid, gid;
	uint64_t rdev;
	uint32_t nlink;			/* directory entries naming it */
	bool linkable;			/* O_TMPFILE: may get a first name with linkat */
	int64_t atime_ns, mtime_ns, ctime_ns;
	struct list entries;		/* directories: struct dentry, oldest first */
	struct inode *parent;		/* directories: holds a reference; root's is itself */
	struct dentry *self;		/* directories: the one entry naming it, or NULL */
	uint64_t next_cookie;		/* directories: getdents position of the next entry */
	struct super *mounted;		/* directories: the file system mounted on it, or NULL */
	bool loaded;			/* directories of sb: entries read from the store */
	bool recent;			/* directories of sb: looked into since eviction's
					 * last pass over them (mount_cache.c) */
	uint64_t miss_epoch;		/* live ones: the vfs_lock holding that last asked the
					 * store for names a look-up missed */
	struct dir_resume *resume;	/* directories: where listings stopped (vfs_dir.c) */
	uint32_t nsubdirs, nentries;
	char *target;			/* symlinks */
	void *fifo;			/* FIFOs: struct pipe, made on first open */

	/* Regular files: under data_lock (shared by reads, whole for
	 * changes), the tree also under pages_lock (tmpfs.c says why). */
	struct rwmutex data_lock;
	/* A mounted store's files: a fault's page look-up shares it, a
	 * truncation holds it whole (after data_lock), so no fault brings a
	 * page back between the cache's drop and the blocks' free (Linux's
	 * invalidate_lock).  Not data_lock itself: a fault inside write()'s
	 * copy from a mapping of the same file holds that one already. */
	struct rwmutex fault_lock;
	struct spinlock pages_lock;
	int64_t size;
	void *pages;			/* radix tree of pages (tmpfs.c) */
	int height;
	uint64_t npages;		/* pages held, for st_blocks */
	uint64_t blocks;		/* a store's st_blocks (512-byte units), set by read_inode */
	unsigned seals;			/* F_SEAL_* (memfd) */
	/* Atomic, Linux's i_writecount: files open for writing (> 0), or
	 * files a program runs from (< 0, exec's): never both (ETXTBSY). */
	volatile int write_count;
	struct pcache_file *pcache;	/* a store's cached pages (fs/pagecache.h), or NULL */
	struct vm_object mapped;	/* its mappings, as core/vm.c counts them */
	/* inotify (fs/inotify.c), under its lock: the watches on it, and the
	 * dentry of its latest name, through which its directory hears. */
	struct list watches;
	struct dentry *alias;

	/* Advisory locks (vfs_locks.c), under its lock. */
	struct list locks;

	struct list sb_link;		/* in sb's inode hash (vfs_mount.c), under its lock */
};

/* A name in a directory.  Holds a reference to inode. */
struct dentry {
	struct list link;		/* in dir->entries */
	struct list hlink;		/* in the name hash (vfs_hash.c) */
	struct inode *dir;
	struct inode *inode;
	uint64_t cookie;		/* getdents position, increasing */
	uint8_t len;
	bool seen;			/* a reload of a live directory found it (vfs_mount.c) */
	char name[];			/* NUL-terminated */
};

static inline bool is_dir(const struct inode *i) { return (i->mode & S_IFMT) == S_IFDIR; }
static inline bool is_reg(const struct inode *i) { return (i->mode & S_IFMT) == S_IFREG; }
static inline bool is_lnk(const struct inode *i) { return (i->mode & S_IFMT) == S_IFLNK; }
/* /proc's and /sys's: made by the kernel, never created, removed,
 * renamed, linked, written or mapped by programs. */
static inline bool vfs_generated(const struct inode *i) { return i->fs == FS_PROC || i->fs == FS_SYSFS; }

/* vfs_inode.c */
void vfs_lock(void);
void vfs_unlock(void);
/* Which holding of vfs_lock this is (caller holds it): a change of it
 * means others may have changed the tree since. */
uint64_t vfs_lock_epoch(void);
/* The root directory: 0, or -ENOMEM (the run cannot start). */
int vfs_init(void);
struct inode *vfs_root(void);			/* not referenced */
struct inode *inode_new(uint32_t mode, int fs);	/* one reference; NULL if no memory */
void inode_get(struct inode *i);
void inode_put(struct inode *i);
void inode_stat(struct inode *i, struct kstat *st);
/* ns since the epoch; under vfs_lock, the same for a whole holding. */
int64_t vfs_now(void);
uint64_t vfs_dev(int fs);
uint64_t vfs_inode_count(void);			/* inodes alive, for statfs */

/* Where a thread resolves relative paths, and its umask: shared by the
 * threads of a process (and processes made with CLONE_FS). */
struct fs_context {
	volatile int refs;
	struct inode *cwd;		/* under vfs_lock; referenced */
	struct inode *root;		/* chroot's, "/" for its paths; the same */
	unsigned umask;			/* under vfs_lock */
};

/* One holder; the cwd is the root.  NULL if no memory. */
struct fs_context *fs_context_new(void);
struct fs_context *fs_context_copy(struct fs_context *fs);	/* takes vfs_lock */
void fs_context_hold(struct fs_context *fs);
void fs_context_release(struct fs_context *fs);

/* The calling thread's current directory, and the directory its paths
 * start from at "/" and never climb out of with ".." (chroot's; a kernel
 * thread's are the root).  Caller holds vfs_lock. */
struct inode *vfs_cwd(void);			/* not referenced */
void vfs_set_cwd(struct inode *dir);		/* takes a new reference */
struct inode *vfs_root_dir(void);		/* not referenced */
void vfs_set_root(struct inode *dir);		/* takes a new reference */
unsigned vfs_umask(unsigned set, bool change);	/* the old value */

/* vfs_dir.c, caller holds vfs_lock.  Names are not "." or "..". */
struct dentry *dir_find(struct inode *dir, const char *name, size_t len);
/* A referenced inode for name (stored, ".", "..", or generated), or -ENOENT. */
int dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
int dir_add(struct inode *dir, const char *name, struct inode *i);
void dir_remove(struct inode *dir, struct dentry *d);
/* Forgets an entry of a mounted file system's cache without counting it
 * as a removal (unmount, a name the host took away). */
void dir_forget(struct inode *dir, struct dentry *d);
bool dir_empty(struct inode *dir);
/* The directory is being freed (no lock needed). */
void dir_free(struct inode *dir);
/* Calls emit for entries from *pos on while it returns true; *pos is left
 * at the first entry not taken.  Positions: 0 ".", 1 "..", then stored
 * entries by cookie, then generated ones.  0, or the error of a mounted
 * store whose directory could not be read. */
int dir_iterate(struct inode *dir, int64_t *pos, bool (*emit)(void *arg, const struct dir_item *it),
		 void *arg);
/* The absolute path of a directory in buf; -ENOENT once it is removed. */
int dir_path(struct inode *dir, char *buf, size_t size);
bool dir_is_under(struct inode *dir, struct inode *ancestor);

/* vfs_namei.c: changes to the tree.  Caller holds vfs_lock; names are one
 * component (from path_parent), possibly "", "." or "..".  Modes come with
 * the umask already applied. */
#define RENAME_NOREPLACE	1
#define RENAME_EXCHANGE		2
#define RENAME_WHITEOUT		4
/* A new inode of mode's type (not a symlink) named name in dir; *out (if
 * out) gets a reference.  -EEXIST if name exists. */
int vfs_create(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev, struct inode **out);
/* A regular file in no directory (O_TMPFILE, memfd_create). */
struct inode *vfs_create_unnamed(int fs, uint32_t mode);
/* O_TMPFILE: a regular file of dir's file system, named nowhere (the
 * caller may name it later with vfs_link).  0 or -errno (a store that
 * takes no unnamed files: -EOPNOTSUPP). */
int vfs_create_tmpfile(struct inode *dir, uint32_t mode, struct inode **out);
int vfs_symlink(struct inode *dir, const char *name, const char *target);
int vfs_link(struct inode *dir, const char *name, struct inode *i);
/* unlink(2) or rmdir(2) of name in dir; slash: the path ended in '/'. */
int vfs_remove(struct inode *dir, const char *name, bool rmdir, bool slash);
int vfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
	       unsigned flags, bool slash);

/* vfs_data.c: regular file contents, from tmpfs or a mounted store
 * (each takes the data_lock itself). */
long vfs_data_read(struct inode *i, const struct iobuf *b, int64_t pos);
long vfs_data_write(struct inode *i, const struct iobuf *b, int64_t *pos, bool append);
/* For a store's write at pos, once an append has found it: *part is b
 * cut to end by store_max (the store's largest size) and b->max_end, or
 * -EFBIG when pos is at or past either. */
long vfs_data_fit(const struct iobuf *b, int64_t pos, uint64_t store_max, struct iobuf *part);
/* O_DIRECT: the store's direct_io where it has one (a read does not move
 * *pos; a write does, as vfs_data_write). */
long vfs_data_direct(struct inode *i, const struct iobuf *b, int64_t *pos, bool write, bool append);
int vfs_data_truncate(struct inode *i, int64_t size);
int vfs_data_fsync(struct inode *i, bool datasync);
/* lseek(2)'s SEEK_DATA (hole false) and SEEK_HOLE: the first offset from
 * pos on that is data (or a hole; the file's end is one), or -ENXIO for
 * pos outside [0, size) or no data after it. */
int64_t vfs_data_seek(struct inode *i, int64_t pos, bool hole);
/* The same for a file of size bytes that is data throughout, as Linux's
 * generic_file_llseek_size answers. */
int64_t seek_in_all_data(int64_t size, int64_t pos, bool hole);
/* fallocate's default mode (keep_size false) and FALLOC_FL_KEEP_SIZE;
 * -EOPNOTSUPP where the store cannot. */
int vfs_data_allocate(struct inode *i, int64_t off, int64_t len, bool keep_size);
/* Frees [off, off + len) of the file, which then reads zero there, its
 * size unchanged (PUNCH_HOLE); -EOPNOTSUPP where the store cannot (tmpfs
 * and ext4's extent-mapped files can). */
int vfs_data_punch(struct inode *i, int64_t off, int64_t len);
/* fallocate's ZERO_RANGE: [off, off + len) reads zero and has its blocks
 * (the size grows to off + len unless keep_size); -EOPNOTSUPP where the
 * store cannot punch and allocate (tmpfs, as Linux's). */
int vfs_data_zero(struct inode *i, int64_t off, int64_t len, bool keep_size);

/* tmpfs.c: regular file contents. */
long tmpfs_read(struct inode *i, const struct iobuf *b, int64_t pos);
long tmpfs_write(struct inode *i, const struct iobuf *b, int64_t *pos, bool append);
int tmpfs_truncate(struct inode *i, int64_t size);
/* keep_size: the pages past the end stay past it, zero, until a write or
 * truncate reaches them, or a failed allocation gives them back. */
int tmpfs_allocate(struct inode *i, int64_t off, int64_t len, bool keep_size);
/* fallocate's PUNCH_HOLE|KEEP_SIZE: [off, off + len) reads zero, its
 * whole pages freed; -EPERM if sealed against writes. */
int tmpfs_punch(struct inode *i, int64_t off, int64_t len);
int64_t tmpfs_seek(struct inode *i, int64_t pos, bool hole);
void tmpfs_free(struct inode *i);
/* The page at index idx (made, zeroed, if create and missing) with a
 * reference for the caller, without sleeping: 0, -ENOENT (a hole),
 * -ENOSPC (no room to make it). */
int tmpfs_get_page(struct inode *i, uint64_t idx, bool create, uint64_t *pa);
/* An empty file takes the npages pages at data (page-aligned, reserved
 * memory nobody else owns: core/page_alloc.h's page_adopt) as its first
 * pages instead of copies, and is that long.  How many it took: fewer
 * only when a node of its page tree could not be had. */
size_t tmpfs_adopt(struct inode *i, void *data, size_t npages);
uint64_t tmpfs_pages_used(void);

/* symlink targets (vfs_dir.c): the target in a new kmalloc'd string. */
int symlink_read(struct inode *link, char **target);

#endif
