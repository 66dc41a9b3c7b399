/* Per-CPU descriptor tables, control registers and the syscall MSRs. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/x86.h"
#include "core/kstack.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"

bool cpu_has_smap;
static bool cpu_has_smep;

bool arch_user_access_open(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return cpu_has_smap && (f & RFLAGS_AC);
}

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern const uint64_t trap_vectors[256];
extern char syscall_entry[];

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void idt_set(int v, uint64_t handler, int ist, int dpl)
{
	idt[v] = (struct idt_entry){
		.off_lo = handler & 0xffff, .sel = KERNEL_CS, .ist = ist,
		.type = 0x8e | (dpl << 5),	/* present, interrupt gate */
		.off_mid = (handler >> 16) & 0xffff, .off_hi = handler >> 32,
	};
}

/* QEMU's TCG names itself in the hypervisor leaves.  It also reports ERMS,
 * yet runs rep movsb one byte per step (core/string.c). */
static bool under_tcg(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 31)))	/* no hypervisor */
		return false;
	cpuid(0x40000000, 0, r);
	return r[1] == 0x54474354 && r[2] == 0x43544743 && r[3] == 0x47435447;	/* "TCGTCGTCGTCG" */
}

void cpu_init(void)
{
	for (int v = 0; v < 256; v++)
		idt_set(v, trap_vectors[v], 0, 0);
	/* Their own stacks (arch_cpu.h); the IST fields count from 1. */
	idt_set(2, trap_vectors[2], IST_NMI + 1, 0);
	idt_set(8, trap_vectors[8], IST_DOUBLE_FAULT + 1, 0);
	idt_set(18, trap_vectors[18], IST_MACHINE_CHECK + 1, 0);
	idt_set(3, trap_vectors[3], 0, 3);	/* int3 from user mode */
}

static void load_gdt(struct cpu *c)
{
	struct arch_cpu *a = &c->arch;
	uint64_t tss = (uint64_t)&a->tss;

	a->gdt[0] = 0;
	a->gdt[1] = 0x00af9a000000ffffull;	/* kernel code, 64-bit */
	a->gdt[2] = 0x00cf92000000ffffull;	/* kernel data */
	a->gdt[3] = 0x00cff2000000ffffull;	/* user data (DPL 3) */
	a->gdt[4] = 0x00affa000000ffffull;	/* user code, 64-bit (DPL 3) */
	a->gdt[5] = (sizeof a->tss - 1) | ((tss & 0xffffff) << 16) | (0x89ull << 40) |
		    (((tss >> 24) & 0xff) << 56);
	a->gdt[6] = tss >> 32;
	a->tss.iomap_base = sizeof a->tss;
	for (int k = 0; k < NIST; k++)
		a->tss.ist[k] = (uint64_t)a->ist_stacks[k] + KSTACK_SIZE;

	struct desc_ptr gp = { sizeof a->gdt - 1, (uint64_t)a->gdt };
	__asm__ volatile("lgdt %0" :: "m"(gp));
	__asm__ volatile(
		"movw %w0, %%ds; movw %w0, %%es; movw %w0, %%ss\n"
		"pushq %1; leaq 1f(%%rip), %%rax; pushq %%rax; lretq\n1:"
		:: "r"(KERNEL_DS), "i"(KERNEL_CS) : "rax", "memory");
	__asm__ volatile("ltr %w0" :: "r"(TSS_SEL));
}

void cpu_init_control(void)
{
	uint32_t r[4];

	cpuid(7, 0, r);
	cpu_has_smep = r[1] & (1 << 7);
	cpu_has_smap = r[1] & (1 << 20);
	string_rep_fast = (r[1] & (1 << 9)) && !under_tcg();	/* ERMS */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE | CR0_WP);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE;
	if (cpu_has_smep)
		cr4 |= CR4_SMEP;
	if (cpu_has_smap)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
}

static void init_syscall_msrs(void)
{
	/* STAR: kernel CS/SS from 0x08; sysret user SS = 0x10+8, CS = 0x10+16. */
	wrmsr(MSR_STAR, ((uint64_t)0x10 << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Entry runs with interrupts off (until it is on the kernel stack),
	 * direction flag clear, no alignment checks, no single-step, and NT
	 * clear: a program sets NT with popf, and the kernel's iretq back to
	 * it would fault on it (a task return, which long mode refuses).
	 * The program's own RFLAGS, NT included, are in r11 and go back. */
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_AC | RFLAGS_NT | (1 << 10) | (1 << 8));
}

bool cpu_alloc_stacks(struct cpu *c)
{
	for (int k = 0; k < NIST; k++)
		if (!c->arch.ist_stacks[k] && !(c->arch.ist_stacks[k] = kstack_alloc()))
			return false;
	return true;
}

void cpu_init_cpu(struct cpu *c)
{
	/* this_cpu() first: a panic below needs it. */
	c->self = c;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	if (!cpu_alloc_stacks(c))
		panic("out of memory for CPU %d's interrupt stacks", c->id);
	load_gdt(c);
	struct desc_ptr ip = { sizeof idt - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" :: "m"(ip));
	init_syscall_msrs();
}

void cpu_set_kernel_stack(struct cpu *c, uint64_t top)
{
	c->arch.tss.rsp[0] = top;
	c->kstack_top = top;
}

void arch_set_kernel_stack(uint64_t top) { cpu_set_kernel_stack(this_cpu(), top); }
void arch_set_fs_base(uint64_t base) { wrmsr(MSR_FS_BASE, base); }
void arch_fpu_save(void *area) { __asm__ volatile("fxsave64 (%0)" :: "r"(area) : "memory"); }
void arch_fpu_restore(const void *area) { __asm__ volatile("fxrstor64 (%0)" :: "r"(area) : "memory"); }

void arch_fpu_init_state(void *area)
{
	uint8_t *a = area;

	memset(a, 0, 512);
	a[0] = 0x7f;	/* FCW 0x037f: x87 exceptions masked, extended precision */
	a[1] = 0x03;
	a[24] = 0x80;	/* MXCSR 0x1f80: SSE exceptions masked, round to nearest */
	a[25] = 0x1f;
}
