/* Timers: a sorted list per CPU, guarded by that CPU's lock.  The local APIC
 * timer is programmed one-shot for the earliest of the first timer and the
 * running thread's end of slice, so an idle CPU with no timers never wakes.
 *
 * It is programmed lazily: only when what is due comes before what the
 * hardware is already set for.  A later or cancelled deadline leaves it
 * set; it then fires early, finds nothing due, and is set again for what
 * is.  Every context switch moves the end of slice, and programming the
 * APIC is an exit to the hypervisor (under TCG, one that takes QEMU's
 * global lock): reprogramming on each switch made a second vCPU cost more
 * than it gave (docs/bench.md). */
#include "core/timer.h"

#include "core/sched.h"

struct timer_cpu {
	struct spinlock lock;	/* guards timers and every armed timer's link */
	struct list timers;	/* by deadline */
	uint64_t fires_at;	/* the hardware's deadline; 0: none (own CPU only) */
};

static struct timer_cpu tcpu[MAX_CPUS];
static int64_t realtime_shift;	/* what settimeofday moved the clock by; atomic */

uint64_t clock_realtime_offset_ns(void)
{
	return arch_boot_epoch_s() * 1000000000ull + __atomic_load_n(&realtime_shift, __ATOMIC_RELAXED);
}

bool clock_set_realtime(uint64_t ns)
{
	uint64_t since_boot = clock_ns();

	if (ns < since_boot)
		return false;
	__atomic_store_n(&realtime_shift, (int64_t)(ns - since_boot - arch_boot_epoch_s() * 1000000000ull),
			 __ATOMIC_RELAXED);
	return true;
}

static struct timer_cpu *local(void)
{
	struct timer_cpu *tc = &tcpu[this_cpu()->id];

	if (!tc->timers.next)
		list_init(&tc->timers);
	return tc;
}

void timer_arm(struct timer *t, uint64_t deadline)
{
	struct timer_cpu *tc = local();
	uint64_t flags = spin_lock_irqsave(&tc->lock);
	struct list *pos;

	t->deadline = deadline;
	t->cpu = this_cpu()->id;
	list_for_each(pos, &tc->timers)
		if (list_entry(pos, struct timer, link)->deadline > deadline)
			break;
	list_insert_between(&t->link, pos->prev, pos);
	t->armed = true;
	bool first = tc->timers.next == &t->link;
	spin_unlock_irqrestore(&tc->lock, flags);
	if (first) {
		flags = irq_save();
		timer_reprogram();
		irq_restore(flags);
	}
}

void timer_cancel(struct timer *t)
{
	struct timer_cpu *tc = &tcpu[t->cpu];
	uint64_t flags = spin_lock_irqsave(&tc->lock);

	if (t->armed) {
		list_del(&t->link);
		t->armed = false;
	}
	spin_unlock_irqrestore(&tc->lock, flags);
	while (t->running)
		cpu_relax();
}

static void run_expired(struct timer_cpu *tc, uint64_t now)
{
	spin_lock(&tc->lock);
	while (!list_empty(&tc->timers)) {
		struct timer *t = list_entry(tc->timers.next, struct timer, link);
		if (t->deadline > now)
			break;
		list_del(&t->link);
		t->armed = false;
		t->running = true;
		spin_unlock(&tc->lock);
		t->fn(t);
		__atomic_store_n(&t->running, false, __ATOMIC_RELEASE);
		spin_lock(&tc->lock);
	}
	spin_unlock(&tc->lock);
}

/* Interrupts are off. */
void timer_interrupt(void)
{
	local()->fires_at = 0;
	run_expired(local(), clock_ns());
	sched_tick();
	timer_reprogram();
}

/* Interrupts are off. */
void timer_reprogram(void)
{
	struct cpu *c = this_cpu();
	struct timer_cpu *tc = local();
	uint64_t next = UINT64_MAX, now = clock_ns();

	spin_lock(&tc->lock);
	if (!list_empty(&tc->timers))
		next = list_entry(tc->timers.next, struct timer, link)->deadline;
	spin_unlock(&tc->lock);
	if (c->current != c->idle_thread && c->current->slice_end < next)
		next = c->current->slice_end;
	if (next == UINT64_MAX || (tc->fires_at > now && tc->fires_at <= next))
		return;	/* nothing due, or the hardware fires first anyway */
	tc->fires_at = next;
	arch_timer_oneshot(next > now ? next - now : 1);
}
