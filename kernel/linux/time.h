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

/* Wall-clock time = clock_ns() + this. */
uint64_t time_realtime_offset_ns(void);

#endif
