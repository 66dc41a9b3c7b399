/* inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch: the
 * calls over fs/inotify.c's instances, with Linux's checks in its order. */
#include "core/errno.h"
#include "fs/cred.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/inotify.h"
#include "fs/vfs.h"
#include "linux/syscall.h"
#include "linux/sys_fs_internal.h"

#define AT_FDCWD	-100
#define IN_KNOWN	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | \
			 IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | \
			 IN_ONESHOT)

static long init(unsigned flags)
{
	int err;

	if (flags & ~(unsigned)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	struct file *f = inotify_new(flags, &err);
	return f ? fd_install(f, 0, flags & O_CLOEXEC) : err;
}

static long sys_inotify_init(const struct sysargs *a)
{
	(void)a;
	return init(0);
}

static long sys_inotify_init1(const struct sysargs *a) { return init((unsigned)a->a[0]); }

/* The file at fd, if it is an inotify instance: -EBADF for no file,
 * -EINVAL for another kind. */
static long instance(int fd, struct file **out)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (!is_inotify(f)) {
		file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

/* What a watch needs of its file: a directory for IN_ONLYDIR, and read
 * permission. */
static long may_watch(struct inode *i, uint32_t mask)
{
	struct vfs_cred c;

	if ((mask & IN_ONLYDIR) && !is_dir(i))
		return -ENOTDIR;
	vfs_lock();
	vfs_cred_current(&c);
	long err = vfs_permission(&c, i, MAY_READ);
	vfs_unlock();
	return err;
}

static long sys_inotify_add_watch(const struct sysargs *a)
{
	uint32_t mask = (uint32_t)a->a[2];
	struct file *f;
	struct inode *i;

	if (!(mask & IN_KNOWN))
		return -EINVAL;
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	long err = instance((int)a->a[0], &f);
	if (err)
		return err;
	err = at_lookup(AT_FDCWD, a->a[1], 0, !(mask & IN_DONT_FOLLOW), &i);
	if (!err) {
		err = may_watch(i, mask);
		if (!err)
			err = inotify_watch(f, i, mask);
		inode_put(i);
	}
	file_put(f);
	return err;
}

static long sys_inotify_rm_watch(const struct sysargs *a)
{
	struct file *f;
	long err = instance((int)a->a[0], &f);

	if (err)
		return err;
	err = inotify_unwatch(f, (int)a->a[1]);
	file_put(f);
	return err;
}

static const struct syscall_entry inotify_calls[] = {
	{ 253, sys_inotify_init },
	{ 254, sys_inotify_add_watch },
	{ 255, sys_inotify_rm_watch },
	{ 294, sys_inotify_init1 },
};

SYSCALL_TABLE(inotify_calls);
