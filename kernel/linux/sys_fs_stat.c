/* Asking about files: stat and its variants, statx, statfs, readlink,
 * access. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/cred.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/super.h"
#include "fs/vfs_file.h"
#include "linux/fd.h"
#include "linux/syscall.h"
#include "linux/sys_fs_internal.h"

#define STAT_FLAGS	(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)
#define STATX_BASIC_STATS	0x7ff
#define STATX_RESERVED		0x80000000u
#define TMPFS_MAGIC	0x01021994
#define PROC_MAGIC	0x9fa0
#define SYSFS_MAGIC	0x62656572
#define PIPEFS_MAGIC	0x50495045
#define ANON_MAGIC	0x09041934
#define ST_VALID	0x20
#define ST_RDONLY	1
#define ST_NOSUID	2
#define ST_NODEV	4
#define ST_NOEXEC	8
#define ST_RELATIME	1024

/* stat of an open file, whatever it is. */
static long fd_stat(int fd, struct kstat *st)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	long err = f->ops->stat ? f->ops->stat(f, st) : -EBADF;
	file_put(f);
	return err;
}

/* The kstat of what dirfd and upath name (flags: AT_*). */
static long stat_at(int dirfd, uint64_t upath, int flags, struct kstat *st)
{
	struct inode *i;
	char c = 0;

	if (flags & ~STAT_FLAGS)
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && (!upath || (!copy_from_user(&c, upath, 1) && !c)) &&
	    dirfd != AT_FDCWD)
		return fd_stat(dirfd, st);
	long err = at_lookup(dirfd, upath, flags, !(flags & AT_SYMLINK_NOFOLLOW), &i);
	if (err)
		return err;
	vfs_lock();
	inode_stat(i, st);
	vfs_unlock();
	inode_put(i);
	return 0;
}

static long stat_out(int dirfd, uint64_t upath, int flags, uint64_t ustat)
{
	struct kstat st;
	long err = stat_at(dirfd, upath, flags, &st);

	return err ? err : stat_copy_out(&st, ustat);
}

static long sys_stat(const struct sysargs *a) { return stat_out(AT_FDCWD, a->a[0], 0, a->a[1]); }
static long sys_lstat(const struct sysargs *a) { return stat_out(AT_FDCWD, a->a[0], AT_SYMLINK_NOFOLLOW, a->a[1]); }
static long sys_newfstatat(const struct sysargs *a) { return stat_out((int)a->a[0], a->a[1], (int)a->a[3], a->a[2]); }

struct statx_time {
	int64_t sec;
	uint32_t nsec;
	int32_t reserved;
};

struct statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_time atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};

static uint32_t dev_major(uint64_t d) { return (uint32_t)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffull)); }
static uint32_t dev_minor(uint64_t d) { return (uint32_t)((d & 0xff) | ((d >> 12) & ~0xffull)); }
static struct statx_time stx_time(int64_t ns) { return (struct statx_time){ ns / 1000000000, ns % 1000000000, 0 }; }

static long sys_statx(const struct sysargs *a)
{
	struct kstat st;

	if ((uint32_t)a->a[3] & STATX_RESERVED)
		return -EINVAL;
	long err = stat_at((int)a->a[0], a->a[1], (int)a->a[2], &st);
	if (err)
		return err;
	struct statx x = {
		.mask = STATX_BASIC_STATS, .blksize = (uint32_t)st.blksize, .nlink = (uint32_t)st.nlink,
		.uid = st.uid, .gid = st.gid, .mode = (uint16_t)st.mode, .ino = st.ino,
		.size = (uint64_t)st.size, .blocks = (uint64_t)st.blocks, .atime = stx_time(st.atime_ns),
		.ctime = stx_time(st.ctime_ns), .mtime = stx_time(st.mtime_ns),
		.rdev_major = dev_major(st.rdev), .rdev_minor = dev_minor(st.rdev),
		.dev_major = dev_major(st.dev), .dev_minor = dev_minor(st.dev),
	};
	return copy_to_user(a->a[4], &x, sizeof x) ? -EFAULT : 0;
}

struct linux_statfs {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};

/* A mounted file system's own answer (fs_ops.statfs). */
static void statfs_mounted(struct super *sb, struct linux_statfs *s)
{
	struct fs_statfs st = { 0 };

	if (sb->ops->statfs)
		sb->ops->statfs(sb, &st);
	*s = (struct linux_statfs){
		.type = (int64_t)st.magic, .bsize = (int64_t)st.bsize, .blocks = st.blocks,
		.bfree = st.bfree, .bavail = st.bavail, .files = st.files, .ffree = st.ffree,
		.namelen = st.namelen, .frsize = (int64_t)st.bsize,
		.flags = ST_VALID | ST_RELATIME | (sb->read_only ? ST_RDONLY : 0),
	};
	s->fsid[0] = (int32_t)sb->dev;
	s->fsid[1] = (int32_t)(sb->dev >> 32);
}

static void statfs_of(int fs, struct linux_statfs *s)
{
	uint64_t total = page_total_count(), avail = page_free_count();

	*s = (struct linux_statfs){ .type = TMPFS_MAGIC, .bsize = PAGE_SIZE, .namelen = NAME_MAX,
				    .frsize = PAGE_SIZE, .flags = ST_VALID | ST_RELATIME };
	if (fs == FS_PROC || fs == FS_SYSFS) {
		s->type = fs == FS_PROC ? PROC_MAGIC : SYSFS_MAGIC;
		s->flags |= ST_NOSUID | ST_NODEV | ST_NOEXEC;
		return;
	}
	s->blocks = total;
	s->bfree = s->bavail = avail > total / 64 + 64 ? avail - total / 64 - 64 : 0;
	s->files = total / 2;
	s->ffree = s->files > vfs_inode_count() ? s->files - vfs_inode_count() : 0;
	s->fsid[0] = (int32_t)vfs_dev(fs);
}

static long sys_statfs(const struct sysargs *a)
{
	struct inode *i;
	struct linux_statfs s;
	long err = at_lookup(AT_FDCWD, a->a[0], 0, true, &i);

	if (err)
		return err;
	if (i->sb)
		statfs_mounted(i->sb, &s);
	else
		statfs_of(i->fs, &s);
	inode_put(i);
	return copy_to_user(a->a[1], &s, sizeof s) ? -EFAULT : 0;
}

static long sys_fstatfs(const struct sysargs *a)
{
	struct file *f = fd_get((int)a->a[0]);
	struct linux_statfs s;
	struct kstat st = { 0 };

	if (!f)
		return -EBADF;
	if (f->inode && f->inode->sb) {
		statfs_mounted(f->inode->sb, &s);
	} else if (f->inode) {
		statfs_of(f->inode->fs, &s);
	} else {
		if (f->ops->stat)
			f->ops->stat(f, &st);
		statfs_of(FS_PROC, &s);
		s.type = (st.mode & S_IFMT) == S_IFIFO ? PIPEFS_MAGIC : ANON_MAGIC;
	}
	file_put(f);
	return copy_to_user(a->a[1], &s, sizeof s) ? -EFAULT : 0;
}

static long readlink_at(int dirfd, uint64_t upath, uint64_t ubuf, int64_t size)
{
	struct inode *i;
	char *target;

	if (size <= 0)
		return -EINVAL;
	long err = at_lookup(dirfd, upath, dirfd != AT_FDCWD ? AT_EMPTY_PATH : 0, false, &i);
	if (err)
		return err;
	vfs_lock();
	err = is_lnk(i) ? symlink_read(i, &target) : -EINVAL;
	vfs_unlock();
	inode_put(i);
	if (err)
		return err;
	size_t n = strlen(target) < (uint64_t)size ? strlen(target) : (size_t)size;
	err = copy_to_user(ubuf, target, n) ? -EFAULT : (long)n;
	kfree(target);
	return err;
}

static long sys_readlink(const struct sysargs *a) { return readlink_at(AT_FDCWD, a->a[0], a->a[1], (int64_t)a->a[2]); }
static long sys_readlinkat(const struct sysargs *a) { return readlink_at((int)a->a[0], a->a[1], a->a[2], (int64_t)a->a[3]); }

/* The look-up and the check are made with the real ids unless AT_EACCESS
 * (the file system asks linux/cred.c, which reads the thread's flag). */
static long access_at(int dirfd, uint64_t upath, unsigned mode, int flags)
{
	struct thread *t = current();
	struct inode *i;
	struct vfs_cred c;

	if (mode & ~7u)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	t->cred_real_ids = !(flags & AT_EACCESS);
	long err = at_lookup(dirfd, upath, flags, !(flags & AT_SYMLINK_NOFOLLOW), &i);
	if (!err) {
		vfs_lock();
		vfs_cred_current(&c);
		err = mode ? vfs_permission(&c, i, (int)mode) : 0;
		vfs_unlock();
		inode_put(i);
	}
	t->cred_real_ids = false;
	return err;
}

static long sys_access(const struct sysargs *a) { return access_at(AT_FDCWD, a->a[0], (unsigned)a->a[1], 0); }
static long sys_faccessat(const struct sysargs *a) { return access_at((int)a->a[0], a->a[1], (unsigned)a->a[2], 0); }
static long sys_faccessat2(const struct sysargs *a) { return access_at((int)a->a[0], a->a[1], (unsigned)a->a[2], (int)a->a[3]); }

static const struct syscall_entry fs_stat_calls[] = {
	{ 4, sys_stat },
	{ 6, sys_lstat },
	{ 262, sys_newfstatat },
	{ 332, sys_statx },
	{ 137, sys_statfs },
	{ 138, sys_fstatfs },
	{ 89, sys_readlink },
	{ 267, sys_readlinkat },
	{ 21, sys_access },
	{ 269, sys_faccessat },
	{ 439, sys_faccessat2 },
};

SYSCALL_TABLE(fs_stat_calls);
