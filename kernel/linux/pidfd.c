/* pidfds: pidfd_open and pidfd_getfd, and the files they make.
 *
 * A process gets a handle with its first pidfd; the process holds it once
 * and each pidfd once more.  The handle points at the process until it is
 * taken out of the tree (waited for), so a pidfd never reaches a later
 * process with the same pid. */
#include "linux/pidfd.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "core/waitq.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/stat.h"
#include "linux/procfs_internal.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define PIDFD_NONBLOCK	O_NONBLOCK
#define ANON_DEV	0x0e	/* st_dev of anonymous-inode files */

struct pid_handle {
	int refs;
	int pid;
	struct process *process;	/* under sig_lock; NULL once waited for */
	struct waitq wq;		/* its pidfds' pollers */
};

static const struct file_ops pidfd_ops;

void pidfd_handle_put(struct pid_handle *h)
{
	if (h && __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(h);
}

struct pid_handle *pidfd_handle_of(struct process *p)
{
	struct pid_handle *h = p->pidfd;

	if (!h && (h = kmalloc(sizeof *h))) {
		h->refs = 1;	/* the process's */
		h->pid = p->pid;
		h->process = p;
		waitq_init(&h->wq);
		p->pidfd = h;
	}
	if (h)
		__atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
	return h;
}

struct process *pidfd_process(const struct pid_handle *h) { return h->process; }
int pidfd_pid(const struct pid_handle *h) { return h->pid; }

void pidfd_process_ended(struct process *p)
{
	if (p->pidfd)
		waitq_wake_all(&p->pidfd->wq);
}

void pidfd_process_unlinked(struct process *p)
{
	if (!p->pidfd)
		return;
	p->pidfd->process = NULL;
	waitq_wake_all(&p->pidfd->wq);
}

void pidfd_process_freed(struct process *p) { pidfd_handle_put(p->pidfd); }

/* ---- the file -------------------------------------------------------------- */

static long pidfd_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return -EINVAL;
}

/* Readable once the process has ended; hung up once it is gone too. */
static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	struct pid_handle *h = f->priv;

	poll_wait(pt, &h->wq);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = h->process;
	unsigned events = !p ? POLLIN | POLLRDNORM | POLLHUP
			  : p->state == PROCESS_ZOMBIE ? POLLIN | POLLRDNORM : 0;
	spin_unlock_irqrestore(&sig_lock, flags);
	return events;
}

static int pidfd_stat(struct file *f, struct kstat *st)
{
	(void)f;
	*st = (struct kstat){ .dev = ANON_DEV, .ino = 3, .nlink = 1, .mode = 0600, .blksize = 4096 };
	return 0;
}

static void pidfd_release(struct file *f) { pidfd_handle_put(f->priv); }

static const struct file_ops pidfd_ops = {
	.read = pidfd_read,
	.poll = pidfd_poll,
	.stat = pidfd_stat,
	.release = pidfd_release,
};

struct file *pidfd_file(struct process *p, bool nonblock)
{
	static const char name[] = "anon_inode:[pidfd]";
	struct pid_handle *h = pidfd_handle_of(p);
	struct file *f = h ? file_new(&pidfd_ops, O_RDWR | (nonblock ? O_NONBLOCK : 0), h) : NULL;

	if (!f) {
		pidfd_handle_put(h);
		return NULL;
	}
	if ((f->path = kmalloc(sizeof name)))
		memcpy(f->path, name, sizeof name);
	return f;
}

int pidfd_handle_get(int fd, struct pid_handle **h, bool *nonblock)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	bool pidfd = f->ops == &pidfd_ops;
	if (pidfd) {
		*h = f->priv;
		__atomic_add_fetch(&(*h)->refs, 1, __ATOMIC_RELAXED);
		*nonblock = f->flags & O_NONBLOCK;
	}
	file_put(f);
	return pidfd ? 0 : -EBADF;
}

/* ---- the calls ------------------------------------------------------------- */

/* A process's pid only: another thread's id is ENOENT, as Linux says
 * without PIDFD_THREAD (pidfds of threads are not made here: that flag
 * is EINVAL, as on Linux before 6.9). */
static long sys_pidfd_open(const struct sysargs *a)
{
	int pid = (int)a->a[0];
	unsigned flags = (unsigned)a->a[1];

	if (flags & ~(unsigned)PIDFD_NONBLOCK || pid <= 0)
		return -EINVAL;
	uint64_t irq = spin_lock_irqsave(&sig_lock);
	struct process *p = process_find(pid);
	long err = !p ? (thread_find(pid) ? -ENOENT : -ESRCH) : 0;
	struct file *f = err ? NULL : pidfd_file(p, flags & PIDFD_NONBLOCK);
	spin_unlock_irqrestore(&sig_lock, irq);
	if (err || !f)
		return err ? err : -ENOMEM;
	return fd_install(f, 0, true);
}

/* Another process's file, as ptrace would reach it (its owner's, or
 * CAP_SYS_PTRACE: /proc's rule), under a new descriptor with
 * close-on-exec. */
static long sys_pidfd_getfd(const struct sysargs *a)
{
	struct pid_handle *h;
	bool nonblock;
	int target = (int)a->a[1];

	if (a->a[2])
		return -EINVAL;
	long err = pidfd_handle_get((int)a->a[0], &h, &nonblock);
	if (err)
		return err;
	struct process_view v;
	err = h->process ? process_view_get(h->pid, &v) : -ESRCH;
	pidfd_handle_put(h);
	if (err)
		return -ESRCH;
	struct file *f = NULL;
	err = v.zombie ? -ESRCH : proc_pid_may_read(v.pid) ? -EPERM : 0;
	if (!err && !(f = process_file_get(v.pid, target)))
		err = v.mm ? -EBADF : -ESRCH;	/* (no mm: it was ending) */
	process_view_put(&v);
	return err ? err : fd_install(f, 0, true);
}

static const struct syscall_entry pidfd_calls[] = {
	{ 434, sys_pidfd_open },
	{ 438, sys_pidfd_getfd },
};

SYSCALL_TABLE(pidfd_calls);
