/* Host stand-in for kernel/arch/x86_64/arch.h, for unit tests that build
 * kernel code unchanged (-Itests/unit/kshim before -Ikernel).  Only what
 * that code uses, with the kernel's names, types and include guard.  The
 * host has no direct map: a "physical" address is the virtual one. */
#ifndef AMPHI_ARCH_H
#define AMPHI_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE	4096ul
#define PAGE_SHIFT	12
#define PAGE_ROUND_UP(x)   (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ROUND_DOWN(x) ((x) & ~(PAGE_SIZE - 1))

static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)(uintptr_t)va; }
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)pa; }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void cpu_relax(void) { barrier(); }

/* One thread on the host: interrupts are a flag the test may look at. */
static inline uint64_t irq_save(void) { return 0; }
static inline void irq_restore(uint64_t flags) { (void)flags; }

/* The test's clock (core/timer.h's clock_ns). */
uint64_t arch_clock_ns(void);

#endif
