/* A spinlock's wait: spin reading, try when it looks free, and now and then
 * let the lockup detector see how long this has taken, and answer a TLB
 * shoot-down the holder may be waiting for. */
#include "core/spinlock.h"

#include "core/watchdog.h"

void spin_lock_wait(struct spinlock *l)
{
	uint64_t since = 0;

	for (unsigned n = 1;; n++) {
		if (!__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			return;
		cpu_relax();
		if (n % 4096)
			continue;
		watchdog_lock_wait(l, &since);
		if (irq_enabled())
			arch_tlb_answer_if_asked();	/* the holder may be waiting for us */
	}
}
