/* Open files on VFS inodes.  Regular files read and write through tmpfs.c
 * under the inode's data lock; directories list through dir_iterate under
 * vfs_lock; O_PATH handles only name an inode (fstat, fchdir, *at calls). */
#include "fs/vfs_file.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "fs/blkdev.h"
#include "fs/cred.h"
#include "fs/devfs.h"
#include "fs/inotify.h"
#include "fs/poll.h"
#include "fs/super.h"
#include "fs/vfs_fifo.h"
#include "fs/vfs_locks.h"

#define GETDENTS_CHUNK	(32 * 1024)
#define FIONREAD	0x541b

struct file *vfs_file_new(struct inode *i, const struct file_ops *ops, unsigned flags, void *priv)
{
	struct file *f = file_new(ops, flags, priv);

	if (f) {
		inode_get(i);
		f->inode = i;
	}
	return f;
}

void vfs_file_release(struct file *f)
{
	locks_release(f);
	inode_put(f->inode);
}

int vfs_file_stat(struct file *f, struct kstat *st)
{
	inode_stat(f->inode, st);
	return 0;
}

unsigned vfs_file_poll(struct file *f, struct poll_table *pt)
{
	(void)f, (void)pt;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static long reg_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	long n = f->flags & O_DIRECT ? vfs_data_direct(f->inode, b, pos, false, false)
				     : vfs_data_read(f->inode, b, *pos);

	if (n > 0) {
		*pos += n;
		fsnotify_inode(f->inode, IN_ACCESS);
	}
	return n;
}

static long reg_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	vfs_kill_privs_unlocked(f->inode);
	long n = f->flags & O_DIRECT ? vfs_data_direct(f->inode, b, pos, true, f->flags & O_APPEND)
				     : vfs_data_write(f->inode, b, pos, f->flags & O_APPEND);
	if (n > 0)
		fsnotify_inode(f->inode, IN_MODIFY);
	return n;
}

static long reg_truncate(struct file *f, uint64_t size)
{
	if (size > INT64_MAX)
		return -EINVAL;
	vfs_kill_privs_unlocked(f->inode);
	long err = vfs_data_truncate(f->inode, (int64_t)size);
	if (!err)
		fsnotify_inode(f->inode, IN_MODIFY);
	return err;
}

/* FIONREAD on a regular file: the bytes from the offset to the end. */
static long reg_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	if (cmd != FIONREAD)
		return -ENOTTY;
	int64_t left = f->inode->size - f->pos;
	int n = left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
	struct iobuf out = iobuf_user(arg, sizeof n);
	return iobuf_fill(&out, 0, &n, sizeof n);
}

/* Adds step (+1 a writer, -1 a program) to i's count unless the count
 * has the other sign. */
static int write_count_add(struct inode *i, int step)
{
	int n = __atomic_load_n(&i->write_count, __ATOMIC_RELAXED);

	do {
		if (step > 0 ? n < 0 : n > 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&i->write_count, &n, n + step, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return 0;
}

int vfs_get_write_access(struct inode *i) { return write_count_add(i, 1); }
void vfs_put_write_access(struct inode *i) { __atomic_sub_fetch(&i->write_count, 1, __ATOMIC_ACQ_REL); }

void vfs_file_uncount_write(struct file *f)
{
	if (f->counts_write)
		vfs_put_write_access(f->inode);
	f->counts_write = false;
}

int vfs_file_deny_write(struct file *f)
{
	int err = write_count_add(f->inode, -1);

	f->denies_write = !err;
	return err;
}

/* A mounted store's file open for writing keeps its mount from going
 * read-only (MS_REMOUNT gives EBUSY, as Linux's). */
static bool counts_writer(struct file *f)
{
	return f->inode->sb && (f->flags & O_ACCMODE) != O_RDONLY;
}

static void reg_release(struct file *f)
{
	vfs_file_uncount_write(f);
	if (f->denies_write)
		__atomic_add_fetch(&f->inode->write_count, 1, __ATOMIC_ACQ_REL);
	if (counts_writer(f))
		__atomic_sub_fetch(&f->inode->sb->writers, 1, __ATOMIC_RELAXED);
	fsnotify_inode(f->inode, (f->flags & O_ACCMODE) == O_RDONLY ? IN_CLOSE_NOWRITE : IN_CLOSE_WRITE);
	vfs_file_release(f);
}

static const struct file_ops reg_ops = {
	.read = reg_read,
	.write = reg_write,
	.ioctl = reg_ioctl,
	.poll = vfs_file_poll,
	.stat = vfs_file_stat,
	.truncate = reg_truncate,
	.release = reg_release,
};

static long dir_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return -EISDIR;
}

static long dir_getdents(struct file *f, const struct iobuf *b, int64_t *pos)
{
	return vfs_getdents(f, b, pos, true);
}

static void dir_release(struct file *f)
{
	fsnotify_inode(f->inode, IN_CLOSE_NOWRITE);
	vfs_file_release(f);
}

/* A directory's positions are its entries' cookies: it has no end to seek
 * from (Linux's tmpfs directories take SEEK_SET and SEEK_CUR only). */
static int dir_seek_end(struct file *f, int64_t *end)
{
	(void)f, (void)end;
	return -EINVAL;
}

static const struct file_ops dir_ops = {
	.read = dir_read,
	.poll = vfs_file_poll,
	.stat = vfs_file_stat,
	.getdents = dir_getdents,
	.seek_end = dir_seek_end,
	.release = dir_release,
};

static const struct file_ops path_ops = {
	.stat = vfs_file_stat,
	.release = vfs_file_release,
};

bool file_is_path(const struct file *f) { return f->ops == &path_ops; }

/* What F_GETFL shows: open(2) keeps no creation flags, and 64-bit Linux
 * adds O_LARGEFILE. */
static unsigned status_flags(unsigned flags)
{
	return (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | O_LARGEFILE;
}

static int open_special(struct inode *i, unsigned flags, struct file **out)
{
	switch (i->mode & S_IFMT) {
	case S_IFCHR:
		return chrdev_open(i, flags, out);
	case S_IFIFO:
		return fifo_open(i, flags, out);
	case S_IFBLK:
		return blkdev_open(i, flags, out);
	default:
		return -ENXIO;	/* sockets */
	}
}

static int open_plain(struct inode *i, unsigned flags, struct file **out)
{
	bool dir = is_dir(i);

	if (dir && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	if (i->sb && i->sb->ops->open && !dir) {
		int err = i->sb->ops->open(i, flags);
		if (err)
			return err;
	}
	bool writer = !dir && (flags & O_ACCMODE) != O_RDONLY;
	int err = writer ? vfs_get_write_access(i) : 0;	/* before O_TRUNC cuts it */
	if (!err && !dir && (flags & O_TRUNC)) {
		vfs_kill_privs(i);
		err = vfs_data_truncate(i, 0);
	}
	*out = err ? NULL : vfs_file_new(i, dir ? &dir_ops : &reg_ops, status_flags(flags), NULL);
	if (!*out && writer && err != -ETXTBSY)
		vfs_put_write_access(i);
	if (*out && writer)
		(*out)->counts_write = true;
	if (*out && !dir && counts_writer(*out))
		__atomic_add_fetch(&i->sb->writers, 1, __ATOMIC_RELAXED);
	if (*out)
		fsnotify_inode(i, IN_OPEN);
	if (*out && !dir && (flags & O_TRUNC))
		fsnotify_inode(i, IN_MODIFY);	/* after the open, as Linux's handle_truncate */
	return *out ? 0 : err ? err : -ENOMEM;
}

int vfs_open_inode(struct inode *i, unsigned flags, struct file **out)
{
	if ((flags & O_DIRECTORY) && !is_dir(i))
		return -ENOTDIR;	/* O_PATH too, as Linux's do_open */
	if (flags & O_PATH) {
		*out = vfs_file_new(i, &path_ops, O_PATH | (flags & (O_DIRECTORY | O_NOFOLLOW)), NULL);
		return *out ? 0 : -ENOMEM;
	}
	if (is_lnk(i))
		return -ELOOP;	/* O_NOFOLLOW met a symlink */
	if (i->ops && i->ops->open)
		return i->ops->open(i, flags, out);
	if (!is_dir(i) && !is_reg(i))
		return open_special(i, flags, out);
	return open_plain(i, flags, out);
}

/* getdents: records built in a kernel buffer under vfs_lock, copied out
 * after it is dropped. */
struct dents {
	char *buf;
	size_t used, cap;
	bool dirent64;
	bool full;		/* an entry did not fit */
};

static size_t record_size(size_t namelen, bool dirent64)
{
	size_t raw = dirent64 ? 19 + namelen + 1 : 18 + namelen + 2;

	return (raw + 7) & ~(size_t)7;
}

static bool emit(void *arg, const struct dir_item *it)
{
	struct dents *d = arg;
	size_t len = strlen(it->name), size = record_size(len, d->dirent64);
	char *r = d->buf + d->used;
	uint16_t reclen = (uint16_t)size;

	if (d->used + size > d->cap) {
		d->full = true;
		return false;
	}
	memset(r, 0, size);
	memcpy(r, &it->ino, 8);
	memcpy(r + 8, &it->next, 8);
	memcpy(r + 16, &reclen, 2);
	if (d->dirent64) {
		r[18] = (char)it->type;
		memcpy(r + 19, it->name, len);
	} else {
		memcpy(r + 18, it->name, len);
		r[size - 1] = (char)it->type;
	}
	d->used += size;
	return true;
}

long vfs_getdents(struct file *f, const struct iobuf *b, int64_t *pos, bool dirent64)
{
	struct dents d = { .cap = b->len < GETDENTS_CHUNK ? b->len : GETDENTS_CHUNK, .dirent64 = dirent64 };
	int64_t p = *pos;

	if (!f->inode || !is_dir(f->inode))
		return -ENOTDIR;
	d.buf = kmalloc(d.cap);
	if (!d.buf)
		return -ENOMEM;
	vfs_lock();
	/* A removed directory lists nothing, not even "." (Linux's
	 * IS_DEADDIR: ENOENT). */
	int err = f->inode->nlink ? dir_iterate(f->inode, &p, emit, &d) : -ENOENT;
	vfs_unlock();
	if (err != -ENOENT)	/* Linux's iterate_dir tells of any listing of a live directory */
		fsnotify_inode(f->inode, IN_ACCESS);
	long ret = err ? err : d.used ? (long)d.used : d.full ? -EINVAL : 0;
	if (ret > 0 && iobuf_fill(b, 0, d.buf, d.used))
		ret = -EFAULT;
	if (ret >= 0)
		*pos = p;
	kfree(d.buf);
	return ret;
}
