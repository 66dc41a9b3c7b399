/* Path lookup, iterative: a symlink's target replaces the component that
 * named it at the front of what is left to walk, so following 40 links
 * costs one buffer, not 40 stack frames. */
#include "fs/path.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "fs/cred.h"

struct walker {
	int links;			/* symlinks followed so far */
	bool follow_last;
	struct path_last *last;		/* may be NULL */
	char *buf;			/* the expanded path being walked, kmalloc'd */
	bool plain;			/* text_reaches' own walk: takes magic links' files */
	struct vfs_cred cred;		/* who walks: search permission on each directory */
};

static void note_last(struct walker *w, struct inode *dir, const char *name, size_t len)
{
	if (!w->last)
		return;
	if (w->last->dir)
		inode_put(w->last->dir);
	bool dots = (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
	w->last->dir = dots ? NULL : dir;
	if (dots)
		return;
	inode_get(dir);
	memcpy(w->last->name, name, len);
	w->last->name[len] = 0;
}

/* Replaces the walk's remaining path with target followed by rest. */
static int splice(struct walker *w, const char *target, const char *rest, const char **p)
{
	size_t tl = strlen(target), rl = strlen(rest);
	char *nb = kmalloc(tl + rl + 1);

	if (!nb)
		return -ENOMEM;
	memcpy(nb, target, tl);
	memcpy(nb + tl, rest, rl + 1);
	kfree(w->buf);
	w->buf = nb;
	*p = nb;
	return 0;
}

static int walk(struct walker *w, struct inode *start, const char *path, struct inode **out);

/* Whether link's text, walked as a symlink's, reaches to: a "magic"
 * link (/proc/PID/exe) to a file is then walked as its text, so the walk
 * knows the file's directory and name (exec keeps them as the program's
 * path); where the text leads elsewhere (written in another root), the
 * file itself is taken.  Its own walk is plain: magic links met in the
 * text lead to their files without a look at their texts, so this never
 * nests (a text can name a symlink that leads through a magic link whose
 * text names the first again). */
static bool text_reaches(struct inode *link, struct inode *to)
{
	struct walker w = { .plain = true };
	char *target;
	struct inode *i;

	if (is_dir(to) || symlink_read(link, &target))
		return false;	/* a directory's path is known from itself */
	/* Its last component not followed: a text naming a link again (or
	 * itself) is not the file. */
	bool same = *target == '/' && !walk(&w, vfs_root_dir(), target, &i);
	if (same) {
		same = i == to;
		inode_put(i);
	}
	kfree(target);
	return same;
}

/* Follows the symlink link met in *cur, with rest still to walk after it.
 * Consumes the reference on link; updates *cur and *p. */
static int follow(struct walker *w, struct inode **cur, struct inode *link, const char **p,
		  const char *rest)
{
	char *target;
	struct inode *to = NULL;
	int err = 0;

	if (++w->links > SYMLOOP_MAX)
		err = -ELOOP;
	else if (link->ops && link->ops->follow)
		to = link->ops->follow(link);
	if (to && !w->plain && text_reaches(link, to)) {
		inode_put(to);
		to = NULL;
	}
	if (err || to) {
		inode_put(link);
		if (to) {
			inode_put(*cur);
			*cur = to;
			*p = rest;
		}
		return err;
	}
	err = symlink_read(link, &target);
	inode_put(link);
	if (err)
		return err;
	err = *target ? splice(w, target, rest, p) : -ENOENT;
	kfree(target);
	if (!err && **p == '/') {
		inode_put(*cur);
		*cur = vfs_root_dir();
		inode_get(*cur);
	}
	return err;
}

/* One component [p, end) of the walk: looks it up in *cur and moves on. */
static int step(struct walker *w, struct inode **cur, const char **p, bool *must_dir)
{
	const char *end = *p, *rest;
	struct inode *next;

	while (*end && *end != '/')
		end++;
	for (rest = end; *rest == '/'; rest++)
		;
	bool last = !*rest;
	*must_dir = last && *end == '/';
	if (!is_dir(*cur))
		return -ENOTDIR;
	int err = vfs_permission(&w->cred, *cur, MAY_EXEC);
	if (err)
		return err;
	if (end - *p > NAME_MAX)
		return -ENAMETOOLONG;
	err = dir_lookup(*cur, *p, end - *p, &next);
	if (err)
		return err;
	if (last)
		note_last(w, *cur, *p, end - *p);
	if (is_lnk(next) && (!last || w->follow_last || *must_dir))
		return follow(w, cur, next, p, end);
	inode_put(*cur);
	*cur = next;
	*p = end;
	return 0;
}

static int walk(struct walker *w, struct inode *start, const char *path, struct inode **out)
{
	struct inode *cur = *path == '/' ? vfs_root_dir() : start;
	const char *p = path;
	bool must_dir = false;
	int err = 0;

	if (!*path)
		return -ENOENT;
	vfs_cred_current(&w->cred);
	inode_get(cur);
	while (!err) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		err = step(w, &cur, &p, &must_dir);
	}
	kfree(w->buf);
	w->buf = NULL;
	if (!err && must_dir && !is_dir(cur))
		err = -ENOTDIR;
	if (err) {
		inode_put(cur);
		return err;
	}
	*out = cur;
	return 0;
}

int path_lookup(struct inode *start, const char *path, bool follow, struct inode **out,
		struct path_last *last)
{
	struct walker w = { .follow_last = follow, .last = last };

	if (last)
		last->dir = NULL;
	int err = walk(&w, start, path, out);
	if (err && last)
		path_last_put(last);
	return err;
}

void path_last_put(struct path_last *last)
{
	if (last->dir)
		inode_put(last->dir);
	last->dir = NULL;
}

int path_parent(struct inode *start, const char *path, struct inode **dir,
		char name[NAME_MAX + 1], bool *slash)
{
	size_t len = strlen(path), end = len, s;

	if (!len)
		return -ENOENT;
	while (end > 0 && path[end - 1] == '/')
		end--;
	*slash = end < len;
	for (s = end; s > 0 && path[s - 1] != '/'; s--)
		;
	if (end - s > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, path + s, end - s);
	name[end - s] = 0;
	if (s == 0) {
		*dir = end ? start : vfs_root_dir();	/* "name", or "/" itself */
		inode_get(*dir);
		return 0;
	}
	char *prefix = kmalloc(s + 1);
	if (!prefix)
		return -ENOMEM;
	memcpy(prefix, path, s);
	prefix[s] = 0;
	struct walker w = { .follow_last = true };
	int err = walk(&w, start, prefix, dir);
	kfree(prefix);
	if (!err && !is_dir(*dir)) {
		inode_put(*dir);
		err = -ENOTDIR;
	}
	return err;
}
