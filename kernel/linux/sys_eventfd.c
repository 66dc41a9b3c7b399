/* eventfd, eventfd2: a 64-bit counter as a file (eventfd(2)).
 *
 * A write of exactly 8 bytes adds to the counter, waiting while the sum would pass
 * 0xfffffffffffffffe; a read of 8 bytes waits for a non-zero counter and
 * takes all of it, or 1 in semaphore mode.  Readable while non-zero,
 * writable while a 1 could be added. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/stat.h"
#include "fs/wait.h"
#include "linux/eventfd.h"
#include "linux/syscall.h"

#define EFD_SEMAPHORE	1
#define EFD_FLAGS	(EFD_SEMAPHORE | O_NONBLOCK | O_CLOEXEC)
#define COUNT_MAX	0xfffffffffffffffeull
#define ANON_DEV	0x0e	/* st_dev of anonymous-inode files */

struct eventfd {
	struct spinlock lock;	/* guards count */
	uint64_t count;
	bool semaphore;
	struct waitq wq;	/* readers, writers and pollers: any change */
};

/* What a read takes now (0: nothing yet).  Caller holds e->lock. */
static uint64_t take(struct eventfd *e)
{
	uint64_t v = e->semaphore && e->count ? 1 : e->count;

	e->count -= v;
	return v;
}

static long eventfd_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct eventfd *e = f->priv;

	(void)pos;
	if (b->len < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		struct waiter w;
		spin_lock(&e->lock);
		uint64_t v = take(e);
		if (v) {
			spin_unlock(&e->lock);
			waitq_wake_all(&e->wq);
			/* Taken before the copy, as on Linux: a bad buffer loses it. */
			return iobuf_fill(b, 0, &v, sizeof v) ? -EFAULT : (long)sizeof v;
		}
		long err = wait_refusal(f);
		if (err) {
			spin_unlock(&e->lock);
			return err;
		}
		waitq_prepare(&e->wq, &w);
		spin_unlock(&e->lock);
		wait_sleep(&e->wq, &w, 0);
	}
}

static long eventfd_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	(void)pos;
	if (b->len != sizeof v)
		return -EINVAL;	/* exactly 8 bytes, as Linux 6.x asks */
	if (iobuf_drain(b, 0, &v, sizeof v))
		return -EFAULT;
	if (v == ~0ull)
		return -EINVAL;
	for (;;) {
		struct waiter w;
		spin_lock(&e->lock);
		if (COUNT_MAX - e->count >= v) {
			e->count += v;
			spin_unlock(&e->lock);
			waitq_wake_all(&e->wq);
			return sizeof v;
		}
		long err = wait_refusal(f);
		if (err) {
			spin_unlock(&e->lock);
			return err;
		}
		waitq_prepare(&e->wq, &w);
		spin_unlock(&e->lock);
		wait_sleep(&e->wq, &w, 0);
	}
}

static unsigned eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;

	poll_wait(pt, &e->wq);
	spin_lock(&e->lock);
	uint64_t count = e->count;
	spin_unlock(&e->lock);
	return (count ? POLLIN | POLLRDNORM : 0) | (count < COUNT_MAX ? POLLOUT | POLLWRNORM : 0);
}

static int eventfd_stat(struct file *f, struct kstat *st)
{
	(void)f;
	*st = (struct kstat){ .dev = ANON_DEV, .ino = 1, .nlink = 1, .mode = 0600, .blksize = 4096 };
	return 0;
}

static void eventfd_release(struct file *f) { kfree(f->priv); }

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.stat = eventfd_stat,
	.release = eventfd_release,
	.sees_empty = true,	/* 0 bytes are EINVAL, as any short transfer */
};

static char *path_copy(const char *s)
{
	char *p = kmalloc(strlen(s) + 1);

	if (p)
		memcpy(p, s, strlen(s) + 1);
	return p;
}

static long eventfd_create(uint64_t initval, uint64_t flags)
{
	if (flags & ~(uint64_t)EFD_FLAGS)
		return -EINVAL;
	struct eventfd *e = kmalloc(sizeof *e);
	struct file *f = e ? file_new(&eventfd_ops, O_RDWR | (flags & O_NONBLOCK), e) : NULL;
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	e->count = (uint32_t)initval;	/* an unsigned int, as in eventfd(2) */
	e->semaphore = flags & EFD_SEMAPHORE;
	waitq_init(&e->wq);
	f->path = path_copy("anon_inode:[eventfd]");
	return fd_install(f, 0, flags & O_CLOEXEC);
}

bool eventfd_is(const struct file *f) { return f->ops == &eventfd_ops; }

/* Linux's eventfd_signal: one more, never past the largest count. */
void eventfd_signal(struct file *f)
{
	struct eventfd *e = f->priv;

	spin_lock(&e->lock);
	if (e->count < ~0ull)
		e->count++;
	spin_unlock(&e->lock);
	waitq_wake_all(&e->wq);
}

static long sys_eventfd(const struct sysargs *a) { return eventfd_create(a->a[0], 0); }
static long sys_eventfd2(const struct sysargs *a) { return eventfd_create(a->a[0], a->a[1]); }

static const struct syscall_entry eventfd_calls[] = {
	{ 284, sys_eventfd },
	{ 290, sys_eventfd2 },
};

SYSCALL_TABLE(eventfd_calls);
