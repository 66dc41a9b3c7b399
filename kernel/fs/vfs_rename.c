/* rename(2) and renameat2(2)'s RENAME_NOREPLACE and RENAME_EXCHANGE.
 * Caller holds vfs_lock, which makes the whole change atomic. */
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

/* /dev and /proc stand in for mounts (vfs.h): a directory of another file
 * system than the one holding its name is a mount point, as is one with
 * a store mounted on it. */
static bool is_mount_point(struct inode *dir, struct dentry *d)
{
	return d->inode->mounted || d->inode->fs != dir->fs;
}

/* Moving directory i under ndir must not put it inside itself. */
static int check_move(struct inode *i, struct inode *ndir)
{
	return is_dir(i) && dir_is_under(ndir, i) ? -EINVAL : 0;
}

/* Can the source (od) replace the target (nd, maybe NULL)? */
static int check_replace(struct dentry *od, struct dentry *nd)
{
	if (!nd)
		return 0;
	if (is_dir(od->inode) && !is_dir(nd->inode))
		return -ENOTDIR;
	if (!is_dir(od->inode) && is_dir(nd->inode))
		return -EISDIR;
	if (is_dir(nd->inode) && (!dir_empty(nd->inode) || (nd->inode->ops && nd->inode->ops->iterate)))
		return -ENOTEMPTY;
	return 0;
}

static int check_flags(unsigned flags, const char *oname, const char *nname)
{
	if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) ||
	    (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (is_dots(oname) || is_dots(nname))
		return -EBUSY;
	return 0;
}

/* Linux's vfs_rename permission checks: the source may leave odir, the
 * target may leave ndir or a new name may enter it, and a directory that
 * changes parent must be writable (its ".." changes; with
 * RENAME_EXCHANGE the target moves too). */
static int check_permission(struct inode *odir, struct dentry *od, struct inode *ndir,
			    struct dentry *nd, bool exchange)
{
	struct vfs_cred c;

	vfs_cred_current(&c);
	int err = vfs_may_delete(&c, odir, od->inode);
	if (!err)
		err = nd ? vfs_may_delete(&c, ndir, nd->inode) : vfs_may_create(&c, ndir);
	if (!err && is_dir(od->inode) && odir != ndir)
		err = vfs_permission(&c, od->inode, MAY_WRITE);
	if (!err && exchange && is_dir(nd->inode) && odir != ndir)
		err = vfs_permission(&c, nd->inode, MAY_WRITE);
	return err;
}

static int move(struct inode *odir, struct dentry *od, struct inode *ndir, const char *nname,
		struct dentry *nd)
{
	struct inode *i = od->inode;
	int err = mount_rename(odir, od->name, ndir, nname, 0);

	if (!err)
		err = dir_add(ndir, nname, i);
	if (err)
		return err;
	if (nd)
		dir_remove(ndir, nd);
	dir_remove(odir, od);
	return 0;
}

static int exchange(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd)
{
	if (od->inode == nd->inode)
		return 0;
	int err = check_move(od->inode, ndir);

	if (!err)
		err = check_move(nd->inode, odir);
	if (!err)
		err = mount_rename(odir, od->name, ndir, nd->name, RENAME_EXCHANGE);
	if (!err)
		err = dir_add(ndir, nd->name, od->inode);
	if (err)
		return err;
	struct dentry *added = list_entry(ndir->entries.prev, struct dentry, link);	/* dir_add appends */
	err = dir_add(odir, od->name, nd->inode);
	if (err) {
		dir_remove(ndir, added);
		return err;
	}
	dir_remove(ndir, nd);
	dir_remove(odir, od);
	return 0;
}

/* What inotify hears of a move, in Linux's order: both names with one
 * cookie, the replaced file's link count, the moved one's move, then the
 * replaced one's deletion if that was its last name. */
static void notify_move(struct inode *odir, const char *oname, struct inode *ndir,
			const char *nname, struct inode *moved, struct inode *replaced)
{
	uint32_t cookie = fsnotify_cookie(), isdir = is_dir(moved) ? IN_ISDIR : 0;

	fsnotify_entry(odir, IN_MOVED_FROM | isdir, oname, cookie);
	fsnotify_entry(ndir, IN_MOVED_TO | isdir, nname, cookie);
	if (replaced && !is_dir(replaced))
		fsnotify_self(replaced, IN_ATTRIB);
	fsnotify_self(moved, IN_MOVE_SELF);
	if (replaced && !replaced->nlink) {
		fsnotify_deleted(replaced);
		fsnotify_forget(replaced);
	}
}

/* move() or exchange(), and what inotify hears of it. */
static int rename_notified(struct inode *odir, struct dentry *od, struct inode *ndir,
			   const char *nname, struct dentry *nd, bool swap)
{
	struct inode *moved = od->inode, *other = nd ? nd->inode : NULL;
	const char *oname = od->name;
	char *old = kmalloc(strlen(oname) + 1);

	if (!old)
		return -ENOMEM;
	memcpy(old, oname, strlen(oname) + 1);	/* od goes with the move */
	inode_get(moved);
	if (other)
		inode_get(other);
	int err = swap ? exchange(odir, od, ndir, nd) : move(odir, od, ndir, nname, nd);
	if (!err && swap) {
		notify_move(odir, old, ndir, nname, moved, NULL);
		notify_move(ndir, nname, odir, old, other, NULL);
	} else if (!err) {
		notify_move(odir, old, ndir, nname, moved, other);
	}
	if (other)
		inode_put(other);
	inode_put(moved);
	kfree(old);
	return err;
}

int vfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
	       unsigned flags, bool slash)
{
	struct dentry *od, *nd;
	int err = check_flags(flags, oname, nname);

	if (err)
		return err;
	if (odir->sb != ndir->sb || odir->fs != ndir->fs)
		return -EXDEV;
	if (!(od = dir_find(odir, oname, strlen(oname))))
		return -ENOENT;
	if (is_mount_point(odir, od))
		return -EBUSY;
	if (slash && !is_dir(od->inode))
		return -ENOTDIR;
	if (odir->fs == FS_PROC || ndir->fs == FS_PROC)
		return -EPERM;
	if (!ndir->nlink)
		return -ENOENT;
	nd = dir_find(ndir, nname, strlen(nname));
	if (nd && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (nd && is_mount_point(ndir, nd))
		return -EBUSY;
	if (nd && nd->inode == od->inode)
		return 0;	/* two names of one file: nothing to do */
	err = (flags & RENAME_EXCHANGE) && !nd ? -ENOENT : check_permission(odir, od, ndir, nd, flags & RENAME_EXCHANGE);
	if (err)
		return err;
	if (vfs_generated(odir))
		return -EPERM;	/* /sys (both, or EXDEV above): after the rights, as Linux's VFS */
	if (flags & RENAME_EXCHANGE)
		return rename_notified(odir, od, ndir, nname, nd, true);
	err = check_move(od->inode, ndir);
	if (!err)
		err = check_replace(od, nd);
	return err ? err : rename_notified(odir, od, ndir, nname, nd, false);
}
