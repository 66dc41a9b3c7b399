/* Time: the TSC counts, the PIT calibrates, the RTC gives the date. */
#ifndef AMPHI_ARCH_CLOCK_H
#define AMPHI_ARCH_CLOCK_H

#include <stdint.h>

/* Measures the TSC and the local APIC timer against the PIT (1 ms, from
 * clock_calibrate_start to clock_init, whatever runs in between) and
 * reads the wall-clock time from the CMOS RTC.  Boot CPU, once each; in
 * between, nothing may need the clock or the APIC timer. */
void clock_calibrate_start(void);
void clock_init(void);
uint64_t clock_tsc_hz(void);

/* The long measurement (clock.c says why): call it, then again every
 * 20 ms or so, from one thread, while it returns 1; at 0 it is done and
 * the clock runs at the refined rate.  The PIT is its own meanwhile. */
int clock_refine_step(void);

#endif
