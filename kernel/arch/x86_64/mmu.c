/* Page tables.  The kernel's mappings: a direct map of RAM in 2 MiB pages
 * (data, never executable) and the kernel image in 4 KiB pages with W^X
 * permissions per section.  Every address space has a top-level table of
 * its own (a root) whose upper half is a copy of the kernel's: the kernel's
 * top-level entries are all made at boot (mmu_init) and never change after,
 * so the copies never go stale.  Programs' pages are mapped one at a time
 * by core/vm.c through mmu_*_user, in the root it names. */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"
#include "arch/x86_64/bootinfo.h"
#include "arch/x86_64/x86.h"
#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/string.h"

#define PTE_P	(1ull << 0)
#define PTE_W	(1ull << 1)
#define PTE_U	(1ull << 2)
#define PTE_PWT	(1ull << 3)
#define PTE_PCD	(1ull << 4)
#define PTE_PS	(1ull << 7)
#define PTE_G	(1ull << 8)
#define PTE_NX	(1ull << 63)
#define PTE_NONE (1ull << 9)	/* software: a PROT_NONE page, kept but not present */
#define PTE_BORROWED (1ull << 10) /* software: a file's own page in a private mapping */
#define PTE_USED (PTE_P | PTE_NONE)
#define PTE_ADDR 0x000ffffffffff000ull
#define LARGE	(2ull << 20)

extern char kernel_phys_start[], text_start[], text_end[], rodata_start[], rodata_end[],
	data_start[], kernel_end[], boot_stack_guard[];

#define KERNEL_HALF	256	/* the first top-level entry of the kernel half */
#define TOP_SPAN	(1ull << 39)
/* The direct map's top-level entries made at boot cover physical
 * addresses up to the CPU's limit, at most this much. */
#define DIRECT_REACH_MAX (1ull << 43)

static uint64_t *pml4;		/* the kernel's own root */
/* Set once the kernel half's top-level entries are all made: a new one
 * after that would be missing from every root copied before it. */
static bool top_sealed;
/* Guards changes to the kernel half (mmu_map_phys); a user half is guarded
 * by the lock of core/vm.c's address space that owns the root. */
static struct spinlock kernel_map_lock = SPINLOCK_INIT;

static uint64_t *table_at(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR); }

/* The entry for va at `level` (3 = PML4 ... 0 = PT), creating tables on the
 * way with `table_flags`; NULL if a table is missing (and !create), out of
 * memory, or a large page covers va above that level. */
static uint64_t *walk_in(uint64_t *root, uint64_t va, int level, bool create, uint64_t table_flags)
{
	uint64_t *t = root;

	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[(va >> (12 + 9 * l)) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			if (l == 3 && va >= USER_TOP && top_sealed)
				panic("a new top-level kernel mapping at %lx after boot", va);
			uint64_t pa = page_alloc(1);
			if (!pa)
				return NULL;
			*e = pa | table_flags;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		t = table_at(*e);
	}
	return &t[(va >> (12 + 9 * level)) & 511];
}

static uint64_t *walk(uint64_t va, int level, bool create, uint64_t table_flags)
{
	return walk_in(pml4, va, level, create, table_flags);
}

/* How much of the physical address space the CPU can address. */
static uint64_t phys_reach(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000008)
		return 1ull << 36;
	cpuid(0x80000008, 0, r);
	uint64_t reach = 1ull << (r[0] & 0xff);
	return reach < DIRECT_REACH_MAX ? reach : DIRECT_REACH_MAX;
}

/* Makes every top-level entry of the kernel half that can ever be used:
 * the direct map over all the CPU can address (device memory found later
 * lands there), the stacks' area; the image's exists already. */
static void seal_top_level(void)
{
	uint64_t reach = phys_reach();

	for (uint64_t pa = 0; pa < reach; pa += TOP_SPAN)
		if (!walk(DIRECT_BASE + pa, 2, true, PTE_P | PTE_W))
			panic("out of memory for the direct map's page tables");
	/* The stacks' area has its top-level entry from the start, so that
	 * every copy of the kernel half made later sees the same area. */
	if (!walk(KSTACK_AREA, 2, true, PTE_P | PTE_W))
		panic("out of memory for the kernel stacks' page tables");
	top_sealed = true;
}

static void map_kernel_range(uint64_t va, uint64_t va_end, uint64_t flags)
{
	for (; va < va_end; va += PAGE_SIZE) {
		uint64_t *e = walk(va, 0, true, PTE_P | PTE_W);
		if (!e)
			panic("out of memory mapping the kernel");
		*e = (va - KERNEL_VMA) | flags;
	}
}

/* The page under CPU 0's boot stack (boot.S) is left unmapped: the boot
 * stack is CPU 0's idle stack for good, and gets a guard like every other. */
static void unmap_kernel_page(uint64_t va)
{
	uint64_t *e = walk(va, 0, false, 0);

	if (e)
		*e = 0;
}

static void map_direct(uint64_t start, uint64_t end)
{
	for (uint64_t pa = start & ~(LARGE - 1); pa < end; pa += LARGE) {
		uint64_t *e = walk(DIRECT_BASE + pa, 1, true, PTE_P | PTE_W);
		if (!e)
			panic("out of memory building the direct map");
		if (!(*e & PTE_P))
			*e = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
	}
}

void mmu_init(void)
{
	uint64_t pa = page_alloc(1);

	if (!pa)
		panic("out of memory for page tables");
	pml4 = phys_to_virt(pa);
	for (int i = 0; i < boot_info.nram; i++)
		map_direct(boot_info.ram[i].start, boot_info.ram[i].end);
	map_direct(0, LARGE);	/* low memory: the AP trampoline, BIOS data */
	map_kernel_range((uint64_t)text_start, (uint64_t)text_end, PTE_P | PTE_G);
	map_kernel_range((uint64_t)rodata_start, (uint64_t)rodata_end, PTE_P | PTE_G | PTE_NX);
	map_kernel_range((uint64_t)data_start, (uint64_t)kernel_end, PTE_P | PTE_W | PTE_G | PTE_NX);
	unmap_kernel_page((uint64_t)boot_stack_guard);
	seal_top_level();
	write_cr3(pa);
}

uint64_t *mmu_root_new(void)
{
	uint64_t *root = page_alloc_virt(1);

	if (root)
		memcpy(root + KERNEL_HALF, pml4 + KERNEL_HALF, KERNEL_HALF * sizeof *root);
	return root;
}

void mmu_root_free(uint64_t *root)
{
	for (int i = 0; i < KERNEL_HALF; i++)
		BUG_ON(root[i]);
	page_free_virt(root, 1);
}

void mmu_root_load(uint64_t *root) { write_cr3(virt_to_phys(root ? root : pml4)); }

/* Whole 2 MiB pages where the range covers them (a server maps a region
 * of 2 MiB per app: 512 small entries each would cost as many TLB
 * flushes), small pages at the edges.  An entry that was not present needs
 * no invlpg: no TLB caches a non-present entry. */
void *mmu_map_phys(uint64_t pa, uint64_t size, bool uncached)
{
	uint64_t flags = PTE_P | PTE_W | PTE_G | PTE_NX | (uncached ? PTE_PCD | PTE_PWT : 0);
	uint64_t irq = spin_lock_irqsave(&kernel_map_lock);

	for (uint64_t p = PAGE_ROUND_DOWN(pa); p < pa + size;) {
		uint64_t *large = walk(DIRECT_BASE + p, 1, true, PTE_P | PTE_W);
		if (large && (*large & PTE_P) && (*large & PTE_PS)) {
			p = (p & ~(LARGE - 1)) + LARGE;	/* already in the direct map */
			continue;
		}
		if (large && !(*large & PTE_P) && p % LARGE == 0 && pa + size - p >= LARGE) {
			*large = p | flags | PTE_PS;
			p += LARGE;
			continue;
		}
		uint64_t *e = walk(DIRECT_BASE + p, 0, true, PTE_P | PTE_W);
		if (!e)
			panic("out of memory mapping physical %lx", p);
		bool was_present = *e & PTE_P;
		*e = p | flags;
		if (was_present)
			invlpg(DIRECT_BASE + p);
		p += PAGE_SIZE;
	}
	spin_unlock_irqrestore(&kernel_map_lock, irq);
	return phys_to_virt(pa);
}

int mmu_map_kstack(uint64_t va, uint64_t pa)
{
	uint64_t irq = spin_lock_irqsave(&kernel_map_lock);
	uint64_t *e = walk(va, 0, true, PTE_P | PTE_W);

	if (e)
		*e = pa | PTE_P | PTE_W | PTE_NX;
	spin_unlock_irqrestore(&kernel_map_lock, irq);
	return e ? 0 : -ENOMEM;
}

uint64_t mmu_unmap_kstack(uint64_t va)
{
	uint64_t irq = spin_lock_irqsave(&kernel_map_lock);
	uint64_t *e = walk(va, 0, false, 0), pa = e && (*e & PTE_P) ? *e & PTE_ADDR : 0;

	if (e)
		*e = 0;
	invlpg(va);
	spin_unlock_irqrestore(&kernel_map_lock, irq);
	return pa;
}

static uint64_t user_flags(unsigned prot)
{
	if (!prot)
		return PTE_NONE;
	uint64_t f = PTE_P | PTE_U;

	if (prot & MMU_WRITE)
		f |= PTE_W;
	if (!(prot & MMU_EXEC))
		f |= PTE_NX;
	return f;
}

int mmu_map_user(uint64_t *root, uint64_t va, uint64_t pa, unsigned prot)
{
	uint64_t *e = walk_in(root, va, 0, true, PTE_P | PTE_W | PTE_U);

	if (!e)
		return -ENOMEM;
	*e = pa | user_flags(prot);
	return 0;
}

uint64_t mmu_translate_user(uint64_t *root, uint64_t va)
{
	uint64_t *e = walk_in(root, va, 0, false, 0);

	return e && (*e & PTE_USED) ? *e & PTE_ADDR : 0;
}

uint64_t *mmu_user_pte(uint64_t *root, uint64_t va)
{
	uint64_t *e = walk_in(root, va, 0, false, 0);

	return e && (*e & PTE_USED) ? e : NULL;
}

/* ---- ranges of the user half ------------------------------------------- */

static uint64_t span_of(int level) { return 1ull << (12 + 9 * level); }

/* Visits the used entries of [start, end) in the table at `level` that maps
 * from base; absent tables are skipped whole, so a range costs what it has
 * mapped, not its length.  User tables have no large pages. */
static void walk_user(uint64_t *t, int level, uint64_t base, uint64_t start, uint64_t end,
		      mmu_visit_fn *fn, void *ctx)
{
	uint64_t span = span_of(level);

	for (uint64_t i = (start - base) / span; i < 512; i++) {
		uint64_t lo = base + i * span;
		if (lo >= end)
			break;
		if (level == 0) {
			if (t[i] & PTE_USED)
				fn(lo, &t[i], ctx);
		} else if (t[i] & PTE_P) {
			walk_user(table_at(t[i]), level - 1, lo, lo > start ? lo : start,
				  lo + span < end ? lo + span : end, fn, ctx);
		}
	}
}

void mmu_user_walk(uint64_t *root, uint64_t start, uint64_t end, mmu_visit_fn *fn, void *ctx)
{
	if (start < end && end <= USER_TOP)
		walk_user(root, 3, 0, start, end, fn, ctx);
}

void mmu_user_clear(uint64_t *pte) { *pte = 0; }

void mmu_user_set_prot(uint64_t *pte, unsigned prot)
{
	*pte = (*pte & (PTE_ADDR | PTE_BORROWED)) | user_flags(prot);
}

void mmu_user_set(uint64_t *pte, uint64_t pa, unsigned prot) { *pte = pa | user_flags(prot); }

void mmu_user_set_borrowed(uint64_t *pte) { *pte |= PTE_BORROWED; }

bool mmu_user_borrowed(const uint64_t *pte) { return *pte & PTE_BORROWED; }

uint64_t mmu_user_pa(const uint64_t *pte) { return *pte & PTE_ADDR; }

unsigned mmu_user_prot(const uint64_t *pte)
{
	if (!(*pte & PTE_P))
		return 0;
	return MMU_READ | (*pte & PTE_W ? MMU_WRITE : 0) | (*pte & PTE_NX ? 0 : MMU_EXEC);
}

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

/* Below `level`, frees (through fn) the tables of [start, end) left with
 * no entries, clearing the entries that pointed at them. */
static void prune_user(uint64_t *t, int level, uint64_t base, uint64_t start, uint64_t end,
		       mmu_free_fn *fn, void *ctx)
{
	uint64_t span = span_of(level);

	for (uint64_t i = (start - base) / span; i < 512 && level > 0; i++) {
		uint64_t lo = base + i * span;
		if (lo >= end)
			break;
		if (!(t[i] & PTE_P))
			continue;
		uint64_t *child = table_at(t[i]);
		prune_user(child, level - 1, lo, lo > start ? lo : start,
			   lo + span < end ? lo + span : end, fn, ctx);
		if (table_empty(child)) {
			uint64_t pa = t[i] & PTE_ADDR;
			t[i] = 0;
			fn(pa, ctx);
		}
	}
}

void mmu_user_prune(uint64_t *root, uint64_t start, uint64_t end, mmu_free_fn *fn, void *ctx)
{
	if (start < end && end <= USER_TOP)
		prune_user(root, 3, 0, start, end, fn, ctx);
}

