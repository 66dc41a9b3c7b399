/* CPU-time clocks for timers: ITIMER_VIRTUAL and ITIMER_PROF (itimer.c),
 * timers on CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID
 * (ptimer.c), and RLIMIT_CPU (rlimit_cpu.c).
 *
 * Nothing ticks a CPU clock, so a timer on one is a wall-clock timer that
 * comes back when the CPU clock could first have reached its deadline: a
 * thread's time grows no faster than the wall clock, a process's no
 * faster than ncpus times it.  It comes back no sooner than a 250 Hz
 * tick, Linux's usual granularity for these timers; while the program
 * sleeps it so looks at the clock every (time left) / ncpus and finds
 * nothing to do. */
#include "core/sched.h"
#include "core/timer.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/time.h"

#define MIN_WAIT_NS	4000000ull

uint64_t cpu_clock_now(struct process *p, int tid)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint64_t ns = CPU_CLOCK_GONE;

	if (!tid) {
		ns = signal_process_cpu_ns(p);
	} else {
		struct thread *t = thread_find(tid);
		if (t && process_of(t) == p)
			ns = thread_cpu_ns(t);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return ns;
}

uint64_t cpu_clock_wait(int tid, uint64_t now, uint64_t deadline)
{
	uint64_t wait = deadline > now ? (deadline - now) / (tid ? 1 : (uint64_t)ncpus) : 0;

	return wait < MIN_WAIT_NS ? MIN_WAIT_NS : wait;
}
