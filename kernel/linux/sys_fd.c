/* System calls on descriptors, whatever file they name: read and write in
 * all their forms, lseek, close and close_range, dup, fcntl, ioctl, fstat.  What a file does
 * is up to its ops (fs/file.h). */
#include "linux/fd.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "linux/fork.h"
#include "linux/sigio.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "net/socket.h"

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030
#define F_SETPIPE_SZ	1031
#define F_GETPIPE_SZ	1032
#define FD_CLOEXEC	1
#define RWF_HIPRI	0x01
#define RWF_DSYNC	0x02
#define RWF_SYNC	0x04
#define CLOSE_RANGE_UNSHARE (1u << 1)
#define CLOSE_RANGE_CLOEXEC (1u << 2)
#define FIONBIO		0x5421
#define FIOCLEX		0x5451
#define FIONCLEX	0x5450
#define FIOASYNC	0x5452
#define SETFL_MASK	(O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT)

/* One read or write.  pos: an explicit offset (pread/pwrite), or NULL to
 * use and advance the file's own.  On a file with offsets, a transfer that
 * would go past the largest one is EINVAL (Linux's rw_verify_area). */
long file_io(struct file *f, const struct iobuf *b, int64_t *pos, bool write)
{
	if (write ? !file_writable(f) || !f->ops->write : !file_readable(f) || !f->ops->read)
		return -EBADF;
	if (!b->len && !f->ops->sees_empty)
		return 0;
	if (f->inode && (pos ? *pos : f->pos) > INT64_MAX - (int64_t)b->len)
		return -EINVAL;
	return file_transfer(f, b, pos, write);
}

long file_transfer(struct file *f, const struct iobuf *b, int64_t *pos, bool write)
{
	struct iobuf cut = *b;	/* RLIMIT_FSIZE may cut it short, bound it, or refuse it */
	long n = write ? fsize_limit_write(f, pos, &cut) : 0;
	/* The file's own offset is not locked across the call (that would
	 * hold a lock while blocking): threads sharing one descriptor race
	 * as they would without O_APPEND on Linux before 3.14. */
	int64_t at = pos ? *pos : f->pos;

	if (n)
		return n;
	n = write ? f->ops->write(f, &cut, &at) : f->ops->read(f, &cut, &at);
	if (write)
		n = fsize_limit_appended(&cut, at, n);	/* at: where an append landed */
	if (n > 0)
		*(pos ? pos : &f->pos) = at;
	return n;
}

static long fd_io(int fd, const struct iobuf *b, int64_t *pos, bool write)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (pos && !f->inode) {
		file_put(f);
		return -ESPIPE;
	}
	long n = file_io(f, b, pos, write);
	if (write)
		n = socket_of(f) ? signal_epipe_socket(socket_of(f), 0, n) : signal_epipe(n);
	file_put(f);
	return n;
}

/* readv/writev on socket s (whose file f is referenced): one message, so
 * a datagram is not split across calls nor a stream write into one
 * segment per iovec.  The p- forms are -ESPIPE. */
static long socket_iov(struct file *f, struct socket *s, uint64_t uiov, uint64_t n,
		       int64_t *pos, bool write)
{
	long r = pos ? -ESPIPE : !(write ? file_writable(f) : file_readable(f)) ? -EBADF
		 : socket_iov_io(s, uiov, n, write);

	if (write)
		r = signal_epipe_socket(s, 0, r);
	file_put(f);
	return r;
}

/* The bytes a vector names, or -EFAULT / -EINVAL. */
static long iov_total(uint64_t uiov, uint64_t n)
{
	uint64_t total = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct iovec v;
		if (copy_from_user(&v, uiov + i * sizeof v, sizeof v))
			return -EFAULT;
		if (v.len > INT64_MAX - total)
			return -EINVAL;
		total += v.len;
	}
	return (long)total;
}

/* A short vector written as one write of its gathered bytes: a pipe takes
 * a writev of at most PIPE_BUF bytes atomically, as on Linux, so writers
 * sharing a pipe never interleave inside one (ruby's puts sends a line and
 * its newline as two iovecs).  -EFAULT before anything is written if a
 * buffer is bad. */
static long gathered_write(int fd, uint64_t uiov, uint64_t n, size_t total, int64_t *pos)
{
	char *buf = kmalloc(total);
	size_t at = 0;
	long r = buf ? 0 : -ENOMEM;

	for (uint64_t i = 0; i < n && !r; i++) {
		struct iovec v;
		if (copy_from_user(&v, uiov + i * sizeof v, sizeof v) || v.len > total - at ||
		    copy_from_user(buf + at, v.base, v.len))
			r = -EFAULT;
		else
			at += v.len;
	}
	if (!r) {
		struct iobuf b = iobuf_kernel(buf, at);
		r = fd_io(fd, &b, pos, true);
	}
	kfree(buf);
	return r;
}

long iovec_each(uint64_t uiov, uint64_t n, long (*move)(void *ctx, const struct iobuf *b), void *ctx)
{
	long total = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct iovec v;
		if (copy_from_user(&v, uiov + i * sizeof v, sizeof v))
			return total ? total : -EFAULT;
		if (!v.len)
			continue;
		struct iobuf b = iobuf_user(v.base, v.len);
		long r = move(ctx, &b);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < v.len)
			break;
	}
	return total;
}

struct fd_move {
	int fd;
	int64_t *pos;
	bool write;
};

static long fd_move(void *ctx, const struct iobuf *b)
{
	struct fd_move *m = ctx;

	return fd_io(m->fd, b, m->pos, m->write);
}

/* Vector I/O: one iovec at a time, stopping at the first short transfer;
 * a socket takes the whole vector as one message, a short write goes as
 * one gathered write. */
static long fd_iov(int fd, uint64_t uiov, uint64_t n, int64_t *pos, bool write)
{
	struct file *f;

	if (n > IOV_MAX)
		return -EINVAL;
	if ((f = fd_get(fd)) && socket_of(f))
		return socket_iov(f, socket_of(f), uiov, n, pos, write);
	if (f)
		file_put(f);
	if (write && n > 1) {
		long bytes = iov_total(uiov, n);
		if (bytes < 0)
			return bytes;
		if (bytes > 0 && bytes <= PIPE_BUF)
			return gathered_write(fd, uiov, n, (size_t)bytes, pos);
	}
	struct fd_move m = { fd, pos, write };
	return iovec_each(uiov, n, fd_move, &m);
}

static long sys_read(const struct sysargs *a)
{
	struct iobuf b = iobuf_user(a->a[1], a->a[2]);

	return user_range_ok(a->a[1], a->a[2]) ? fd_io(a->a[0], &b, NULL, false) : -EFAULT;
}

static long sys_write(const struct sysargs *a)
{
	struct iobuf b = iobuf_user(a->a[1], a->a[2]);

	return user_range_ok(a->a[1], a->a[2]) ? fd_io(a->a[0], &b, NULL, true) : -EFAULT;
}

static long positioned(const struct sysargs *a, bool write)
{
	int64_t pos = (int64_t)a->a[3];
	struct iobuf b = iobuf_user(a->a[1], a->a[2]);

	if (pos < 0)
		return -EINVAL;
	return user_range_ok(a->a[1], a->a[2]) ? fd_io(a->a[0], &b, &pos, write) : -EFAULT;
}

static long sys_pread64(const struct sysargs *a) { return positioned(a, false); }
static long sys_pwrite64(const struct sysargs *a) { return positioned(a, true); }
static long sys_readv(const struct sysargs *a) { return fd_iov(a->a[0], a->a[1], a->a[2], NULL, false); }
static long sys_writev(const struct sysargs *a) { return fd_iov(a->a[0], a->a[1], a->a[2], NULL, true); }

static long vector_positioned(const struct sysargs *a, bool write)
{
	int64_t pos = (int64_t)a->a[3];

	return pos < 0 ? -EINVAL : fd_iov(a->a[0], a->a[1], a->a[2], &pos, write);
}

static long sys_preadv(const struct sysargs *a) { return vector_positioned(a, false); }
static long sys_pwritev(const struct sysargs *a) { return vector_positioned(a, true); }

/* Linux's order of refusals for preadv2 and pwritev2: a negative offset
 * other than -1, the descriptor, an offset on a file without one, the
 * vector; only then the flags, and not at all for nothing to move. */
static long vector2_refusal(int fd, uint64_t uiov, uint64_t n, int64_t pos, bool write,
			    uint64_t flags)
{
	if (pos < -1)
		return -EINVAL;
	struct file *f = fd_get(fd);
	long err = !f ? -EBADF : !(write ? file_writable(f) : file_readable(f)) ? -EBADF
		   : pos >= 0 && !f->inode ? -ESPIPE : 0;
	if (f)
		file_put(f);
	long total = err ? err : n > IOV_MAX ? -EINVAL : iov_total(uiov, n);
	if (total <= 0)
		return total;
	return flags & ~(uint64_t)(RWF_HIPRI | RWF_DSYNC | RWF_SYNC) ? -EOPNOTSUPP : 0;
}

/* preadv and pwritev with flags; offset -1 is the file's own, as readv and
 * writev.  RWF_HIPRI (poll for completion) is a hint amphi has no use for;
 * RWF_DSYNC and RWF_SYNC sync what a write wrote to a file, as O_DSYNC and
 * O_SYNC would.  RWF_NOWAIT and RWF_APPEND are EOPNOTSUPP, Linux's answer
 * for a file that cannot honour them: nothing here can promise not to
 * block, and a write at the end would need the file system's append. */
static long vector_flagged(const struct sysargs *a, bool write)
{
	int fd = (int)a->a[0];
	int64_t pos = (int64_t)a->a[3];
	uint64_t flags = a->a[5];
	long n = vector2_refusal(fd, a->a[1], a->a[2], pos, write, flags);

	if (!n)
		n = fd_iov(fd, a->a[1], a->a[2], pos == -1 ? NULL : &pos, write);
	if (write && n > 0 && (flags & (RWF_DSYNC | RWF_SYNC))) {
		long err = fd_sync_file(fd, !(flags & RWF_SYNC));
		if (err)
			return err;
	}
	return n;
}

static long sys_preadv2(const struct sysargs *a) { return vector_flagged(a, false); }
static long sys_pwritev2(const struct sysargs *a) { return vector_flagged(a, true); }

static long file_size(struct file *f, int64_t *size)
{
	struct kstat st;
	int err = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;

	*size = st.size;
	return err;
}

/* Where SEEK_END counts from: the file's own answer, else its size. */
static long file_end(struct file *f, int64_t *size)
{
	return f->ops->seek_end ? f->ops->seek_end(f, size) : file_size(f, size);
}

/* SEEK_DATA and SEEK_HOLE in a /proc or /sys file, made when opened: all
 * data up to the size SEEK_END sees, as Linux's default_llseek and
 * generic_file_llseek; EINVAL where SEEK_END is refused (seq_lseek). */
static int64_t seek_text(struct file *f, int64_t off, bool hole)
{
	int64_t size;
	long err = file_end(f, &size);

	return err ? err : seek_in_all_data(size, off, hole);
}

/* lseek on a file whose positions are offsets. */
static long seek_offset(struct file *f, int64_t off, uint64_t whence)
{
	int64_t base = 0, size;
	long ret = 0;

	if (!f->inode && !f->ops->seekable)
		return -ESPIPE;
	if ((whence == SEEK_DATA || whence == SEEK_HOLE) && f->inode && is_reg(f->inode)) {
		bool hole = whence == SEEK_HOLE;
		int64_t at = vfs_generated(f->inode) ? seek_text(f, off, hole) : vfs_data_seek(f->inode, off, hole);
		return at < 0 ? at : (f->pos = at);
	}
	if (whence == SEEK_CUR)
		base = f->pos;
	else if (whence == SEEK_END)
		ret = file_end(f, &size), base = size;
	else if (whence != SEEK_SET)
		ret = -EINVAL;
	if (!ret && (base + off < 0 || (off > 0 && base + off < base)))
		ret = -EINVAL;
	return ret ? ret : (f->pos = base + off);
}

static long sys_lseek(const struct sysargs *a)
{
	struct file *f = fd_get(a->a[0]);
	int64_t off = (int64_t)a->a[1];

	if (!f)
		return -EBADF;
	long ret = f->ops->llseek ? f->ops->llseek(f, off, (int)a->a[2]) : seek_offset(f, off, a->a[2]);
	file_put(f);
	return ret;
}

static long sys_close(const struct sysargs *a) { return fd_close((int)a->a[0]); }

/* Closes, or with CLOSE_RANGE_CLOEXEC marks close-on-exec, the open
 * descriptors from first to last; CLOSE_RANGE_UNSHARE first gives the
 * calling thread a table of its own, as unshare(CLONE_FILES) would. */
static long sys_close_range(const struct sysargs *a)
{
	unsigned first = (unsigned)a->a[0], last = (unsigned)a->a[1];
	unsigned flags = (unsigned)a->a[2];	/* an unsigned int: bits above are not seen */
	long err;

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && (err = thread_own_files(current())))
		return err;
	struct fdtable *t = current()->files;
	for (int fd = fdtable_next(t, first > FD_MAX ? FD_MAX : (int)first);
	     fd >= 0 && (unsigned)fd <= last; fd = fdtable_next(t, fd + 1)) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec(fd, true);
		else
			fd_close(fd);
	}
	return 0;
}

static long dup_from(int oldfd, int min, bool cloexec)
{
	struct file *f = fd_get(oldfd);

	return f ? fd_install(f, min, cloexec) : -EBADF;
}

static long sys_dup(const struct sysargs *a) { return dup_from((int)a->a[0], 0, false); }

static long dup_to(int oldfd, int newfd, bool cloexec)
{
	struct file *f = fd_get(oldfd);

	return f ? fd_install_at(f, newfd, cloexec) : -EBADF;
}

static long sys_dup2(const struct sysargs *a)
{
	int oldfd = (int)a->a[0], newfd = (int)a->a[1];

	if (oldfd == newfd) {
		struct file *f = fd_get(oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return dup_to(oldfd, newfd, false);
}

static long sys_dup3(const struct sysargs *a)
{
	if (a->a[0] == a->a[1] || (a->a[2] & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	return dup_to((int)a->a[0], (int)a->a[1], a->a[2] & O_CLOEXEC);
}

/* F_SETFL: O_ASYNC starts SIGIO's watch first, which may fail. */
static long set_status_flags(struct file *f, int fd, uint64_t arg)
{
	long err = arg & O_ASYNC ? sigio_watch(f, fd) : 0;

	if (!err)
		f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
	return err;
}

/* The commands about the open file rather than the descriptor. */
static long file_fcntl(int fd, int cmd, uint64_t arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_GETFL:
		ret = f->flags;
		break;
	case F_SETFL:
		ret = set_status_flags(f, fd, arg);
		break;
	case F_SETPIPE_SZ:
		ret = pipe_fcntl_set_size(f, arg);
		break;
	case F_GETPIPE_SZ:
		ret = pipe_fcntl_size(f);
		break;
	default:
		ret = sigio_fcntl(f, cmd, arg);
	}
	file_put(f);
	return ret;
}

static long sys_fcntl(const struct sysargs *a)
{
	int fd = (int)a->a[0];
	long ret;

	switch (a->a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return dup_from(fd, (int)a->a[2], a->a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		ret = fd_get_cloexec(fd);
		return ret < 0 ? ret : ret ? FD_CLOEXEC : 0;
	case F_SETFD:
		return fd_set_cloexec(fd, a->a[2] & FD_CLOEXEC);
	case F_GETFL: case F_SETFL: case F_SETPIPE_SZ: case F_GETPIPE_SZ:
	case F_SETOWN: case F_GETOWN: case F_SETOWN_EX: case F_GETOWN_EX:
	case F_SETSIG: case F_GETSIG:
		return file_fcntl(fd, (int)a->a[1], a->a[2]);
	default:
		return fcntl_more(fd, (int)a->a[1], a->a[2]);
	}
}

static long sys_ioctl(const struct sysargs *a)
{
	struct file *f = fd_get(a->a[0]);
	int on;
	long ret;

	if (!f)
		return -EBADF;
	switch (a->a[1]) {
	case FIONBIO:
	case FIOASYNC: {
		unsigned flag = a->a[1] == FIONBIO ? O_NONBLOCK : O_ASYNC;
		ret = copy_from_user(&on, a->a[2], sizeof on) ? -EFAULT : 0;
		if (!ret && on && flag == O_ASYNC)
			ret = sigio_watch(f, a->a[0]);
		if (!ret)
			f->flags = on ? f->flags | flag : f->flags & ~flag;
		break;
	}
	case FIOCLEX:
	case FIONCLEX:
		ret = fd_set_cloexec(a->a[0], a->a[1] == FIOCLEX);
		break;
	default:
		/* Linux's cmd is an unsigned int: C libraries pass an int, whose
		 * sign extension (BLKGETSIZE64's high bit) is not part of it. */
		ret = f->ops->ioctl ? f->ops->ioctl(f, (uint32_t)a->a[1], a->a[2]) : -ENOTTY;
	}
	file_put(f);
	return ret;
}

struct linux_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	int64_t reserved[3];
};

long stat_copy_out(const struct kstat *st, uint64_t ustat)
{
	struct linux_stat l = {
		.dev = st->dev, .ino = st->ino, .nlink = st->nlink, .mode = st->mode,
		.uid = st->uid, .gid = st->gid, .rdev = st->rdev, .size = st->size,
		.blksize = st->blksize, .blocks = st->blocks,
		.atime = st->atime_ns / 1000000000, .atime_ns = st->atime_ns % 1000000000,
		.mtime = st->mtime_ns / 1000000000, .mtime_ns = st->mtime_ns % 1000000000,
		.ctime = st->ctime_ns / 1000000000, .ctime_ns = st->ctime_ns % 1000000000,
	};

	return copy_to_user(ustat, &l, sizeof l) ? -EFAULT : 0;
}

static long sys_fstat(const struct sysargs *a)
{
	struct file *f = fd_get(a->a[0]);
	struct kstat st;

	if (!f)
		return -EBADF;
	long err = f->ops->stat ? f->ops->stat(f, &st) : -EBADF;
	file_put(f);
	return err ? err : stat_copy_out(&st, a->a[1]);
}

static const struct syscall_entry fd_calls[] = {
	{ 0, sys_read },
	{ 1, sys_write },
	{ 17, sys_pread64 },
	{ 18, sys_pwrite64 },
	{ 19, sys_readv },
	{ 20, sys_writev },
	{ 295, sys_preadv },
	{ 296, sys_pwritev },
	{ 327, sys_preadv2 },
	{ 328, sys_pwritev2 },
	{ 436, sys_close_range },
	{ 8, sys_lseek },
	{ 3, sys_close },
	{ 32, sys_dup },
	{ 33, sys_dup2 },
	{ 292, sys_dup3 },
	{ 72, sys_fcntl },
	{ 16, sys_ioctl },
	{ 5, sys_fstat },
};

SYSCALL_TABLE(fd_calls);
