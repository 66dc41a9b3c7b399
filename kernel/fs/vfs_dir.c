/* Directories: a list of entries, oldest first, each with an increasing
 * cookie that serves as its getdents position, so removing entries never
 * shifts the positions of the others; names are found through a hash table
 * (vfs_hash.c).  Callers hold vfs_lock.
 *
 * A listing that stops before the end (getdents with a small buffer)
 * remembers where, so the next call resumes there instead of walking the
 * list from its head (which made listing a big directory quadratic, all
 * of it under vfs_lock): a few resume points per directory, each the
 * position asked for and the first entry at or after it, kept true as
 * entries come and go.
 *
 * A mounted file system's directory is read from its store the first time
 * one of dir_find, dir_lookup, dir_empty or dir_iterate looks into it
 * (mount_load_dir), and a live one reloads as fs/mount.h says; a name
 * naming a directory with something mounted on it leads to that mount's
 * root, and ".." from a mount's root to the covered directory's parent. */
#include "fs/vfs.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "fs/inotify.h"
#include "fs/mount.h"
#include "fs/pathbuf.h"
#include "fs/vfs_hash.h"

/* Generated entries (inode_ops.iterate) come after every stored one. */
#define DYN_BASE	(1ll << 40)
#define RESUME_POINTS	4	/* listings of one directory going on at once */

struct dir_resume {
	struct {
		int64_t pos;		/* a position a listing stopped at */
		struct dentry *d;	/* the first entry there or after; NULL: none */
		bool used;
	} at[RESUME_POINTS];
	unsigned next;			/* the point to reuse next */
};

static struct dentry *dentry_at(struct list *l) { return list_entry(l, struct dentry, link); }

/* A directory made when first needed (inode_ops.fill): made now. */
static void fill(struct inode *dir)
{
	if (dir->ops && dir->ops->fill)
		dir->ops->fill(dir);
}

struct dentry *dir_find(struct inode *dir, const char *name, size_t len)
{
	struct dentry *d;

	fill(dir);
	if (!dir->sb)
		return vfs_hash_find(dir, name, len);
	if (mount_load_dir(dir, MOUNT_LOAD_ONCE))
		return NULL;
	if (!(d = vfs_hash_find(dir, name, len)) && dir->sb->live && !mount_load_dir(dir, MOUNT_LOAD_MISS))
		d = vfs_hash_find(dir, name, len);
	return d;
}

static struct inode *parent_of(struct inode *dir) { return mount_covered(dir)->parent; }

static bool is_dot(const char *name, size_t len) { return len == 1 && name[0] == '.'; }
static bool is_dotdot(const char *name, size_t len) { return len == 2 && name[0] == '.' && name[1] == '.'; }

int dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct dentry *d;
	char copy[NAME_MAX + 1];

	if (is_dot(name, len) || is_dotdot(name, len)) {
		/* ".." never leads out of the caller's root (chroot's) */
		*out = is_dot(name, len) || dir == vfs_root_dir() ? dir : mount_top(parent_of(dir));
		inode_get(*out);
		return 0;
	}
	int err = mount_load_dir(dir, MOUNT_LOAD_ONCE);
	if (err)
		return err;
	if ((d = dir_find(dir, name, len))) {
		if (!is_dir(d->inode))
			mount_refresh(d->inode);
		*out = mount_top(d->inode);
		inode_get(*out);
		return 0;
	}
	if (!dir->ops || !dir->ops->lookup || len > NAME_MAX)
		return -ENOENT;
	memcpy(copy, name, len);
	copy[len] = 0;
	return dir->ops->lookup(dir, copy, out);
}

/* A new entry (with the highest cookie) is the first at a position past
 * every older one. */
static void resume_added(struct inode *dir, struct dentry *d)
{
	for (int k = 0; dir->resume && k < RESUME_POINTS; k++)
		if (dir->resume->at[k].used && !dir->resume->at[k].d &&
		    dir->resume->at[k].pos <= (int64_t)d->cookie)
			dir->resume->at[k].d = d;
}

/* A point at a removed entry moves on to the next one. */
static void resume_removed(struct inode *dir, struct dentry *d)
{
	for (int k = 0; dir->resume && k < RESUME_POINTS; k++)
		if (dir->resume->at[k].used && dir->resume->at[k].d == d)
			dir->resume->at[k].d = d->link.next == &dir->entries ? NULL
					       : list_entry(d->link.next, struct dentry, link);
}

/* The list position to list pos from: a resume point's, else the head's
 * (the entries before pos are skipped as the walk goes). */
static struct list *resume_from(struct inode *dir, int64_t pos)
{
	for (int k = 0; dir->resume && k < RESUME_POINTS; k++)
		if (dir->resume->at[k].used && dir->resume->at[k].pos == pos)
			return dir->resume->at[k].d ? &dir->resume->at[k].d->link : &dir->entries;
	return dir->entries.next;
}

/* Remembers that a listing stopped at d (its position).  Without memory
 * for the points, listings still work, from the head. */
static void resume_stopped(struct inode *dir, struct dentry *d)
{
	struct dir_resume *r = dir->resume ? dir->resume : (dir->resume = kmalloc(sizeof *r));

	for (int k = 0; r && k < RESUME_POINTS; k++)
		if (r->at[k].used && r->at[k].pos == (int64_t)d->cookie)
			return;
	if (r) {
		unsigned k = r->next++ % RESUME_POINTS;
		r->at[k].pos = (int64_t)d->cookie;
		r->at[k].d = d;
		r->at[k].used = true;
	}
}

int dir_add(struct inode *dir, const char *name, struct inode *i)
{
	size_t len = strlen(name);
	struct dentry *d = kmalloc(sizeof *d + len + 1);

	if (!d)
		return -ENOMEM;
	d->dir = dir;
	d->inode = i;
	d->len = (uint8_t)len;
	memcpy(d->name, name, len + 1);
	if (vfs_hash_add(d)) {
		kfree(d);
		return -ENOMEM;
	}
	d->cookie = dir->next_cookie++;
	list_add_tail(&dir->entries, &d->link);
	resume_added(dir, d);
	dir->nentries++;
	inode_get(i);
	i->nlink++;
	fsnotify_alias_set(i, d);
	i->ctime_ns = dir->mtime_ns = dir->ctime_ns = vfs_now();
	if (is_dir(i)) {
		struct inode *old = i->parent;
		inode_get(dir);
		i->parent = dir;
		i->self = d;
		dir->nsubdirs++;
		if (dir->sb)
			dir->nlink++;	/* a store counts the child's ".." */
		if (old)
			inode_put(old);
	}
	return 0;
}

/* Takes d out of dir; the caller drops d->inode's reference. */
static void unlink_dentry(struct inode *dir, struct dentry *d)
{
	struct inode *i = d->inode;

	if (i->self == d)
		i->self = NULL;
	fsnotify_alias_drop(i, d);
	resume_removed(dir, d);
	list_del(&d->link);
	vfs_hash_remove(d);
	dir->nentries--;
	kfree(d);
	if (is_dir(i))
		dir->nsubdirs--;
}

/* The parent reference of a removed directory stays until it is freed:
 * ".." from a removed current directory still leads somewhere.  A
 * directory of a store loses its own "." too (its name was its self; a
 * rename's old name is not). */
void dir_remove(struct inode *dir, struct dentry *d)
{
	struct inode *i = d->inode;
	bool gone = i->sb && is_dir(i) && i->self == d;

	unlink_dentry(dir, d);
	i->nlink = gone ? 0 : i->nlink - 1;
	if (is_dir(i) && dir->sb)
		dir->nlink--;
	i->ctime_ns = dir->mtime_ns = dir->ctime_ns = vfs_now();
	inode_put(i);
}

void dir_forget(struct inode *dir, struct dentry *d)
{
	struct inode *i = d->inode;

	unlink_dentry(dir, d);
	inode_put(i);
}

/* A directory whose entries could not be read is not empty. */
bool dir_empty(struct inode *dir)
{
	return !mount_load_dir(dir, MOUNT_LOAD_ONCE) && list_empty(&dir->entries);
}

void dir_free(struct inode *dir) { kfree(dir->resume); }

static struct dir_item item_of(const char *name, struct inode *i, int64_t next)
{
	return (struct dir_item){ name, i->ino, (i->mode & S_IFMT) >> 12, next };
}

/* Stored entries from *pos; false when emit stopped. */
static bool iterate_stored(struct inode *dir, int64_t *pos,
			   bool (*emit)(void *, const struct dir_item *), void *arg)
{
	for (struct list *l = resume_from(dir, *pos); l != &dir->entries; l = l->next) {
		struct dentry *d = dentry_at(l);
		if ((int64_t)d->cookie < *pos)
			continue;
		struct dir_item it = item_of(d->name, d->inode, (int64_t)d->cookie + 1);
		*pos = (int64_t)d->cookie;
		if (!emit(arg, &it)) {
			resume_stopped(dir, d);
			return false;
		}
	}
	*pos = DYN_BASE;
	return true;
}

static bool iterate_generated(struct inode *dir, int64_t *pos,
			      bool (*emit)(void *, const struct dir_item *), void *arg)
{
	char name[NAME_MAX + 1];
	struct dir_item it;

	for (;;) {
		uint64_t idx = (uint64_t)(*pos - DYN_BASE);
		if (dir->ops->iterate(dir, &idx, &it, name) != 1)
			return true;
		*pos = DYN_BASE + (int64_t)idx;
		it.name = name;
		it.next = *pos + 1;
		if (!emit(arg, &it))
			return false;
		*pos += 1;
	}
}

int dir_iterate(struct inode *dir, int64_t *pos, bool (*emit)(void *arg, const struct dir_item *it),
		 void *arg)
{
	struct dir_item it;
	int err = *pos < 0 ? 0 : mount_load_dir(dir, *pos == 0 ? MOUNT_LOAD_LIST : MOUNT_LOAD_ONCE);

	if (*pos < 0 || err)
		return err;
	fill(dir);
	if (*pos == 0) {
		it = item_of(".", dir, 1);
		if (!emit(arg, &it))
			return 0;
		*pos = 1;
	}
	if (*pos == 1) {
		it = item_of("..", parent_of(dir), 2);
		if (!emit(arg, &it))
			return 0;
		*pos = 2;
	}
	if (*pos < DYN_BASE && !iterate_stored(dir, pos, emit, arg))
		return 0;
	if (dir->ops && dir->ops->iterate)
		iterate_generated(dir, pos, emit, arg);
	return 0;
}

/* The name dir has in its parent. */
static int name_in_parent(struct inode *dir, char *buf, size_t size)
{
	struct dentry *d = dir->self;

	if (!d)
		return dir->ops && dir->ops->name ? dir->ops->name(dir, buf, size) : -ENOENT;
	if (d->len + 1u > size)
		return -ENAMETOOLONG;
	memcpy(buf, d->name, d->len + 1);
	return d->len;
}

/* Built from the end of buf towards its start, then moved down; it ends
 * at the caller's root, or at the machine's for a directory outside it. */
int dir_path(struct inode *dir, char *buf, size_t size)
{
	char name[NAME_MAX + 1];
	size_t at = size;
	struct inode *top = mount_covered(vfs_root_dir());

	if (size < 2)
		return -ENAMETOOLONG;
	buf[--at] = 0;
	for (struct inode *d = mount_covered(dir); d != vfs_root() && d != top;
	     d = mount_covered(d->parent)) {
		if (!d->nlink && !(d->ops && d->ops->name))
			return -ENOENT;
		int n = name_in_parent(d, name, sizeof name);
		if (n < 0)
			return n;
		if ((size_t)n + 1 > at)
			return -ENAMETOOLONG;
		at -= n;
		memcpy(buf + at, name, n);
		buf[--at] = '/';
	}
	if (at == size - 1)
		buf[--at] = '/';
	memmove(buf, buf + at, size - at);
	return (int)(size - at - 1);
}

bool dir_is_under(struct inode *dir, struct inode *ancestor)
{
	for (struct inode *d = dir;; d = parent_of(d)) {
		if (d == ancestor)
			return true;
		if (d == vfs_root())
			return false;
	}
}

int symlink_read(struct inode *link, char **target)
{
	const char *text = link->target ? link->target : "";
	char *buf = NULL;

	if (link->ops && link->ops->readlink) {
		long n = (buf = pathbuf_get()) ? link->ops->readlink(link, buf, PATH_MAX - 1) : -ENOMEM;
		if (n < 0) {
			pathbuf_put(buf);
			return (int)n;
		}
		buf[n] = 0;
		text = buf;
	}
	size_t len = strlen(text);
	*target = kmalloc(len + 1);
	if (*target)
		memcpy(*target, text, len + 1);
	pathbuf_put(buf);
	return *target ? 0 : -ENOMEM;
}
