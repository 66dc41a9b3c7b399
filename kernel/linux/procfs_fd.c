/* /proc/PID/fd: one symlink per open descriptor, made when looked up.
 * Reading one names the file (a path, "pipe:[N]", ...); following one
 * leads to the open file itself, whatever its name says (a "magic" link):
 * the file's inode when it has one, else a stand-in inode whose open gives
 * the same open file again (/dev/stdin on a pipe). */
#include "core/errno.h"
#include "core/format.h"
#include "core/string.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "linux/process.h"
#include "linux/procfs_internal.h"

#define DT_LNK		10
#define FD_INO_BASE	(1ull << 48)

/* A link's inode names the pid and the descriptor; the directory's the pid. */
static void *fd_priv(int pid, int fd) { return (void *)(((uintptr_t)pid << 16) | (uintptr_t)fd); }
static int priv_fd(const struct inode *i) { return (int)((uintptr_t)i->priv & 0xffff); }
static int priv_pid(const struct inode *i) { return (int)((uintptr_t)i->priv >> 16); }
static uint64_t fd_ino(int pid, int fd) { return FD_INO_BASE | ((uint64_t)pid << 16) | (uint64_t)fd; }

/* The file at the process's descriptor, referenced, or NULL. */
static struct file *pid_fd_get(int pid, int fd) { return process_file_get(pid, fd); }

/* What a file without a path is called, by its type. */
static int anon_name(struct file *f, char *buf, size_t size)
{
	struct kstat st = { 0 };

	if (f->ops->stat)
		f->ops->stat(f, &st);
	switch (st.mode & S_IFMT) {
	case S_IFIFO:
		return snprintf(buf, size, "pipe:[%lu]", st.ino);
	case S_IFSOCK:
		return snprintf(buf, size, "socket:[%lu]", st.ino);
	case S_IFCHR:
		if (st.rdev == (136 << 8))
			return snprintf(buf, size, "/dev/pts/0");
		return snprintf(buf, size, "anon_inode:[unknown]");
	default:
		return snprintf(buf, size, "anon_inode:[unknown]");
	}
}

static int file_name(struct file *f, char *buf, size_t size)
{
	struct inode *i = f->inode;
	int n;

	if (i && is_dir(i))
		return dir_path(i, buf, size);
	if (!f->path)
		return anon_name(f, buf, size);
	n = snprintf(buf, size, "%s%s", f->path, i && !i->nlink && f->path[0] == '/' ? " (deleted)" : "");
	return n;
}

static long fd_readlink(struct inode *link, char *buf, size_t size)
{
	int err = proc_pid_may_read(priv_pid(link));
	struct file *f = err ? NULL : pid_fd_get(priv_pid(link), priv_fd(link));

	if (!f)
		return err ? err : -ENOENT;
	int n = file_name(f, buf, size + 1);
	file_put(f);
	return n < 0 ? n : (size_t)n > size ? (long)size : n;
}

/* Stand-in inodes for files without one: priv holds a file reference. */
static int standin_open(struct inode *i, unsigned flags, struct file **out)
{
	(void)flags;
	file_get(i->priv);
	*out = i->priv;
	return 0;
}

static void standin_stat(struct inode *i, struct kstat *st)
{
	struct file *f = i->priv;

	if (f->ops->stat)
		f->ops->stat(f, st);
}

static void standin_release(struct inode *i) { file_put(i->priv); }

static const struct inode_ops standin_ops = {
	.open = standin_open, .stat = standin_stat, .release = standin_release,
};

static struct inode *fd_follow(struct inode *link)
{
	struct file *f = pid_fd_get(priv_pid(link), priv_fd(link));
	struct kstat st = { .mode = S_IFREG };

	if (!f || proc_pid_may_read(priv_pid(link))) {
		if (f)
			file_put(f);
		return NULL;	/* the readlink then says why */
	}
	if (f->inode) {
		struct inode *i = f->inode;
		inode_get(i);
		file_put(f);
		return i;
	}
	if (f->ops->stat)
		f->ops->stat(f, &st);
	struct inode *i = proc_inode(st.mode, &standin_ops, f);
	if (!i) {
		file_put(f);
		return NULL;
	}
	i->nlink = 1;
	/* A pipe or socket is its creator's: the process holding it stands in. */
	proc_pid_owner(priv_pid(link), true, &i->uid, &i->gid);
	return i;
}

static const struct inode_ops fd_link_ops = { .readlink = fd_readlink, .follow = fd_follow };

/* The permission bits show the access mode, as Linux's do. */
static uint32_t link_mode(struct file *f)
{
	uint32_t m = S_IFLNK;

	if (file_readable(f) && !(f->flags & O_PATH))
		m |= 0500;
	if (file_writable(f) && !(f->flags & O_PATH))
		m |= 0300;
	return m;
}

static int fd_lookup(struct inode *dir, const char *name, struct inode **out)
{
	int fd = proc_parse_number(name), pid = (int)(uintptr_t)dir->priv;
	int err = proc_pid_may_read(pid);
	struct file *f = !err && fd >= 0 && fd < FD_MAX ? pid_fd_get(pid, fd) : NULL;

	if (!f)
		return err ? err : -ENOENT;
	uint32_t mode = link_mode(f);
	file_put(f);
	struct inode *i = proc_inode(mode, &fd_link_ops, fd_priv(pid, fd));
	if (!i)
		return -ENOMEM;
	proc_pid_owner(pid, true, &i->uid, &i->gid);
	i->ino = fd_ino(pid, fd);
	i->nlink = 1;
	*out = i;
	return 0;
}

static int fd_iterate(struct inode *dir, uint64_t *index, struct dir_item *it, char *name)
{
	int pid = (int)(uintptr_t)dir->priv, fd = -1;

	if (*index < FD_MAX && !proc_pid_may_read(pid))
		fd = process_next_fd(pid, (int)*index);
	if (fd < 0)
		return 0;
	snprintf(name, NAME_MAX + 1, "%d", fd);
	*it = (struct dir_item){ .name = name, .ino = fd_ino(pid, fd), .type = DT_LNK };
	*index = (uint64_t)fd;
	return 1;
}

static const struct inode_ops fd_dir_ops = { .lookup = fd_lookup, .iterate = fd_iterate };

struct inode *proc_fd_dir_make(int pid)
{
	return proc_inode(S_IFDIR | 0500, &fd_dir_ops, (void *)(uintptr_t)pid);
}
