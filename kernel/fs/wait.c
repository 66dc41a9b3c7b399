#include "fs/wait.h"

#include "core/sched.h"

/* The sender of a signal sets `signalled`, then wakes the thread; if that
 * happened while we were still RUNNING the wake-up did nothing.  Now that we
 * are BLOCKED, look again (the fence orders our state store before this
 * load) and wake ourselves: the sleep then returns at once. */
static void recheck_signal(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (thread_signalled())
		sched_wake(current());
}

void wait_sleep(struct waitq *wq, struct waiter *w, uint64_t deadline)
{
	recheck_signal();
	waitq_sleep_until(wq, w, deadline);
}

void wait_block(uint64_t deadline)
{
	recheck_signal();
	if (deadline)
		sched_block_until(deadline);
	else
		sched_yield_blocked();
}
