/* TLB shoot-down: a CPU that changed mappings others may cache asks them
 * to flush the range, and waits, with interrupts on, until all have.
 *
 * One round at a time (tlb_lock).  Each round has a number, and its range
 * and the CPUs asked are published under it as a sequence lock (the
 * number is odd while they are written).  A CPU answers by storing the
 * number of the round whose range it flushed.  So no answer can count
 * for another round, not even from a TLB interrupt that arrives late or
 * twice, and asking again is always safe.  That makes two fallbacks
 * possible, for an interrupt that does not come:
 * - the initiator sends the interrupt again to a CPU that has not
 *   answered within RESEND_NS;
 * - a CPU spinning for a lock with interrupts on answers by itself
 *   (arch_tlb_answer_if_asked).
 * They were written for stress_mm's rare lockups under QEMU's TCG on a
 * loaded host, and did not end them: the cause is open (docs/status.md).
 *
 * "amphi.tlb_lose=N" on the kernel command line drops every Nth TLB
 * interrupt instead of sending it, to test exactly that. */
#include "arch/x86_64/smp.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/cmdline.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/watchdog.h"

#define RESEND_NS	(5 * 1000 * 1000)	/* well past a normal answer, even under TCG */

static struct spinlock tlb_lock = SPINLOCK_INIT;
static uint64_t round_no;		/* odd while the round below is written */
static uint64_t round_start, round_end, round_asked;
static uint64_t answered[MAX_CPUS];	/* the last round each CPU flushed */
static unsigned lose_every, sent;	/* amphi.tlb_lose */

void tlb_shootdown_init(const char *cmdline)
{
	uint64_t n;

	if (cmdline_number(cmdline, "amphi.tlb_lose=", (UINT32_MAX - 9) / 10, &n))
		lose_every = (unsigned)n;
}

static void flush_range(uint64_t start, uint64_t end)
{
	if (end - start > 64 * PAGE_SIZE) {
		write_cr3(read_cr3());	/* user pages are not global: this drops them */
		return;
	}
	for (uint64_t va = start; va < end; va += PAGE_SIZE)
		invlpg(va);
}

/* The round now published, read as one: its number, range and CPUs. */
static uint64_t read_round(uint64_t *start, uint64_t *end, uint64_t *asked)
{
	uint64_t n;

	for (;;) {
		n = __atomic_load_n(&round_no, __ATOMIC_ACQUIRE);
		*start = __atomic_load_n(&round_start, __ATOMIC_RELAXED);
		*end = __atomic_load_n(&round_end, __ATOMIC_RELAXED);
		*asked = __atomic_load_n(&round_asked, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (!(n & 1) && n == __atomic_load_n(&round_no, __ATOMIC_RELAXED))
			return n;
		cpu_relax();
	}
}

/* Flushes the published round's range if this CPU was asked and has not
 * answered it yet: from the interrupt, or from a lock's spin loop
 * (flushing twice does no harm). */
void arch_tlb_answer_if_asked(void)
{
	if (ncpus < 2)
		return;
	int me = this_cpu()->id;
	uint64_t start, end, asked, n = read_round(&start, &end, &asked);

	if (!(asked & (1ull << me)) || __atomic_load_n(&answered[me], __ATOMIC_RELAXED) == n)
		return;
	flush_range(start, end);
	__atomic_store_n(&answered[me], n, __ATOMIC_RELEASE);
}

void tlb_shootdown_interrupt(void) { arch_tlb_answer_if_asked(); }

/* Publishes a round.  Interrupts are off meanwhile: a late TLB interrupt
 * taken here would wait for the number to be even again, for ever. */
static uint64_t publish(uint64_t start, uint64_t end, uint64_t asked)
{
	uint64_t irq = irq_save();
	uint64_t n = round_no + 1;

	__atomic_store_n(&round_no, n, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&round_start, start, __ATOMIC_RELAXED);
	__atomic_store_n(&round_end, end, __ATOMIC_RELAXED);
	__atomic_store_n(&round_asked, asked, __ATOMIC_RELAXED);
	__atomic_store_n(&round_no, n + 1, __ATOMIC_RELEASE);
	irq_restore(irq);
	return n + 1;
}

static void ask(uint64_t which)
{
	for (int i = 0; i < ncpus; i++) {
		if (!(which & (1ull << i)))
			continue;
		if (lose_every && ++sent % lose_every == 0)
			continue;	/* amphi.tlb_lose: as if it never arrived */
		lapic_send_ipi(cpus[i].apic_id, VEC_TLB);
	}
}

static uint64_t unanswered(uint64_t asked, uint64_t n)
{
	uint64_t left = 0;

	for (int i = 0; i < ncpus; i++)
		if ((asked & (1ull << i)) && __atomic_load_n(&answered[i], __ATOMIC_ACQUIRE) != n)
			left |= 1ull << i;
	return left;
}

void arch_tlb_shootdown_cpus(uint64_t mask, uint64_t start, uint64_t end)
{
	int me = this_cpu()->id;
	uint64_t others = 0, since = 0, left;

	if (mask & (1ull << me))
		flush_range(start, end);
	for (int i = 0; i < ncpus; i++)
		if (i != me && cpus[i].online && (mask & (1ull << i)))
			others |= 1ull << i;
	if (!others)
		return;
	BUG_ON(!irq_enabled());
	spin_lock(&tlb_lock);
	uint64_t n = publish(start, end, others);
	ask(others);
	uint64_t asked_at = arch_clock_ns();
	for (unsigned spins = 1; (left = unanswered(others, n)); spins++) {
		cpu_relax();
		if (spins % 64)
			continue;
		watchdog_shootdown_wait(left, &since);
		if (arch_clock_ns() - asked_at > RESEND_NS) {
			ask(left);
			asked_at = arch_clock_ns();
		}
	}
	spin_unlock(&tlb_lock);
}

/* A round with nothing to flush: its answer is the interrupt itself. */
void arch_cpus_sync(uint64_t mask)
{
	arch_tlb_shootdown_cpus(mask, 0, 0);
}

void arch_tlb_shootdown(uint64_t start, uint64_t end)
{
	arch_tlb_shootdown_cpus(~0ull, start, end);
}
