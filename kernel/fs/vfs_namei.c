/* Changes to the tree: create, link, symlink, remove, rename, with the
 * errors Linux gives for each misuse.  Caller holds vfs_lock.  /proc takes
 * no new names and loses none. */
#include "fs/vfs.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

static bool is_dots(const char *name)
{
	return !*name || !strcmp(name, ".") || !strcmp(name, "..");
}

/* dir can take a new entry called name.  0, or -errno. */
static int check_new(struct inode *dir, const char *name)
{
	if (!dir->nlink)
		return -ENOENT;	/* a removed directory */
	if (is_dots(name) || dir_find(dir, name, strlen(name)))
		return -EEXIST;
	if (dir->fs == FS_PROC)
		return -ENOENT;
	return 0;
}

int vfs_create(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev, struct inode **out)
{
	int err = check_new(dir, name);

	if (err)
		return err;
	struct inode *i = inode_new(mode, dir->fs);
	if (!i)
		return -ENOSPC;
	i->rdev = rdev;
	err = dir_add(dir, name, i);
	if (!err && out)
		*out = i;
	else
		inode_put(i);
	return err;
}

struct inode *vfs_create_unnamed(int fs, uint32_t mode)
{
	return inode_new(S_IFREG | (mode & 07777), fs);
}

int vfs_symlink(struct inode *dir, const char *name, const char *target)
{
	size_t len = strlen(target);
	int err = !len ? -ENOENT : len >= PATH_MAX ? -ENAMETOOLONG : check_new(dir, name);

	if (err)
		return err;
	struct inode *i = inode_new(S_IFLNK | 0777, dir->fs);
	char *copy = kmalloc(len + 1);
	if (i && copy) {
		memcpy(copy, target, len + 1);
		i->target = copy;
		copy = NULL;
		err = dir_add(dir, name, i);
	} else {
		err = -ENOSPC;
	}
	kfree(copy);
	if (i)
		inode_put(i);
	return err;
}

int vfs_link(struct inode *dir, const char *name, struct inode *i)
{
	if (is_dir(i))
		return -EPERM;
	if (i->fs == FS_PROC || dir->fs == FS_PROC)
		return -EPERM;
	if (!i->nlink && !i->linkable)
		return -ENOENT;	/* removed, or never named (memfd) */
	int err = check_new(dir, name);
	if (!err)
		err = dir_add(dir, name, i);
	if (!err)
		i->linkable = false;
	return err;
}

static int check_rmdir(struct inode *dir, struct dentry *d)
{
	struct inode *i = d->inode;

	if (!is_dir(i))
		return -ENOTDIR;
	if (i->fs != dir->fs)
		return -EBUSY;	/* /proc and /dev stand in for mount points */
	if (!dir_empty(i) || (i->ops && i->ops->iterate))
		return -ENOTEMPTY;
	return 0;
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
	if (rmdir)
		err = check_rmdir(dir, d);
	else
		err = is_dir(d->inode) ? -EISDIR : slash ? -ENOTDIR : 0;
	if (!err)
		dir_remove(dir, d);
	return err;
}
