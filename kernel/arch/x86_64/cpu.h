/* Setting up one CPU's tables and control registers. */
#ifndef AMPHI_ARCH_CPU_H
#define AMPHI_ARCH_CPU_H

#include <stdbool.h>

struct cpu;

extern bool cpu_has_smap;

/* First on every CPU, before any C code that runs again later: the
 * features (CPUID) and the control registers' bits (CR0, CR4, EFER).
 * Under TCG, CR0.MP, CR4.OSFXSR and CR4.SMAP key every translated block,
 * so code run before they change is translated a second time after. */
void cpu_init_control(void);
/* Once, on the boot CPU: the IDT's contents. */
void cpu_init(void);
/* The CPU's interrupt stacks (double fault, NMI, machine check), taken
 * on the boot CPU before an AP starts: false when memory is short. */
bool cpu_alloc_stacks(struct cpu *c);
/* On every CPU: GDT and TSS, IDT, GS base, syscall MSRs. */
void cpu_init_cpu(struct cpu *c);
/* The kernel stack the CPU switches to on entry from user mode. */
void cpu_set_kernel_stack(struct cpu *c, uint64_t top);

#endif
