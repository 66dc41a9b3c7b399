#include "core/waitq.h"

#include "core/sched.h"

void waitq_init(struct waitq *wq)
{
	wq->lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&wq->waiters);
}

void waitq_prepare(struct waitq *wq, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	w->thread = current();
	w->wake = NULL;
	list_add_tail(&wq->waiters, &w->link);
	current()->state = THREAD_BLOCKED;
	spin_unlock_irqrestore(&wq->lock, flags);
}

static void finish(struct waitq *wq, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	list_del(&w->link);	/* a no-op if the waker already took it off */
	spin_unlock_irqrestore(&wq->lock, flags);
}

void waitq_sleep(struct waitq *wq, struct waiter *w)
{
	sched_yield_blocked();
	finish(wq, w);
}

void waitq_sleep_until(struct waitq *wq, struct waiter *w, uint64_t deadline)
{
	if (deadline)
		sched_block_until(deadline);
	else
		sched_yield_blocked();
	finish(wq, w);
}

void waitq_sleep_interruptible(struct waitq *wq, struct waiter *w, uint64_t deadline)
{
	sched_block_interruptible(deadline);
	finish(wq, w);
}

void waitq_wake_all(struct waitq *wq)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);
	struct list *l, *n;

	list_for_each_safe(l, n, &wq->waiters) {
		struct waiter *w = list_entry(l, struct waiter, link);
		if (w->wake) {
			w->wake(w);
			continue;
		}
		list_del(&w->link);
		sched_wake(w->thread);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

void waitq_wake_one(struct waitq *wq)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	if (!list_empty(&wq->waiters)) {
		struct waiter *w = list_entry(wq->waiters.next, struct waiter, link);
		list_del(&w->link);
		sched_wake(w->thread);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

void waitq_wake_waiter(struct waitq *wq, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	if (!list_empty(&w->link)) {
		list_del(&w->link);
		sched_wake(w->thread);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

void waitq_add(struct waitq *wq, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	list_add_tail(&wq->waiters, &w->link);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void waitq_remove(struct waitq *wq, struct waiter *w) { finish(wq, w); }
