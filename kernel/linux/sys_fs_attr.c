/* Changing what a file is like: chmod, chown, times, size, the umask,
 * with Linux's rules for who may (setattr_prepare, may_setattr). */
#include "core/errno.h"
#include "core/uaccess.h"
#include "fs/cred.h"
#include "fs/fdtable.h"
#include "fs/inotify.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/vfs_file.h"
#include "linux/fd.h"
#include "linux/syscall.h"
#include "linux/sys_fs_internal.h"
#include "linux/time.h"

#define UTIME_NOW	((1l << 30) - 1)
#define UTIME_OMIT	((1l << 30) - 2)
#define NS		1000000000l

/* What to change; one of these applies per call. */
struct attr {
	int (*fn)(struct inode *i, const struct attr *a, const struct vfs_cred *c);
	uint32_t mode;
	uint32_t uid, gid;
	int64_t times[2];	/* atime, mtime in ns; UTIME_OMIT to keep */
	bool touch;		/* times: "now" for both, which write permission allows */
};

/* The owner (or CAP_FOWNER) only; set-group-ID only for a member of the
 * file's group (or CAP_FSETID).  Not /proc's entries (Linux's proc_setattr
 * refuses a mode); /sys's take one, and an owner, as Linux's kernfs keeps
 * them (udev rules and tmpfiles.d give attributes to a group). */
static int set_mode(struct inode *i, const struct attr *a, const struct vfs_cred *c)
{
	uint32_t mode = a->mode & 07777;

	if (i->fs == FS_PROC || !vfs_owner_or_capable(c, i))
		return -EPERM;
	if (!vfs_in_group(c, i->gid) && !vfs_capable(c, VFS_CAP_FSETID))
		mode &= ~S_ISGID;
	i->mode = (i->mode & S_IFMT) | mode;
	i->ctime_ns = vfs_now();
	return 0;
}

/* Without CAP_CHOWN, only the owner may, giving the file to itself and
 * to a group it is in. */
static bool may_chown(const struct inode *i, const struct attr *a, const struct vfs_cred *c)
{
	bool owner = c->fsuid == i->uid, chown = vfs_capable(c, VFS_CAP_CHOWN);

	if (a->uid != (uint32_t)-1 && !(owner && a->uid == i->uid) && !chown)
		return false;
	return a->gid == (uint32_t)-1 || (owner && (a->gid == i->gid || vfs_in_group(c, a->gid))) ||
	       chown;
}

/* chown clears set-user-ID on anything but a directory, and set-group-ID
 * where group execute is on or the caller could not have set it. */
static void chown_kill_privs(struct inode *i, const struct vfs_cred *c)
{
	if (is_dir(i))
		return;
	i->mode &= ~S_ISUID;
	if ((i->mode & 010) || (!vfs_in_group(c, i->gid) && !vfs_capable(c, VFS_CAP_FSETID)))
		i->mode &= ~S_ISGID;
}

static int set_owner(struct inode *i, const struct attr *a, const struct vfs_cred *c)
{
	if (i->fs == FS_PROC || !may_chown(i, a, c))
		return -EPERM;
	chown_kill_privs(i, c);
	if (a->uid != (uint32_t)-1)
		i->uid = a->uid;
	if (a->gid != (uint32_t)-1)
		i->gid = a->gid;
	i->ctime_ns = vfs_now();
	return 0;
}

/* Any times: the owner (or CAP_FOWNER); "now": also whoever may write. */
static int may_set_times(struct inode *i, const struct attr *a, const struct vfs_cred *c)
{
	if (vfs_owner_or_capable(c, i))
		return 0;
	return a->touch ? vfs_permission(c, i, MAY_WRITE) : -EPERM;
}

static int set_times(struct inode *i, const struct attr *a, const struct vfs_cred *c)
{
	int err = may_set_times(i, a, c);

	if (err)
		return err;
	if (a->times[0] == UTIME_OMIT && a->times[1] == UTIME_OMIT)
		return 0;
	if (a->times[0] != UTIME_OMIT)
		i->atime_ns = a->times[0];
	if (a->times[1] != UTIME_OMIT)
		i->mtime_ns = a->times[1];
	i->ctime_ns = vfs_now();
	return 0;
}

/* A mounted store takes the change first (write_inode); if it refuses,
 * the cached inode goes back to what it was. */
static long apply(struct inode *i, const struct attr *a)
{
	struct vfs_cred c;

	vfs_lock();
	vfs_cred_current(&c);
	uint32_t was[3] = { i->mode, i->uid, i->gid };
	int64_t times[3] = { i->atime_ns, i->mtime_ns, i->ctime_ns };
	long err = mount_writable(i);
	if (!err)
		err = a->fn(i, a, &c);
	if (!err && (err = mount_write_inode(i))) {
		i->mode = was[0], i->uid = was[1], i->gid = was[2];
		i->atime_ns = times[0], i->mtime_ns = times[1], i->ctime_ns = times[2];
	}
	bool nothing = a->fn == set_times && a->times[0] == UTIME_OMIT && a->times[1] == UTIME_OMIT;
	if (!err && !nothing)
		fsnotify_inode(i, IN_ATTRIB);
	vfs_unlock();
	inode_put(i);
	return err;
}

static long apply_at(int dirfd, uint64_t upath, int flags, const struct attr *a)
{
	struct inode *i;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long err = at_lookup(dirfd, upath, flags, !(flags & AT_SYMLINK_NOFOLLOW), &i);
	return err ? err : apply(i, a);
}

/* fchmod, fchown, futimens: O_PATH descriptors are refused; files without
 * an inode (pipes, the console) take the change and forget it. */
static long apply_fd(int fd, const struct attr *a)
{
	struct file *f = fd_get(fd);
	struct inode *i;

	if (!f)
		return -EBADF;
	i = file_is_path(f) ? NULL : f->inode;
	long err = file_is_path(f) ? -EBADF : 0;
	if (i)
		inode_get(i);
	file_put(f);
	return i ? apply(i, a) : err;
}

static long sys_chmod(const struct sysargs *a)
{
	struct attr at = { .fn = set_mode, .mode = (uint32_t)a->a[1] };
	return apply_at(AT_FDCWD, a->a[0], 0, &at);
}

static long sys_fchmod(const struct sysargs *a)
{
	struct attr at = { .fn = set_mode, .mode = (uint32_t)a->a[1] };
	return apply_fd((int)a->a[0], &at);
}

static long sys_fchmodat(const struct sysargs *a)
{
	struct attr at = { .fn = set_mode, .mode = (uint32_t)a->a[2] };
	return apply_at((int)a->a[0], a->a[1], 0, &at);
}

static long chown_at(int dirfd, uint64_t upath, uint64_t uid, uint64_t gid, int flags)
{
	struct attr at = { .fn = set_owner, .uid = (uint32_t)uid, .gid = (uint32_t)gid };
	return apply_at(dirfd, upath, flags, &at);
}

static long sys_chown(const struct sysargs *a) { return chown_at(AT_FDCWD, a->a[0], a->a[1], a->a[2], 0); }
static long sys_lchown(const struct sysargs *a) { return chown_at(AT_FDCWD, a->a[0], a->a[1], a->a[2], AT_SYMLINK_NOFOLLOW); }
static long sys_fchownat(const struct sysargs *a) { return chown_at((int)a->a[0], a->a[1], a->a[2], a->a[3], (int)a->a[4]); }

static long sys_fchown(const struct sysargs *a)
{
	struct attr at = { .fn = set_owner, .uid = (uint32_t)a->a[1], .gid = (uint32_t)a->a[2] };
	return apply_fd((int)a->a[0], &at);
}

/* A time from utimensat: UTIME_NOW, UTIME_OMIT or a valid timespec. */
static long time_of(const struct linux_timespec *ts, int64_t *ns)
{
	if (ts->tv_nsec == UTIME_OMIT)
		*ns = UTIME_OMIT;
	else if (ts->tv_nsec == UTIME_NOW)
		*ns = vfs_now();
	else if (ts->tv_nsec < 0 || ts->tv_nsec >= NS)
		return -EINVAL;
	else
		*ns = ts->tv_sec * NS + ts->tv_nsec;
	return 0;
}

static long times_at(int dirfd, uint64_t upath, struct attr *at, int flags)
{
	if (upath)
		return apply_at(dirfd, upath, flags, at);
	if (flags & ~AT_SYMLINK_NOFOLLOW)
		return -EINVAL;
	return dirfd == AT_FDCWD ? -EFAULT : apply_fd(dirfd, at);
}

static long sys_utimensat(const struct sysargs *a)
{
	struct linux_timespec ts[2];
	struct attr at = { .fn = set_times, .times = { vfs_now(), vfs_now() }, .touch = true };

	if (a->a[2]) {
		if (copy_from_user(ts, a->a[2], sizeof ts))
			return -EFAULT;
		long err = time_of(&ts[0], &at.times[0]);
		if (!err)
			err = time_of(&ts[1], &at.times[1]);
		if (err)
			return err;
		at.touch = ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW;
	}
	return times_at((int)a->a[0], a->a[1], &at, (int)a->a[3]);
}

/* utimes and futimesat: microseconds. */
static long timeval_times_at(int dirfd, uint64_t upath, uint64_t utv)
{
	struct linux_timeval tv[2];
	struct attr at = { .fn = set_times, .times = { vfs_now(), vfs_now() }, .touch = !utv };

	if (utv) {
		if (copy_from_user(tv, utv, sizeof tv))
			return -EFAULT;
		for (int k = 0; k < 2; k++) {
			if (tv[k].tv_usec < 0 || tv[k].tv_usec >= 1000000)
				return -EINVAL;
			at.times[k] = tv[k].tv_sec * NS + tv[k].tv_usec * 1000;
		}
	}
	return apply_at(dirfd, upath, 0, &at);
}

static long sys_utimes(const struct sysargs *a) { return timeval_times_at(AT_FDCWD, a->a[0], a->a[1]); }
static long sys_futimesat(const struct sysargs *a) { return timeval_times_at((int)a->a[0], a->a[1], a->a[2]); }

static long sys_utime(const struct sysargs *a)
{
	int64_t tb[2];
	struct attr at = { .fn = set_times, .times = { vfs_now(), vfs_now() }, .touch = !a->a[1] };

	if (a->a[1]) {
		if (copy_from_user(tb, a->a[1], sizeof tb))
			return -EFAULT;
		at.times[0] = tb[0] * NS;
		at.times[1] = tb[1] * NS;
	}
	return apply_at(AT_FDCWD, a->a[0], 0, &at);
}

/* truncate(2) needs write permission (ftruncate, a writable descriptor). */
static int may_truncate(struct inode *i)
{
	struct vfs_cred c;

	vfs_lock();
	vfs_cred_current(&c);
	int err = mount_writable(i);
	if (!err)
		err = vfs_permission(&c, i, MAY_WRITE);
	vfs_unlock();
	return err;
}

static long sys_truncate(const struct sysargs *a)
{
	struct inode *i;

	if ((int64_t)a->a[1] < 0)
		return -EINVAL;
	long err = at_lookup(AT_FDCWD, a->a[0], 0, true, &i);
	if (err)
		return err;
	err = is_dir(i) ? -EISDIR : !is_reg(i) || vfs_generated(i) ? -EINVAL : may_truncate(i);
	if (!err && !(err = vfs_get_write_access(i))) {	/* ETXTBSY for a running program */
		err = fsize_limit_grow(i, a->a[1]);
		if (!err) {
			vfs_kill_privs_unlocked(i);
			err = vfs_data_truncate(i, (int64_t)a->a[1]);
		}
		if (!err)
			fsnotify_inode(i, IN_MODIFY);
		vfs_put_write_access(i);
	}
	inode_put(i);
	return err;
}

static long sys_ftruncate(const struct sysargs *a)
{
	struct file *f = fd_get((int)a->a[0]);

	if (!f)
		return -EBADF;
	long err = file_is_path(f) ? -EBADF : (int64_t)a->a[1] < 0 ? -EINVAL : 0;
	if (!err && (!file_writable(f) || !f->ops->truncate))
		err = -EINVAL;
	if (!err && f->inode && is_reg(f->inode))
		err = fsize_limit_grow(f->inode, a->a[1]);
	if (!err)
		err = f->ops->truncate(f, a->a[1]);
	file_put(f);
	return err;
}

static long sys_umask(const struct sysargs *a)
{
	vfs_lock();
	long old = vfs_umask((unsigned)a->a[0], true);
	vfs_unlock();
	return old;
}

static const struct syscall_entry fs_attr_calls[] = {
	{ 90, sys_chmod },
	{ 91, sys_fchmod },
	{ 268, sys_fchmodat },
	{ 92, sys_chown },
	{ 93, sys_fchown },
	{ 94, sys_lchown },
	{ 260, sys_fchownat },
	{ 280, sys_utimensat },
	{ 132, sys_utime },
	{ 235, sys_utimes },
	{ 261, sys_futimesat },
	{ 76, sys_truncate },
	{ 77, sys_ftruncate },
	{ 95, sys_umask },
};

SYSCALL_TABLE(fs_attr_calls);
