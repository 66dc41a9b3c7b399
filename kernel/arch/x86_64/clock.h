/* Time: the TSC counts, the PIT calibrates, the RTC gives the date. */
#ifndef AMPHI_ARCH_CLOCK_H
#define AMPHI_ARCH_CLOCK_H

#include <stdint.h>

/* Measures the TSC and the local APIC timer against the PIT (10 ms) and
 * reads the wall-clock time from the CMOS RTC.  Boot CPU, once. */
void clock_init(void);
uint64_t clock_tsc_hz(void);

#endif
