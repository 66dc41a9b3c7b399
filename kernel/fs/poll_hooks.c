/* Callback waiters on a file's wait queues (poll_hooks.h). */
#include "fs/poll_hooks.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "fs/file.h"
#include "fs/poll.h"

struct hook_table {
	struct poll_table pt;
	struct poll_hook **list;
	void (*wake)(struct waiter *w);
	void *owner;
	int error;
};

static void hook_queue(struct poll_table *pt, struct waitq *wq)
{
	struct hook_table *t = container_of(pt, struct hook_table, pt);
	struct poll_hook *h = kmalloc(sizeof *h);

	if (!h) {
		t->error = -ENOMEM;
		return;
	}
	h->w.thread = NULL;
	h->w.wake = t->wake;
	h->wq = wq;
	h->owner = t->owner;
	h->next = *t->list;
	*t->list = h;
	waitq_add(wq, &h->w);
}

unsigned poll_hooks_add(struct file *f, struct poll_hook **list, void (*wake)(struct waiter *w),
			void *owner, int *error)
{
	struct hook_table t = { { hook_queue }, list, wake, owner, 0 };
	unsigned ev = f->ops->poll(f, &t.pt);

	*error = t.error;
	return ev;
}

void poll_hooks_remove(struct poll_hook **list)
{
	while (*list) {
		struct poll_hook *h = *list;
		waitq_remove(h->wq, &h->w);
		*list = h->next;
		kfree(h);
	}
}
