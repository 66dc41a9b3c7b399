/* The registers saved on entry to the kernel, by interrupts, exceptions and
 * system calls alike (entry.S builds it; the order here is that code's). */
#ifndef AMPHI_ARCH_TRAPFRAME_H
#define AMPHI_ARCH_TRAPFRAME_H

#include <stdint.h>

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;		/* error: for a system call, its number */
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU (or by syscall entry) */
};
_Static_assert(__builtin_offsetof(struct trapframe, cs) == 144, "entry.S reads cs at 144(%rsp)");

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER_DS		(0x18 | 3)
#define USER_CS		(0x20 | 3)
#define TSS_SEL		0x28

#define VEC_SYSCALL	0x100	/* trapframe.vector of a system call */

static inline int trapframe_from_user(const struct trapframe *tf) { return (tf->cs & 3) == 3; }

#endif
