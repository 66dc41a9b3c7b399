/* Sleeping reader-writer locks: any number of readers together, or one
 * writer.  A file's data lock is one: reads of one file run side by side
 * (32 threads reading one ext4 file kept one request in flight, each
 * read waiting for the previous one's disk I/O), while a write, a
 * truncation or an fsync has the file to itself.
 *
 * Fair both ways: a waiting writer holds back new readers, so reads
 * cannot starve it; and when a writer lets go, the readers waiting then
 * all go first (a "reader phase"), so a queue of writers cannot starve
 * them.  A writer is woken alone, never the whole queue.  Not for
 * interrupt handlers; waiting is not interruptible. */
#ifndef AMPHI_CORE_RWMUTEX_H
#define AMPHI_CORE_RWMUTEX_H

#include <stdbool.h>

#include "core/spinlock.h"
#include "core/waitq.h"

struct rwmutex {
	struct spinlock lock;	/* guards what follows */
	int readers;		/* holding it */
	bool writer;		/* holding it */
	bool reader_phase;	/* readers woken by a writer's release go first */
	int readers_waiting, writers_waiting;
	struct waitq read_wq, write_wq;
};

void rwmutex_init(struct rwmutex *m);
void rwmutex_read_lock(struct rwmutex *m);
void rwmutex_read_unlock(struct rwmutex *m);
void rwmutex_write_lock(struct rwmutex *m);
void rwmutex_write_unlock(struct rwmutex *m);

#endif
