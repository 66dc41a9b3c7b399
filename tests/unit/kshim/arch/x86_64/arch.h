/* Host stand-in for kernel/arch/x86_64/arch.h, for unit tests that build
 * kernel code unchanged (-Itests/unit/kshim before -Ikernel).  Only what
 * that code uses, with the kernel's names, types and include guard.  The
 * host has no direct map: a "physical" address is the virtual one. */
#ifndef AMPHI_ARCH_H
#define AMPHI_ARCH_H

#include <stdint.h>

#define PAGE_SIZE	4096ul
#define PAGE_ROUND_UP(x)   (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)(uintptr_t)va; }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
/* One thread and no interrupts: nothing to mask. */
static inline uint64_t irq_save(void) { return 0; }
static inline void irq_restore(uint64_t flags) { (void)flags; }

#endif
