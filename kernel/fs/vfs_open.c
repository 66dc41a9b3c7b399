/* open(2): O_CREAT (following a dangling symlink to create its target, as
 * Linux does), O_EXCL, O_NOFOLLOW, O_TMPFILE; the file remembers its path
 * for /proc/self/fd. */
#include "fs/vfs_open.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "fs/cred.h"
#include "fs/mount.h"
#include "fs/path.h"
#include "fs/pathbuf.h"
#include "fs/vfs_fifo.h"
#include "fs/vfs_file.h"

struct target {
	struct inode *i;
	struct path_last last;
	bool created;			/* by this open: no permission to check */
};

static bool is_dots(const char *name)
{
	return !*name || !strcmp(name, ".") || !strcmp(name, "..");
}

static void set_last(struct target *t, struct inode *dir, const char *name)
{
	path_last_put(&t->last);
	inode_get(dir);
	t->last.dir = dir;
	memcpy(t->last.name, name, strlen(name) + 1);
}

/* name in *dir is a symlink to follow: moves *dir and name to where its
 * target says, or sets t->i for a /proc link that leads to a file. */
static int follow_for_create(struct inode **dir, char *name, bool *slash, struct inode *link,
			     struct target *t)
{
	struct inode *to = link->ops && link->ops->follow ? link->ops->follow(link) : NULL;
	char *target;

	if (to) {
		t->i = to;
		return 0;
	}
	int err = symlink_read(link, &target);
	if (err)
		return err;
	struct inode *next;
	err = path_parent(*dir, target, &next, name, slash);
	kfree(target);
	if (!err) {
		inode_put(*dir);
		*dir = next;
	}
	return err;
}

/* One name in dir under O_CREAT (without a trailing slash): what it
 * names, or a new regular file. */
static int create_step(struct inode *dir, const char *name, unsigned flags, unsigned mode,
		       struct target *t, struct inode **link)
{
	struct inode *i;
	int err = dir_lookup(dir, name, strlen(name), &i);

	if (err == -ENOENT) {
		err = vfs_create(dir, name, S_IFREG | (mode & 07777 & ~vfs_umask(0, false)), 0, &t->i);
		if (err == -EPERM && vfs_generated(dir))
			err = -EACCES;	/* /sys: Linux's lookup_open, for a directory without create */
		if (!err)
			set_last(t, dir, name);
		t->created = !err;
		return err;
	}
	if (err)
		return err;
	if (flags & O_EXCL) {
		inode_put(i);
		return -EEXIST;
	}
	if (is_lnk(i) && !(flags & O_NOFOLLOW)) {
		*link = i;
		return 0;
	}
	t->i = i;
	set_last(t, dir, name);
	return is_dir(i) ? -EISDIR : 0;
}

static int open_create(struct inode *start, const char *path, unsigned flags, unsigned mode,
		       struct target *t)
{
	char name[NAME_MAX + 1];
	struct inode *dir = NULL;
	bool slash;
	int err = path_parent(start, path, &dir, name, &slash);

	for (int links = 0; !err && !t->i; links++) {
		struct inode *link = NULL;
		if (is_dots(name) || slash)
			err = -EISDIR;	/* Linux: O_CREAT never takes a trailing slash */
		else if (links > SYMLOOP_MAX)
			err = -ELOOP;
		else
			err = create_step(dir, name, flags, mode, t, &link);
		if (!err && link) {
			err = follow_for_create(&dir, name, &slash, link, t);
			inode_put(link);
		}
	}
	if (dir)
		inode_put(dir);
	if (err && t->i) {
		inode_put(t->i);
		t->i = NULL;
	}
	return err;
}

static int open_tmpfile(struct inode *start, const char *path, unsigned flags, unsigned mode,
			struct target *t)
{
	struct inode *dir;

	if ((flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	int err = path_lookup(start, path, true, &dir, NULL);
	if (err)
		return err;
	if (!is_dir(dir))
		err = -ENOTDIR;
	else if (dir->fs == FS_PROC)
		err = -ENOENT;
	else
		err = vfs_create_tmpfile(dir, mode & ~vfs_umask(0, false), &t->i);
	if (!err) {
		t->i->linkable = !(flags & O_EXCL);	/* O_EXCL: never to get a name */
		t->created = true;
		t->last.dir = dir;
		snprintf(t->last.name, sizeof t->last.name, "#%lu", t->i->ino);
	} else {
		inode_put(dir);
	}
	return err;
}

/* "/dir/name" for /proc/self/fd in a buffer of its own size, or NULL. */
static char *path_of(struct target *t)
{
	char *buf = t->last.dir ? pathbuf_get() : NULL;
	char *name = NULL;

	if (buf && dir_path(t->last.dir, buf, PATH_MAX - NAME_MAX - 2) >= 0) {
		size_t n = strlen(buf);
		snprintf(buf + n, PATH_MAX - n, "%s%s", n > 1 ? "/" : "", t->last.name);
		n = strlen(buf);
		if ((name = kmalloc(n + 1)))
			memcpy(name, buf, n + 1);
	}
	pathbuf_put(buf);
	return name;
}

static int resolve(struct inode *start, const char *path, unsigned flags, unsigned mode,
		   struct target *t)
{
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return open_tmpfile(start, path, flags, mode, t);
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL;
	if (flags & O_CREAT)
		return open_create(start, path, flags, mode, t);
	return path_lookup(start, path, !(flags & O_NOFOLLOW), &t->i, &t->last);
}

/* Linux's may_open: the access the flags ask for (O_TRUNC writes), then
 * O_NOATIME for the owner only.  What vfs_open_inode refuses first (a
 * symlink, a directory opened for writing, O_DIRECTORY on a file) is left
 * to it. */
static int may_open(struct target *t, unsigned flags)
{
	static const int access[4] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE, MAY_READ | MAY_WRITE };
	struct inode *i = t->i;
	int mask = access[flags & O_ACCMODE] | (flags & O_TRUNC ? MAY_WRITE : 0);
	struct vfs_cred c;

	if (t->created || (flags & O_PATH) || is_lnk(i) || (is_dir(i) && (mask & MAY_WRITE)) ||
	    ((flags & O_DIRECTORY) && !is_dir(i)))
		return 0;
	vfs_cred_current(&c);
	/* Linux's inode_permission: a read-only mount refuses writing its
	 * files and directories before anything else is asked */
	int err = (mask & MAY_WRITE) && (is_reg(i) || is_dir(i)) ? mount_writable(i) : 0;
	if (!err)
		err = vfs_permission(&c, i, mask);
	if (!err && (flags & O_NOATIME) && !vfs_owner_or_capable(&c, i))
		err = -EPERM;
	return err;
}

int vfs_open(struct inode *start, const char *path, unsigned flags, unsigned mode, struct file **out)
{
	struct target t = { 0 };

	vfs_lock();
	int err = resolve(start, path, flags, mode, &t);
	if (!err)
		err = may_open(&t, flags);
	char *name = err ? NULL : path_of(&t);
	bool fifo = !err && (t.i->mode & S_IFMT) == S_IFIFO && !(flags & O_PATH) && !t.i->ops;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		flags &= ~O_TMPFILE;	/* the new file is no directory */
	if (t.created)
		flags &= ~O_TRUNC;	/* nothing to cut, nor to tell inotify of (Linux's do_open) */
	if (!err && !fifo)
		err = vfs_open_inode(t.i, flags, out);
	path_last_put(&t.last);
	vfs_unlock();
	if (fifo)
		err = fifo_open(t.i, flags, out);
	if (!err && fifo) {	/* named by its path, not "pipe:[N]" */
		kfree((*out)->path);
		(*out)->path = NULL;
	}
	if (!err && ((*out)->inode == t.i || fifo) && !(*out)->path) {
		(*out)->path = name;
		name = NULL;
	}
	kfree(name);
	if (t.i)
		inode_put(t.i);
	return err;
}
