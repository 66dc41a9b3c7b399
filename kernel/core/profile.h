/* A sampling profiler for finding where the guest's time goes.
 *
 * With "amphi.profile" on the kernel command line, every CPU takes a
 * sample of the interrupted instruction every PROFILE_PERIOD_NS, and when
 * the VM ends the kernel log lists the functions most often caught, kernel
 * and program alike.  Under TCG the host's perf sees only QEMU's generated
 * code; this sees the guest's own addresses.  Off, it costs one branch per
 * timer interrupt. */
#ifndef AMPHI_CORE_PROFILE_H
#define AMPHI_CORE_PROFILE_H

#include <stdint.h>

void profile_init(const char *cmdline);
/* From the timer interrupt: rip (kernel or program) was interrupted. */
void profile_sample(uint64_t rip);
/* Prints the report (nothing when not profiling). */
void profile_report(void);

#endif
