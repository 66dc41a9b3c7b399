/* FIFOs: the node keeps one pipe (made on the first open, dropped with the
 * inode) and every open(2) adds an end to it.  As fifo(7) says, opening for
 * reading waits for a writer and opening for writing waits for a reader,
 * unless O_NONBLOCK (then a writer without a reader gets ENXIO); O_RDWR
 * never waits. */
#include "fs/vfs_fifo.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "fs/wait.h"

/* What inode.fifo points at.  The counts of ends ever opened let a waiting
 * opener see a partner that came and went while it slept (a writer that
 * wrote and closed at once must still release the reader). */
struct fifo {
	struct pipe *pipe;
	unsigned opened[2];	/* [0] readers, [1] writers; atomic */
};

struct wait_cond {
	struct fifo *f;
	int side;		/* the side waited for: 0 readers, 1 writers */
	unsigned seen;		/* opened[side] when the wait began */
};

static bool there(const struct wait_cond *c)
{
	if (__atomic_load_n(&c->f->opened[c->side], __ATOMIC_ACQUIRE) != c->seen)
		return true;
	return c->side ? pipe_has_writers(c->f->pipe) : pipe_has_readers(c->f->pipe);
}

/* Waits until the other side has opened; -ERESTARTSYS on a signal.  The
 * check after waitq_prepare catches an end that opened in between: the
 * thread then wakes itself and does not sleep. */
static int wait_for(struct fifo *f, int side)
{
	struct wait_cond c = { f, side, __atomic_load_n(&f->opened[side], __ATOMIC_ACQUIRE) };
	struct waitq *wq = pipe_waitq(f->pipe);

	for (;;) {
		struct waiter w;
		if (there(&c))
			return 0;
		if (thread_signalled())
			return -ERESTARTSYS;
		waitq_prepare(wq, &w);
		if (there(&c))
			sched_wake(current());
		wait_sleep(wq, &w, 0);
	}
}

/* The node's FIFO state, made on first use. */
static struct fifo *fifo_of(struct inode *i)
{
	vfs_lock();
	if (!i->fifo) {
		struct fifo *f = kmalloc(sizeof *f);
		if (f && !(f->pipe = pipe_new())) {
			kfree(f);
			f = NULL;
		}
		i->fifo = f;
	}
	struct fifo *f = i->fifo;
	vfs_unlock();
	return f;
}

int fifo_open(struct inode *i, unsigned flags, struct file **out)
{
	struct fifo *f = fifo_of(i);
	unsigned mode = flags & O_ACCMODE;
	int err = 0;

	if (!f)
		return -ENOMEM;
	if (mode == O_WRONLY && (flags & O_NONBLOCK) && !pipe_has_readers(f->pipe))
		return -ENXIO;
	/* Counted before the end exists, whose opening wakes the waiters. */
	if (mode != O_WRONLY)
		__atomic_add_fetch(&f->opened[0], 1, __ATOMIC_RELEASE);
	if (mode != O_RDONLY)
		__atomic_add_fetch(&f->opened[1], 1, __ATOMIC_RELEASE);
	*out = pipe_open(f->pipe, flags & (O_ACCMODE | O_NONBLOCK));
	if (!*out)
		return -ENOMEM;
	if (mode == O_RDONLY && !(flags & O_NONBLOCK))
		err = wait_for(f, 1);
	else if (mode == O_WRONLY)
		err = wait_for(f, 0);
	if (err)
		file_put(*out);
	return err;
}

void fifo_release(struct inode *i)
{
	struct fifo *f = i->fifo;

	if (f) {
		pipe_put(f->pipe);
		kfree(f);
	}
}
