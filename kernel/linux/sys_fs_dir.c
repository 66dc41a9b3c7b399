/* Changing the tree and moving around in it: mkdir, mknod, symlink, link,
 * unlink, rmdir, rename; getdents; getcwd, chdir. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/cred.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/pathbuf.h"
#include "fs/vfs_file.h"
#include "linux/cred.h"
#include "linux/syscall.h"
#include "linux/sys_fs_internal.h"

/* A change to the entry path names in its directory. */
struct change {
	int (*fn)(struct inode *dir, const char *name, bool slash, const struct change *c);
	uint32_t mode;
	uint64_t rdev;
	const char *target;	/* symlink */
	struct inode *inode;	/* link */
	bool rmdir;
};

static long change_at(int dirfd, uint64_t upath, const struct change *c)
{
	char *path, name[NAME_MAX + 1];
	struct inode *dir;
	bool slash;
	long err = path_from_user(upath, &path);

	if (err)
		return err;
	vfs_lock();
	err = at_parent(dirfd, path, &dir, name, &slash);
	if (!err) {
		err = c->fn(dir, name, slash, c);
		inode_put(dir);
	}
	vfs_unlock();
	pathbuf_put(path);
	return err;
}

static unsigned masked(unsigned mode) { return mode & ~vfs_umask(0, false); }

/* A name with a trailing slash asks for a directory, which mknod, symlink
 * and link never make: EEXIST if something has the name, else ENOENT, as
 * Linux's filename_create answers; never a file under the bare name. */
static int slash_refused(struct inode *dir, const char *name)
{
	bool dots = !*name || !strcmp(name, ".") || !strcmp(name, "..");

	return dots || dir_find(dir, name, strlen(name)) ? -EEXIST : -ENOENT;
}

static int do_mkdir(struct inode *dir, const char *name, bool slash, const struct change *c)
{
	(void)slash;
	return vfs_create(dir, name, S_IFDIR | masked(c->mode & 01777), 0, NULL);
}

static long mkdir_at(int dirfd, uint64_t upath, uint32_t mode)
{
	struct change c = { .fn = do_mkdir, .mode = mode };

	return change_at(dirfd, upath, &c);
}

static long sys_mkdir(const struct sysargs *a) { return mkdir_at(AT_FDCWD, a->a[0], (uint32_t)a->a[1]); }
static long sys_mkdirat(const struct sysargs *a) { return mkdir_at((int)a->a[0], a->a[1], (uint32_t)a->a[2]); }

static int do_mknod(struct inode *dir, const char *name, bool slash, const struct change *c)
{
	uint32_t type = c->mode & S_IFMT;

	if (slash)
		return slash_refused(dir, name);
	if (type == S_IFDIR)
		return -EPERM;
	if (type && type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO &&
	    type != S_IFSOCK)
		return -EINVAL;
	return vfs_create(dir, name, (type ? type : S_IFREG) | masked(c->mode & 07777), c->rdev, NULL);
}

static long mknod_at(int dirfd, uint64_t upath, uint32_t mode, uint64_t dev)
{
	struct change c = { .fn = do_mknod, .mode = mode, .rdev = (uint32_t)dev };

	return change_at(dirfd, upath, &c);
}

static long sys_mknod(const struct sysargs *a) { return mknod_at(AT_FDCWD, a->a[0], (uint32_t)a->a[1], a->a[2]); }
static long sys_mknodat(const struct sysargs *a) { return mknod_at((int)a->a[0], a->a[1], (uint32_t)a->a[2], a->a[3]); }

static int do_symlink(struct inode *dir, const char *name, bool slash, const struct change *c)
{
	return slash ? slash_refused(dir, name) : vfs_symlink(dir, name, c->target);
}

static long symlink_at(uint64_t utarget, int dirfd, uint64_t upath)
{
	char *target;
	long err = path_from_user(utarget, &target);

	if (err)
		return err;
	struct change c = { .fn = do_symlink, .target = target };
	err = change_at(dirfd, upath, &c);
	pathbuf_put(target);
	return err;
}

static long sys_symlink(const struct sysargs *a) { return symlink_at(a->a[0], AT_FDCWD, a->a[1]); }
static long sys_symlinkat(const struct sysargs *a) { return symlink_at(a->a[0], (int)a->a[1], a->a[2]); }

static int do_link(struct inode *dir, const char *name, bool slash, const struct change *c)
{
	return slash ? slash_refused(dir, name) : vfs_link(dir, name, c->inode);
}

static long link_at(int olddir, uint64_t uold, int newdir, uint64_t unew, int flags)
{
	struct inode *i;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long err = at_lookup(olddir, uold, flags & AT_EMPTY_PATH, flags & AT_SYMLINK_FOLLOW, &i);
	if (err)
		return err;
	struct change c = { .fn = do_link, .inode = i };
	err = change_at(newdir, unew, &c);
	inode_put(i);
	return err;
}

static long sys_link(const struct sysargs *a) { return link_at(AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0); }
static long sys_linkat(const struct sysargs *a) { return link_at((int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (int)a->a[4]); }

static int do_remove(struct inode *dir, const char *name, bool slash, const struct change *c)
{
	return vfs_remove(dir, name, c->rmdir, slash);
}

static long remove_at(int dirfd, uint64_t upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct change c = { .fn = do_remove, .rmdir = flags & AT_REMOVEDIR };
	return change_at(dirfd, upath, &c);
}

static long sys_unlink(const struct sysargs *a) { return remove_at(AT_FDCWD, a->a[0], 0); }
static long sys_rmdir(const struct sysargs *a) { return remove_at(AT_FDCWD, a->a[0], AT_REMOVEDIR); }
static long sys_unlinkat(const struct sysargs *a) { return remove_at((int)a->a[0], a->a[1], (int)a->a[2]); }

static long rename_at(int odirfd, uint64_t uold, int ndirfd, uint64_t unew, unsigned flags)
{
	char *opath, *npath = NULL, oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	struct inode *odir = NULL, *ndir = NULL;
	bool oslash, nslash;
	long err = path_from_user(uold, &opath);

	if (!err && (err = path_from_user(unew, &npath)))
		pathbuf_put(opath);
	if (err)
		return err;
	vfs_lock();
	err = at_parent(odirfd, opath, &odir, oname, &oslash);
	if (!err)
		err = at_parent(ndirfd, npath, &ndir, nname, &nslash);
	if (!err)
		err = vfs_rename(odir, oname, ndir, nname, flags, oslash || nslash);
	if (odir)
		inode_put(odir);
	if (ndir)
		inode_put(ndir);
	vfs_unlock();
	pathbuf_put(opath);
	pathbuf_put(npath);
	return err;
}

static long sys_rename(const struct sysargs *a) { return rename_at(AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0); }
static long sys_renameat(const struct sysargs *a) { return rename_at((int)a->a[0], a->a[1], (int)a->a[2], a->a[3], 0); }
static long sys_renameat2(const struct sysargs *a) { return rename_at((int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (unsigned)a->a[4]); }

static long getdents_fd(int fd, uint64_t ubuf, uint64_t count, bool dirent64)
{
	struct file *f = fd_get(fd);
	struct iobuf b = iobuf_user(ubuf, count);

	if (!f)
		return -EBADF;
	long ret = file_is_path(f) ? -EBADF : !f->inode || !is_dir(f->inode) ? -ENOTDIR : 0;
	if (!ret && !user_range_ok(ubuf, count))
		ret = -EFAULT;
	if (!ret) {
		int64_t pos = f->pos;
		ret = vfs_getdents(f, &b, &pos, dirent64);
		if (ret >= 0)
			f->pos = pos;
	}
	file_put(f);
	return ret;
}

/* count is an unsigned int in Linux's prototypes: the upper half of the
 * register is not part of it. */
static long sys_getdents(const struct sysargs *a) { return getdents_fd((int)a->a[0], a->a[1], (uint32_t)a->a[2], false); }
static long sys_getdents64(const struct sysargs *a) { return getdents_fd((int)a->a[0], a->a[1], (uint32_t)a->a[2], true); }

/* A current directory outside the caller's root (a chroot made after a
 * chdir elsewhere): its absolute path after "(unreachable)", as Linux
 * gives it, so that no program takes it for a path it can open. */
static long mark_unreachable(char *buf, long n)
{
	static const char mark[] = "(unreachable)";

	if (n < 0 || (size_t)n + sizeof mark > PATH_MAX)
		return n < 0 ? n : -ENAMETOOLONG;
	memmove(buf + sizeof mark - 1, buf, (size_t)n + 1);
	memcpy(buf, mark, sizeof mark - 1);
	return n + (long)sizeof mark - 1;
}

/* Linux's getcwd returns the length with the NUL. */
static long sys_getcwd(const struct sysargs *a)
{
	char *buf = pathbuf_get();

	if (!buf)
		return -ENOMEM;
	vfs_lock();
	long n = dir_path(vfs_cwd(), buf, PATH_MAX);
	if (!dir_is_under(vfs_cwd(), vfs_root_dir()))
		n = mark_unreachable(buf, n);
	vfs_unlock();
	if (n >= 0)
		n = (uint64_t)n + 1 > a->a[1] ? -ERANGE : copy_to_user(a->a[0], buf, n + 1) ? -EFAULT : n + 1;
	pathbuf_put(buf);
	return n;
}

/* chdir and fchdir need search permission on the directory. */
static long change_dir(struct inode *i)
{
	struct vfs_cred c;
	long err = is_dir(i) ? 0 : -ENOTDIR;

	if (!err) {
		vfs_lock();
		vfs_cred_current(&c);
		err = vfs_permission(&c, i, MAY_EXEC);
		if (!err)
			vfs_set_cwd(i);
		vfs_unlock();
	}
	inode_put(i);
	return err;
}

static long sys_chdir(const struct sysargs *a)
{
	struct inode *i;
	long err = at_lookup(AT_FDCWD, a->a[0], 0, true, &i);

	return err ? err : change_dir(i);
}

static long sys_fchdir(const struct sysargs *a)
{
	struct file *f = fd_get((int)a->a[0]);
	struct inode *i;

	if (!f)
		return -EBADF;
	i = f->inode;
	if (i)
		inode_get(i);
	file_put(f);
	return i ? change_dir(i) : -ENOTDIR;
}

/* chroot: the caller's processes sharing its fs context resolve "/"
 * from path from now on.  Linux's order of refusals: the look-up's, then
 * search permission, then CAP_SYS_CHROOT.  The current directory stays
 * where it was, even outside the new root, as on Linux. */
static long sys_chroot(const struct sysargs *a)
{
	struct inode *i;
	struct vfs_cred c;
	long err = at_lookup(AT_FDCWD, a->a[0], 0, true, &i);

	if (err)
		return err;
	vfs_lock();
	vfs_cred_current(&c);
	err = !is_dir(i) ? -ENOTDIR : vfs_permission(&c, i, MAY_EXEC);
	if (!err && !cred_capable(CAP_SYS_CHROOT))
		err = -EPERM;
	if (!err)
		vfs_set_root(i);
	vfs_unlock();
	inode_put(i);
	return err;
}

static const struct syscall_entry fs_dir_calls[] = {
	{ 161, sys_chroot },
	{ 83, sys_mkdir },
	{ 258, sys_mkdirat },
	{ 133, sys_mknod },
	{ 259, sys_mknodat },
	{ 88, sys_symlink },
	{ 266, sys_symlinkat },
	{ 86, sys_link },
	{ 265, sys_linkat },
	{ 87, sys_unlink },
	{ 84, sys_rmdir },
	{ 263, sys_unlinkat },
	{ 82, sys_rename },
	{ 264, sys_renameat },
	{ 316, sys_renameat2 },
	{ 78, sys_getdents },
	{ 217, sys_getdents64 },
	{ 79, sys_getcwd },
	{ 80, sys_chdir },
	{ 81, sys_fchdir },
};

SYSCALL_TABLE(fs_dir_calls);
