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

/* Wall-clock time = clock_ns() + this. */
uint64_t time_realtime_offset_ns(void);

#endif
