/* sched_setattr and sched_getattr as Linux has them, one line per call,
 * run as an unprivileged user (the transcript's host ran it as uid 65534):
 * sizes, flags, the fair policies' nice values, what a user may not do. */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "call_result.h"

#define SCHED_BATCH	3
#define SCHED_IDLE	5
#define SCHED_DEADLINE	6
#define FLAG_RESET_ON_FORK 0x01
#define FLAG_KEEP_POLICY 0x08
#define FLAG_KEEP_PARAMS 0x10

struct attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
	uint8_t beyond[16];	/* past Linux's struct */
};

static long setattr(int pid, struct attr *a, unsigned flags) { return syscall(SYS_sched_setattr, pid, a, flags); }
static long getattr(int pid, struct attr *a, unsigned size, unsigned flags)
{
	return syscall(SYS_sched_getattr, pid, a, size, flags);
}

static void show(const char *what)
{
	struct attr a;

	memset(&a, 0xaa, sizeof a);
	long r = getattr(0, &a, 48, 0);
	/* runtime is the fair scheduler's slice, each kernel's own */
	printf("%s: getattr %s size %u policy %u flags 0x%llx nice %d prio %u deadline %llu, "
	       "getscheduler 0x%lx getpriority %d\n", what, res(r), a.size, a.policy,
	       (unsigned long long)a.flags, a.nice, a.priority, (unsigned long long)a.deadline,
	       syscall(SYS_sched_getscheduler, 0), getpriority(PRIO_PROCESS, 0));
}

static struct attr fair(uint32_t policy, int nice)
{
	return (struct attr){ .size = 48, .policy = policy, .nice = nice };
}

int main(void)
{
	struct attr a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	show("start");
	memset(&a, 0, sizeof a);
	printf("getattr size 47: %s\n", res(getattr(0, &a, 47, 0)));
	printf("getattr size 4097: %s\n", res(getattr(0, &a, 4097, 0)));
	printf("getattr flags 1: %s\n", res(getattr(0, &a, 48, 1)));
	printf("getattr pid -1: %s\n", res(getattr(-1, &a, 48, 0)));
	printf("getattr no such pid: %s\n", res(getattr(99999, &a, 48, 0)));
	printf("getattr NULL: %s\n", res(getattr(0, NULL, 48, 0)));
	printf("getattr bad pointer: %s\n", res(getattr(0, (void *)8, 48, 0)));
	memset(&a, 0xaa, sizeof a);
	long r = getattr(0, &a, sizeof a, 0);
	printf("getattr size %zu: %s size %u beyond untouched %d\n", sizeof a, res(r), a.size,
	       a.beyond[0] == 0xaa);

	a = fair(SCHED_OTHER, 5);
	printf("setattr nice 5: %s\n", res(setattr(0, &a, 0)));
	show("nice 5");
	a = fair(SCHED_OTHER, 2);
	printf("setattr nice 2 (lower): %s\n", res(setattr(0, &a, 0)));
	a = fair(SCHED_OTHER, 30);
	printf("setattr nice 30 (clamped): %s\n", res(setattr(0, &a, 0)));
	show("nice 30");
	a = fair(SCHED_BATCH, 19);
	printf("setattr batch: %s\n", res(setattr(0, &a, 0)));
	show("batch");
	a = fair(SCHED_IDLE, 19);
	printf("setattr idle: %s\n", res(setattr(0, &a, 0)));
	show("idle");
	a = fair(SCHED_OTHER, 19);
	printf("setattr out of idle: %s\n", res(setattr(0, &a, 0)));

	a = fair(SCHED_FIFO, 0);
	a.priority = 10;
	printf("setattr fifo 10: %s\n", res(setattr(0, &a, 0)));
	a.priority = 0;
	printf("setattr fifo 0: %s\n", res(setattr(0, &a, 0)));
	a = fair(SCHED_OTHER, 19);
	a.priority = 1;
	printf("setattr other prio 1: %s\n", res(setattr(0, &a, 0)));
	a = fair(SCHED_DEADLINE, 0);
	a.runtime = 10000000;
	a.deadline = a.period = 30000000;
	printf("setattr deadline: %s\n", res(setattr(0, &a, 0)));
	a.runtime = 50000000;
	printf("setattr deadline runtime > deadline: %s\n", res(setattr(0, &a, 0)));
	a = fair(7, 0);
	printf("setattr policy 7: %s\n", res(setattr(0, &a, 0)));
	a = fair(-1u, 0);
	printf("setattr policy -1: %s\n", res(setattr(0, &a, 0)));
	a = fair(SCHED_IDLE, 19);
	a.flags = 0x100;
	printf("setattr unknown flag: %s\n", res(setattr(0, &a, 0)));
	a = fair(SCHED_IDLE, 19);
	printf("setattr flags argument 1: %s\n", res(setattr(0, &a, 1)));
	printf("setattr pid -1: %s\n", res(setattr(-1, &a, 0)));
	printf("setattr no such pid: %s\n", res(setattr(99999, &a, 0)));
	printf("setattr NULL: %s\n", res(setattr(0, NULL, 0)));
	a.size = 20;
	r = setattr(0, &a, 0);
	printf("setattr size 20: %s size now %u\n", res(r), a.size);
	a = fair(SCHED_IDLE, 19);
	a.size = 0;
	printf("setattr size 0: %s\n", res(setattr(0, &a, 0)));
	a = fair(SCHED_IDLE, 19);
	a.size = sizeof a;
	printf("setattr size %zu, zero tail: %s\n", sizeof a, res(setattr(0, &a, 0)));
	a.beyond[3] = 1;
	r = setattr(0, &a, 0);
	printf("setattr size %zu, tail not zero: %s size now %u\n", sizeof a, res(r), a.size);
	a = fair(SCHED_IDLE, 19);
	a.size = 8192;
	r = setattr(0, &a, 0);
	printf("setattr size 8192: %s size now %u\n", res(r), a.size);
	a = fair(SCHED_IDLE, 19);
	a.flags = FLAG_RESET_ON_FORK;
	printf("setattr reset on fork: %s\n", res(setattr(0, &a, 0)));
	show("reset on fork");
	a = fair(SCHED_BATCH, 0);
	a.flags = FLAG_KEEP_POLICY | FLAG_KEEP_PARAMS | FLAG_RESET_ON_FORK;
	printf("setattr keep both: %s\n", res(setattr(0, &a, 0)));
	show("kept");
	a = fair(SCHED_IDLE, 19);
	printf("setattr drop reset on fork: %s\n", res(setattr(0, &a, 0)));
	show("end");
	return 0;
}
