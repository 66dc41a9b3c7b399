/* Hooks are allocated in chunks; a poll of a few files needs one. */
#include "fs/poller.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "fs/file.h"
#include "fs/wait.h"

#define HOOKS_PER_CHUNK	32
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

struct poll_hook {
	struct waiter w;	/* on wq, with w.wake = hook_wake */
	struct waitq *wq;
	struct file *file;	/* referenced: owns wq */
	struct poller *poller;
};

struct poll_chunk {
	struct poll_chunk *next;
	int used;
	struct poll_hook hooks[HOOKS_PER_CHUNK];
};

/* In the waker's context: interrupts maybe off, wq->lock held. */
static void hook_wake(struct waiter *w)
{
	struct poller *p = container_of(w, struct poll_hook, w)->poller;

	/* Set before sched_wake's atomic, which poller_sleep pairs with. */
	__atomic_store_n(&p->triggered, 1, __ATOMIC_SEQ_CST);
	sched_wake(p->thread);
}

static struct poll_hook *hook_alloc(struct poller *p)
{
	struct poll_chunk *c = p->chunks;

	if (!c || c->used == HOOKS_PER_CHUNK) {
		c = kmalloc(sizeof *c);
		if (!c)
			return NULL;
		c->next = p->chunks;
		p->chunks = c;
	}
	return &c->hooks[c->used++];
}

static void hook_queue(struct poll_table *pt, struct waitq *wq)
{
	struct poller *p = container_of(pt, struct poller, pt);
	struct poll_hook *h = hook_alloc(p);

	if (!h) {
		p->error = -ENOMEM;
		return;
	}
	h->w.thread = p->thread;
	h->w.wake = hook_wake;
	h->wq = wq;
	h->file = p->file;
	h->poller = p;
	file_get(h->file);
	waitq_add(wq, &h->w);
}

void poller_init(struct poller *p)
{
	*p = (struct poller){ .pt.queue = hook_queue, .thread = current() };
}

void poller_arm(struct poller *p) { __atomic_store_n(&p->triggered, 0, __ATOMIC_SEQ_CST); }

unsigned poller_poll_file(struct poller *p, struct file *f, bool hook)
{
	if (!f->ops->poll)
		return DEFAULT_POLLMASK;
	p->file = f;
	return f->ops->poll(f, hook ? &p->pt : NULL);
}

void poller_sleep(struct poller *p, uint64_t deadline)
{
	current()->state = THREAD_BLOCKED;
	/* Orders the state store before the triggered load; a hook does the
	 * opposite, so either it wakes us or we see its mark. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->triggered, __ATOMIC_SEQ_CST))
		sched_wake(current());
	wait_block(deadline);
}

void poller_done(struct poller *p)
{
	while (p->chunks) {
		struct poll_chunk *c = p->chunks;
		for (int i = 0; i < c->used; i++) {
			waitq_remove(c->hooks[i].wq, &c->hooks[i].w);
			file_put(c->hooks[i].file);
		}
		p->chunks = c->next;
		kfree(c);
	}
}
