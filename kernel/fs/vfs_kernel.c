/* The VFS for the kernel's own use: population at boot, loading programs. */
#include "fs/vfs_kernel.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "fs/cred.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/vfs.h"

/* Steps one component down from *dir (consuming its reference), making a
 * directory there if it is missing, and through a symlink to a directory
 * as a path walk would: an initrd whose /lib links to usr/lib (merged /usr)
 * may hold entries under /lib too. */
static int step_down(struct inode **dir, const char *name, uint32_t mode)
{
	struct inode *next;
	int err = dir_lookup(*dir, name, strlen(name), &next);

	if (err == -ENOENT)
		err = vfs_create(*dir, name, S_IFDIR | mode, 0, &next);
	if (!err && is_lnk(next)) {
		inode_put(next);
		err = path_lookup(*dir, name, true, &next, NULL);
	}
	inode_put(*dir);
	if (err)
		return err;
	*dir = next;
	return is_dir(next) ? 0 : -ENOTDIR;
}

int vfs_make_dirs(const char *path, uint32_t mode, struct inode **out)
{
	struct inode *dir = vfs_root();
	char name[NAME_MAX + 1];
	int err = 0;

	inode_get(dir);
	while (*path && !err) {
		while (*path == '/')
			path++;
		size_t n = 0;
		while (path[n] && path[n] != '/')
			n++;
		if (!n)
			break;
		if (n > NAME_MAX) {
			inode_put(dir);
			return -ENAMETOOLONG;
		}
		memcpy(name, path, n);
		name[n] = 0;
		path += n;
		err = step_down(&dir, name, mode);
	}
	if (err)
		return err;
	if (out)
		*out = dir;
	else
		inode_put(dir);
	return 0;
}

/* The directory holding path's last component, made if missing. */
static int parent_of(const char *path, struct inode **dir, char name[NAME_MAX + 1])
{
	bool slash;
	int err = path_parent(vfs_root(), path, dir, name, &slash);

	if (err == -ENOENT) {
		char *copy = kmalloc(strlen(path) + 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, path, strlen(path) + 1);
		char *cut = copy + strlen(copy);
		while (cut > copy && cut[-1] != '/')
			cut--;
		*cut = 0;
		err = vfs_make_dirs(copy, 0755, NULL);
		kfree(copy);
		if (!err)
			err = path_parent(vfs_root(), path, dir, name, &slash);
	}
	return err;
}

/* The directory that is to hold path's last name, with whatever file
 * (not directory) had that name removed: the initrd's later entry wins. */
static int parent_replacing(const char *path, struct inode **dir, char *name)
{
	int err = parent_of(path, dir, name);

	if (err)
		return err;
	struct dentry *old = dir_find(*dir, name, strlen(name));
	if (old && !is_dir(old->inode))
		dir_remove(*dir, old);
	return 0;
}

static int make_file(const char *path, const void *data, size_t size, uint32_t mode,
		     size_t take_pages, size_t *taken)
{
	char name[NAME_MAX + 1];
	struct inode *dir, *i;
	int err = parent_replacing(path, &dir, name);

	*taken = 0;
	if (err)
		return err;
	err = vfs_create(dir, name, S_IFREG | (mode & 07777), 0, &i);
	inode_put(dir);
	if (err)
		return err;
	*taken = take_pages ? tmpfs_adopt(i, (void *)data, take_pages) : 0;
	int64_t pos = (int64_t)(*taken * PAGE_SIZE);
	struct iobuf b = iobuf_kernel((char *)data + pos, size - (size_t)pos);
	long n = *taken == take_pages && b.len ? tmpfs_write(i, &b, &pos, false) : 0;
	inode_put(i);
	return *taken < take_pages ? -ENOSPC : n < 0 ? (int)n : (size_t)n < b.len ? -ENOSPC : 0;
}

int vfs_make_file(const char *path, const void *data, size_t size, uint32_t mode)
{
	size_t none;

	return make_file(path, data, size, mode, 0, &none);
}

int vfs_make_file_taking_pages(const char *path, void *data, size_t size, uint32_t mode,
			       size_t *taken)
{
	BUG_ON((uintptr_t)data % PAGE_SIZE);
	return make_file(path, data, size, mode, size / PAGE_SIZE, taken);
}

int vfs_make_symlink(const char *path, const char *target)
{
	char name[NAME_MAX + 1];
	struct inode *dir;
	int err = parent_replacing(path, &dir, name);

	if (err)
		return err;
	err = vfs_symlink(dir, name, target);
	inode_put(dir);
	return err;
}

int vfs_exists(const char *path)
{
	struct inode *i;

	if (path_lookup(vfs_root(), path, false, &i, NULL))
		return 0;
	inode_put(i);
	return 1;
}

bool vfs_is_symlink(const char *path)
{
	struct inode *i;

	vfs_lock();
	bool link = !path_lookup(vfs_cwd(), path, false, &i, NULL);
	if (link) {
		link = is_lnk(i);
		inode_put(i);
	}
	vfs_unlock();
	return link;
}

/* The absolute path of name in dir, in abs (PATH_MAX bytes). */
static int join_path(struct inode *dir, const char *name, char *abs)
{
	int n = dir_path(dir, abs, PATH_MAX);

	if (n < 0)
		return n;
	size_t len = strlen(name);
	if ((size_t)n + 1 + len + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	if (n > 1)
		abs[n++] = '/';
	memcpy(abs + n, name, len + 1);
	return 0;
}

/* What a magic link (/proc/self/fd/N) led to has no directory: its path
 * stays as given. */
static int exec_path(const struct path_last *last, const char *path, char *abs)
{
	if (last->dir)
		return join_path(last->dir, last->name, abs);
	memcpy(abs, path, strlen(path) + 1);
	return 0;
}

/* execve's check (Linux's do_open_execat): a regular file its caller may
 * execute.  Caller holds vfs_lock. */
static int may_exec(struct inode *i)
{
	struct vfs_cred c;

	if (!is_reg(i))
		return -EACCES;
	vfs_cred_current(&c);
	return vfs_permission(&c, i, MAY_EXEC);
}

int vfs_open_exec(const char *path, struct inode **out, char *abs)
{
	struct inode *i;
	struct path_last last;

	vfs_lock();
	int err = path_lookup(vfs_cwd(), path, true, &i, &last);
	if (!err) {
		err = may_exec(i);
		if (!err)
			err = exec_path(&last, path, abs);
		path_last_put(&last);
		if (err)
			inode_put(i);
	}
	vfs_unlock();
	if (!err)
		*out = i;
	return err;
}

long vfs_read_at(struct inode *i, void *buf, size_t n, int64_t pos)
{
	struct iobuf b = iobuf_kernel(buf, n);

	return vfs_data_read(i, &b, pos);
}

int64_t vfs_size(struct inode *i)
{
	rwmutex_read_lock(&i->data_lock);
	int64_t size = i->size;
	rwmutex_read_unlock(&i->data_lock);
	return size;
}

int vfs_read_whole(const char *path, int exec, void **data, size_t *size)
{
	struct inode *i = NULL;

	vfs_lock();
	int err = path_lookup(vfs_cwd(), path, true, &i, NULL);
	if (!err)
		err = !is_reg(i) ? -EACCES : exec ? may_exec(i) : 0;
	vfs_unlock();
	if (err) {
		if (i)
			inode_put(i);
		return err;
	}
	rwmutex_read_lock(&i->data_lock);
	size_t n = (size_t)i->size;
	rwmutex_read_unlock(&i->data_lock);
	char *buf = kmalloc(n ? n : 1);
	struct iobuf b = iobuf_kernel(buf, n);
	long got = buf ? vfs_data_read(i, &b, 0) : -ENOMEM;
	inode_put(i);
	if (got < 0 || (size_t)got != n) {
		kfree(buf);
		return got < 0 ? (int)got : -EIO;
	}
	*data = buf;
	*size = n;
	return 0;
}
