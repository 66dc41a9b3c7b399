/* Kernel stacks: slots of KSTACK_AREA, each a guard of KSTACK_PAGES
 * unmapped pages and then the stack's own pages, mapped one by one (they
 * need not be contiguous in physical memory).
 *
 * A freed stack's pages go back to the page allocator at once: nothing uses
 * their addresses any more.  Its slot cannot be handed out again yet,
 * though: other CPUs may still hold translations of it in their TLBs, and
 * a new stack there would write through them into pages that now belong to
 * someone else.  kstack_free runs with interrupts off (the scheduler frees
 * a dead thread's stack from the next thread), where no CPU may be asked to
 * flush, so freed slots wait, marked dirty, until an allocation flushes a
 * batch of them on every CPU at once. */
#include "core/kstack.h"

#include <stdbool.h>

#include "bitalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/spinlock.h"

#define SLOT_SIZE	(2 * KSTACK_SIZE)	/* the guard, then the stack */
#define NSLOTS		(KSTACK_AREA_SIZE / SLOT_SIZE)
#define NWORDS		(NSLOTS / 64)
#define FLUSH_BATCH	64

static struct spinlock lock = SPINLOCK_INIT;	/* guards everything below */
static struct bitalloc slots;			/* a free slot: none of its translations left */
static uint64_t slot_words[NWORDS];
static uint64_t dirty_words[2][NWORDS];		/* freed, maybe still in some TLB */
static uint64_t *dirty = dirty_words[0];
static size_t ndirty;
static size_t deepest;		/* atomic: kstack_deepest() of the stacks freed */
static bool ready;
/* One flush at a time; taken with interrupts on (the flush needs them). */
static struct spinlock flush_lock = SPINLOCK_INIT;

static uint64_t slot_stack(size_t i) { return KSTACK_AREA + i * SLOT_SIZE + KSTACK_SIZE; }

/* Caller holds lock. */
static void init_once(void)
{
	if (ready)
		return;
	bitalloc_init(&slots, slot_words, NSLOTS);
	bitalloc_mark_free(&slots, 0, NSLOTS);
	ready = true;
}

/* Makes every dirty slot free again, after each CPU dropped its
 * translations of the whole area.  Slots freed meanwhile go into the other
 * bitmap and wait for the next flush. */
static void flush_dirty(void)
{
	spin_lock(&flush_lock);
	uint64_t flags = spin_lock_irqsave(&lock);
	uint64_t *flushing = dirty;
	dirty = dirty == dirty_words[0] ? dirty_words[1] : dirty_words[0];
	ndirty = 0;
	spin_unlock_irqrestore(&lock, flags);

	arch_tlb_shootdown(KSTACK_AREA, KSTACK_AREA + KSTACK_AREA_SIZE);

	flags = spin_lock_irqsave(&lock);
	for (size_t w = 0; w < NWORDS; w++)
		for (; flushing[w]; flushing[w] &= flushing[w] - 1)
			bitalloc_mark_free(&slots, w * 64 + __builtin_ctzll(flushing[w]), 1);
	spin_unlock_irqrestore(&lock, flags);
	spin_unlock(&flush_lock);
}

/* A free slot, flushing dirty ones when a batch has gathered or none is
 * left; -1 if there is none at all. */
static long take_slot(void)
{
	for (;;) {
		bool can_flush = irq_enabled();
		uint64_t flags = spin_lock_irqsave(&lock);
		init_once();
		long i = -1;
		if (!can_flush || ndirty < FLUSH_BATCH)
			i = bitalloc_alloc(&slots, 1, 1);
		bool flush = i < 0 && ndirty && can_flush;
		spin_unlock_irqrestore(&lock, flags);
		if (!flush)
			return i;
		flush_dirty();
	}
}

static void put_slot(size_t i)
{
	uint64_t flags = spin_lock_irqsave(&lock);

	dirty[i / 64] |= 1ull << (i % 64);
	ndirty++;
	spin_unlock_irqrestore(&lock, flags);
}

/* Unmaps and frees the first n pages of the stack at base. */
static void unmap_pages(uint64_t base, int n)
{
	for (int p = 0; p < n; p++) {
		uint64_t pa = mmu_unmap_kstack(base + p * PAGE_SIZE);
		if (pa)
			page_free(pa, 1);
	}
}

void *kstack_alloc(void)
{
	long i = take_slot();

	if (i < 0)
		return NULL;
	uint64_t base = slot_stack((size_t)i);
	for (int p = 0; p < KSTACK_PAGES; p++) {
		uint64_t pa = page_alloc(1);
		if (!pa || mmu_map_kstack(base + p * PAGE_SIZE, pa)) {
			if (pa)
				page_free(pa, 1);
			unmap_pages(base, p);
			put_slot((size_t)i);
			return NULL;
		}
	}
	return (void *)base;
}

static size_t used(const void *stack)
{
	const uint64_t *w = stack;
	size_t i = 0;

	while (i < KSTACK_SIZE / 8 && !w[i])
		i++;
	return KSTACK_SIZE - i * 8;
}

size_t kstack_deepest(const void *stack)
{
	size_t d = __atomic_load_n(&deepest, __ATOMIC_RELAXED), u = stack ? used(stack) : 0;

	return u > d ? u : d;
}

void kstack_free(void *stack)
{
	uint64_t base = (uint64_t)stack;
	size_t u = used(stack), d = __atomic_load_n(&deepest, __ATOMIC_RELAXED);

	while (u > d && !__atomic_compare_exchange_n(&deepest, &d, u, false, __ATOMIC_RELAXED,
						     __ATOMIC_RELAXED))
		;
	BUG_ON(base < KSTACK_AREA || (base - KSTACK_AREA) % SLOT_SIZE != KSTACK_SIZE);
	unmap_pages(base, KSTACK_PAGES);
	put_slot((base - KSTACK_AREA) / SLOT_SIZE);
}

void *kstack_guarded_by(uint64_t addr)
{
	if (addr < KSTACK_AREA || addr >= KSTACK_AREA + KSTACK_AREA_SIZE)
		return NULL;
	size_t i = (addr - KSTACK_AREA) / SLOT_SIZE;
	return (addr - KSTACK_AREA) % SLOT_SIZE < KSTACK_SIZE ? (void *)slot_stack(i) : NULL;
}
