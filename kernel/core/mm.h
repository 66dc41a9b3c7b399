/* Address spaces.  Every process has one (threads share it): its own
 * root page table over the shared kernel half, its mappings (core/vm.h)
 * and the CPUs that may hold its translations, so that a TLB shoot-down
 * interrupts only those.  A CPU switches roots when it switches between
 * threads of different address spaces; a kernel thread runs on whatever
 * root the CPU had (it never touches the user half). */
#ifndef AMPHI_CORE_MM_H
#define AMPHI_CORE_MM_H

#include <stdint.h>

#include "core/list.h"
#include "core/sched.h"
#include "core/spinlock.h"

struct mm {
	/* Guards vmas, nvmas and the user half of root's page tables.  A
	 * plain spinlock taken with interrupts on: a CPU waiting for it must
	 * still answer another CPU's TLB shoot-down. */
	struct spinlock lock;
	uint64_t *root;			/* top-level page table */
	struct list vmas;		/* struct vma (vm.c), sorted by start, disjoint */
	int nvmas;
	/* Threads using the mappings; the last one to leave takes them down. */
	volatile int users;
	/* Lifetime of the struct and its root: the users together hold one,
	 * each CPU that has the root loaded one, a reader (/proc) one. */
	volatile int refs;
	/* CPUs that may cache its translations: bit N is set before CPU N
	 * loads the root and cleared after it loads another one. */
	volatile uint64_t cpus;
	uint64_t brk_base, brk;		/* the heap: [brk_base, brk); linux/sys_mm.c's */
	/* Where exec put the program's argument strings [arg_start, arg_end)
	 * and its environment's [arg_end, env_end), for /proc (Linux's
	 * mm_struct keeps them too: a program may rewrite them). */
	uint64_t arg_start, arg_end, env_end;
	/* vm_set_limit's, by enum vm_limit; atomic. */
	uint64_t limits[3];
	/* mlockall(MCL_FUTURE)'s marks for new mappings (VM_LOCKED,
	 * VM_LOCKONFAULT): written under lock, read with atomics. */
	unsigned def_flags;
	/* Where exec put the program's data (Linux's start_data, end_data:
	 * brk's RLIMIT_DATA check counts it). */
	uint64_t data_start, data_end;
	struct list all;		/* in the list of address spaces with users (mm.c) */
};

/* The calling thread's address space (NULL in a kernel thread). */
static inline struct mm *mm_current(void) { return current()->mm; }

/* An empty address space with one user; NULL if no memory. */
struct mm *mm_new(void);
/* Another user (a thread sharing it). */
void mm_use(struct mm *mm);
/* A user leaves; the last one unmaps everything (interrupts on: this
 * takes a TLB shoot-down).  The struct may go with it: a thread that goes
 * on pointing at mm (the scheduler loads its root) holds a reference. */
void mm_unuse(struct mm *mm);
/* What an upper layer keeps per address space and must end before the
 * mappings go (linux/aio.c's contexts): fn runs in mm_unuse for the last
 * user, in that thread, which may sleep.  Set once at start-up. */
void mm_set_teardown_hook(void (*fn)(struct mm *mm));
/* Calls fn for every address space that has users, in the order they were
 * made, so a fork's child comes after its parent; none is made meanwhile.
 * fn must not sleep: a spinlock is held. */
void mm_for_each(void (*fn)(struct mm *mm, void *ctx), void *ctx);
/* A reference to the struct alone (its mappings may go meanwhile). */
void mm_grab(struct mm *mm);
void mm_drop(struct mm *mm);
/* This CPU now runs a thread of mm: loads its root unless loaded.
 * Interrupts off (the scheduler). */
void mm_switch_to(struct mm *mm);
/* Every other CPU that may be running mm's threads (NULL: every CPU) has
 * executed a full memory barrier and serialized its instruction stream
 * by the time this returns, as the caller has: membarrier's.  Interrupts
 * on. */
void mm_barrier(struct mm *mm);
/* Drops the translations of [start, end) from every CPU that may hold
 * them.  The caller changed the page tables first.  Interrupts on. */
void mm_flush(struct mm *mm, uint64_t start, uint64_t end);

#endif
