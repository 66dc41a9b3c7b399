/* The CPU, as the rest of the kernel sees it.  Layers above arch/ include
 * only this header from arch/ (STYLE.md rule 1). */
#ifndef AMPHI_ARCH_H
#define AMPHI_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE	4096ul
#define PAGE_SHIFT	12
#define PAGE_ROUND_UP(x)   (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ROUND_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
/* Physical memory below this is never handed out (init_memory). */
#define LOW_RESERVED	0x10000ul

/* Virtual layout: user below USER_TOP, a direct map of physical memory at
 * DIRECT_BASE, kernel stacks with guard pages between them in their own
 * area (core/kstack.c), the kernel image at KERNEL_VMA + its physical
 * address. */
#define USER_TOP	0x0000800000000000ul
#define DIRECT_BASE	0xffff800000000000ul
#define KSTACK_AREA	0xffffc90000000000ul
#define KSTACK_AREA_SIZE (1ul << 30)
#define KERNEL_VMA	0xffffffff80000000ul

static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + DIRECT_BASE); }
static inline uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_BASE;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }

static inline uint64_t irq_save(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) :: "memory");
	return f;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & (1ul << 9))
		irq_enable();
}

/* Whether SMAP lets the kernel reach user memory now (EFLAGS.AC): only
 * inside a copy of uaccess.S, which never sleeps; every entry closes it. */
bool arch_user_access_open(void);

static inline bool irq_enabled(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f & (1ul << 9);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Halts until an interrupt; returns with interrupts disabled.  Called with
 * interrupts disabled so a wake-up between the caller's check and the halt
 * is not lost (sti's one-instruction shadow covers the hlt). */
static inline void arch_cpu_idle(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }

/* Never returns: stops this CPU. */
_Noreturn void arch_cpu_halt(void);

/* Ends the VM with a status QEMU reports as (code << 1) | 1. */
_Noreturn void arch_poweroff(int code);

/* Sends the reschedule interrupt to another CPU. */
void arch_send_resched(int cpu);

/* Stops every other CPU (used by panic and exit). */
void arch_stop_others(void);

/* Sends a CPU an NMI (it arrives even with interrupts off). */
void arch_send_nmi(int cpu);

/* Prints an interrupted context: registers and the kernel backtrace. */
struct trapframe;
void arch_dump_frame(const struct trapframe *tf);
/* Prints this CPU's interrupt controller state: its priorities and the
 * vectors in service and waiting (a lockup report). */
void arch_dump_irq_state(void);

/* Flushes mappings in [start, end) on every CPU (the kernel's), or on the
 * CPUs of mask (bit N: CPU N; a user address space's).  Interrupts on. */
void arch_tlb_shootdown(uint64_t start, uint64_t end);
void arch_tlb_shootdown_cpus(uint64_t mask, uint64_t start, uint64_t end);
/* Each other CPU of mask has taken an interrupt by the time this returns,
 * and so, by its IRET, serialized itself and ordered its memory accesses
 * (membarrier).  Interrupts on. */
void arch_cpus_sync(uint64_t mask);
/* Does now what the shoot-down's interrupt would, if this CPU has a
 * flush asked of it: for a CPU spinning for a lock, in case the
 * interrupt is not delivered (tlb.c says when that was seen). */
void arch_tlb_answer_if_asked(void);

/* The CPU's local timer: fire once after `ns` nanoseconds (at least 1). */
void arch_timer_oneshot(uint64_t ns);

/* Nanoseconds since boot (TSC based) and the wall-clock time at boot. */
uint64_t arch_clock_ns(void);
uint64_t arch_boot_epoch_s(void);

#endif

/* Page tables (mmu.c).  Each address space has a root (its top-level
 * table): the user half its own, the kernel half shared by all.  prot is
 * Linux's PROT_READ/WRITE/EXEC (1/2/4). */
#define MMU_READ	1
#define MMU_WRITE	2
#define MMU_EXEC	4

void mmu_init(void);
uint64_t *mmu_root_new(void);			/* NULL if no memory */
void mmu_root_free(uint64_t *root);		/* its user half already pruned */
void mmu_root_load(uint64_t *root);		/* this CPU's; NULL: the kernel's own */
int mmu_map_user(uint64_t *root, uint64_t va, uint64_t pa, unsigned prot);	/* -ENOMEM */
uint64_t mmu_translate_user(uint64_t *root, uint64_t va);	/* pa, 0 if none */
/* The entry in use (present, or a PROT_NONE page) for va, or NULL. */
uint64_t *mmu_user_pte(uint64_t *root, uint64_t va);
/* Ranges of the user half, walked in time proportional to what is mapped:
 * fn sees every page-table entry in use (present, or a PROT_NONE page) of
 * [start, end) and may change it through the helpers below. */
typedef void mmu_visit_fn(uint64_t va, uint64_t *pte, void *ctx);
void mmu_user_walk(uint64_t *root, uint64_t start, uint64_t end, mmu_visit_fn *fn, void *ctx);
void mmu_user_clear(uint64_t *pte);
void mmu_user_set_prot(uint64_t *pte, unsigned prot);	/* keeps the page and its mark */
void mmu_user_set(uint64_t *pte, uint64_t pa, unsigned prot);	/* a new page, unmarked */
/* The mark of a file's own page in a private mapping, as opposed to the
 * mapping's copy of it: a hole punched in the file takes the first from
 * the mapping and leaves the second (core/vm_object.c).  It stays with the
 * entry through changes of protection, fork and mremap. */
void mmu_user_set_borrowed(uint64_t *pte);
bool mmu_user_borrowed(const uint64_t *pte);
uint64_t mmu_user_pa(const uint64_t *pte);
unsigned mmu_user_prot(const uint64_t *pte);	/* what the entry allows now */
/* Unhooks the page tables of [start, end) that hold nothing and passes
 * each one's page to fn, to be freed once no CPU can walk it any more
 * (after a TLB shoot-down: invlpg also drops paging-structure caches). */
typedef void mmu_free_fn(uint64_t pa, void *ctx);
void mmu_user_prune(uint64_t *root, uint64_t start, uint64_t end, mmu_free_fn *fn, void *ctx);
/* Makes [pa, pa + size) reachable through the direct map (RAM outside the
 * memory map, ACPI tables, device registers when uncached) and returns it. */
void *mmu_map_phys(uint64_t pa, uint64_t size, bool uncached);
/* One page of a kernel stack in KSTACK_AREA, writable, not global (so a
 * TLB shoot-down of the area drops it everywhere): -ENOMEM.  Unmapping
 * flushes this CPU only and gives the page's physical address, 0 if none. */
int mmu_map_kstack(uint64_t va, uint64_t pa);
uint64_t mmu_unmap_kstack(uint64_t va);

/* User context of the running thread (cpu.c). */
void arch_set_kernel_stack(uint64_t top);	/* where user-mode entries land */
void arch_set_fs_base(uint64_t base);
void arch_fpu_save(void *area);			/* 512-byte fxsave area */
void arch_fpu_restore(const void *area);
void arch_fpu_init_state(void *area);		/* a fresh program's FPU/SSE state */
