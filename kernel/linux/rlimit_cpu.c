/* RLIMIT_CPU: the CPU seconds a process may use, as Linux enforces them.
 * At the soft limit it gets SIGXCPU (whose default action ends it), and
 * the soft limit steps a second on, so a program that catches the signal
 * hears again each further second; at the hard limit, SIGKILL.  A soft
 * limit of 0 signals at once.
 *
 * A process with a finite soft limit has a timer on its CPU clock
 * (cpu_clock.c), which also comes back at least every CHECK_MAX_NS: a
 * lowered limit is noticed that late at most, and a limit raised or
 * removed needs no cancelling. */
#include "core/spinlock.h"
#include "core/timer.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/time.h"

#define NS_PER_S	1000000000ull
#define CHECK_MAX_NS	250000000ull

/* Guards every process's cpu_limit_on and cpu_limit_ended, and arming
 * its timer. */
static struct spinlock change_lock = SPINLOCK_INIT;

static uint64_t seconds_ns(uint64_t s)
{
	return s > UINT64_MAX / NS_PER_S ? UINT64_MAX : s * NS_PER_S;
}

/* Signals what p's CPU time has reached; the ns until the next check, or
 * 0 when nothing is left to watch. */
static uint64_t check(struct process *p)
{
	struct rlimit r = process_limit(p, RLIMIT_CPU);

	if (r.cur == RLIM_INFINITY)
		return 0;
	uint64_t used = cpu_clock_now(p, 0), soft = seconds_ns(r.cur);
	if (r.max != RLIM_INFINITY && used >= seconds_ns(r.max)) {
		signal_send_process(p, SIGKILL, NULL);
		return 0;
	}
	if (used >= soft) {
		signal_send_process(p, SIGXCPU, NULL);
		process_limit_raise_soft(p, RLIMIT_CPU, r.cur);
		soft = seconds_ns(r.cur + 1);
	}
	uint64_t wait = cpu_clock_wait(0, used, soft);
	return wait < CHECK_MAX_NS ? wait : CHECK_MAX_NS;
}

/* Interrupt context.  The process lives until cpu_limit_stop, which waits
 * for this to finish. */
static void cpu_limit_fire(struct timer *tm)
{
	struct process *p = container_of(tm, struct process, cpu_limit);
	uint64_t next = check(p);

	spin_lock(&change_lock);
	if (next && p->cpu_limit_on)
		timer_arm(tm, clock_ns() + next);
	else
		p->cpu_limit_on = false;
	spin_unlock(&change_lock);
}

void cpu_limit_update(struct process *p)
{
	if (process_soft_limit(p, RLIMIT_CPU) == RLIM_INFINITY)
		return;	/* a running check stops itself */
	uint64_t flags = spin_lock_irqsave(&change_lock);
	if (!p->cpu_limit_on && !p->cpu_limit_ended) {
		p->cpu_limit_on = true;
		p->cpu_limit.fn = cpu_limit_fire;
		timer_arm(&p->cpu_limit, clock_ns());
	}
	spin_unlock_irqrestore(&change_lock, flags);
}

/* For good: another process's prlimit may still find p alive until it is
 * a zombie, and must not arm the timer again on a process about to be
 * freed. */
void cpu_limit_stop(struct process *p)
{
	uint64_t flags = spin_lock_irqsave(&change_lock);

	p->cpu_limit_on = false;
	p->cpu_limit_ended = true;
	spin_unlock_irqrestore(&change_lock, flags);
	do
		timer_cancel(&p->cpu_limit);	/* a running cpu_limit_fire may re-arm it */
	while (p->cpu_limit.armed);
}
