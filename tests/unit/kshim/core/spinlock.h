/* Host stand-in for kernel/core/spinlock.h: one thread, so a lock only
 * checks it is not taken twice or dropped when free. */
#ifndef AMPHI_CORE_SPINLOCK_H
#define AMPHI_CORE_SPINLOCK_H

#include <assert.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"

struct spinlock {
	int locked;
};

#define SPINLOCK_INIT { 0 }

static inline void spin_lock(struct spinlock *l) { assert(!l->locked); l->locked = 1; }
static inline void spin_unlock(struct spinlock *l) { assert(l->locked); l->locked = 0; }
static inline uint64_t spin_lock_irqsave(struct spinlock *l) { spin_lock(l); return 0; }
static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t f) { (void)f; spin_unlock(l); }

#endif
