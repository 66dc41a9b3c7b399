/* Changes to the tree: create, link, symlink, remove, rename, with the
 * errors Linux gives for each misuse.  Caller holds vfs_lock.  /proc takes
 * no new names and loses none. */
#include "fs/vfs.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "fs/cred.h"
#include "fs/inotify.h"
#include "fs/mount.h"

static bool is_dots(const char *name)
{
	return !*name || !strcmp(name, ".") || !strcmp(name, "..");
}

static bool is_device(uint32_t mode)
{
	return (mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK;
}

/* dir can take a new entry called name from c.  0, or -errno. */
static int check_new(const struct vfs_cred *c, struct inode *dir, const char *name)
{
	if (!dir->nlink)
		return -ENOENT;	/* a removed directory */
	if (is_dots(name) || dir_find(dir, name, strlen(name)))
		return -EEXIST;
	if (dir->fs == FS_PROC)
		return -ENOENT;	/* Linux's procfs: no name it did not make is found */
	int err = vfs_may_create(c, dir);
	/* /sys: Linux's VFS checks the caller's rights, then finds that
	 * sysfs makes nothing (EPERM; open's O_CREAT says EACCES). */
	return err ? err : vfs_generated(dir) ? -EPERM : 0;
}

/* Linux's inode_init_owner: the creator's fs ids, or the group of a
 * set-group-ID directory, whose subdirectories inherit the bit; a new file
 * keeps a set-group-ID bit only if its creator may have it. */
static void init_owner(const struct vfs_cred *c, struct inode *dir, struct inode *i)
{
	i->uid = c->fsuid;
	i->gid = c->fsgid;
	if (!(dir->mode & S_ISGID))
		return;
	i->gid = dir->gid;
	if (is_dir(i))
		i->mode |= S_ISGID;
	else if ((i->mode & (S_ISGID | 010)) == (S_ISGID | 010) && !vfs_in_group(c, i->gid) &&
		 !vfs_capable(c, VFS_CAP_FSETID))
		i->mode &= ~S_ISGID;
}

/* A new inode of mode in dir, owned as c says; NULL if no room. */
static struct inode *new_owned(const struct vfs_cred *c, struct inode *dir, uint32_t mode)
{
	struct inode *i = dir->sb ? super_inode_new(dir->sb, mode) : inode_new(mode, dir->fs);

	if (i)
		init_owner(c, dir, i);
	return i;
}

int vfs_create_tmpfile(struct inode *dir, uint32_t mode, struct inode **out)
{
	struct vfs_cred c;

	vfs_cred_current(&c);
	int err = !dir->nlink ? -ENOENT : vfs_may_create(&c, dir);
	if (err)
		return err;
	if (vfs_generated(dir))
		return -EOPNOTSUPP;	/* /sys, as Linux's vfs_tmpfile without a tmpfile op */
	struct inode *i = new_owned(&c, dir, S_IFREG | (mode & 07777));
	if (!i)
		return -ENOSPC;
	if (dir->sb && (err = mount_create_unnamed(dir, i))) {
		inode_put(i);
		return err;
	}
	*out = i;
	return 0;
}

int vfs_create(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev, struct inode **out)
{
	struct vfs_cred c;

	vfs_cred_current(&c);
	int err = check_new(&c, dir, name);
	if (err)
		return err;
	if (is_device(mode) && !vfs_capable(&c, VFS_CAP_MKNOD))
		return -EPERM;
	struct inode *i = new_owned(&c, dir, mode);
	if (!i)
		return -ENOSPC;
	i->rdev = rdev;
	err = mount_create(dir, name, i);
	if (!err)
		err = dir_add(dir, name, i);
	if (!err)
		fsnotify_entry(dir, IN_CREATE | (is_dir(i) ? IN_ISDIR : 0), name, 0);
	if (!err && out)
		*out = i;
	else
		inode_put(i);
	return err;
}

struct inode *vfs_create_unnamed(int fs, uint32_t mode)
{
	struct vfs_cred c;
	struct inode *i = inode_new(S_IFREG | (mode & 07777), fs);

	vfs_cred_current(&c);
	if (i) {
		i->uid = c.fsuid;
		i->gid = c.fsgid;
	}
	return i;
}

int vfs_symlink(struct inode *dir, const char *name, const char *target)
{
	struct vfs_cred c;
	size_t len = strlen(target);

	vfs_cred_current(&c);
	int err = !len ? -ENOENT : len >= PATH_MAX ? -ENAMETOOLONG : check_new(&c, dir, name);
	if (err)
		return err;
	struct inode *i = new_owned(&c, dir, S_IFLNK | 0777);
	char *copy = kmalloc(len + 1);
	if (i && copy) {
		memcpy(copy, target, len + 1);
		i->target = copy;
		copy = NULL;
		err = mount_create(dir, name, i);
		if (!err)
			err = dir_add(dir, name, i);
		if (!err)
			fsnotify_entry(dir, IN_CREATE, name, 0);
	} else {
		err = -ENOSPC;
	}
	kfree(copy);
	if (i)
		inode_put(i);
	return err;
}

/* fs.protected_hardlinks, on as Debian sets it: a hard link to a file
 * the caller does not own only where it could read and write it, and not
 * to a set-id one (Linux's may_linkat). */
static int may_link(const struct vfs_cred *c, const struct inode *i)
{
	if (vfs_owner_or_capable(c, i))
		return 0;
	if (!is_reg(i) || (i->mode & S_ISUID) || (i->mode & (S_ISGID | 010)) == (S_ISGID | 010))
		return -EPERM;
	return vfs_permission(c, i, MAY_READ | MAY_WRITE) ? -EPERM : 0;
}

int vfs_link(struct inode *dir, const char *name, struct inode *i)
{
	if (i->sb != dir->sb || i->fs != dir->fs)
		return -EXDEV;	/* first, as Linux's do_linkat checks the mounts */
	if (is_dir(i))
		return -EPERM;
	if (vfs_generated(i))
		return -EPERM;
	if (!i->nlink && !i->linkable)
		return -ENOENT;	/* removed, or never named (memfd) */
	struct vfs_cred c;
	vfs_cred_current(&c);
	int err = may_link(&c, i);
	if (!err)
		err = check_new(&c, dir, name);
	if (!err)
		err = mount_link(dir, name, i);
	if (!err)
		err = dir_add(dir, name, i);
	if (!err) {
		i->linkable = false;
		fsnotify_self(i, IN_ATTRIB);	/* its link count, as Linux's order */
		fsnotify_entry(dir, IN_CREATE, name, 0);
	}
	return err;
}

static int check_rmdir(struct inode *dir, struct dentry *d)
{
	struct inode *i = d->inode;

	if (!is_dir(i))
		return -ENOTDIR;
	if (i->fs != dir->fs || i->mounted)
		return -EBUSY;	/* a mount point (/proc and /dev stand in for some) */
	if (!dir_empty(i) || (i->ops && i->ops->iterate))
		return -ENOTEMPTY;
	return 0;
}

/* d goes from dir, and inotify hears it as Linux tells it: a file's link
 * count; if that was its last name, its deletion and the end of its
 * watches; then the directory's entry. */
static void removed(struct inode *dir, struct dentry *d, const char *name)
{
	struct inode *i = d->inode;
	bool isdir = is_dir(i);

	inode_get(i);
	dir_remove(dir, d);
	if (!isdir)
		fsnotify_self(i, IN_ATTRIB);
	if (!i->nlink) {
		fsnotify_deleted(i);
		fsnotify_forget(i);
	}
	fsnotify_entry(dir, IN_DELETE | (isdir ? IN_ISDIR : 0), name, 0);
	inode_put(i);
}

int vfs_remove(struct inode *dir, const char *name, bool rmdir, bool slash)
{
	struct dentry *d;
	int err;

	if (!*name)
		return rmdir ? -EBUSY : -EISDIR;
	if (!strcmp(name, "."))
		return rmdir ? -EINVAL : -EISDIR;
	if (!strcmp(name, ".."))
		return rmdir ? -ENOTEMPTY : -EISDIR;
	if (!(d = dir_find(dir, name, strlen(name))))
		return dir->ops && dir->ops->lookup ? -EPERM : -ENOENT;
	if (dir->fs == FS_PROC)
		return -EPERM;
	struct vfs_cred c;
	vfs_cred_current(&c);
	err = vfs_may_delete(&c, dir, d->inode);
	if (err)
		return err;
	/* /sys: EPERM after the caller's rights and the entry's kind, as
	 * Linux's may_delete and then kernfs say. */
	if (rmdir)
		err = !is_dir(d->inode) ? -ENOTDIR : vfs_generated(dir) ? -EPERM : check_rmdir(dir, d);
	else
		err = is_dir(d->inode) ? -EISDIR : slash ? -ENOTDIR : vfs_generated(dir) ? -EPERM : 0;
	if (!err)
		err = mount_unlink(dir, name, d->inode);
	if (!err)
		removed(dir, d, name);
	return err;
}
