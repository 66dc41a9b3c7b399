/* sched_setattr and sched_getattr at their edges, against Linux 6.18 (run
 * as uid 65534): a refused utilization clamp changes nothing, E2BIG is the
 * answer even when the size cannot be written back, and the flags
 * arguments are 32 bits wide (unsigned int), the upper half of the
 * register ignored. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "call_result.h"

#define SCHED_BATCH		3
#define FLAG_UTIL_CLAMP_MIN	0x20

struct attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static long setattr(int pid, void *a, unsigned long flags) { return syscall(SYS_sched_setattr, pid, a, flags); }

int main(void)
{
	struct attr a = { .size = sizeof a, .policy = SCHED_BATCH, .flags = FLAG_UTIL_CLAMP_MIN };
	long r = setattr(0, &a, 0);

	/* without CONFIG_UCLAMP_TASK: EOPNOTSUPP and the policy as it was;
	 * with it: 0 and SCHED_BATCH */
	printf("setattr batch with a clamp: %s, policy now %ld\n", res(r), (long)syscall(SYS_sched_getscheduler, 0));
	if (r == 0) {
		struct attr o = { .size = sizeof o };
		setattr(0, &o, 0);
	}

	struct attr *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(ro, 0, 4096);
	ro->size = 4097;
	mprotect(ro, 4096, PROT_READ);
	printf("setattr size 4097, read-only: %s, size %u\n", res(setattr(0, ro, 0)), ro->size);
	munmap(ro, 4096);

	struct attr b = { .size = sizeof b, .nice = 1 };
	printf("setattr flags argument 1 << 32: %s\n", res(setattr(0, &b, 1ul << 32)));
	printf("setattr flags argument 1 << 32 | 1: %s\n", res(setattr(0, &b, 1ul << 32 | 1)));
	memset(&b, 0xff, sizeof b);
	r = syscall(SYS_sched_getattr, 0, &b, sizeof b, 1ul << 32);
	printf("getattr flags argument 1 << 32: %s, size %u nice %d\n", res(r), b.size, b.nice);
	r = syscall(SYS_sched_getattr, 0, &b, sizeof b, 1ul << 32 | 1);
	printf("getattr flags argument 1 << 32 | 1: %s\n", res(r));
	return 0;
}
