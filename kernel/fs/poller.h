/* Waiting on many files at once, for poll and select.
 *
 * A poller's first scan calls each file's poll op with its poll_table,
 * which hooks a callback waiter onto every wait queue the op names (each
 * hook holds a reference to its file, so the queue outlives it).  Any
 * wake-up on any of those queues marks the poller and wakes its thread.  The
 * loop:
 *
 *	poller_init(&p);
 *	for (first = true;; first = false) {
 *		poller_arm(&p);			before looking at any file
 *		... poller_poll_file(&p, f, first) for each file ...
 *		if (found, or timed out, or thread_signalled(), or p.error) break;
 *		poller_sleep(&p, deadline);
 *	}
 *	poller_done(&p);			unhooks everything */
#ifndef AMPHI_FS_POLLER_H
#define AMPHI_FS_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/poll.h"

struct file;
struct thread;
struct poll_chunk;

struct poller {
	struct poll_table pt;
	struct thread *thread;
	volatile int triggered;		/* a hooked queue was woken since poller_arm */
	struct file *file;		/* whose poll op runs now */
	struct poll_chunk *chunks;	/* the hooks */
	int error;			/* -ENOMEM: a hook could not be made */
};

void poller_init(struct poller *p);
void poller_arm(struct poller *p);
/* f's ready events (POLL*); with hook set, also hooks onto its queues.
 * Files without a poll op are always ready to read and write. */
unsigned poller_poll_file(struct poller *p, struct file *f, bool hook);
/* Sleeps until a hooked queue is woken (since poller_arm), deadline
 * (clock_ns(); 0 for none) passes, or a signal is pending. */
void poller_sleep(struct poller *p, uint64_t deadline);
void poller_done(struct poller *p);

#endif
