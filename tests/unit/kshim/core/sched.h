/* Host stand-in for kernel/core/sched.h: the CPU a unit test says it runs
 * on (test_cpu), and how many there are; one thread, so nothing to yield
 * to. */
#ifndef AMPHI_CORE_SCHED_H
#define AMPHI_CORE_SCHED_H

#define MAX_CPUS	64

struct cpu {
	int id;
};

extern struct cpu *test_cpu;
extern int ncpus;

static inline struct cpu *this_cpu(void) { return test_cpu; }
static inline void sched_yield_if_queued(void) {}

#endif
