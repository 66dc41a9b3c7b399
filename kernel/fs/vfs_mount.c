/* The mount list: mounting a file system on a directory, unmounting it,
 * read-only, sync, and the store hooks the namespace code calls
 * (fs/mount.h).  Callers hold vfs_lock unless noted.
 *
 * Busy.  With the cache alone holding them, the references on a file
 * system's inodes add up to one per cached name, one per directory on its
 * parent, and the super's own on its root.  Anything more is an open file,
 * a mapping, a current directory or a look-up under way: umount gives
 * EBUSY then, as it does with a mount inside. */
#include "fs/mount.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/format.h"
#include "core/printk.h"
#include "core/string.h"
#include "dev/blk.h"
#include "fs/devfs.h"
#include "fs/vfs.h"

#define ANON_MINOR_BASE	64	/* clear of tmpfs', devtmpfs' and proc's numbers */

static struct list mounts = LIST_INIT(mounts);
static unsigned next_id = 16, next_anon = ANON_MINOR_BASE;

static struct super *super_at(struct list *l) { return list_entry(l, struct super, link); }

struct inode *mount_top(struct inode *i)
{
	while (i->mounted)
		i = i->mounted->root;
	return i;
}

struct inode *mount_covered(struct inode *i)
{
	while (i->sb && i->sb->root == i)
		i = i->sb->covered;
	return i;
}

int mount_writable(const struct inode *i)
{
	return i->sb && i->sb->read_only ? -EROFS : 0;
}

/* A block device holds one mounted file system at a time (Linux's EBUSY). */
static bool device_in_use(const struct blk_dev *bdev)
{
	struct list *l;

	list_for_each(l, &mounts)
		if (super_at(l)->bdev == bdev)
			return true;
	return false;
}

int mount_add(const struct fs_type *t, const char *source, struct blk_dev *bdev, const char *data,
	      bool read_only, struct inode *dir)
{
	if (bdev && device_in_use(bdev))
		return -EBUSY;
	if (!is_dir(dir))
		return -ENOTDIR;
	if (dir == vfs_root() || dir->mounted)
		return -EBUSY;
	if (!dir->nlink)
		return -ENOENT;
	struct super *sb = mount_cache_init() ? NULL : kmalloc(sizeof *sb);
	if (!sb)
		return -ENOMEM;
	snprintf(sb->source, sizeof sb->source, "%s", source);
	sb->type = t->name;
	sb->bdev = bdev;
	sb->read_only = read_only || (bdev && bdev->read_only);
	sb->dev = bdev ? dev_make(bdev->major, bdev->minor) : dev_make(0, next_anon);
	int err = t->mount(sb, data ? data : "");
	if (err) {
		kfree(sb);
		return err;
	}
	if (!bdev)
		next_anon++;
	sb->id = next_id++;
	mount_cache_add(sb->root);
	sb->root->parent = sb->root;	/* ".." is the covered directory's (mount_covered) */
	sb->covered = dir;
	inode_get(dir);
	dir->mounted = sb;
	list_add_tail(&mounts, &sb->link);
	return 0;
}

int mount_remove(struct inode *root)
{
	struct super *sb = root->sb;

	if (!sb || sb->root != root)
		return -EINVAL;
	if (mount_cache_busy(sb, 1))
		return -EBUSY;
	if (sb->ops->sync && sb->ops->sync(sb))
		printk("%s on %s: the final sync failed\n", sb->type, sb->source);
	sb->covered->mounted = NULL;
	list_del(&sb->link);
	mount_forget_tree(root);
	inode_put(root);	/* the caller's */
	inode_put(root);	/* the super's: every inode of sb is gone now */
	if (sb->ops->unmount)
		sb->ops->unmount(sb);
	inode_put(sb->covered);
	kfree(sb);
	return 0;
}

int mount_set_read_only(struct inode *root, bool read_only)
{
	struct super *sb = root->sb;

	if (!sb || sb->root != root)
		return -EINVAL;
	if (!read_only && sb->bdev && sb->bdev->read_only)
		return -EACCES;		/* as Linux for a read-only device */
	if (read_only && !sb->read_only && __atomic_load_n(&sb->writers, __ATOMIC_RELAXED))
		return -EBUSY;	/* a file is open for writing */
	if (read_only && !sb->read_only && sb->ops->sync) {
		int err = sb->ops->sync(sb);
		if (err)
			return err;
	}
	if (sb->ops->remount) {
		int err = sb->ops->remount(sb, read_only);
		if (err)
			return err;
	}
	sb->read_only = read_only;
	return 0;
}

int mount_each(int (*fn)(struct super *sb, void *arg), void *arg)
{
	struct list *l;
	int r = 0;

	list_for_each(l, &mounts)
		if ((r = fn(super_at(l), arg)))
			break;
	return r;
}

int mount_sync(struct super *sb)
{
	vfs_lock();
	int err = sb->ops->sync ? sb->ops->sync(sb) : 0;
	vfs_unlock();
	return err;
}

int mount_sync_all(void)
{
	struct list *l;
	int first = 0;

	vfs_lock();
	list_for_each(l, &mounts) {
		struct super *sb = super_at(l);
		int err = sb->ops->sync ? sb->ops->sync(sb) : 0;
		if (err && !first)
			first = err;
	}
	vfs_unlock();
	return first;
}

int mount_end_all(void)
{
	struct list *l;

	vfs_lock();
	list_for_each(l, &mounts) {
		struct super *sb = super_at(l);
		if (!sb->read_only)
			mount_release_unnamed(sb);
	}
	vfs_unlock();
	int err = mount_sync_all();
	vfs_lock();
	list_for_each(l, &mounts) {
		struct super *sb = super_at(l);
		if (sb->ops->end)
			sb->ops->end(sb);
	}
	vfs_unlock();
	return err;
}

/* The store hooks: nothing for tmpfs; -EROFS on a read-only mount; -EIO
 * in a directory whose entries could not be read (mount_load_dir).  One
 * whose entries were evicted loads them first (O_TMPFILE looks nothing
 * up in it). */
static int may_change(struct inode *dir)
{
	if (!dir->sb)
		return 0;
	int err = mount_writable(dir);
	if (!err && !dir->loaded)
		mount_load_dir(dir, MOUNT_LOAD_ONCE);
	return err ? err : dir->loaded ? 0 : -EIO;
}

int mount_create(struct inode *dir, const char *name, struct inode *i)
{
	int err = may_change(dir);

	if (err || !dir->sb)
		return err;
	if ((err = dir->sb->ops->create(dir, name, i)))
		return err;
	mount_cache_add(i);
	if (is_dir(i)) {
		i->nlink = 1;		/* its "."; its name makes 2 */
		i->loaded = true;	/* nothing in it to read */
	}
	return 0;
}

int mount_create_unnamed(struct inode *dir, struct inode *i)
{
	int err = may_change(dir);

	if (err)
		return err;
	if (!dir->sb->ops->create_unnamed)
		return -EOPNOTSUPP;
	if ((err = dir->sb->ops->create_unnamed(dir, i)))
		return err;
	mount_cache_add(i);
	return 0;
}

int mount_link(struct inode *dir, const char *name, struct inode *i)
{
	int err = may_change(dir);

	return err || !dir->sb ? err : dir->sb->ops->link(dir, name, i);
}

int mount_unlink(struct inode *dir, const char *name, struct inode *i)
{
	int err = may_change(dir);

	return err || !dir->sb ? err : dir->sb->ops->unlink(dir, name, i);
}

int mount_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		 unsigned flags)
{
	int err = may_change(odir);

	if (!err)
		err = may_change(ndir);
	return err || !odir->sb ? err : odir->sb->ops->rename(odir, oname, ndir, nname, flags);
}

int mount_write_inode(struct inode *i)
{
	if (!i->sb)
		return 0;
	int err = mount_writable(i);
	return err ? err : i->sb->ops->write_inode(i);
}
