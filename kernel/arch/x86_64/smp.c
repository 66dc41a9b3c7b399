/* AP start-up (INIT-SIPI), cross-CPU requests (reschedule, stop; the TLB
 * shoot-down is tlb.c's) and the ways the machine ends. */
#include "arch/x86_64/smp.h"

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/kstack.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"

#define TRAMP_PAGE 0x08		/* the trampoline runs at 0x8000 */
_Static_assert((TRAMP_PAGE + 1) * PAGE_SIZE <= LOW_RESERVED, "the trampoline's page is handed out");

/* An AP starts only while this much memory is free: one CPU fewer is
 * better than no program.  The rest of boot and hello needed 95 to 107
 * pages after the CPUs started at the least -m (microvm, 2584K, -smp 7
 * ran hello, -smp 8 ran out); an AP takes 16 (its stacks, measured);
 * the rest is margin.  (q35 at the least -m with 32 CPUs used to panic
 * mapping its PCI configuration space.) */
#define PAGES_KEPT_FROM_APS	160

extern char ap_tramp_start[], ap_tramp_end[], ap_tramp_cr3[], ap_tramp_entry[];
extern char ap_entry64[], boot_pml4[];

/* Read by ap_entry64 (only one AP starts at a time). */
uint64_t ap_boot_cr3, ap_boot_stack;
static volatile int ap_boot_id;

void ap_main(void);

void ap_main(void)
{
	struct cpu *c = &cpus[ap_boot_id];

	cpu_init_control();
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
		if (page_free_count() < PAGES_KEPT_FROM_APS) {
			printk("smp: %d of %d CPUs left offline: too little memory\n",
			       madt->ncpus - ncpus, madt->ncpus);
			break;
		}
		if (start_ap(ncpus, madt->apic_ids[i]))
			ncpus++;
		else
			printk("smp: CPU with APIC id %u did not start\n", madt->apic_ids[i]);
	}
	return ncpus;
}

void arch_send_resched(int cpu) { lapic_send_ipi(cpus[cpu].apic_id, VEC_RESCHED); }

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
