/* The kernel heap: power-of-two size classes from 32 to 2048 bytes carved
 * out of single pages, and whole pages for anything larger.  Every block
 * starts with a 16-byte header saying which, so kfree needs no size.
 *
 * Each CPU keeps up to CACHE_MAX free blocks of each class, taken and
 * given with interrupts off and no lock; only when its cache runs dry or
 * over does it move BATCH blocks from or to the shared lists, under the
 * one lock.  lwIP allocates several blocks per segment sent or received
 * (pbufs, segments, sendfile's page pieces), on every CPU at once, and
 * so no longer takes one shared lock for each.  A block freed on another
 * CPU than the one that took it simply joins that CPU's cache.  Until the
 * boot CPU can name itself (kmalloc_cpus_known), every call is CPU 0's. */
#include "core/kmalloc.h"

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"

#define HDR		16
#define MIN_SHIFT	5
#define MAX_SHIFT	11
#define NCLASSES	(MAX_SHIFT - MIN_SHIFT + 1)
#define LARGE		0xffffu

struct header {
	uint32_t class;		/* size class index, or LARGE */
	uint32_t npages;	/* for LARGE */
	uint64_t magic;
};

#define MAGIC 0x6b6d616c6c6f6321ull

struct free_block {
	struct free_block *next;
};

#define CACHE_MAX	64	/* free blocks a CPU keeps of a class */
#define BATCH		32	/* moved between a CPU and the shared lists */

static struct spinlock lock = SPINLOCK_INIT;	/* guards free_lists */
static struct free_block *free_lists[NCLASSES];

/* A CPU's own free blocks: its interrupts off, nothing else touches them. */
struct cpu_cache {
	struct free_block *head[NCLASSES];
	unsigned n[NCLASSES];
};

static struct cpu_cache caches[MAX_CPUS];
static bool cpus_known;

void kmalloc_cpus_known(void) { cpus_known = true; }

/* Interrupts off. */
static struct cpu_cache *my_cache(void) { return &caches[cpus_known ? this_cpu()->id : 0]; }

static int class_of(size_t total)
{
	for (int c = 0; c < NCLASSES; c++)
		if (total <= (1ul << (c + MIN_SHIFT)))
			return c;
	return -1;
}

/* Caller holds lock. */
static int refill(int c)
{
	char *page = page_alloc_virt(1);
	size_t size = 1ul << (c + MIN_SHIFT);

	if (!page)
		return -1;
	for (size_t off = 0; off + size <= PAGE_SIZE; off += size) {
		struct free_block *b = (struct free_block *)(page + off);
		b->next = free_lists[c];
		free_lists[c] = b;
	}
	return 0;
}

/* Zeroes only the size bytes asked for (none unless zero): the rest of the
 * last page (or of the size class) is never handed out, so clearing it
 * would be wasted. */
static void *alloc_large(size_t total, bool program, bool zero)
{
	size_t n = (total + PAGE_SIZE - 1) / PAGE_SIZE;
	struct header *h = program && !page_room_for_program(n) ? NULL : page_alloc_virt_uninit(n);

	if (!h)
		return NULL;
	*h = (struct header){ LARGE, (uint32_t)n, MAGIC };
	if (zero)
		memset((char *)h + HDR, 0, total - HDR);
	return (char *)h + HDR;
}

/* Moves up to BATCH blocks of class c from the shared list to the cache,
 * carving a new page when the list is empty.  A program's allocation
 * takes a new page only while the kernel's reserve stays free; blocks
 * already in the lists it may always reuse (the heap never gives pages
 * back, so that is what a program freed). */
static void cache_fill(struct cpu_cache *cc, int c, bool program)
{
	spin_lock(&lock);
	if (free_lists[c] || ((!program || page_room_for_program(1)) && refill(c) == 0)) {
		for (int k = 0; k < BATCH && free_lists[c]; k++) {
			struct free_block *b = free_lists[c];
			free_lists[c] = b->next;
			b->next = cc->head[c];
			cc->head[c] = b;
			cc->n[c]++;
		}
	}
	spin_unlock(&lock);
}

/* Gives BATCH blocks of class c back to the shared list. */
static void cache_drain(struct cpu_cache *cc, int c)
{
	spin_lock(&lock);
	for (int k = 0; k < BATCH; k++) {
		struct free_block *b = cc->head[c];
		cc->head[c] = b->next;
		b->next = free_lists[c];
		free_lists[c] = b;
	}
	cc->n[c] -= BATCH;
	spin_unlock(&lock);
}

static struct free_block *take_block(int c, bool program)
{
	uint64_t flags = irq_save();
	struct cpu_cache *cc = my_cache();

	if (!cc->head[c])
		cache_fill(cc, c, program);
	struct free_block *b = cc->head[c];
	if (b) {
		cc->head[c] = b->next;
		cc->n[c]--;
	}
	irq_restore(flags);
	return b;
}

static void *alloc(size_t size, bool program, bool zero)
{
	if (size > (1ul << 30))
		return NULL;
	size_t total = size + HDR;
	int c = class_of(total);

	if (c < 0)
		return alloc_large(total, program, zero);
	struct free_block *b = take_block(c, program);
	if (!b)
		return NULL;

	struct header *h = (struct header *)b;
	*h = (struct header){ (uint32_t)c, 0, MAGIC };
	if (zero)
		memset((char *)h + HDR, 0, size);
	return (char *)h + HDR;
}

void *kmalloc(size_t size) { return alloc(size, false, true); }

void *kmalloc_program(size_t size) { return alloc(size, true, true); }

void *kmalloc_uninit(size_t size) { return alloc(size, false, false); }

void kfree(void *p)
{
	if (!p)
		return;
	struct header *h = (struct header *)((char *)p - HDR);

	if (h->magic != MAGIC)
		panic("kfree of a pointer kmalloc did not return: %p", p);
	h->magic = 0;
	if (h->class == LARGE) {
		page_free_virt(h, h->npages);
		return;
	}
	uint32_t c = h->class;
	struct free_block *b = (struct free_block *)h;
	uint64_t flags = irq_save();
	struct cpu_cache *cc = my_cache();
	b->next = cc->head[c];
	cc->head[c] = b;
	if (++cc->n[c] > CACHE_MAX)
		cache_drain(cc, c);
	irq_restore(flags);
}
