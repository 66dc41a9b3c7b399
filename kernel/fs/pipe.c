/* Pipes: a byte ring and the two kinds of end on it.
 *
 * The ring's bytes are copied to and from the program's memory under the
 * pipe's lock, a plain spinlock; that is what makes a write of up to
 * PIPE_BUF bytes atomic: it goes in as one copy or waits until it can.
 * Interrupts stay on, so a page fault in the copy is served, unless it
 * would sleep (a page of a mapped 9p or ext4 file): then the copy fails
 * (core/uaccess.h's no-sleep copies), the pages are brought in with the
 * lock dropped, and the pipe is looked at again.  Wake-ups are sent after
 * the lock is dropped, so a waker never holds it and a wait queue's lock
 * together. */
#include "fs/pipe.h"
#include "fs/pipe_internal.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/stat.h"
#include "fs/wait.h"

#define FIONREAD	0x541b
#define PIPEFS_DEV	0x0c	/* st_dev of every pipe, as an anonymous fs */


static unsigned next_id = 4096;

static size_t queued(const struct pipe *p) { return pipe_queued(p); }
static size_t room(const struct pipe *p) { return pipe_room(p); }

struct pipe *pipe_new(void)
{
	struct pipe *p = kmalloc(sizeof *p);

	if (!p)
		return NULL;
	p->refs = 1;
	p->size = PIPE_SIZE;
	mutex_init(&p->io);
	p->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	waitq_init(&p->rd_wait);
	waitq_init(&p->wr_wait);
	waitq_init(&p->ends_wait);
	return p;
}

void pipe_put(struct pipe *p)
{
	spin_lock(&p->lock);
	int left = --p->refs;
	spin_unlock(&p->lock);
	if (left)
		return;
	if (p->buf)
		page_free_virt(p->buf, p->size / PAGE_SIZE);
	kfree(p);
}

bool pipe_has_readers(struct pipe *p) { return __atomic_load_n(&p->readers, __ATOMIC_ACQUIRE) > 0; }
bool pipe_has_writers(struct pipe *p) { return __atomic_load_n(&p->writers, __ATOMIC_ACQUIRE) > 0; }
struct waitq *pipe_waitq(struct pipe *p) { return &p->ends_wait; }

static void wake_all(struct pipe *p)
{
	waitq_wake_all(&p->rd_wait);
	waitq_wake_all(&p->wr_wait);
	waitq_wake_all(&p->ends_wait);
}

/* ---- reading ------------------------------------------------------------ */

/* Copies up to n queued bytes out, without sleeping.  Caller holds
 * p->lock.  Bytes or -EFAULT; only what reached the buffer leaves the
 * ring. */
static long ring_take(struct pipe *p, const struct iobuf *b, size_t n)
{
	size_t done = 0;

	uaccess_nosleep_begin();
	while (done < n) {
		size_t at = (p->tail + done) % p->size;
		size_t piece = n - done < p->size - at ? n - done : p->size - at;
		if (iobuf_fill(b, done, p->buf + at, piece))
			break;
		done += piece;
	}
	uaccess_nosleep_end();
	p->tail += done;
	return done ? (long)done : -EFAULT;
}

static long read_pipe(struct pipe *p, const struct iobuf *b, bool nonblock)
{
	for (;;) {
		struct waiter w;
		mutex_lock(&p->io);
		spin_lock(&p->lock);
		if (queued(p)) {
			size_t want = queued(p) < b->len ? queued(p) : b->len;
			long n = ring_take(p, b, want);
			spin_unlock(&p->lock);
			mutex_unlock(&p->io);
			if (n > 0)
				waitq_wake_all(&p->wr_wait);
			if (n != -EFAULT || !want || iobuf_fault_in(b, 0, want, true))
				return n;
			continue;	/* the buffer is in now: look again */
		}
		long why = !p->writers ? 0 : nonblock ? -EAGAIN : thread_signalled() ? -ERESTARTSYS : 1;
		if (why <= 0) {
			spin_unlock(&p->lock);
			mutex_unlock(&p->io);
			return why;
		}
		waitq_prepare(&p->rd_wait, &w);
		spin_unlock(&p->lock);
		mutex_unlock(&p->io);
		wait_sleep(&p->rd_wait, &w, 0);
	}
}

static long pipe_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)pos;
	return read_pipe(f->priv, b, f->flags & O_NONBLOCK);
}

/* ---- writing ------------------------------------------------------------ */

/* Copies n bytes from b at off into the ring, without sleeping.  Caller
 * holds p->lock and checked the room.  0 or -EFAULT (then nothing was
 * added). */
static long ring_put(struct pipe *p, const struct iobuf *b, size_t off, size_t n)
{
	size_t done = 0;
	long err = 0;

	uaccess_nosleep_begin();
	while (done < n && !err) {
		size_t at = (p->head + done) % p->size;
		size_t piece = n - done < p->size - at ? n - done : p->size - at;
		err = iobuf_drain(b, off + done, p->buf + at, piece);
		done += piece;
	}
	uaccess_nosleep_end();
	if (!err)
		p->head += n;
	return err;
}

static char *ring_alloc(size_t size)
{
	/* NULL when only the kernel's reserve is left */
	return page_room_for_program(size / PAGE_SIZE) ? page_alloc_virt(size / PAGE_SIZE) : NULL;
}

/* The ring is allocated by the first write, so idle pipes cost no pages.
 * A resize meanwhile makes it try again with the new size. */
int pipe_ensure_buffer(struct pipe *p)
{
	for (;;) {
		if (__atomic_load_n(&p->buf, __ATOMIC_ACQUIRE))
			return 0;
		size_t size = __atomic_load_n(&p->size, __ATOMIC_RELAXED);
		char *buf = ring_alloc(size);
		if (!buf)
			return -ENOMEM;
		spin_lock(&p->lock);
		bool keep = !p->buf && p->size == size;
		if (keep)
			__atomic_store_n(&p->buf, buf, __ATOMIC_RELEASE);
		spin_unlock(&p->lock);
		if (keep)
			return 0;
		page_free_virt(buf, size / PAGE_SIZE);
	}
}

/* A write to a pipe nobody reads: EPIPE (the Linux layer raises SIGPIPE
 * for it), or what was written before the last reader went. */
static long broken_pipe(size_t done)
{
	return done ? (long)done : -EPIPE;
}

/* Why a write that cannot go on now stops (-EAGAIN, -ERESTARTSYS), or 0
 * to sleep.  Caller holds p->lock. */
static long write_stop(bool nonblock)
{
	if (nonblock)
		return -EAGAIN;
	if (thread_signalled())
		return -ERESTARTSYS;
	return 0;
}

/* Up to PIPE_BUF bytes go in at once or not at all; a longer write takes
 * whatever room there is, piece by piece, and may interleave with others. */
static long write_pipe(struct pipe *p, const struct iobuf *b, bool nonblock)
{
	size_t done = 0, need = b->len <= PIPE_BUF ? b->len : 1;
	long err = pipe_ensure_buffer(p);

	if (err)
		return err;
	for (;;) {
		struct waiter w;
		mutex_lock(&p->io);
		spin_lock(&p->lock);
		if (!p->readers) {
			spin_unlock(&p->lock);
			mutex_unlock(&p->io);
			return broken_pipe(done);
		}
		if (room(p) >= need) {
			size_t n = b->len - done < room(p) ? b->len - done : room(p);
			err = ring_put(p, b, done, n);
			spin_unlock(&p->lock);
			mutex_unlock(&p->io);
			if (err && iobuf_fault_in(b, done, n, false))
				return done ? (long)done : err;
			if (err)
				continue;	/* the bytes are in now: look again */
			waitq_wake_all(&p->rd_wait);
			if ((done += n) == b->len)
				return done;
			continue;
		}
		if ((err = write_stop(nonblock))) {
			spin_unlock(&p->lock);
			mutex_unlock(&p->io);
			return done ? (long)done : err;
		}
		waitq_prepare(&p->wr_wait, &w);
		spin_unlock(&p->lock);
		mutex_unlock(&p->io);
		wait_sleep(&p->wr_wait, &w, 0);
	}
}

static long pipe_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)pos;
	return write_pipe(f->priv, b, f->flags & O_NONBLOCK);
}

/* ---- the rest of the file ops ------------------------------------------- */

/* A FIFO's reader that opened before any writer must not see POLLHUP until
 * a writer has come and gone (fifo(7); Linux's f_version).  Each read end
 * keeps writer_opens as it was at its open in f->pos, which a pipe end
 * never uses otherwise (not seekable: no inode).  Caller holds p->lock. */
static bool reader_saw_writer(const struct file *f, const struct pipe *p)
{
	return (unsigned)f->pos != p->writer_opens;
}

/* POLLOUT once a PIPE_BUF write would not block; POLLHUP to readers when
 * no writer is left, POLLERR to writers when no reader is. */
static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned ev = 0;

	if (file_readable(f))
		poll_wait(pt, &p->rd_wait);
	if (file_writable(f))
		poll_wait(pt, &p->wr_wait);
	spin_lock(&p->lock);
	if (file_readable(f)) {
		ev |= queued(p) ? POLLIN | POLLRDNORM : 0;
		ev |= p->writers || !reader_saw_writer(f, p) ? 0 : POLLHUP;
	}
	if (file_writable(f)) {
		ev |= room(p) >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0;
		ev |= p->readers ? 0 : POLLERR;
	}
	spin_unlock(&p->lock);
	return ev;
}

static long pipe_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct pipe *p = f->priv;

	if (cmd != FIONREAD)
		return -ENOTTY;
	spin_lock(&p->lock);
	int n = (int)queued(p);
	spin_unlock(&p->lock);
	return copy_to_user(arg, &n, sizeof n) ? -EFAULT : 0;
}

static int pipe_stat(struct file *f, struct kstat *st)
{
	struct pipe *p = f->priv;

	*st = (struct kstat){ .dev = PIPEFS_DEV, .ino = p->id, .nlink = 1,
			      .mode = S_IFIFO | 0600, .blksize = PAGE_SIZE };
	return 0;
}

/* When the last end goes, so do the bytes left in the ring and the ring
 * itself (pipe(7)): a FIFO reopened later starts empty, and FIFOs nobody
 * has open cost no pages. */
static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	char *buf = NULL;
	size_t size = 0;

	spin_lock(&p->lock);
	p->readers -= file_readable(f);
	p->writers -= file_writable(f);
	if (!p->readers && !p->writers) {
		buf = p->buf;
		size = p->size;
		p->buf = NULL;
		p->size = PIPE_SIZE;	/* a FIFO opened again starts afresh */
		p->tail = p->head;
	}
	spin_unlock(&p->lock);
	if (buf)
		page_free_virt(buf, size / PAGE_SIZE);
	wake_all(p);
	pipe_put(p);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.stat = pipe_stat,
	.release = pipe_release,
	.async = true,
};

/* ---- for splice (pipe_internal.h) --------------------------------------- */

struct pipe *pipe_of(struct file *f) { return f->ops == &pipe_ops ? f->priv : NULL; }

long pipe_transfer(struct file *f, const struct iobuf *b, bool write, bool nonblock)
{
	struct pipe *p = pipe_of(f);

	if (!p || !(write ? file_writable(f) : file_readable(f)))
		return -EBADF;
	return write ? write_pipe(p, b, nonblock) : read_pipe(p, b, nonblock);
}

void pipe_peek(const struct pipe *p, char *dst, size_t n)
{
	size_t at = p->tail % p->size, first = n < p->size - at ? n : p->size - at;

	memcpy(dst, p->buf + at, first);
	memcpy(dst + first, p->buf, n - first);
}

void pipe_fill(struct pipe *p, const char *src, size_t n)
{
	size_t at = p->head % p->size, first = n < p->size - at ? n : p->size - at;

	memcpy(p->buf + at, src, first);
	memcpy(p->buf, src + first, n - first);
	p->head += n;
}

/* The wait both pipe_wait_* make: ready says 1, 0 or -EPIPE when it need
 * not wait, else 2.  Caller holds p->lock, which this drops. */
static long wait_on(struct pipe *p, struct waitq *wq, long ready, bool nonblock)
{
	struct waiter w;

	if (ready == 2 && (nonblock || thread_signalled()))
		ready = nonblock ? -EAGAIN : -ERESTARTSYS;
	if (ready != 2) {
		spin_unlock(&p->lock);
		return ready;
	}
	waitq_prepare(wq, &w);
	spin_unlock(&p->lock);
	wait_sleep(wq, &w, 0);
	return 2;
}

long pipe_wait_data(struct pipe *p, bool nonblock)
{
	long r;

	do {
		spin_lock(&p->lock);
		r = wait_on(p, &p->rd_wait, queued(p) ? 1 : !p->writers ? 0 : 2, nonblock);
	} while (r == 2);
	return r;
}

long pipe_wait_room(struct pipe *p, bool nonblock)
{
	long r;

	do {
		spin_lock(&p->lock);
		r = wait_on(p, &p->wr_wait, !p->readers ? -EPIPE : room(p) ? 1 : 2, nonblock);
	} while (r == 2);
	return r;
}

/* ---- capacity ---------------------------------------------------------- */

long pipe_capacity(struct file *f)
{
	struct pipe *p = f->ops == &pipe_ops ? f->priv : NULL;

	return p ? (long)__atomic_load_n(&p->size, __ATOMIC_RELAXED) : -EBADF;
}

/* Moves the queued bytes to the start of buf, which replaces the ring.
 * Caller holds p->lock; they fit. */
static char *ring_move(struct pipe *p, char *buf)
{
	size_t n = queued(p), at = p->tail % p->size;
	size_t first = n < p->size - at ? n : p->size - at;
	char *old = p->buf;

	memcpy(buf, old + at, first);
	memcpy(buf + first, old, n - first);
	p->tail = 0;
	p->head = n;
	p->buf = buf;
	return old;
}

long pipe_resize(struct file *f, size_t size)
{
	struct pipe *p = f->ops == &pipe_ops ? f->priv : NULL;
	char *buf = p ? ring_alloc(size) : NULL;

	if (!buf)
		return p ? -ENOMEM : -EBADF;
	spin_lock(&p->lock);
	if (queued(p) > size) {
		spin_unlock(&p->lock);
		page_free_virt(buf, size / PAGE_SIZE);
		return -EBUSY;
	}
	size_t old_size = p->size;
	char *old = p->buf ? ring_move(p, buf) : NULL;
	p->size = size;
	spin_unlock(&p->lock);
	if (old)
		page_free_virt(old, old_size / PAGE_SIZE);
	else
		page_free_virt(buf, size / PAGE_SIZE);	/* no ring yet: the first write makes one */
	wake_all(p);	/* a writer may fit now */
	return (long)size;
}

/* ---- ends --------------------------------------------------------------- */

struct file *pipe_open(struct pipe *p, unsigned flags)
{
	struct file *f = file_new(&pipe_ops, flags & (O_ACCMODE | O_NONBLOCK), p);
	char name[32];

	if (!f)
		return NULL;
	snprintf(name, sizeof name, "pipe:[%u]", p->id);
	f->path = kmalloc(strlen(name) + 1);
	if (f->path)
		memcpy(f->path, name, strlen(name) + 1);
	spin_lock(&p->lock);
	p->refs++;
	f->pos = p->writer_opens;
	p->writer_opens += file_writable(f);
	p->readers += file_readable(f);
	p->writers += file_writable(f);
	spin_unlock(&p->lock);
	wake_all(p);
	return f;
}

int pipe_create(struct file **r, struct file **w, unsigned flags)
{
	struct pipe *p = pipe_new();

	if (!p)
		return -ENOMEM;
	*r = pipe_open(p, O_RDONLY | (flags & O_NONBLOCK));
	*w = *r ? pipe_open(p, O_WRONLY | (flags & O_NONBLOCK)) : NULL;
	pipe_put(p);
	if (*w)
		return 0;
	if (*r)
		file_put(*r);
	return -ENOMEM;
}
