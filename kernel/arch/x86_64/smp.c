/* AP start-up (INIT-SIPI), cross-CPU requests (reschedule, TLB shoot-down,
 * stop) and the ways the machine ends. */
#include "arch/x86_64/smp.h"

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/kstack.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/watchdog.h"

#define TRAMP_PAGE 0x08		/* the trampoline runs at 0x8000 */

extern char ap_tramp_start[], ap_tramp_end[], ap_tramp_cr3[], ap_tramp_entry[];
extern char ap_entry64[], boot_pml4[];

/* Read by ap_entry64 (only one AP starts at a time). */
uint64_t ap_boot_cr3, ap_boot_stack;
static volatile int ap_boot_id;

void ap_main(void);

void ap_main(void)
{
	struct cpu *c = &cpus[ap_boot_id];

	cpu_init_cpu(c);
	lapic_init_cpu();
	sched_init_cpu(c->id);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	sched_idle_loop();
}

static void install_trampoline(void)
{
	char *t = phys_to_virt(TRAMP_PAGE * PAGE_SIZE);
	size_t size = ap_tramp_end - ap_tramp_start;
	uint32_t cr3 = (uint32_t)virt_to_phys(boot_pml4);
	uint64_t entry = (uint64_t)ap_entry64;

	memcpy(t, ap_tramp_start, size);
	memcpy(t + (ap_tramp_cr3 - ap_tramp_start), &cr3, 4);
	memcpy(t + (ap_tramp_entry - ap_tramp_start), &entry, 8);
	ap_boot_cr3 = read_cr3();
}

static bool wait_online(struct cpu *c, uint64_t ms)
{
	uint64_t end = arch_clock_ns() + ms * 1000000;

	while (arch_clock_ns() < end)
		if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

static bool start_ap(int id, uint32_t apic_id)
{
	struct cpu *c = &cpus[id];
	void *stack = kstack_alloc();

	/* Everything the CPU needs is taken here, where failing only means
	 * one CPU fewer: the AP itself could not report it (it has no
	 * this_cpu() until cpu_init_cpu). */
	if (!stack || !cpu_alloc_stacks(c) || !sched_prepare_cpu(id)) {
		if (stack)
			kstack_free(stack);
		return false;
	}
	c->id = id;
	c->apic_id = apic_id;
	ap_boot_id = id;
	ap_boot_stack = (uint64_t)stack + KSTACK_SIZE;
	/* The AP's idle thread adopts this stack (sched_init_cpu). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send_init_sipi(apic_id, TRAMP_PAGE);
	if (wait_online(c, 100))
		return true;
	lapic_send_ipi(apic_id, 0x4600 | TRAMP_PAGE);	/* a second start-up */
	return wait_online(c, 500);
}

int smp_start_aps(const struct madt_info *madt)
{
	uint32_t self = lapic_id();

	install_trampoline();
	for (int i = 0; i < madt->ncpus && ncpus < MAX_CPUS; i++) {
		if (madt->apic_ids[i] == self)
			continue;
		if (start_ap(ncpus, madt->apic_ids[i]))
			ncpus++;
		else
			printk("smp: CPU with APIC id %u did not start\n", madt->apic_ids[i]);
	}
	return ncpus;
}

void arch_send_resched(int cpu) { lapic_send_ipi(cpus[cpu].apic_id, VEC_RESCHED); }

/* TLB shoot-down: one at a time; the initiator waits, with interrupts on,
 * until every CPU it asked has flushed. */
static struct spinlock tlb_lock = SPINLOCK_INIT;
static volatile uint64_t tlb_start, tlb_end;
static uint64_t tlb_waiting;	/* a bit for each CPU asked that has not flushed yet */

static void flush_range(uint64_t start, uint64_t end)
{
	if (end - start > 64 * PAGE_SIZE) {
		write_cr3(read_cr3());	/* user pages are not global: this drops them */
		return;
	}
	for (uint64_t va = start; va < end; va += PAGE_SIZE)
		invlpg(va);
}

void tlb_shootdown_interrupt(void)
{
	flush_range(tlb_start, tlb_end);
	__atomic_fetch_and(&tlb_waiting, ~(1ull << this_cpu()->id), __ATOMIC_RELEASE);
}

void arch_tlb_shootdown_cpus(uint64_t mask, uint64_t start, uint64_t end)
{
	int me = this_cpu()->id;
	uint64_t others = 0, since = 0;

	if (mask & (1ull << me))
		flush_range(start, end);
	for (int i = 0; i < ncpus; i++)
		if (i != me && cpus[i].online && (mask & (1ull << i)))
			others |= 1ull << i;
	if (!others)
		return;
	BUG_ON(!irq_enabled());
	spin_lock(&tlb_lock);
	tlb_start = start;
	tlb_end = end;
	__atomic_store_n(&tlb_waiting, others, __ATOMIC_RELEASE);
	for (int i = 0; i < ncpus; i++)
		if (others & (1ull << i))
			lapic_send_ipi(cpus[i].apic_id, VEC_TLB);
	for (unsigned n = 1; __atomic_load_n(&tlb_waiting, __ATOMIC_ACQUIRE); n++) {
		cpu_relax();
		if (!(n % 4096))
			watchdog_shootdown_wait(tlb_waiting, &since);
	}
	spin_unlock(&tlb_lock);
}

void arch_tlb_shootdown(uint64_t start, uint64_t end)
{
	arch_tlb_shootdown_cpus(~0ull, start, end);
}

void arch_send_nmi(int cpu) { lapic_send_ipi(cpus[cpu].apic_id, 0x400); }

void arch_stop_others(void)
{
	struct cpu *self = ncpus ? this_cpu() : NULL;

	/* As an NMI: the other CPU may be spinning with interrupts off. */
	for (int i = 0; i < ncpus; i++)
		if (&cpus[i] != self && cpus[i].online)
			lapic_send_ipi(cpus[i].apic_id, 0x400);
}

_Noreturn void arch_cpu_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

_Noreturn void arch_poweroff(int code)
{
	outb(0xf4, (uint8_t)code);	/* isa-debug-exit: QEMU exits (code << 1) | 1 */
	acpi_poweroff();		/* if asked for (libvirt domains) */
	arch_cpu_halt();
}
