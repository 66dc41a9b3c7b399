/* How a file's poll op tells poll/select/epoll where to wait. */
#ifndef AMPHI_FS_POLL_H
#define AMPHI_FS_POLL_H

#include "core/waitq.h"

struct poll_table {
	/* Called for each wait queue whose wake-ups may change the file's
	 * readiness; the table's owner hooks a callback waiter onto it. */
	void (*queue)(struct poll_table *pt, struct waitq *wq);
};

static inline void poll_wait(struct poll_table *pt, struct waitq *wq)
{
	if (pt)
		pt->queue(pt, wq);
}

#endif
