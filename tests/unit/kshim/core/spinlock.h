/* Host stand-in for kernel/core/spinlock.h (see arch/x86_64/arch.h here):
 * single-threaded unit tests need the type, not the locking. */
#ifndef AMPHI_CORE_SPINLOCK_H
#define AMPHI_CORE_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	volatile int locked;
};

#define SPINLOCK_INIT { 0 }

static inline void spin_lock(struct spinlock *l) { l->locked = 1; }
static inline void spin_unlock(struct spinlock *l) { l->locked = 0; }

#endif
