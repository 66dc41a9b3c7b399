/* Symbolized stack backtraces for panics and kernel faults. */
#ifndef AMPHI_CORE_BACKTRACE_H
#define AMPHI_CORE_BACKTRACE_H

#include <stdint.h>

/* Name of the function containing addr, with the offset into it; NULL when
 * the address is outside the kernel's text. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* Prints the frames of the stack whose frame pointer is rbp. */
void backtrace_print(uint64_t rbp);

#endif
