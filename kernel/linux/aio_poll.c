/* IOCB_CMD_POLL: a request that completes when its file is ready.
 *
 * It watches the file as epoll does, through callback waiters (fs/
 * poll_hooks.h).  A callback runs in the waker's context, so it only
 * queues the request for the "aio" kernel thread, which asks the file
 * again and, when it is ready (or the request was cancelled), takes the
 * hooks off and posts the event.  Only that thread finishes a request
 * that waited, so a cancel (io_cancel, the context's end) never races
 * with its completion: it marks the request and queues it likewise, and
 * the event then says 0 (no events), as Linux's does. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/waitq.h"
#include "fs/file.h"
#include "fs/poll_hooks.h"
#include "linux/aio.h"
#include "linux/aio_internal.h"

#define POLL_DEFAULT	(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)	/* a file without poll */

struct poll_req {
	struct aio_req r;
	struct aio_pending pending;	/* io_cancel finds it here */
	unsigned events;		/* asked for, with POLLERR and POLLHUP */
	struct poll_hook *hooks;
	/* Under work_lock: */
	bool cancelled;
	bool queued;			/* on work */
	bool held;			/* its submitter is still setting it up */
	bool wanted;			/* woken or cancelled meanwhile: queue it after */
	struct list work_link;
};

static struct spinlock work_lock = SPINLOCK_INIT;	/* interrupts off: callbacks take it */
static struct list work = LIST_INIT(work);
static struct waitq work_wait = WAITQ_INIT(work_wait);
static struct thread *worker;	/* made by the first poll that waits */

/* Caller holds work_lock. */
static void queue(struct poll_req *p)
{
	if (p->held) {
		p->wanted = true;
	} else if (!p->queued) {
		p->queued = true;
		list_add_tail(&work, &p->work_link);
	}
}

static void queue_locked(struct poll_req *p)
{
	uint64_t flags = spin_lock_irqsave(&work_lock);

	queue(p);
	spin_unlock_irqrestore(&work_lock, flags);
	waitq_wake_all(&work_wait);
}

/* A queue the file named was woken (the waker's context). */
static void poll_wake(struct waiter *w) { queue_locked(poll_hook_owner(w)); }

/* Called by aio.c with ctx->lock held: mark and hand to the thread. */
static void poll_cancel(struct aio_pending *pending)
{
	struct poll_req *p = container_of(pending, struct poll_req, pending);
	uint64_t flags = spin_lock_irqsave(&work_lock);

	p->cancelled = true;
	queue(p);
	spin_unlock_irqrestore(&work_lock, flags);
	waitq_wake_all(&work_wait);
}

static unsigned file_events(struct file *f)
{
	return f->ops->poll ? f->ops->poll(f, NULL) : POLL_DEFAULT;
}

/* Done: off the cancellable list (if still there), the hooks gone (no
 * callback can queue it after), off the queue, the event posted. */
static void finish(struct poll_req *p, unsigned mask)
{
	aio_pending_del(p->r.ctx, &p->pending);
	poll_hooks_remove(&p->hooks);
	uint64_t flags = spin_lock_irqsave(&work_lock);
	if (p->queued) {
		list_del(&p->work_link);
		p->queued = false;
	}
	spin_unlock_irqrestore(&work_lock, flags);
	aio_req_finish(&p->r, mask);
	kfree(p);
}

/* One request off the queue: finished, or left to wait for its hooks. */
static void look(struct poll_req *p)
{
	uint64_t flags = spin_lock_irqsave(&work_lock);
	bool cancelled = p->cancelled;
	spin_unlock_irqrestore(&work_lock, flags);
	unsigned mask = cancelled ? 0 : file_events(p->r.file) & p->events;

	if (mask || cancelled)
		finish(p, mask);
}

static struct poll_req *next_request(void)
{
	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&work_lock);
		if (!list_empty(&work)) {
			struct poll_req *p = list_entry(work.next, struct poll_req, work_link);
			list_del(&p->work_link);
			p->queued = false;
			spin_unlock_irqrestore(&work_lock, flags);
			return p;
		}
		waitq_prepare(&work_wait, &w);
		spin_unlock_irqrestore(&work_lock, flags);
		waitq_sleep(&work_wait, &w);
	}
}

static void worker_main(void *arg)
{
	(void)arg;
	for (;;)
		look(next_request());
}

/* The thread, made once: -ENOMEM if it cannot be. */
static long worker_start(void)
{
	static struct spinlock start_lock = SPINLOCK_INIT;
	struct thread *t = NULL;

	if (__atomic_load_n(&worker, __ATOMIC_ACQUIRE))
		return 0;
	spin_lock(&start_lock);
	if (!worker && (t = thread_create("aio", worker_main, NULL)))
		__atomic_store_n(&worker, t, __ATOMIC_RELEASE);
	spin_unlock(&start_lock);
	if (t)
		thread_start(t);
	return __atomic_load_n(&worker, __ATOMIC_ACQUIRE) ? 0 : -ENOMEM;
}

/* The submitter's part done: from now on the thread finishes it. */
static void let_go(struct poll_req *p, bool dead)
{
	uint64_t flags = spin_lock_irqsave(&work_lock);

	p->held = false;
	p->cancelled |= dead;
	if (p->wanted || p->cancelled)
		queue(p);
	spin_unlock_irqrestore(&work_lock, flags);
	waitq_wake_all(&work_wait);
}

long aio_poll_submit(const struct aio_req *r, uint64_t events)
{
	struct poll_req *p;
	int err = 0;

	if (worker_start() || !(p = kmalloc_program(sizeof *p)))
		return -ENOMEM;
	*p = (struct poll_req){ .r = *r, .events = (unsigned)events | POLLERR | POLLHUP, .held = true };
	p->pending = (struct aio_pending){ .obj = r->obj, .cancel = poll_cancel };
	list_init(&p->pending.link);
	list_init(&p->work_link);
	/* on the list first, so io_cancel can find it once io_submit returns;
	 * while held, a wake-up or a cancel is only noted */
	bool dead = !aio_pending_add(r->ctx, &p->pending);
	unsigned mask = (r->file->ops->poll ? poll_hooks_add(r->file, &p->hooks, poll_wake, p, &err)
					    : POLL_DEFAULT) & p->events;
	if (err && !mask) {
		aio_pending_del(r->ctx, &p->pending);
		poll_hooks_remove(&p->hooks);
		kfree(p);
		return err;
	}
	if (mask)
		finish(p, mask);
	else
		let_go(p, dead);
	return 0;
}
