/* io_submit's requests: one iocb read, checked in Linux's order, and
 * done.  Reads, writes and syncs are done here, synchronously, as Linux
 * does buffered I/O inside io_submit; their result is the event.  A poll
 * waits (aio_poll.c).  What is refused before the request goes in is the
 * call's error, not an event. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "linux/aio.h"
#include "linux/aio_internal.h"
#include "linux/eventfd.h"
#include "linux/fd.h"
#include "linux/ioprio.h"
#include "linux/signal.h"
#include "net/socket.h"

struct iocb {
	uint64_t aio_data;
	uint32_t aio_key;	/* the kernel writes KIOCB_KEY here */
	uint32_t aio_rw_flags;
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf;
	uint64_t aio_nbytes;
	int64_t aio_offset;
	uint64_t aio_reserved2;
	uint32_t aio_flags;
	uint32_t aio_resfd;
};

#define KIOCB_KEY		0
#define IOCB_CMD_PREAD		0
#define IOCB_CMD_PWRITE		1
#define IOCB_CMD_FSYNC		2
#define IOCB_CMD_FDSYNC		3
#define IOCB_CMD_POLL		5
#define IOCB_CMD_PREADV		7
#define IOCB_CMD_PWRITEV	8
#define IOCB_FLAG_RESFD		1
#define IOCB_FLAG_IOPRIO	2

#define RWF_HIPRI	0x01
#define RWF_DSYNC	0x02
#define RWF_SYNC	0x04
#define RWF_NOWAIT	0x08
#define RWF_APPEND	0x10
#define RWF_NOAPPEND	0x20
#define RWF_ATOMIC	0x40
#define RWF_DONTCACHE	0x80
#define RWF_NOSIGNAL	0x100
#define RWF_SUPPORTED	0x1ff	/* Linux 6.18's */

void aio_req_finish(struct aio_req *r, int64_t res)
{
	struct io_event ev = { r->data, r->obj, res, 0 };
	struct file *efd = r->eventfd;

	file_put(r->file);
	aio_complete(r->ctx, &ev);
	if (efd) {
		eventfd_signal(efd);
		file_put(efd);
	}
}

/* ---- reads and writes ----------------------------------------------------------- */

struct rw {
	struct file *f;
	bool write;
	unsigned flags;		/* RWF_* */
	struct iovec *iov;	/* the program's buffers, checked */
	size_t n;
};

/* Linux's kiocb_set_rw_flags, for what amphi's files can do. */
static long rw_flags_check(unsigned flags, bool write)
{
	if (!flags)
		return 0;
	if (flags & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	if ((flags & RWF_APPEND) && (flags & RWF_NOAPPEND))
		return -EINVAL;
	if (flags & RWF_ATOMIC)
		return -EOPNOTSUPP;	/* no file here can write atomically (and reads never) */
	if (flags & RWF_DONTCACHE)
		return -EOPNOTSUPP;
	(void)write;
	return 0;
}

/* The buffers, as Linux's import_ubuf and import_iovec check them: each
 * must lie in the user half (-EFAULT), a vector has at most IOV_MAX
 * (-EINVAL); the total is cut at MAX_RW_COUNT. */
static long rw_import(struct rw *rw, const struct iocb *cb, bool vectored)
{
	uint64_t total = 0;

	if (!vectored) {
		rw->n = 1;
		rw->iov = kmalloc(sizeof *rw->iov);
		if (!rw->iov)
			return -ENOMEM;
		rw->iov[0] = (struct iovec){ cb->aio_buf, cb->aio_nbytes < MAX_RW_COUNT ? cb->aio_nbytes : MAX_RW_COUNT };
		return user_range_ok(rw->iov[0].base, rw->iov[0].len) ? 0 : -EFAULT;
	}
	if (cb->aio_nbytes > IOV_MAX)
		return -EINVAL;
	rw->n = cb->aio_nbytes;
	rw->iov = kmalloc((rw->n ? rw->n : 1) * sizeof *rw->iov);
	if (!rw->iov)
		return -ENOMEM;
	if (copy_from_user(rw->iov, cb->aio_buf, rw->n * sizeof *rw->iov))
		return -EFAULT;
	for (size_t i = 0; i < rw->n; i++)
		if ((int64_t)rw->iov[i].len < 0)
			return -EINVAL;
	for (size_t i = 0; i < rw->n; i++) {
		if (!user_range_ok(rw->iov[i].base, rw->iov[i].len))
			return -EFAULT;
		if (rw->iov[i].len > MAX_RW_COUNT - total)
			rw->iov[i].len = MAX_RW_COUNT - total;
		total += rw->iov[i].len;
	}
	return 0;
}

static uint64_t rw_total(const struct rw *rw)
{
	uint64_t t = 0;

	for (size_t i = 0; i < rw->n; i++)
		t += rw->iov[i].len;
	return t;
}

/* RWF_NOWAIT on a file that would make the call wait (a pipe, a socket):
 * -EAGAIN unless it is ready now. */
static long nowait_refusal(const struct rw *rw)
{
	if (!(rw->flags & RWF_NOWAIT) || (rw->f->inode && is_reg(rw->f->inode)) || !rw->f->ops->poll)
		return 0;
	unsigned ready = rw->f->ops->poll(rw->f, NULL);
	return ready & (rw->write ? POLLOUT | POLLERR | POLLHUP : POLLIN | POLLERR | POLLHUP) ? 0 : -EAGAIN;
}

/* The buffers in turn, stopping at the first short transfer: bytes
 * moved, or the first buffer's error. */
static long rw_move(struct rw *rw, int64_t pos, bool positioned)
{
	long total = 0;

	for (size_t i = 0; i < rw->n; i++) {
		if (!rw->iov[i].len && rw->n > 1)
			continue;
		struct iobuf b = iobuf_user(rw->iov[i].base, rw->iov[i].len);
		int64_t p = pos + total;
		long r = file_io(rw->f, &b, positioned ? &p : NULL, rw->write);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < rw->iov[i].len)
			break;
	}
	return total;
}

/* The transfer itself, as the event reports it. */
static long rw_do(struct rw *rw, int64_t pos)
{
	bool positioned = rw->f->inode;	/* as pread: a pipe or socket has no offset */
	bool regular = positioned && is_reg(rw->f->inode);

	if (regular && rw->write && (rw->flags & RWF_APPEND)) {
		struct kstat st;
		inode_stat(rw->f->inode, &st);
		pos = (int64_t)st.size;
	}
	long total = nowait_refusal(rw);
	if (!total)
		total = rw_move(rw, pos, positioned);
	if (rw->write && !(rw->flags & RWF_NOSIGNAL))
		total = socket_of(rw->f) ? signal_epipe_socket(socket_of(rw->f), 0, total) : signal_epipe(total);
	if (rw->write && total > 0 && (rw->flags & (RWF_DSYNC | RWF_SYNC)) && regular) {
		long err = file_sync(rw->f, !(rw->flags & RWF_SYNC));
		if (err)
			total = err;
	}
	/* an interrupted transfer is EINTR: nothing restarts a completion */
	return total == -ERESTARTSYS || total == -ERESTARTNOINTR || total == -ERESTARTNOHAND ? -EINTR : total;
}

/* Linux's aio_prep_rw, then aio_read/aio_write's checks and import, then
 * rw_verify_area: every refusal is the call's error. */
static long rw_submit(struct aio_req *r, const struct iocb *cb, bool vectored, bool write)
{
	struct rw rw = { .f = r->file, .write = write, .flags = cb->aio_rw_flags };
	long err = 0;

	if (cb->aio_flags & IOCB_FLAG_IOPRIO)
		err = ioprio_check_cap(cb->aio_reqprio);
	if (!err)
		err = rw_flags_check(rw.flags, write);
	if (!err && (write ? !file_writable(rw.f) : !file_readable(rw.f)))
		err = -EBADF;
	if (!err && (write ? !rw.f->ops->write : !rw.f->ops->read))
		err = -EINVAL;
	if (!err)
		err = rw_import(&rw, cb, vectored);
	if (!err && (cb->aio_offset < 0 || (int64_t)(cb->aio_offset + rw_total(&rw)) < 0))
		err = -EINVAL;
	if (!err)
		aio_req_finish(r, rw_do(&rw, cb->aio_offset));
	kfree(rw.iov);
	return err;
}

/* ---- syncs ---------------------------------------------------------------------- */

static long sync_submit(struct aio_req *r, const struct iocb *cb, bool datasync)
{
	if (cb->aio_buf || cb->aio_offset || cb->aio_nbytes || cb->aio_rw_flags)
		return -EINVAL;
	if (!r->file->inode)
		return -EINVAL;	/* a pipe, a socket, an eventfd: no fsync op on Linux */
	aio_req_finish(r, file_sync(r->file, datasync));
	return 0;
}

static long poll_submit(struct aio_req *r, const struct iocb *cb)
{
	if ((uint16_t)cb->aio_buf != cb->aio_buf)
		return -EINVAL;
	if (cb->aio_offset || cb->aio_nbytes || cb->aio_rw_flags)
		return -EINVAL;
	return aio_poll_submit(r, cb->aio_buf);
}

static long dispatch(struct aio_req *r, const struct iocb *cb)
{
	switch (cb->aio_lio_opcode) {
	case IOCB_CMD_PREAD:
		return rw_submit(r, cb, false, false);
	case IOCB_CMD_PWRITE:
		return rw_submit(r, cb, false, true);
	case IOCB_CMD_PREADV:
		return rw_submit(r, cb, true, false);
	case IOCB_CMD_PWRITEV:
		return rw_submit(r, cb, true, true);
	case IOCB_CMD_FSYNC:
		return sync_submit(r, cb, false);
	case IOCB_CMD_FDSYNC:
		return sync_submit(r, cb, true);
	case IOCB_CMD_POLL:
		return poll_submit(r, cb);
	default:
		return -EINVAL;	/* IOCB_CMD_NOOP too, as on Linux */
	}
}

/* The files the request names: -EBADF, or -EINVAL for a resfd that is no
 * eventfd. */
static long req_files(struct aio_req *r, const struct iocb *cb)
{
	if (!(r->file = fd_get((int)cb->aio_fildes)))
		return -EBADF;
	if (!(cb->aio_flags & IOCB_FLAG_RESFD))
		return 0;
	if (!(r->eventfd = fd_get((int)cb->aio_resfd)))
		return -EBADF;
	return eventfd_is(r->eventfd) ? 0 : -EINVAL;
}

long aio_submit_one(struct aio_ctx *ctx, uint64_t uiocb)
{
	struct iocb cb;
	uint32_t key = KIOCB_KEY;

	if (copy_from_user(&cb, uiocb, sizeof cb))
		return -EFAULT;
	if (cb.aio_reserved2)
		return -EINVAL;
	if ((int64_t)cb.aio_nbytes < 0)
		return -EINVAL;
	long err = aio_get_slot(ctx);
	if (err)
		return err;
	struct aio_req r = { .ctx = ctx, .data = cb.aio_data, .obj = uiocb };
	err = req_files(&r, &cb);
	if (!err && copy_to_user(uiocb + offsetof(struct iocb, aio_key), &key, sizeof key))
		err = -EFAULT;
	if (!err) {
		aio_hold(ctx);	/* the request's, which its completion lets go */
		err = dispatch(&r, &cb);
		if (!err)
			return 0;
		aio_put(ctx);
	}
	if (r.file)
		file_put(r.file);
	if (r.eventfd)
		file_put(r.eventfd);
	aio_put_slot(ctx);
	return err;
}
