/* Where every interrupt and exception lands (from entry.S).  Exceptions in
 * the program become signals; in the kernel they are fixed up (a user copy
 * that faulted, for whatever reason: never a signal or the OOM killer in
 * the middle of a system call) or reported in full and end the VM. */
#include "arch/x86_64/trap.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/msi.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/x86.h"
#include "core/backtrace.h"
#include "core/errno.h"
#include "core/kstack.h"
#include "core/mm.h"
#include "core/printk.h"
#include "core/profile.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/vm.h"
#include "core/watchdog.h"

#define PF_PRESENT	(1u << 0)
#define PF_WRITE	(1u << 1)
#define PF_USER		(1u << 2)
#define PF_FETCH	(1u << 4)

struct ex_entry {
	uint64_t fault_ip, fixup_ip;
};

extern const struct ex_entry ex_table_start[], ex_table_end[];
extern char boot_stack_guard[], boot_stack[];
static irq_handler_fn *irq_handlers[16];
static const struct user_trap_ops *user_ops;

void trap_set_user_ops(const struct user_trap_ops *ops) { user_ops = ops; }

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 floating point", "alignment check", "machine check",
	"SIMD floating point", "virtualization", "control protection",
};

void irq_register(int irq, irq_handler_fn *fn) { irq_handlers[irq] = fn; }

static uint64_t fixup_for(uint64_t ip)
{
	for (const struct ex_entry *e = ex_table_start; e < ex_table_end; e++)
		if (e->fault_ip == ip)
			return e->fixup_ip;
	return 0;
}

/* The stack whose guard page holds addr (core/kstack.h; CPU 0's boot
 * stack has a guard of its own), or NULL. */
static void *guarded_stack(uint64_t addr)
{
	if (addr >= (uint64_t)boot_stack_guard && addr < (uint64_t)boot_stack)
		return boot_stack;
	return kstack_guarded_by(addr);
}

static const char *stack_owner(const void *stack)
{
	static const char *const ist_names[NIST] = { "double fault", "NMI", "machine check" };
	struct cpu *c = this_cpu();

	for (int k = 0; k < NIST; k++)
		if (stack == c->arch.ist_stacks[k])
			return ist_names[k];
	if (c->current == c->idle_thread)
		return "idle";
	return stack == c->current->kstack ? c->current->name : "another";
}

/* A fault in a guard page (the page fault, or the double fault it became
 * when the CPU could not push its frame on the same stack): says so and
 * whose stack ran over.  Whether it is one. */
static bool report_overflow(struct trapframe *tf)
{
	uint64_t at = read_cr2();
	void *stack = guarded_stack(at);

	if (!stack && (stack = guarded_stack(tf->rsp)))
		at = tf->rsp;
	if (!stack || (tf->vector != 8 && tf->vector != 14))
		return false;
	printk("kernel stack overflow on CPU %d: %016lx is in the guard page below the %s stack "
	       "(thread %d) at %016lx\n", this_cpu()->id, at, stack_owner(stack), current()->tid,
	       (uint64_t)stack);
	return true;
}

void arch_dump_frame(const struct trapframe *tf)
{
	uint64_t off;
	const char *fn = ksym_lookup(tf->rip, &off);

	printk("  rip %016lx %s+0x%lx  cr2 %016lx%s\n", tf->rip, fn ? fn : "?", fn ? off : 0,
	       read_cr2(), trapframe_from_user(tf) ? "  (in the program)" : "");
	printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
	printk("  rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->rsp);
	printk("  r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", tf->r8, tf->r9, tf->r10, tf->r11);
	printk("  r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", tf->r12, tf->r13, tf->r14, tf->r15);
	printk("  cs %lx ss %lx rflags %lx\n", tf->cs, tf->ss, tf->rflags);
	if (!trapframe_from_user(tf))
		backtrace_print(tf->rbp);
}

static _Noreturn void kernel_fault(struct trapframe *tf)
{
	const char *name = tf->vector < 32 && exception_names[tf->vector] ?
		exception_names[tf->vector] : "unknown exception";
	uint64_t off;
	const char *fn = ksym_lookup(tf->rip, &off);

	if (report_overflow(tf))
		name = "kernel stack overflow";
	printk("kernel fault on CPU %d: %s (vector %lu, error 0x%lx)\n", this_cpu()->id,
	       name, tf->vector, tf->error);
	arch_dump_frame(tf);
	panic("%s at %s+0x%lx", name, fn ? fn : "?", fn ? off : 0);
}

/* A kernel copy to or from user memory whose fault could not be served
 * fails with -EFAULT at its fixup (core/uaccess.h); a thread that found
 * no page left is marked, for the layer above to run the OOM killer once
 * it is on its way back to user mode and holds no lock.  A fault anywhere
 * else is the kernel's. */
static void kernel_copy_failed(struct trapframe *tf, uint64_t addr, int err)
{
	uint64_t fixup = fixup_for(tf->rip);

	if (!fixup || addr >= USER_TOP)
		kernel_fault(tf);
	/* Under a spinlock the caller faults the page in itself and retries
	 * (user_fault_in marks a real lack of memory): a mark here would
	 * outlive a retry that found memory, and kill for nothing. */
	if (err == -ENOMEM && !current()->uaccess_nosleep)
		current()->uaccess_oom = true;
	tf->rip = fixup;
}

static void page_fault(struct trapframe *tf)
{
	uint64_t addr = read_cr2();
	unsigned access = tf->error & PF_FETCH ? MMU_EXEC : tf->error & PF_WRITE ? MMU_WRITE : MMU_READ;
	bool user = trapframe_from_user(tf);

	cpu_count(&this_cpu()->nr_faults);	/* before interrupts: still this CPU's */
	if (!user && current()->uaccess_nosleep)
		access |= VM_FAULT_NOSLEEP;	/* a copy under a spinlock */
	/* Interrupts were off on entry; the fault may take the vm lock. */
	if (tf->rflags & RFLAGS_IF)
		irq_enable();
	int err = addr < USER_TOP ? vm_fault(mm_current(), addr, access) : -EFAULT;
	if (!err)
		return;
	if (user)
		user_ops->fault(tf, addr, err);
	else
		kernel_copy_failed(tf, addr, err);
}

static void exception(struct trapframe *tf)
{
	if (tf->vector == 2) {
		/* Another CPU stopped us (arch_stop_others), perhaps asking for
		 * our part of a lockup report first. */
		watchdog_nmi(tf);
		arch_cpu_halt();
	} else if (tf->vector == 14) {
		page_fault(tf);
	} else if (trapframe_from_user(tf)) {
		irq_enable();
		user_ops->fault(tf, tf->rip, 0);
	} else {
		kernel_fault(tf);
	}
}

static void interrupt(struct trapframe *tf)
{
	int v = (int)tf->vector;

	if (v == VEC_SPURIOUS)
		return;
	this_cpu()->irq_depth++;
	cpu_count(&this_cpu()->nr_interrupts);
	lapic_eoi();
	if (v == VEC_TIMER) {
		profile_sample(tf->rip);
		watchdog_tick(tf);
		timer_interrupt();
	}
	else if (v == VEC_STOP)
		arch_cpu_halt();
	else if (v == VEC_TLB)
		tlb_shootdown_interrupt();
	else if (v >= VEC_IRQ_BASE && v < VEC_IRQ_BASE + 16 && irq_handlers[v - VEC_IRQ_BASE])
		irq_handlers[v - VEC_IRQ_BASE]();
	else
		irq_vector_dispatch(v);
	this_cpu()->irq_depth--;
	/* VEC_RESCHED needs nothing more: the return path looks at the run queue. */
}

void trap_dispatch(struct trapframe *tf)
{
	if (tf->vector < 32)
		exception(tf);
	else
		interrupt(tf);
	if (trapframe_from_user(tf))
		user_ops->exit_to_user(tf);
}
