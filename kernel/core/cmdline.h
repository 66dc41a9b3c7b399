/* Numbers from the kernel's command line ("amphi.watchdog=3"). */
#ifndef AMPHI_CORE_CMDLINE_H
#define AMPHI_CORE_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

/* The decimal number after key (which ends in '='), read while it is below
 * max (so at most max * 10): true, or false when key is absent. */
bool cmdline_number(const char *cmdline, const char *key, uint64_t max, uint64_t *value);

#endif
