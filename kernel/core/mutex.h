/* Sleeping locks (the file system's, lwIP's): a thread that finds the lock
 * taken spins for a while if the holder is running on another CPU, then
 * sleeps on a wait queue, so a holder may copy to or from user memory
 * (which may fault pages in) for as long as that takes.  Not for interrupt
 * handlers.  Waiting for a mutex is not interruptible: holders only run
 * short, non-blocking critical sections.  Not fair as a rule (the running
 * thread that asks first wins, which keeps lock hand-overs cheap), but a
 * waiter starved for a millisecond is handed the lock at the next unlock. */
#ifndef AMPHI_CORE_MUTEX_H
#define AMPHI_CORE_MUTEX_H

#include <stdbool.h>

#include "core/spinlock.h"
#include "core/waitq.h"

struct thread;

struct mutex {
	struct spinlock lock;		/* guards held, waiters, owner, heir */
	volatile bool held;
	int waiters;
	struct thread *volatile owner;	/* who holds it, and on which CPU it took it */
	int owner_cpu;
	struct waiter *heir;		/* a starved waiter: the next unlock hands m to it */
	struct waitq wq;
};

#define MUTEX_INIT(name) { SPINLOCK_INIT, false, 0, NULL, 0, NULL, WAITQ_INIT((name).wq) }

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);	/* takes m if free, without waiting */
void mutex_unlock(struct mutex *m);

#endif
