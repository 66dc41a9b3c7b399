/* Inodes: creation, references, metadata; the global VFS lock, the root,
 * and the fs contexts that hold a current directory and a umask. */
#include "fs/vfs.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/string.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/super.h"
#include "fs/vfs_fifo.h"

static struct mutex lock = MUTEX_INIT(lock);
static struct inode *root;
static uint64_t next_ino = 2;
static uint64_t ninodes;	/* alive, for statfs (a mounted store's not counted) */

static uint64_t lock_epoch;	/* under lock: how many times it was taken */
static bool release_at_unlock;	/* under lock: the holder's last puts wait for vfs_unlock */
/* Under lock: the time every change of one holding stamps, and the
 * holding it is for (vfs_now). */
static int64_t change_time;
static uint64_t change_time_epoch;

/* A program's thread taking the lock holds no pointer into the tree yet:
 * the time to give back cold parts of mounted file systems' caches
 * (mount_evict), which may write pages back.  Kernel threads (the page
 * cache's writeback, which syncs under the lock) leave it to programs. */
void vfs_lock(void)
{
	mutex_lock(&lock);
	release_at_unlock = file_release_defer();
	lock_epoch++;
	if (current()->fs)
		mount_evict();
}

uint64_t vfs_lock_epoch(void) { return lock_epoch; }
void vfs_unlock(void)
{
	bool release = release_at_unlock;

	mutex_unlock(&lock);
	if (release)
		file_release_deferred();
}

/* One time for all a holding of the lock changes: a create stamps its
 * inode, its directory and the store's copies of both alike, so times a
 * store gives back when its cache reads them again are those it showed.
 * Outside the lock (a write's mtime) the time now. */
int64_t vfs_now(void)
{
	int64_t now = (int64_t)(clock_realtime_offset_ns() + clock_ns());

	if (lock.owner != current())
		return now;
	if (change_time_epoch != lock_epoch) {
		change_time = now;
		change_time_epoch = lock_epoch;
	}
	return change_time;
}

/* Device numbers of the three file systems, as Linux numbers anonymous
 * ones (major 0); a mounted one has its own (super.dev). */
uint64_t vfs_dev(int fs)
{
	static const uint64_t devs[] = { [FS_TMPFS] = 0x1b, [FS_DEVTMPFS] = 0x05, [FS_PROC] = 0x15,
					 [FS_MOUNTED] = 0, [FS_SYSFS] = 0x14 };

	return devs[fs];
}

/* At most half as many inodes as RAM has pages (tmpfs's nr_inodes on Linux,
 * what statfs reports): their memory stays in the kernel heap once freed,
 * so this bounds it.  Past it, or the kernel's reserve, creating fails
 * (ENOSPC).  A mounted store's inodes are a cache that gives inodes back
 * past the same mark (mount_evict): only the reserve bounds them, so one
 * directory with more names than the mark still loads while memory lasts. */
struct inode *inode_new(uint32_t mode, int fs)
{
	if (fs != FS_MOUNTED && __atomic_load_n(&ninodes, __ATOMIC_RELAXED) >= page_total_count() / 2)
		return NULL;
	struct inode *i = kmalloc_program(sizeof *i);

	if (!i)
		return NULL;
	i->refs = 1;
	i->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	i->fs = (uint8_t)fs;
	i->mode = mode;
	i->atime_ns = i->mtime_ns = i->ctime_ns = vfs_now();
	list_init(&i->entries);
	list_init(&i->locks);
	list_init(&i->sb_link);
	list_init(&i->watches);
	rwmutex_init(&i->data_lock);
	rwmutex_init(&i->fault_lock);
	i->next_cookie = 2;
	i->seals = 1;	/* F_SEAL_SEAL: only memfd_create(MFD_ALLOW_SEALING) lifts it */
	if (fs != FS_MOUNTED)
		__atomic_add_fetch(&ninodes, 1, __ATOMIC_RELAXED);
	return i;
}

uint64_t vfs_inode_count(void) { return ninodes; }

void inode_get(struct inode *i) { __atomic_add_fetch(&i->refs, 1, __ATOMIC_RELAXED); }

/* Frees i; gives the reference i held on its parent back to the loop in
 * inode_put, so a chain of removed directories frees without recursion. */
static struct inode *inode_free(struct inode *i)
{
	struct inode *parent = is_dir(i) && i->parent != i ? i->parent : NULL;

	if (i->ops && i->ops->release)
		i->ops->release(i);
	mount_inode_free(i);
	if (is_reg(i))
		tmpfs_free(i);
	if (is_dir(i))
		dir_free(i);
	if ((i->mode & S_IFMT) == S_IFIFO)
		fifo_release(i);
	if (i->fs != FS_MOUNTED)
		__atomic_sub_fetch(&ninodes, 1, __ATOMIC_RELAXED);
	kfree(i->target);
	kfree(i);
	return parent;
}

void inode_put(struct inode *i)
{
	while (i && !__atomic_sub_fetch(&i->refs, 1, __ATOMIC_ACQ_REL))
		i = inode_free(i);
}

/* A store counts its own links; tmpfs counts a directory's from its
 * subdirectories. */
static uint32_t nlink_of(struct inode *i)
{
	if (!is_dir(i) || i->sb)
		return i->nlink;
	return i->nlink ? 2 + i->nsubdirs : 0;
}

void inode_stat(struct inode *i, struct kstat *st)
{
	*st = (struct kstat){
		.dev = i->sb ? i->sb->dev : vfs_dev(i->fs), .ino = i->ino, .nlink = nlink_of(i), .mode = i->mode,
		.uid = i->uid, .gid = i->gid, .rdev = i->rdev, .blksize = PAGE_SIZE,
		.atime_ns = i->atime_ns, .mtime_ns = i->mtime_ns, .ctime_ns = i->ctime_ns,
	};
	if (i->sb) {
		st->size = is_lnk(i) && i->target ? (int64_t)strlen(i->target) : i->size;
		st->blocks = (int64_t)i->blocks;
	} else if (is_reg(i)) {
		st->size = i->size;
		st->blocks = (int64_t)i->npages * (PAGE_SIZE / 512);
	} else if (is_lnk(i)) {
		st->size = i->target ? (int64_t)strlen(i->target) : 0;
	} else if (is_dir(i) && !vfs_generated(i)) {
		/* One block, as a disk file system shows a small directory
		 * (tmpfs would say 0 blocks): du and ls then print what they
		 * print on most hosts. */
		st->size = PAGE_SIZE;
		st->blocks = PAGE_SIZE / 512;
	}
	if (i->ops && i->ops->stat)
		i->ops->stat(i, st);
}

int vfs_init(void)
{
	root = inode_new(S_IFDIR | 0755, FS_TMPFS);
	if (!root)
		return -ENOMEM;
	root->parent = root;
	root->nlink = 1;	/* named by itself: never freed, never removed */
	return 0;
}

struct inode *vfs_root(void) { return root; }

struct fs_context *fs_context_new(void)
{
	struct fs_context *fs = kmalloc_program(sizeof *fs);

	if (!fs)
		return NULL;
	fs->refs = 1;
	fs->umask = 022;
	inode_get(root);
	inode_get(root);
	fs->cwd = fs->root = root;
	return fs;
}

struct fs_context *fs_context_copy(struct fs_context *from)
{
	struct fs_context *fs = kmalloc_program(sizeof *fs);

	if (!fs)
		return NULL;
	fs->refs = 1;
	vfs_lock();
	fs->umask = from->umask;
	fs->cwd = from->cwd;
	fs->root = from->root;
	inode_get(fs->cwd);
	inode_get(fs->root);
	vfs_unlock();
	return fs;
}

void fs_context_hold(struct fs_context *fs) { __atomic_add_fetch(&fs->refs, 1, __ATOMIC_RELAXED); }

void fs_context_release(struct fs_context *fs)
{
	if (__atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL))
		return;
	inode_put(fs->cwd);
	inode_put(fs->root);
	kfree(fs);
}

/* A kernel thread has no context: it works from the root. */
struct inode *vfs_cwd(void)
{
	struct fs_context *fs = current()->fs;

	return fs ? fs->cwd : root;
}

/* One of the fs context's directories becomes dir (a new reference). */
static void replace_dir(struct inode **slot, struct inode *dir)
{
	struct inode *old = *slot;

	inode_get(dir);
	*slot = dir;
	inode_put(old);
}

void vfs_set_cwd(struct inode *dir) { replace_dir(&current()->fs->cwd, dir); }

struct inode *vfs_root_dir(void)
{
	struct fs_context *fs = current()->fs;

	return fs ? fs->root : root;
}

void vfs_set_root(struct inode *dir) { replace_dir(&current()->fs->root, dir); }

unsigned vfs_umask(unsigned set, bool change)
{
	struct fs_context *fs = current()->fs;
	unsigned old = fs ? fs->umask : 022;

	if (fs && change)
		fs->umask = set & 0777;
	return old;
}
