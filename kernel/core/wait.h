/* Interruptible sleeps for blocking operations (pipes, sockets, eventfd,
 * timerfd, epoll, wait4).  The loop around one:
 *
 *	for (;;) {
 *		lock; if (ready) { take it; unlock; return n; }
 *		if (nonblock) { unlock; return -EAGAIN; }
 *		if (thread_signalled()) { unlock; return -ERESTARTSYS; }
 *		waitq_prepare(&wq, &w); unlock;
 *		wait_sleep(&wq, &w, deadline);
 *	}
 *
 * The readiness check comes before the signal check, as on Linux: data that
 * arrived together with a signal is returned, and the signal handled after. */
#ifndef AMPHI_CORE_WAIT_H
#define AMPHI_CORE_WAIT_H

#include <stdint.h>

#include "core/sched.h"
#include "core/waitq.h"

/* The second phase after waitq_prepare(): until woken, deadline (clock_ns();
 * 0 for none) or a signal. */
static inline void wait_sleep(struct waitq *wq, struct waiter *w, uint64_t deadline)
{
	waitq_sleep_interruptible(wq, w, deadline);
}

/* The same for a caller that set current()->state = THREAD_BLOCKED itself
 * (poll, select: callbacks on many queues wake it). */
static inline void wait_block(uint64_t deadline) { sched_block_interruptible(deadline); }

#endif
