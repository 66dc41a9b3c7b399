/* Kernel stacks with guard pages.  Every stack a CPU runs kernel code on
 * (each thread's, the application processors' idle stacks, the IST stacks
 * of double faults, NMIs and machine checks) sits in its own slot of
 * KSTACK_AREA, above as many unmapped pages as it has mapped ones.  Running
 * off its bottom faults at once; the CPU cannot push that page fault's
 * frame on the same stack and raises a double fault, which runs on its own
 * stack and reports the overflow (arch trap.c).  CPU 0's idle stack is the
 * boot stack, guarded by an unmapped page of its own (boot.S). */
#ifndef AMPHI_CORE_KSTACK_H
#define AMPHI_CORE_KSTACK_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"

#define KSTACK_PAGES	4
#define KSTACK_SIZE	(KSTACK_PAGES * PAGE_SIZE)

/* The lowest address of a new stack of KSTACK_SIZE bytes (its top is
 * that plus KSTACK_SIZE); NULL when out of memory or of slots.  Called
 * with interrupts on, or at boot (it may have to ask every CPU to flush). */
void *kstack_alloc(void);
/* Gives a stack back; fine with interrupts off, on another stack. */
void kstack_free(void *stack);
/* The stack whose guard holds addr, or NULL when addr is in no guard. */
void *kstack_guarded_by(uint64_t addr);
/* The most bytes any freed stack, or this one, ever held (stacks start
 * zeroed: the lowest word written marks the deepest point reached). */
size_t kstack_deepest(const void *stack);

#endif
