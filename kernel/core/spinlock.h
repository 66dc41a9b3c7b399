/* Spinlocks.  spin_lock_irqsave() is for locks also taken in interrupt
 * handlers; plain spin_lock() leaves interrupts as they are, so a CPU waiting
 * on it can still take a TLB shoot-down IPI.  A waiter that waits too long
 * reports a lockup (spinlock.c, core/watchdog.h). */
#ifndef AMPHI_CORE_SPINLOCK_H
#define AMPHI_CORE_SPINLOCK_H

#include <stdint.h>

#include "arch/x86_64/arch.h"

struct spinlock {
	volatile uint32_t locked;
};

#define SPINLOCK_INIT { 0 }

/* The wait, out of line: spinlock.c. */
void spin_lock_wait(struct spinlock *l);

static inline void spin_lock(struct spinlock *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		spin_lock_wait(l);
}

static inline int spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = irq_save();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	irq_restore(flags);
}

static inline int spin_is_locked(const struct spinlock *l) { return l->locked; }

#endif
