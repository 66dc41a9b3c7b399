/* mount(2) and umount2(2): a file system of a registered type (fs/mount.h)
 * on a directory, from a block device's /dev node or, for a type that
 * needs none (9p), a name (the 9p mount tag); MS_REMOUNT switches
 * read-only and read-write.  What amphi does not do (bind and move
 * mounts, propagation flags, nosuid/nodev/noexec, lazy unmounts) is
 * refused with EINVAL. */
#include "core/errno.h"
#include "core/uaccess.h"
#include "dev/blk.h"
#include "fs/cred.h"
#include "fs/devfs.h"
#include "fs/mount.h"
#include "fs/path.h"
#include "linux/syscall.h"
#include "linux/sys_fs_internal.h"

#define MS_RDONLY	0x1
#define MS_REMOUNT	0x20
#define MS_SILENT	0x8000
#define MS_MGC_MSK	0xffff0000u
#define MS_MGC_VAL	0xc0ed0000u
/* Access-time flags: accepted, as amphi keeps times the relatime way
 * whatever is asked. */
#define MS_ATIME_FLAGS	(0x400 | 0x800 | 0x200000 | 0x1000000 | 0x2000000)

#define MNT_FORCE	1
#define MNT_DETACH	2
#define UMOUNT_NOFOLLOW	8

#define DATA_MAX	1024

/* Block devices come with the block layer (dev/blk.c): until it is linked
 * in, no /dev node names one. */
#pragma weak blk_each

static bool may_mount(void)
{
	struct vfs_cred c;

	vfs_cred_current(&c);
	return vfs_capable(&c, VFS_CAP_SYS_ADMIN);
}

struct find_dev {
	uint64_t rdev;
	struct blk_dev *found;
};

static void match_dev(struct blk_dev *d, void *arg)
{
	struct find_dev *f = arg;

	if (dev_make(d->major, d->minor) == f->rdev)
		f->found = d;
}

/* The block device a /dev node names: -ENOTBLK for another kind of file,
 * -ENXIO when no device has its number. */
static int source_device(uint64_t usource, struct blk_dev **out)
{
	struct inode *i;
	int err = at_lookup(AT_FDCWD, usource, 0, true, &i);

	if (err)
		return err;
	struct find_dev f = { i->rdev, NULL };
	if ((i->mode & S_IFMT) != S_IFBLK)
		err = -ENOTBLK;
	else if (blk_each)
		blk_each(match_dev, &f);
	inode_put(i);
	if (!err && !f.found)
		err = -ENXIO;
	*out = f.found;
	return err;
}

static long remount(struct inode *dir, unsigned long flags)
{
	vfs_lock();
	int err = mount_set_read_only(dir, flags & MS_RDONLY);
	vfs_unlock();
	return err;
}

/* The source as /proc/mounts shows it: the tag, or the /dev path given. */
static long mount_new(const struct fs_type *t, uint64_t usource, struct inode *dir,
		      unsigned long flags, uint64_t udata)
{
	char source[64], data[DATA_MAX] = "";
	struct blk_dev *bdev = NULL;
	long err = copy_string_from_user(source, usource, sizeof source);

	if (err < 0)
		return err == -ENAMETOOLONG ? -EINVAL : err;
	if (!t->nodev && (err = source_device(usource, &bdev)))
		return err;
	if (udata && (err = copy_string_from_user(data, udata, sizeof data)) < 0)
		return err;
	vfs_lock();
	err = mount_add(t, source, bdev, data, flags & MS_RDONLY, dir);
	vfs_unlock();
	return err;
}

static long sys_mount(const struct sysargs *a)
{
	unsigned long flags = a->a[3];
	char type[32];
	struct inode *dir;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	if (!may_mount())
		return -EPERM;
	if (flags & ~(unsigned long)(MS_RDONLY | MS_REMOUNT | MS_SILENT | MS_ATIME_FLAGS))
		return -EINVAL;
	long err = at_lookup(AT_FDCWD, a->a[1], 0, true, &dir);
	if (err)
		return err;
	if (!is_dir(dir))
		err = -ENOTDIR;
	else if (flags & MS_REMOUNT)
		err = remount(dir, flags);
	else if ((err = copy_string_from_user(type, a->a[2], sizeof type)) == -ENAMETOOLONG)
		err = -ENODEV;
	else if (err >= 0)
		err = fs_type_find(type) ? mount_new(fs_type_find(type), a->a[0], dir, flags, a->a[4])
					 : -ENODEV;
	inode_put(dir);
	return err < 0 ? err : 0;
}

static long sys_umount2(const struct sysargs *a)
{
	int flags = (int)a->a[1];
	struct inode *root;

	if (flags & ~(MNT_FORCE | UMOUNT_NOFOLLOW))
		return -EINVAL;	/* MNT_DETACH, MNT_EXPIRE: no lazy unmounts */
	if (!may_mount())
		return -EPERM;
	long err = at_lookup(AT_FDCWD, a->a[0], 0, !(flags & UMOUNT_NOFOLLOW), &root);
	if (err)
		return err;
	vfs_lock();
	err = mount_remove(root);
	vfs_unlock();
	if (err)
		inode_put(root);
	return err;
}

static const struct syscall_entry mount_calls[] = {
	{ 165, sys_mount },
	{ 166, sys_umount2 },
};

SYSCALL_TABLE(mount_calls);
