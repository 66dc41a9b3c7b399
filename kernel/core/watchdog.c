/* The lockup detector (watchdog.h says what it finds).
 *
 * Each CPU counts its progress events (schedule, idle, return to user) and
 * stamps every timer interrupt; its timer interrupts compare.  A CPU knows
 * it is stuck in the kernel when its own ticks see no progress (soft); the
 * others know it is stuck with interrupts off when its ticks stop while it
 * is not halted (hard).  The fields are written by their own CPU only and
 * read racily by the others: a stale read only delays a verdict by a tick. */
#include "core/watchdog.h"

#include <stdarg.h>

#include "arch/x86_64/arch.h"
#include "arch/x86_64/trapframe.h"
#include "core/backtrace.h"
#include "core/cmdline.h"
#include "core/format.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"

#define DEFAULT_S	10
#define PERIOD_NS	1000000000ull
#define NMI_WAIT_NS	1000000000ull	/* for each CPU's part of a report */

struct wd_cpu {
	struct timer timer;		/* every PERIOD_NS, so even idle CPUs tick */
	bool armed;
	volatile int host;		/* waits on the host (console output) it is in */
	volatile uint64_t tick_ns;	/* its last timer interrupt */
	volatile uint64_t touch_ns;	/* when its ticks last saw progress */
	volatile unsigned gen, seen;	/* progress events; the last its ticks saw */
};

static struct wd_cpu wd[MAX_CPUS];
static uint64_t limit_ns;		/* T; soft lockups take 2T */
static volatile bool running;
static volatile int host_waiters;	/* CPUs in watchdog_host_wait */
static volatile int reporting;
static volatile int nmi_turn = -1, nmi_done = -1;

static uint64_t parse_seconds(const char *cmdline)
{
	uint64_t s;

	return cmdline_number(cmdline, "amphi.watchdog=", 100000, &s) ? s : DEFAULT_S;
}

void watchdog_init(const char *cmdline)
{
	uint64_t now = clock_ns();

	limit_ns = parse_seconds(cmdline) * 1000000000ull;
	if (!limit_ns)
		return;
	for (int i = 0; i < ncpus; i++)
		wd[i].tick_ns = wd[i].touch_ns = now;
	__atomic_store_n(&running, true, __ATOMIC_RELEASE);
	/* Idle CPUs halt without timers: wake them to arm theirs. */
	for (int i = 0; i < ncpus; i++)
		if (cpus[i].online && &cpus[i] != this_cpu())
			arch_send_resched(i);
}

void watchdog_progress(void)
{
	if (running)
		wd[this_cpu()->id].gen++;
}

static void period(struct timer *t)
{
	timer_arm(t, clock_ns() + PERIOD_NS);	/* the tick itself did the looking */
}

void watchdog_idle(void)
{
	if (!running)
		return;
	struct wd_cpu *w = &wd[this_cpu()->id];
	w->gen++;
	if (!w->armed) {
		w->armed = true;
		w->timer.fn = period;
		timer_arm(&w->timer, clock_ns() + PERIOD_NS);
	}
}

/* Nested on one CPU when an interrupt prints during a write; an end
 * without its begin (the detector started in between) counts nothing. */
void watchdog_host_wait(bool begin)
{
	if (!running)
		return;
	struct wd_cpu *w = &wd[this_cpu()->id];
	if (begin) {
		if (!w->host++)
			__atomic_add_fetch(&host_waiters, 1, __ATOMIC_SEQ_CST);
		return;
	}
	if (!w->host || --w->host)
		return;
	/* The host may have held this CPU still: it was not stuck. */
	w->tick_ns = clock_ns();
	w->gen++;
	__atomic_sub_fetch(&host_waiters, 1, __ATOMIC_SEQ_CST);
}

/* ---- the report ------------------------------------------------------------ */

static void dump(int cpu, const struct trapframe *tf, bool irqs_were_on)
{
	const struct thread *t = cpus[cpu].current;

	printk("CPU %d, thread %d (%s):\n", cpu, t ? t->tid : 0, t ? t->name : "?");
	arch_dump_irq_state();	/* run on that CPU: its own APIC */
	if (tf) {
		arch_dump_frame(tf);
	} else {
		/* The reporter's own: whether it could take an interrupt (a
		 * shoot-down's, say) while it waited. */
		printk("  interrupts %s\n", irqs_were_on ? "on" : "off");
		backtrace_print((uint64_t)__builtin_frame_address(0));
	}
}

/* Every other CPU's part, one at a time, through an NMI (it may have
 * interrupts off); each halts after its part. */
static void dump_others(int me)
{
	for (int i = 0; i < ncpus; i++) {
		if (i == me || !cpus[i].online)
			continue;
		__atomic_store_n(&nmi_turn, i, __ATOMIC_SEQ_CST);
		arch_send_nmi(i);
		uint64_t end = clock_ns() + NMI_WAIT_NS;
		while (__atomic_load_n(&nmi_done, __ATOMIC_ACQUIRE) != i && clock_ns() < end)
			cpu_relax();
		if (nmi_done != i)
			printk("CPU %d: no answer to the NMI\n", i);
	}
}

static _Noreturn void lockup_report(const struct trapframe *tf, const char *fmt, ...)
{
	char why[160];
	va_list ap;
	bool irqs_were_on = irq_enabled();

	irq_disable();
	if (__atomic_exchange_n(&reporting, 1, __ATOMIC_SEQ_CST))
		arch_cpu_halt();	/* another CPU reports; its NMI finds us */
	printk_emergency();
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	printk("lockup: %s\n", why);
	int me = this_cpu()->id;
	dump(me, tf, irqs_were_on);
	dump_others(me);
	panic("lockup: %s", why);
}

void watchdog_nmi(const struct trapframe *tf)
{
	int me = this_cpu()->id;

	if (!reporting || __atomic_load_n(&nmi_turn, __ATOMIC_ACQUIRE) != me)
		return;
	dump(me, tf, false);
	__atomic_store_n(&nmi_done, me, __ATOMIC_RELEASE);
}

/* ---- the checks ------------------------------------------------------------ */

static void check_others(int me, uint64_t now)
{
	for (int i = 0; i < ncpus; i++) {
		const struct wd_cpu *w = &wd[i];
		if (i == me || !cpus[i].online || cpus[i].idle || w->host)
			continue;
		uint64_t last = w->tick_ns;
		if (now > last && now - last > limit_ns)
			lockup_report(NULL, "CPU %d took no timer interrupt for %lu s (interrupts off?)", i,
				      (now - last) / 1000000000);
	}
}

void watchdog_tick(const struct trapframe *tf)
{
	if (!running || reporting)
		return;
	struct cpu *c = this_cpu();
	struct wd_cpu *w = &wd[c->id];
	uint64_t now = clock_ns();

	w->tick_ns = now;
	if (trapframe_from_user(tf) || c->current == c->idle_thread || w->gen != w->seen ||
	    host_waiters) {
		w->seen = w->gen;
		w->touch_ns = now;
	} else if (now - w->touch_ns > 2 * limit_ns) {
		lockup_report(tf, "CPU %d ran in the kernel for %lu s without scheduling", c->id,
			      (now - w->touch_ns) / 1000000000);
	}
	check_others(c->id, now);
}

/* Seconds a waiter has waited past the limit (0: not yet); *since starts
 * at 0, and time the host held a CPU up does not count. */
static uint64_t waited_too_long(uint64_t *since)
{
	if (!running || reporting)
		return 0;
	uint64_t now = clock_ns();
	if (!*since || host_waiters) {
		*since = now;
		return 0;
	}
	return now - *since > limit_ns ? (now - *since) / 1000000000 : 0;
}

void watchdog_lock_wait(const struct spinlock *l, uint64_t *since)
{
	uint64_t secs = waited_too_long(since);

	if (secs)
		lockup_report(NULL, "spinlock %p not released for %lu s", (const void *)l, secs);
}

void watchdog_shootdown_wait(uint64_t cpus, uint64_t *since)
{
	uint64_t secs = waited_too_long(since);

	if (secs)
		lockup_report(NULL, "TLB shoot-down: CPUs 0x%lx did not answer for %lu s", cpus, secs);
}
