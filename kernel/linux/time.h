/* Time as programs see it. */
#ifndef AMPHI_LINUX_TIME_H
#define AMPHI_LINUX_TIME_H

#include <stdint.h>

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* Reads a struct timespec from user memory as nanoseconds: -EFAULT, or
 * -EINVAL for a negative or unnormalized one.  Spans past about 146 years
 * are capped at 2^62 ns, so adding one to clock_ns() cannot wrap. */
long timespec_read_ns(uint64_t uts, uint64_t *ns);

/* CPU-time clocks (cpu_clock.c), any context: process p's (tid 0) or
 * its thread tid's time used, in ns, or CPU_CLOCK_GONE when that thread
 * is no longer p's.  And the wall-clock ns after which a timer on the
 * clock, now at now, looks again for its deadline. */
#define CPU_CLOCK_GONE	UINT64_MAX
struct process;
uint64_t cpu_clock_now(struct process *p, int tid);
uint64_t cpu_clock_wait(int tid, uint64_t now, uint64_t deadline);

/* settimeofday's timezone, as gettimeofday reports it (sys_clock_set.c). */
void time_zone(int32_t tz[2]);

/* Wall-clock time = clock_ns() + this. */
uint64_t time_realtime_offset_ns(void);

#endif
