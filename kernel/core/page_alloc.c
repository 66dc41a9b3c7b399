/* The physical page allocator: one bitmap over all of RAM, first fit, one
 * lock.  The bitmap lives in the first free stretch of RAM big enough,
 * followed by a reference count for every page (page_ref_*). */
#include "core/page_alloc.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/bootinfo.h"
#include "bitalloc.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/string.h"

const uint8_t zero_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static struct spinlock lock = SPINLOCK_INIT;	/* guards pages */
static struct bitalloc pages;
static size_t total_pages;
/* One count per page of RAM: what shares a user or file page (mappings
 * in several address spaces, a file's page cache) holds a reference, and
 * each pin adds PIN_BIAS (the low bits count the sharers; 1024 pins fit
 * above them with room to spare).  Changed with atomics, never under the
 * lock. */
#define PIN_BIAS	(1u << 20)
static uint32_t *refs;
static size_t nrefs;
/* RAM as the firmware gave it: what the page ranges handed back by the
 * initrd's owner may be (page_release_reserved, page_is_ram). */
static struct mem_region ram_map[BOOT_MAX_REGIONS];
static int nram_map;

static int overlaps(uint64_t s, uint64_t e, const struct mem_region *r, int n)
{
	for (int i = 0; i < n; i++)
		if (s < r[i].end && r[i].start < e)
			return 1;
	return 0;
}

/* A page-aligned spot for `bytes` in RAM clear of every reserved range. */
static uint64_t place_bitmap(size_t bytes, const struct mem_region *ram, int nram,
			     const struct mem_region *res, int nres)
{
	for (int i = 0; i < nram; i++) {
		for (uint64_t s = PAGE_ROUND_UP(ram[i].start); s + bytes <= ram[i].end; s += PAGE_SIZE)
			if (!overlaps(s, s + bytes, res, nres))
				return s;
	}
	panic("no room for the page bitmap");
}

void page_alloc_init(const struct mem_region *ram, int nram,
		     const struct mem_region *reserved, int nreserved)
{
	uint64_t top = 0;

	for (int i = 0; i < nram; i++)
		if (ram[i].end > top)
			top = ram[i].end;
	size_t npages = top / PAGE_SIZE;
	size_t bitmap = PAGE_ROUND_UP(bitalloc_words(npages) * 8);
	size_t bytes = bitmap + PAGE_ROUND_UP(npages * sizeof *refs);
	uint64_t at = place_bitmap(bytes, ram, nram, reserved, nreserved);

	bitalloc_init(&pages, phys_to_virt(at), npages);
	refs = phys_to_virt(at + bitmap);
	nrefs = npages;
	for (int i = 0; i < nram && i < BOOT_MAX_REGIONS; i++)
		ram_map[nram_map++] = ram[i];
	for (int i = 0; i < nram; i++) {
		uint64_t s = PAGE_ROUND_UP(ram[i].start), e = PAGE_ROUND_DOWN(ram[i].end);
		if (e > s)
			bitalloc_mark_free(&pages, s / PAGE_SIZE, (e - s) / PAGE_SIZE);
	}
	for (int i = 0; i < nreserved; i++) {
		uint64_t s = PAGE_ROUND_DOWN(reserved[i].start), e = PAGE_ROUND_UP(reserved[i].end);
		bitalloc_mark_used(&pages, s / PAGE_SIZE, (e - s) / PAGE_SIZE);
	}
	bitalloc_mark_used(&pages, at / PAGE_SIZE, bytes / PAGE_SIZE);
	total_pages = pages.nfree;
}

static size_t (*reclaim)(size_t want);

void page_set_reclaim(size_t (*fn)(size_t want)) { reclaim = fn; }

static uint64_t take(size_t n)
{
	uint64_t flags = spin_lock_irqsave(&lock);
	long at = bitalloc_alloc(&pages, n, 1);

	spin_unlock_irqrestore(&lock, flags);
	if (at < 0 && reclaim && reclaim(n + 64)) {
		flags = spin_lock_irqsave(&lock);
		at = bitalloc_alloc(&pages, n, 1);
		spin_unlock_irqrestore(&lock, flags);
	}
	if (at < 0)
		return 0;
	__atomic_store_n(&refs[at], 1, __ATOMIC_RELAXED);
	return (uint64_t)at * PAGE_SIZE;
}

uint64_t page_alloc(size_t n)
{
	uint64_t pa = take(n);

	if (pa)
		memset(phys_to_virt(pa), 0, n * PAGE_SIZE);
	return pa;
}

void page_free(uint64_t pa, size_t n)
{
	uint64_t flags = spin_lock_irqsave(&lock);
	size_t freed = bitalloc_mark_free(&pages, pa / PAGE_SIZE, n);

	spin_unlock_irqrestore(&lock, flags);
	/* A page freed twice would go to two owners at once: stop here, at
	 * the second free, not later where one of them finds the other's
	 * bytes. */
	if (freed != n)
		panic("page_free: %zu of the %zu pages at %lx were free already", n - freed, n, pa);
}

void page_ref_get(uint64_t pa)
{
	BUG_ON(pa / PAGE_SIZE >= nrefs);
	__atomic_add_fetch(&refs[pa / PAGE_SIZE], 1, __ATOMIC_RELAXED);
}

void page_ref_put(uint64_t pa)
{
	BUG_ON(pa / PAGE_SIZE >= nrefs);
	uint32_t left = __atomic_sub_fetch(&refs[pa / PAGE_SIZE], 1, __ATOMIC_ACQ_REL);

	BUG_ON(left == UINT32_MAX);
	if (!left)
		page_free(pa, 1);
}

uint32_t page_ref_count(uint64_t pa)
{
	return pa / PAGE_SIZE < nrefs ? __atomic_load_n(&refs[pa / PAGE_SIZE], __ATOMIC_ACQUIRE) : 0;
}

bool page_pin(uint64_t pa)
{
	BUG_ON(pa / PAGE_SIZE >= nrefs);
	uint32_t *r = &refs[pa / PAGE_SIZE], old = __atomic_load_n(r, __ATOMIC_RELAXED);

	do {
		if (old / PIN_BIAS >= PAGE_PINS_MAX)
			return false;
	} while (!__atomic_compare_exchange_n(r, &old, old + PIN_BIAS, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

void page_unpin(uint64_t pa)
{
	BUG_ON(pa / PAGE_SIZE >= nrefs);
	uint32_t left = __atomic_sub_fetch(&refs[pa / PAGE_SIZE], PIN_BIAS, __ATOMIC_ACQ_REL);

	BUG_ON(left > UINT32_MAX - PIN_BIAS);
	if (!left)
		page_free(pa, 1);
}

bool page_pinned(uint64_t pa) { return page_ref_count(pa) >= PIN_BIAS; }

uint32_t page_sharers(uint64_t pa) { return page_ref_count(pa) % PIN_BIAS; }

void page_adopt(uint64_t pa)
{
	BUG_ON(pa % PAGE_SIZE || pa / PAGE_SIZE >= nrefs);
	uint64_t flags = spin_lock_irqsave(&lock);

	total_pages++;
	spin_unlock_irqrestore(&lock, flags);
	__atomic_store_n(&refs[pa / PAGE_SIZE], 1, __ATOMIC_RELAXED);
}

bool page_is_ram(uint64_t pa, size_t n)
{
	uint64_t end = pa + n * PAGE_SIZE;

	for (int i = 0; i < nram_map; i++)
		if (ram_map[i].start <= pa && end <= ram_map[i].end)
			return true;
	return false;
}

void page_release_reserved(uint64_t pa, size_t n)
{
	BUG_ON(pa % PAGE_SIZE);
	for (; n; n--, pa += PAGE_SIZE) {
		if (!page_is_ram(pa, 1))
			continue;	/* the firmware's: the loader put the initrd over it */
		uint64_t flags = spin_lock_irqsave(&lock);
		bitalloc_mark_free(&pages, pa / PAGE_SIZE, 1);
		total_pages++;
		spin_unlock_irqrestore(&lock, flags);
	}
}

void *page_alloc_virt(size_t n)
{
	uint64_t pa = page_alloc(n);

	return pa ? phys_to_virt(pa) : NULL;
}

void *page_alloc_virt_uninit(size_t n)
{
	uint64_t pa = take(n);

	return pa ? phys_to_virt(pa) : NULL;
}

void page_free_virt(void *va, size_t n) { page_free(virt_to_phys(va), n); }
size_t page_free_count(void) { return pages.nfree; }
size_t page_total_count(void) { return total_pages; }

/* A 128th of RAM and 128 KiB: what the kernel needs to go on answering
 * (and to end a program) when programs have taken everything else.  Less
 * than tmpfs's own reserve, so a full file system still leaves the program
 * room to run. */
size_t page_reserve(void) { return total_pages / 128 + 32; }

bool page_room_for_program(size_t n)
{
	if (pages.nfree < n + page_reserve() && reclaim)
		reclaim(n + page_reserve() - pages.nfree + 64);
	return pages.nfree >= n + page_reserve();
}
