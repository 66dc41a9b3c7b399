#include "fs/file.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/epoll.h"

long iobuf_fill(const struct iobuf *b, size_t off, const void *src, size_t n)
{
	if (off + n > b->len)
		return -EFAULT;
	if (b->kernel) {
		memcpy(b->kernel + off, src, n);
		return 0;
	}
	return copy_to_user(b->user + off, src, n) ? -EFAULT : 0;
}

long iobuf_drain(const struct iobuf *b, size_t off, void *dst, size_t n)
{
	if (off + n > b->len)
		return -EFAULT;
	if (b->kernel) {
		memcpy(dst, b->kernel + off, n);
		return 0;
	}
	return copy_from_user(dst, b->user + off, n) ? -EFAULT : 0;
}

long iobuf_fault_in(const struct iobuf *b, size_t off, size_t n, bool write)
{
	if (off + n > b->len)
		return -EFAULT;
	return b->kernel ? 0 : user_fault_in(b->user + off, n, write);
}

struct file *file_new(const struct file_ops *ops, unsigned flags, void *priv)
{
	struct file *f = kmalloc(sizeof *f);

	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->priv = priv;
	list_init(&f->ep_items);
	return f;
}

void file_get(struct file *f) { __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED); }

bool file_tryget(struct file *f)
{
	int n = __atomic_load_n(&f->refs, __ATOMIC_RELAXED);

	while (n)
		if (__atomic_compare_exchange_n(&f->refs, &n, n + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

static void release(struct file *f)
{
	epoll_forget_file(f);	/* no callback of an item may outlive f */
	if (f->async)
		f->async->release(f);
	if (f->ops->release)
		f->ops->release(f);
	kfree(f->path);
	kfree(f);
}

/* Those that waited, one after another. */
static void release_waiting(struct thread *t)
{
	struct file *f;

	while ((f = t->release_later)) {
		t->release_later = f->release_next;
		release(f);
	}
	t->releasing = false;
}

/* A release may drop the last reference to other files: a socket the
 * descriptors queued in it (sockets among them).  Those wait on the
 * thread's list and the outermost file_put releases them one after
 * another, so a chain of files holding files goes with a fixed amount of
 * stack, and no release runs inside another's locks. */
void file_put(struct file *f)
{
	struct thread *t = current();

	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (t->releasing) {
		f->release_next = t->release_later;
		t->release_later = f;
		return;
	}
	t->releasing = true;
	release(f);
	release_waiting(t);
}

/* A release may sleep a long time (a socket's SO_LINGER) or take locks
 * some hold while they wait for vfs_lock (fs/vfs.h): under vfs_lock, a
 * last put made there (a /proc reader's, whose file the owner closed
 * meanwhile) waits for the lock's release instead. */
bool file_release_defer(void)
{
	struct thread *t = current();

	if (t->releasing)
		return false;
	t->releasing = true;
	return true;
}

void file_release_deferred(void) { release_waiting(current()); }
