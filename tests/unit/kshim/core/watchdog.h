/* Host stand-in for kernel/core/watchdog.h: no lockup detector. */
#ifndef AMPHI_CORE_WATCHDOG_H
#define AMPHI_CORE_WATCHDOG_H

static inline void watchdog_progress(void) {}

#endif
