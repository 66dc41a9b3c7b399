/* Wait queues: threads sleeping until an event.  Two-phase, so the event
 * cannot slip in between checking for it and sleeping:
 *
 *	lock what the event changes; if (!ready) waitq_prepare(&wq, &w);
 *	unlock; waitq_sleep(&wq, &w);   then check again.
 *
 * The event's side changes its state under the same lock, drops it, then
 * calls waitq_wake_all().  Safe from interrupt handlers. */
#ifndef AMPHI_CORE_WAITQ_H
#define AMPHI_CORE_WAITQ_H

#include <stdint.h>

#include "core/list.h"
#include "core/spinlock.h"

struct thread;

struct waitq {
	struct spinlock lock;	/* guards waiters */
	struct list waiters;
};

struct waiter {
	struct list link;
	struct thread *thread;
	/* With wake set, waking calls it (in the waker's context, interrupts
	 * possibly off, wq->lock held) and leaves the entry queued: poll and
	 * epoll watch files this way.  Without, the thread is woken and the
	 * entry taken off. */
	void (*wake)(struct waiter *w);
};

#define WAITQ_INIT(name) { SPINLOCK_INIT, LIST_INIT((name).waiters) }

void waitq_init(struct waitq *wq);
void waitq_prepare(struct waitq *wq, struct waiter *w);
/* Sleeps until woken or, with a non-zero deadline (clock_ns()), until then. */
void waitq_sleep(struct waitq *wq, struct waiter *w);
void waitq_sleep_until(struct waitq *wq, struct waiter *w, uint64_t deadline);
/* The same, also ended by a signal (sched_block_interruptible). */
void waitq_sleep_interruptible(struct waitq *wq, struct waiter *w, uint64_t deadline);
void waitq_wake_all(struct waitq *wq);
/* Wakes the thread that has waited longest, if any (for queues without
 * callback entries): where only one waiter can go on, as with a lock, the
 * rest would only wake to sleep again. */
void waitq_wake_one(struct waitq *wq);
/* Wakes w's thread, if w is still queued. */
void waitq_wake_waiter(struct waitq *wq, struct waiter *w);

/* Callback entries (w->wake set): stay queued until removed. */
void waitq_add(struct waitq *wq, struct waiter *w);
void waitq_remove(struct waitq *wq, struct waiter *w);

#endif
