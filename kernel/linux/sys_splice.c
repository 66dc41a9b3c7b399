/* splice, tee and vmsplice: Linux's checks, in Linux's order, around
 * fs/pipe_splice.c's moves.  A pipe side is non-blocking with
 * SPLICE_F_NONBLOCK or its own O_NONBLOCK; the other file keeps its own
 * ways.  A write to a regular file obeys RLIMIT_FSIZE, and EPIPE raises
 * SIGPIPE, as a write's would. */
#include "core/errno.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/vfs_file.h"
#include "linux/fd.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "net/socket.h"

#define SPLICE_F_NONBLOCK	0x02
#define SPLICE_F_ALL		0x0f	/* MOVE, NONBLOCK, MORE, GIFT */

static bool is_pipe(struct file *f) { return pipe_capacity(f) >= 0; }

static bool nonblocking(const struct file *f, unsigned flags)
{
	return (flags & SPLICE_F_NONBLOCK) || (f->flags & O_NONBLOCK);
}

/* An offset from user memory for a file that has them: -ESPIPE for a
 * pipe, -EINVAL for a file without positions (a socket). */
static long offset_in(struct file *f, uint64_t uoff, int64_t *off)
{
	if (is_pipe(f))
		return -ESPIPE;
	if (!f->inode)
		return -EINVAL;
	if (copy_from_user(off, uoff, sizeof *off))
		return -EFAULT;
	return *off < 0 ? -EINVAL : 0;
}

/* Out of pipe in into file out. */
static long splice_from_pipe(struct file *in, struct file *out, uint64_t uoff, size_t len,
			     unsigned flags)
{
	int64_t off;
	long err = uoff ? offset_in(out, uoff, &off) : 0;

	if (!err && (out->flags & O_APPEND))
		err = -EINVAL;
	if (!err)
		err = fsize_limit_at(out, uoff ? off : out->pos, &len);
	if (err)
		return err;
	long n = pipe_splice_out(in, out, uoff ? &off : NULL, len, nonblocking(in, flags));
	if (n > 0 && uoff && copy_to_user(uoff, &off, sizeof off))
		return -EFAULT;
	return socket_of(out) ? signal_epipe_socket(socket_of(out), 0, n) : signal_epipe(n);
}

/* Out of file in into pipe out. */
static long splice_to_pipe(struct file *in, struct file *out, uint64_t uoff, size_t len,
			   unsigned flags)
{
	int64_t off;
	long err = uoff ? offset_in(in, uoff, &off) : 0;

	if (err)
		return err;
	long n = pipe_splice_in(in, uoff ? &off : NULL, out, len, nonblocking(out, flags));
	if (n > 0 && uoff && copy_to_user(uoff, &off, sizeof off))
		return -EFAULT;
	return signal_epipe(n);
}

static long splice_files(struct file *in, uint64_t uoff_in, struct file *out, uint64_t uoff_out,
			 size_t len, unsigned flags)
{
	bool in_pipe = is_pipe(in), out_pipe = is_pipe(out);

	if (!file_readable(in) || !file_writable(out) || file_is_path(in) || file_is_path(out))
		return -EBADF;
	if (in_pipe && out_pipe) {
		if (uoff_in || uoff_out)
			return -ESPIPE;
		if (in->priv == out->priv)
			return -EINVAL;	/* one pipe's two ends */
		return signal_epipe(pipe_to_pipe(in, out, len,
						 nonblocking(in, flags) || nonblocking(out, flags), true));
	}
	if (in_pipe)
		return uoff_in ? -ESPIPE : splice_from_pipe(in, out, uoff_out, len, flags);
	if (out_pipe)
		return uoff_out ? -ESPIPE : splice_to_pipe(in, out, uoff_in, len, flags);
	return -EINVAL;
}

static long sys_splice(const struct sysargs *a)
{
	unsigned flags = (unsigned)a->a[5];
	size_t len = a->a[4] > MAX_RW_COUNT ? MAX_RW_COUNT : a->a[4];
	struct file *in = fd_get((int)a->a[0]), *out = fd_get((int)a->a[2]);
	long r = flags & ~SPLICE_F_ALL ? -EINVAL : !in || !out ? -EBADF : !len ? 0
		 : splice_files(in, a->a[1], out, a->a[3], len, flags);

	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

static long sys_tee(const struct sysargs *a)
{
	unsigned flags = (unsigned)a->a[3];
	size_t len = a->a[2] > MAX_RW_COUNT ? MAX_RW_COUNT : a->a[2];
	struct file *in = fd_get((int)a->a[0]), *out = fd_get((int)a->a[1]);
	long r = flags & ~SPLICE_F_ALL ? -EINVAL : !in || !out ? -EBADF : !len ? 0
		 : !file_readable(in) || !file_writable(out) ? -EBADF
		 : !is_pipe(in) || !is_pipe(out) || in->priv == out->priv ? -EINVAL
		 : signal_epipe(pipe_to_pipe(in, out, len,
					     nonblocking(in, flags) || nonblocking(out, flags), false));

	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

/* vmsplice: the program's memory into a pipe's write end, or out of its
 * read end, iovec by iovec until one moves short. */
struct vmsplice_move {
	struct file *pipe;
	bool write, nonblock;
};

static long vmsplice_move(void *ctx, const struct iobuf *b)
{
	struct vmsplice_move *m = ctx;

	return user_range_ok(b->user, b->len) ? pipe_transfer(m->pipe, b, m->write, m->nonblock) : -EFAULT;
}

static long vmsplice_iovecs(struct file *f, uint64_t uiov, uint64_t n, unsigned flags)
{
	struct vmsplice_move m = { f, file_writable(f), nonblocking(f, flags) };
	long r = iovec_each(uiov, n, vmsplice_move, &m);

	return m.write ? signal_epipe(r) : r;
}

static long sys_vmsplice(const struct sysargs *a)
{
	unsigned flags = (unsigned)a->a[3];
	struct file *f = fd_get((int)a->a[0]);
	long r = !f ? -EBADF : flags & ~SPLICE_F_ALL ? -EINVAL : a->a[2] > IOV_MAX ? -EINVAL
		 : !is_pipe(f) ? -EBADF : vmsplice_iovecs(f, a->a[1], a->a[2], flags);

	if (f)
		file_put(f);
	return r;
}

static const struct syscall_entry splice_calls[] = {
	{ 275, sys_splice },
	{ 276, sys_tee },
	{ 278, sys_vmsplice },
};

SYSCALL_TABLE(splice_calls);
