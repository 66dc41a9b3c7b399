/* One-shot timers on each CPU's local APIC timer. */
#ifndef AMPHI_CORE_TIMER_H
#define AMPHI_CORE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"
#include "core/list.h"

struct timer {
	struct list link;
	uint64_t deadline;		/* clock_ns() */
	void (*fn)(struct timer *t);	/* runs in interrupt context */
	int cpu;
	volatile bool armed, running;
};

/* Arms t on the calling CPU; fn runs once deadline has passed. */
void timer_arm(struct timer *t, uint64_t deadline);
/* Disarms t and waits for a running fn to finish, so t may be freed after. */
void timer_cancel(struct timer *t);
void timer_interrupt(void);
/* Programs the local APIC timer for the next timer or time-slice end. */
void timer_reprogram(void);

static inline uint64_t clock_ns(void) { return arch_clock_ns(); }

/* The wall clock = clock_ns() + this: the host's time at boot, moved by
 * clock_set_realtime.  Setting it to ns since the epoch refuses (false)
 * a time before the boot, as Linux does, so this never goes negative. */
uint64_t clock_realtime_offset_ns(void);
bool clock_set_realtime(uint64_t ns);

#endif
