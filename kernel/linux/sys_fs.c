/* System calls on paths: open and its relatives here; the rest by area in
 * sys_fs_stat.c, sys_fs_dir.c, sys_fs_attr.c, sys_fs_io.c, sys_fs_lock.c.
 * The work is in fs/ (vfs*.c, path.c, tmpfs.c); this is argument checking. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/pathbuf.h"
#include "fs/vfs_file.h"
#include "fs/vfs_open.h"
#include "linux/syscall.h"
#include "linux/sys_fs_internal.h"

long path_from_user(uint64_t upath, char **out)
{
	char *path = pathbuf_get();

	if (!path)
		return -ENOMEM;
	long n = copy_string_from_user(path, upath, PATH_MAX);
	if (n < 0) {
		pathbuf_put(path);
		return n;
	}
	*out = path;
	return 0;
}

int at_start(int dirfd, const char *path, struct inode **out)
{
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		*out = path[0] == '/' ? vfs_root_dir() : vfs_cwd();
		inode_get(*out);
		return 0;
	}
	struct file *f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	struct inode *i = f->inode;
	if (i)
		inode_get(i);
	file_put(f);
	if (i && is_dir(i)) {
		*out = i;
		return 0;
	}
	if (i)
		inode_put(i);
	return -ENOTDIR;
}

/* dirfd itself, for AT_EMPTY_PATH. */
static int fd_inode(int dirfd, struct inode **out)
{
	if (dirfd == AT_FDCWD) {
		vfs_lock();
		int err = at_start(dirfd, "", out);
		vfs_unlock();
		return err;
	}
	struct file *f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	*out = f->inode;
	if (*out)
		inode_get(*out);
	file_put(f);
	return *out ? 0 : -EBADF;
}

int at_lookup(int dirfd, uint64_t upath, int flags, bool follow, struct inode **out)
{
	char *path;
	struct inode *start;
	long err = upath || !(flags & AT_EMPTY_PATH) ? path_from_user(upath, &path) : (path = NULL, 0);

	if (err)
		return (int)err;
	if (!path || !*path) {
		pathbuf_put(path);
		return flags & AT_EMPTY_PATH ? fd_inode(dirfd, out) : -ENOENT;
	}
	vfs_lock();
	err = at_start(dirfd, path, &start);
	if (!err) {
		err = path_lookup(start, path, follow, out, NULL);
		inode_put(start);
	}
	vfs_unlock();
	pathbuf_put(path);
	return (int)err;
}

int at_parent(int dirfd, const char *path, struct inode **dir, char name[NAME_MAX + 1], bool *slash)
{
	struct inode *start;
	int err = *path ? at_start(dirfd, path, &start) : -ENOENT;

	if (err)
		return err;
	err = path_parent(start, path, dir, name, slash);
	inode_put(start);
	return err;
}

static long do_open(int dirfd, uint64_t upath, unsigned flags, unsigned mode)
{
	char *path;
	struct inode *start;
	struct file *f;
	long err = path_from_user(upath, &path);

	if (err)
		return err;
	vfs_lock();
	err = *path ? at_start(dirfd, path, &start) : -ENOENT;
	vfs_unlock();
	if (!err) {
		err = vfs_open(start, path, flags, mode, &f);
		inode_put(start);
	}
	pathbuf_put(path);
	return err ? err : fd_install(f, 0, flags & O_CLOEXEC);
}

static long sys_open(const struct sysargs *a) { return do_open(AT_FDCWD, a->a[0], (unsigned)a->a[1], (unsigned)a->a[2]); }
static long sys_openat(const struct sysargs *a) { return do_open((int)a->a[0], a->a[1], (unsigned)a->a[2], (unsigned)a->a[3]); }

static long sys_creat(const struct sysargs *a)
{
	return do_open(AT_FDCWD, a->a[0], O_CREAT | O_WRONLY | O_TRUNC, (unsigned)a->a[1]);
}

static const struct syscall_entry fs_calls[] = {
	{ 2, sys_open },
	{ 257, sys_openat },
	{ 85, sys_creat },
};

SYSCALL_TABLE(fs_calls);
