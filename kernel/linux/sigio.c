/* SIGIO: the signal an O_ASYNC file's owner gets when the file becomes
 * readable or writable (fcntl(2) F_SETOWN, F_SETSIG).
 *
 * fs/ and net/ know nothing of signals: they wake the wait queues their
 * poll ops name, for poll and epoll.  A watched file has a callback waiter
 * on each of those queues.  The callback runs in the waker's context (an
 * interrupt maybe, the queue's lock held, where calling a poll op could
 * deadlock), so it only lists the file for the sigio thread, which polls
 * it and sends the owner POLL_IN while the file is readable, else
 * POLL_OUT while it is writable.  Wake-ups that come while a file is listed
 * give one look, as a plain SIGIO pending twice is one.  A plain SIGIO is
 * SI_KERNEL; a signal chosen with F_SETSIG carries the POLL_* reason,
 * si_band and si_fd, and when it cannot be queued a plain SIGIO goes
 * instead, as in Linux.
 *
 * Locks: a file queue's lock, then sigio_lock (irqsave), then work's. */
#include "linux/sigio.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/uaccess.h"
#include "core/waitq.h"
#include "fs/file.h"
#include "fs/poll_hooks.h"
#include "linux/process.h"
#include "linux/signal_internal.h"

#define F_OWNER_TID	0
#define F_OWNER_PID	1
#define F_OWNER_PGRP	2
#define POLL_IN		1	/* si_code of a F_SETSIG signal */
#define POLL_OUT	2
#define POLL_PRI	5
#define POLLRDBAND	0x080
#define POLLWRBAND	0x200

struct owner {
	int type;		/* F_OWNER_*; a fresh file's is F_OWNER_TID, as Linux's */
	int id;			/* 0: nobody */
	uint32_t from[2];	/* the real and effective uid of whoever set id */
	int sig;		/* F_SETSIG's; 0: plain SIGIO */
	int fd;			/* the descriptor O_ASYNC was set through */
};

struct sigio {
	struct file_async base;	/* first: f->async points at it */
	struct file *file;
	/* Under sigio_lock: */
	struct owner owner;
	bool pending;		/* on the pending list */
	bool watched;		/* hooks made (once, by sigio_watch) */
	struct list link;
	/* Walked only at release, when no one else can: */
	struct poll_hook *hooks;	/* fs/poll_hooks.h */
};

struct owner_ex {
	int type, pid;
};

static struct spinlock sigio_lock = SPINLOCK_INIT;
static struct list pending = LIST_INIT(pending);
static struct sigio *busy;	/* the one the thread is looking at */
static struct waitq work = WAITQ_INIT(work);
static int worker_started;

/* ---- sending ------------------------------------------------------------ */

static void send(const struct owner *o, int reason)
{
	static const int64_t band[] = { [POLL_IN] = POLLIN | POLLRDNORM,
					[POLL_OUT] = POLLOUT | POLLWRNORM | POLLWRBAND,
					[POLL_PRI] = POLLPRI | POLLRDBAND };
	bool thread = o->type == F_OWNER_TID;
	int id = o->type == F_OWNER_PGRP ? -o->id : o->id;

	if (o->sig) {
		struct linux_siginfo info = { .signo = o->sig, .code = reason,
					      .poll = { band[reason], o->fd } };
		if (signal_send_owner(id, thread, o->from, o->sig, &info) != -EAGAIN)
			return;
	}
	struct linux_siginfo plain = { .signo = SIGIO, .code = SI_KERNEL };
	signal_send_owner(id, thread, o->from, SIGIO, &plain);
}

/* Looks at s's file and signals its owner: one signal a look, POLL_IN
 * when the file is readable, else POLL_OUT when it is writable.  In the
 * sigio thread. */
static void notify(struct sigio *s)
{
	struct file *f = s->file;
	unsigned ev = f->ops->poll(f, NULL);
	uint64_t flags = spin_lock_irqsave(&sigio_lock);
	struct owner o = s->owner;

	spin_unlock_irqrestore(&sigio_lock, flags);
	if (!(f->flags & O_ASYNC) || !o.id)
		return;
	if (file_readable(f) && (ev & (POLLIN | POLLHUP | POLLERR)))
		send(&o, POLL_IN);
	else if (file_writable(f) && (ev & (POLLOUT | POLLERR)))
		send(&o, POLL_OUT);
}

static void sigio_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&sigio_lock);
		if (list_empty(&pending)) {
			waitq_prepare(&work, &w);
			spin_unlock_irqrestore(&sigio_lock, flags);
			waitq_sleep(&work, &w);
			continue;
		}
		busy = list_entry(pending.next, struct sigio, link);
		list_del(&busy->link);
		busy->pending = false;
		spin_unlock_irqrestore(&sigio_lock, flags);
		notify(busy);
		flags = spin_lock_irqsave(&sigio_lock);
		busy = NULL;
		spin_unlock_irqrestore(&sigio_lock, flags);
	}
}

/* ---- watching ----------------------------------------------------------- */

/* In the waker's context: see the top of the file. */
static void hook_wake(struct waiter *w)
{
	struct sigio *s = poll_hook_owner(w);
	uint64_t flags = spin_lock_irqsave(&sigio_lock);
	bool first = !s->pending;

	if (first) {
		s->pending = true;
		list_add_tail(&pending, &s->link);
	}
	spin_unlock_irqrestore(&sigio_lock, flags);
	if (first)
		waitq_wake_all(&work);
}

/* The file goes (file.c): no callback may run or be listed after this. */
static void sigio_release(struct file *f)
{
	struct sigio *s = (struct sigio *)f->async;

	poll_hooks_remove(&s->hooks);
	uint64_t flags = spin_lock_irqsave(&sigio_lock);
	if (s->pending)
		list_del(&s->link);
	while (busy == s) {
		spin_unlock_irqrestore(&sigio_lock, flags);
		sched_yield();
		flags = spin_lock_irqsave(&sigio_lock);
	}
	spin_unlock_irqrestore(&sigio_lock, flags);
	kfree(s);
}

/* f's sigio, made on first use; NULL when out of memory. */
static struct sigio *sigio_of(struct file *f)
{
	struct file_async *none = NULL;
	struct sigio *s = (struct sigio *)__atomic_load_n(&f->async, __ATOMIC_ACQUIRE);

	if (s || !(s = kmalloc(sizeof *s)))
		return s;
	s->base.release = sigio_release;
	s->file = f;
	if (__atomic_compare_exchange_n(&f->async, &none, &s->base, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return s;
	kfree(s);
	return (struct sigio *)none;
}

static bool start_worker(void)
{
	if (__atomic_load_n(&worker_started, __ATOMIC_ACQUIRE))
		return true;
	if (__atomic_exchange_n(&worker_started, 1, __ATOMIC_ACQ_REL))
		return true;
	struct thread *t = thread_create("sigio", sigio_thread, NULL);
	if (t) {
		thread_start(t);
		return true;
	}
	__atomic_store_n(&worker_started, 0, __ATOMIC_RELEASE);
	return false;
}

/* Other files (regular files, eventfds ...) never signal, as Linux's
 * without a fasync op. */
int sigio_watch(struct file *f, int fd)
{
	struct sigio *s = f->ops->async ? sigio_of(f) : NULL;

	if (!f->ops->async)
		return 0;
	if (!s || !start_worker())
		return -ENOMEM;
	uint64_t flags = spin_lock_irqsave(&sigio_lock);
	bool first = !s->watched;
	s->watched = true;
	s->owner.fd = fd;
	spin_unlock_irqrestore(&sigio_lock, flags);
	if (!first)
		return 0;
	int error;
	poll_hooks_add(f, &s->hooks, hook_wake, s, &error);
	return error;
}

/* ---- out-of-band data ---------------------------------------------------- */

/* Linux's send_sigurg, then sk_wake_async(SOCK_WAKE_URG): SIGURG goes to
 * f's owner whether or not O_ASYNC is set; with O_ASYNC and a signal
 * chosen by F_SETSIG, that signal goes too with POLL_PRI (a plain SIGIO
 * is never sent for urgent data, as kill_fasync skips it for SIGURG). */
void sigio_urgent(struct file *f)
{
	struct sigio *s = (struct sigio *)__atomic_load_n(&f->async, __ATOMIC_ACQUIRE);

	if (!s)
		return;
	uint64_t flags = spin_lock_irqsave(&sigio_lock);
	struct owner o = s->owner;
	bool watched = s->watched;
	spin_unlock_irqrestore(&sigio_lock, flags);
	if (!o.id)
		return;
	struct linux_siginfo urg = { .signo = SIGURG, .code = SI_KERNEL };
	int id = o.type == F_OWNER_PGRP ? -o.id : o.id;
	signal_send_owner(id, o.type == F_OWNER_TID, o.from, SIGURG, &urg);
	if (watched && o.sig && (f->flags & O_ASYNC))
		send(&o, POLL_PRI);
}

/* ---- fcntl -------------------------------------------------------------- */

/* Linux's f_setown: the id must name a live process, thread or group.
 * The caller's ids are kept: they say whom the signals may reach. */
static long set_owner(struct file *f, int type, int id)
{
	struct sigio *s;

	if (id && !process_exists(id))
		return -ESRCH;
	if (!(s = sigio_of(f)))
		return -ENOMEM;
	uint64_t flags = spin_lock_irqsave(&sig_lock);	/* guards the ids */
	uint32_t uid = process_current()->cred.uid[0], euid = process_current()->cred.uid[1];
	spin_unlock_irqrestore(&sig_lock, flags);
	flags = spin_lock_irqsave(&sigio_lock);
	s->owner.type = type;
	s->owner.id = id;
	s->owner.from[0] = uid;
	s->owner.from[1] = euid;
	spin_unlock_irqrestore(&sigio_lock, flags);
	return 0;
}

static struct owner owner_of(struct file *f)
{
	struct sigio *s = (struct sigio *)__atomic_load_n(&f->async, __ATOMIC_ACQUIRE);
	struct owner o = { .type = F_OWNER_TID };

	if (s) {
		uint64_t flags = spin_lock_irqsave(&sigio_lock);
		o = s->owner;
		spin_unlock_irqrestore(&sigio_lock, flags);
	}
	return o;
}

static long set_owner_ex(struct file *f, uint64_t uarg)
{
	struct owner_ex ex;

	if (copy_from_user(&ex, uarg, sizeof ex))
		return -EFAULT;
	if (ex.type != F_OWNER_TID && ex.type != F_OWNER_PID && ex.type != F_OWNER_PGRP)
		return -EINVAL;
	return ex.pid < 0 ? -ESRCH : set_owner(f, ex.type, ex.pid);
}

static long get_owner_ex(struct file *f, uint64_t uarg)
{
	struct owner o = owner_of(f);
	struct owner_ex ex = { o.type, o.id };

	return copy_to_user(uarg, &ex, sizeof ex) ? -EFAULT : 0;
}

static long set_signal(struct file *f, uint64_t sig)
{
	struct sigio *s;

	if (sig > NSIG)
		return -EINVAL;
	if (!(s = sigio_of(f)))
		return -ENOMEM;
	uint64_t flags = spin_lock_irqsave(&sigio_lock);
	s->owner.sig = (int)sig;
	spin_unlock_irqrestore(&sigio_lock, flags);
	return 0;
}

long sigio_fcntl(struct file *f, int cmd, uint64_t arg)
{
	int id = (int)arg;
	struct owner o;

	switch (cmd) {
	case F_SETOWN:
		if (id == INT32_MIN)
			return -EINVAL;
		return set_owner(f, id < 0 ? F_OWNER_PGRP : F_OWNER_PID, id < 0 ? -id : id);
	case F_GETOWN:
		o = owner_of(f);
		return o.type == F_OWNER_PGRP ? -o.id : o.id;
	case F_SETOWN_EX:
		return set_owner_ex(f, arg);
	case F_GETOWN_EX:
		return get_owner_ex(f, arg);
	case F_SETSIG:
		return set_signal(f, arg);
	case F_GETSIG:
		return owner_of(f).sig;
	default:
		return -EINVAL;
	}
}
