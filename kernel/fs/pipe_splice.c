/* splice and tee: bytes moved between a pipe and another file, or between
 * two pipes, without passing through the program.
 *
 * A pipe's side holds the pipe's io mutex over the whole move, as Linux
 * holds its pipe's: out of a pipe, the bytes are copied, offered to the
 * file, and only what it took leaves the pipe; into a pipe, no more is
 * read from the file than there is room for, and no other writer can take
 * that room meanwhile.  So a short write to a socket or a full disk loses
 * nothing.  Two pipes are locked in address order, after waiting for
 * bytes and room with neither held, so two splices crossing between the
 * same pipes cannot deadlock. */
#include "fs/pipe.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "fs/file.h"
#include "fs/pipe_internal.h"

#define CHUNK	(16 * 1024)	/* bytes moved per call at most */

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* One transfer with the file at *pos (NULL: its own offset). */
static long file_move(struct file *f, char *buf, size_t n, int64_t *pos, bool write)
{
	struct iobuf b = iobuf_kernel(buf, n);
	int64_t at = pos ? *pos : f->pos;
	long r = write ? f->ops->write(f, &b, &at) : f->ops->read(f, &b, &at);

	if (r > 0 && pos)
		*pos = at;
	else if (r > 0)
		f->pos = at;
	return r;
}

long pipe_splice_out(struct file *in, struct file *out, int64_t *opos, size_t len, bool nonblock)
{
	struct pipe *p = pipe_of(in);
	char *buf = kmalloc_uninit(CHUNK);
	long r = buf ? 0 : -ENOMEM;

	while (!r && (r = pipe_wait_data(p, nonblock)) > 0) {
		mutex_lock(&p->io);
		spin_lock(&p->lock);
		size_t n = min3(pipe_queued(p), len, CHUNK);
		pipe_peek(p, buf, n);
		spin_unlock(&p->lock);
		r = n ? file_move(out, buf, n, opos, true) : 0;	/* 0: another reader was first */
		if (r > 0) {
			spin_lock(&p->lock);
			p->tail += (size_t)r;
			spin_unlock(&p->lock);
			waitq_wake_all(&p->wr_wait);
		}
		mutex_unlock(&p->io);
		if (!r && n)
			break;	/* the file took nothing */
	}
	kfree(buf);
	return r;
}

long pipe_splice_in(struct file *in, int64_t *ipos, struct file *out, size_t len, bool nonblock)
{
	struct pipe *p = pipe_of(out);
	char *buf = kmalloc_uninit(CHUNK);
	long r = !buf ? -ENOMEM : pipe_ensure_buffer(p);

	while (!r && (r = pipe_wait_room(p, nonblock)) > 0) {
		mutex_lock(&p->io);
		spin_lock(&p->lock);
		size_t n = p->readers ? min3(pipe_room(p), len, CHUNK) : 0;
		spin_unlock(&p->lock);
		r = n ? file_move(in, buf, n, ipos, false) : 0;	/* 0: look again */
		if (r > 0) {
			spin_lock(&p->lock);
			pipe_fill(p, buf, (size_t)r);	/* the room is still there: io is held */
			spin_unlock(&p->lock);
			waitq_wake_all(&p->rd_wait);
		}
		mutex_unlock(&p->io);
		if (!r && n)
			break;	/* the file's end */
	}
	kfree(buf);
	return r;
}

static void lock_two(struct pipe *a, struct pipe *b)
{
	struct pipe *first = a < b ? a : b, *second = a < b ? b : a;

	mutex_lock(&first->io);
	mutex_lock(&second->io);
	spin_lock(&first->lock);
	spin_lock(&second->lock);
}

static void unlock_two(struct pipe *a, struct pipe *b)
{
	spin_unlock(&a->lock);
	spin_unlock(&b->lock);
	mutex_unlock(&a->io);
	mutex_unlock(&b->io);
}

long pipe_to_pipe(struct file *in, struct file *out, size_t len, bool nonblock, bool take)
{
	struct pipe *ip = pipe_of(in), *op = pipe_of(out);
	char *buf = kmalloc_uninit(CHUNK);
	long r = !buf ? -ENOMEM : pipe_ensure_buffer(op);

	while (!r) {
		if ((r = pipe_wait_data(ip, nonblock)) <= 0 || (r = pipe_wait_room(op, nonblock)) < 0)
			break;
		lock_two(ip, op);
		size_t n = op->readers ? min3(pipe_queued(ip), pipe_room(op), len < CHUNK ? len : CHUNK) : 0;
		pipe_peek(ip, buf, n);
		pipe_fill(op, buf, n);
		if (take)
			ip->tail += n;
		r = op->readers ? (long)n : -EPIPE;
		unlock_two(ip, op);
		if (n) {
			waitq_wake_all(&op->rd_wait);
			waitq_wake_all(&ip->wr_wait);
		}
	}
	kfree(buf);
	return r;
}
