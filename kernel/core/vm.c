/* VMAs: a sorted list under one lock.  Pages are allocated on first touch
 * (vm_fault) and freed on unmap after every CPU has dropped its TLB entries.
 *
 * The lock is a plain spinlock taken with interrupts on: a CPU waiting for it
 * must still answer another CPU's TLB shoot-down.  Work under it is bounded by
 * what is mapped, never by the length of a range: page tables are walked
 * level by level, skipping what is absent (mmu_user_walk), so dropping a
 * 4 TiB PROT_NONE reservation costs as little as dropping a page.
 *
 * Every range here is page aligned and lies below VM_USER_END; linux/sys_mm.c
 * checks what programs pass (with Linux's errnos) and range_ok() here refuses
 * anything else again, so no path can reach a kernel address. */
#include "core/vm.h"

#include <stdbool.h>

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/string.h"

#define MAX_VMAS 65530		/* Linux's default vm.max_map_count */

struct vma {
	struct list link;
	uint64_t start, end;
	unsigned prot;
};

static struct spinlock vm_lock = SPINLOCK_INIT;	/* guards vmas, nvmas, user page tables */
static struct list vmas = LIST_INIT(vmas);	/* sorted by start, disjoint */
static int nvmas;

static struct vma *vma_at(struct list *l) { return list_entry(l, struct vma, link); }

/* Page aligned, not empty, and inside [0, VM_USER_END) without wrapping. */
static bool range_ok(uint64_t addr, uint64_t len)
{
	return !(addr & (PAGE_SIZE - 1)) && !(len & (PAGE_SIZE - 1)) && len &&
	       len <= VM_USER_END && addr <= VM_USER_END - len;
}

/* Caller holds vm_lock. */
static struct vma *find(uint64_t addr)
{
	struct list *l;

	list_for_each(l, &vmas) {
		struct vma *v = vma_at(l);
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* Makes addr a VMA boundary.  Caller holds vm_lock. */
static int split_at(uint64_t addr)
{
	struct vma *v = find(addr);

	if (!v || v->start == addr)
		return 0;
	if (nvmas >= MAX_VMAS)
		return -ENOMEM;
	struct vma *tail = kmalloc_program(sizeof *tail);
	if (!tail)
		return -ENOMEM;
	*tail = (struct vma){ .start = addr, .end = v->end, .prot = v->prot };
	v->end = addr;
	list_add_head(&v->link, &tail->link);
	nvmas++;
	return 0;
}

/* ---- pages on their way out ----------------------------------------------- */

/* Pages and page tables taken out of [start, end): freed only once every
 * CPU has flushed that range, in batches. */
struct reclaim {
	uint64_t start, end;
	int n;
	uint64_t pa[32];
};

static void reclaim_flush(struct reclaim *r)
{
	if (!r->n)
		return;
	arch_tlb_shootdown(r->start, r->end);
	for (int i = 0; i < r->n; i++)
		page_free(r->pa[i], 1);
	r->n = 0;
}

static void reclaim_add(uint64_t pa, void *ctx)
{
	struct reclaim *r = ctx;

	if (r->n == (int)(sizeof r->pa / sizeof r->pa[0]))
		reclaim_flush(r);
	r->pa[r->n++] = pa;
}

static void drop_one(uint64_t va, uint64_t *pte, void *ctx)
{
	uint64_t pa = mmu_user_pa(pte);

	(void)va;
	mmu_user_clear(pte);
	reclaim_add(pa, ctx);
}

/* Unmaps the pages of [start, end) and the page tables left empty, and
 * frees them once no CPU can still reach them.  Caller holds vm_lock. */
static void drop_pages(uint64_t start, uint64_t end)
{
	struct reclaim r = { .start = start, .end = end };

	mmu_user_walk(start, end, drop_one, &r);
	mmu_user_prune(start, end, reclaim_add, &r);
	reclaim_flush(&r);
}

/* ---- VMAs ------------------------------------------------------------------ */

/* Removes every mapping inside [start, end).  Caller holds vm_lock. */
static int unmap_locked(uint64_t start, uint64_t end)
{
	int err = split_at(start);

	if (!err)
		err = split_at(end);
	if (err)
		return err;
	struct list *l, *n;
	list_for_each_safe(l, n, &vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= end)
			break;
		if (v->start >= start) {
			drop_pages(v->start, v->end);
			list_del(&v->link);
			kfree(v);
			nvmas--;
		}
	}
	return 0;
}

/* Caller holds vm_lock; [start, end) is free. */
static int insert(uint64_t start, uint64_t end, unsigned prot)
{
	struct list *l;

	if (nvmas >= MAX_VMAS)
		return -ENOMEM;
	struct vma *v = kmalloc_program(sizeof *v);
	if (!v)
		return -ENOMEM;
	*v = (struct vma){ .start = start, .end = end, .prot = prot };
	list_for_each(l, &vmas)
		if (vma_at(l)->start > start)
			break;
	list_insert_between(&v->link, l->prev, l);
	nvmas++;
	return 0;
}

/* Caller holds vm_lock. */
static bool is_free_locked(uint64_t addr, uint64_t len)
{
	struct list *l;

	list_for_each(l, &vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= addr + len)
			break;
		if (v->end > addr)
			return false;
	}
	return true;
}

int vm_map_fixed(uint64_t addr, uint64_t len, unsigned prot, bool replace)
{
	len = PAGE_ROUND_UP(len);
	if (!range_ok(addr, len))
		return -EINVAL;
	if (addr < VM_MIN_ADDR)
		return -EPERM;	/* as Linux's vm.mmap_min_addr */
	spin_lock(&vm_lock);
	int err = replace ? unmap_locked(addr, addr + len) : is_free_locked(addr, len) ? 0 : -EEXIST;
	if (!err)
		err = insert(addr, addr + len, prot);
	spin_unlock(&vm_lock);
	return err;
}

int vm_is_free(uint64_t addr, uint64_t len)
{
	spin_lock(&vm_lock);
	bool free = is_free_locked(addr, len);
	spin_unlock(&vm_lock);
	return free;
}

/* Highest free gap of len bytes below VM_MMAP_TOP.  Caller holds vm_lock. */
static uint64_t find_gap(uint64_t len)
{
	if (len > VM_MMAP_TOP - VM_MIN_ADDR)
		return 0;
	uint64_t cand = VM_MMAP_TOP - len;
	struct list *l;

	for (l = vmas.prev; l != &vmas; l = l->prev) {
		struct vma *v = vma_at(l);
		if (v->start >= cand + len)
			continue;
		if (v->end <= cand)
			break;
		if (v->start < len + VM_MIN_ADDR)
			return 0;
		cand = v->start - len;
	}
	return cand >= VM_MIN_ADDR ? cand : 0;
}

long vm_map_anywhere(uint64_t hint, uint64_t len, unsigned prot)
{
	len = PAGE_ROUND_UP(len);
	if (!len || len >= VM_MMAP_TOP)
		return -ENOMEM;
	hint = PAGE_ROUND_DOWN(hint);
	spin_lock(&vm_lock);
	bool hint_ok = hint >= VM_MIN_ADDR && range_ok(hint, len) && is_free_locked(hint, len);
	uint64_t at = hint_ok ? hint : find_gap(len);
	int err = at ? insert(at, at + len, prot) : -ENOMEM;
	spin_unlock(&vm_lock);
	return err ? err : (long)at;
}

int vm_unmap(uint64_t addr, uint64_t len)
{
	len = PAGE_ROUND_UP(len);
	if (!range_ok(addr, len))
		return -EINVAL;
	spin_lock(&vm_lock);
	int err = unmap_locked(addr, addr + len);
	spin_unlock(&vm_lock);
	return err;
}

/* True if [start, end) is covered by VMAs without holes (and, with
 * need_access, none of them is PROT_NONE).  Caller holds vm_lock. */
static bool covered(uint64_t start, uint64_t end, bool need_access)
{
	uint64_t at = start;
	struct list *l;

	list_for_each(l, &vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= at)
			continue;
		if (v->start > at || (need_access && !v->prot))
			return false;
		at = v->end;
		if (at >= end)
			return true;
	}
	return false;
}

int vm_covered(uint64_t addr, uint64_t len, bool need_access)
{
	spin_lock(&vm_lock);
	bool all = addr < VM_USER_END && covered(addr, addr + len, need_access);
	spin_unlock(&vm_lock);
	return all ? 0 : -ENOMEM;
}

static void protect_one(uint64_t va, uint64_t *pte, void *ctx)
{
	(void)va;
	mmu_user_set_prot(pte, *(const unsigned *)ctx);
}

int vm_protect(uint64_t addr, uint64_t len, unsigned prot)
{
	len = PAGE_ROUND_UP(len);
	if (!len)
		return 0;
	if (!range_ok(addr, len))
		return -ENOMEM;	/* nothing is mapped out there */
	spin_lock(&vm_lock);
	int err = covered(addr, addr + len, false) ? 0 : -ENOMEM;
	if (!err)
		err = split_at(addr);
	if (!err)
		err = split_at(addr + len);
	if (!err) {
		struct list *l;
		list_for_each(l, &vmas) {
			struct vma *v = vma_at(l);
			if (v->start >= addr + len)
				break;
			if (v->start >= addr)
				v->prot = prot;
		}
		mmu_user_walk(addr, addr + len, protect_one, &prot);
		arch_tlb_shootdown(addr, addr + len);
	}
	spin_unlock(&vm_lock);
	return err;
}

static bool access_allowed(unsigned prot, unsigned access)
{
	if (access & MMU_EXEC)
		return prot & MMU_EXEC;
	if (access & MMU_WRITE)
		return prot & MMU_WRITE;
	return prot != 0;	/* x86 pages are readable if mapped at all */
}

/* Caller holds vm_lock.  The page and the tables to map it come out of
 * what programs may take (page_room_for_program). */
static int populate(uint64_t va, unsigned prot)
{
	if (mmu_translate_user(va))
		return 0;
	uint64_t pa = page_room_for_program(4) ? page_alloc(1) : 0;
	if (!pa)
		return -ENOMEM;
	if (mmu_map_user(va, pa, prot)) {
		page_free(pa, 1);
		return -ENOMEM;
	}
	return 0;
}

int vm_fault(uint64_t addr, unsigned access)
{
	spin_lock(&vm_lock);
	struct vma *v = find(addr);
	int err = v && access_allowed(v->prot, access) ? populate(PAGE_ROUND_DOWN(addr), v->prot) : -EFAULT;
	spin_unlock(&vm_lock);
	return err;
}

int vm_fill(uint64_t addr, const void *src, size_t len)
{
	const char *s = src;
	int err = 0;

	spin_lock(&vm_lock);
	while (len && !err) {
		struct vma *v = find(addr);
		if (!v) {
			err = -EFAULT;
			break;
		}
		uint64_t page = PAGE_ROUND_DOWN(addr), off = addr - page;
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		err = populate(page, v->prot);
		if (!err)
			memcpy((char *)phys_to_virt(mmu_translate_user(page)) + off, s, n);
		addr += n;
		s += n;
		len -= n;
	}
	spin_unlock(&vm_lock);
	return err;
}

int vm_discard(uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len, at = addr;
	bool hole = false;
	struct list *l;

	spin_lock(&vm_lock);
	list_for_each(l, &vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= addr)
			continue;
		if (v->start >= end)
			break;
		hole |= v->start > at;	/* the mapped parts are still done, as on Linux */
		drop_pages(v->start > addr ? v->start : addr, v->end < end ? v->end : end);
		at = v->end;
	}
	spin_unlock(&vm_lock);
	return hole || at < end ? -ENOMEM : 0;
}

/* ---- mremap ---------------------------------------------------------------- */

struct move {
	uint64_t from, to;
	unsigned prot;
	struct reclaim *r;
};

static void move_one(uint64_t va, uint64_t *pte, void *ctx)
{
	struct move *m = ctx;
	uint64_t pa = mmu_user_pa(pte);

	mmu_user_clear(pte);
	if (mmu_map_user(va - m->from + m->to, pa, m->prot) < 0)
		reclaim_add(pa, m->r);	/* out of page tables: the page reads as zero */
}

/* Moves the pages of [from, from+len) to [to, to+len), which has none.
 * Caller holds vm_lock. */
static void move_pages(uint64_t from, uint64_t to, uint64_t len, unsigned prot)
{
	struct reclaim r = { .start = from, .end = from + len };
	struct move m = { from, to, prot, &r };

	mmu_user_walk(from, from + len, move_one, &m);
	mmu_user_prune(from, from + len, reclaim_add, &r);
	if (!r.n)
		arch_tlb_shootdown(from, from + len);	/* the moved pages' old entries */
	reclaim_flush(&r);
}

/* Moves [old, old+len) (inside v) to `to` with new_len bytes, or to a free
 * gap when to is 0; unless keep_old, the old range goes.  Caller holds vm_lock. */
static long move_to(struct vma *v, uint64_t old, uint64_t len, uint64_t new_len, uint64_t to,
		    bool keep_old)
{
	unsigned prot = v->prot;
	long err = 0;

	if (to)
		err = unmap_locked(to, to + new_len);
	else if (!(to = find_gap(new_len)))
		err = -ENOMEM;
	if (!err)
		err = insert(to, to + new_len, prot);
	if (err)
		return err;
	move_pages(old, to, len < new_len ? len : new_len, prot);
	if (!keep_old && (err = unmap_locked(old, old + len)))
		return err;
	return (long)to;
}

/* Grows [old, old+len) to new_len bytes where it is, if the room after it
 * is free: 1 if done.  Caller holds vm_lock. */
static bool grow_in_place(struct vma *v, uint64_t old, uint64_t len, uint64_t new_len)
{
	if (v->end != old + len || new_len > VM_USER_END - old ||
	    !is_free_locked(v->end, new_len - len))
		return false;
	v->end = old + new_len;
	return true;
}

/* Linux's order: the source must start in a mapping; a shrink (also on the
 * way to a move) unmaps the tail as munmap would, wherever it reaches; what
 * is left must lie in one mapping; then move, or grow. */
static long remap_locked(uint64_t old, uint64_t old_len, uint64_t new_len, unsigned flags,
			 uint64_t to)
{
	bool moving = flags & (VM_REMAP_FIXED | VM_REMAP_DONTUNMAP);
	long err;

	if (!find(old))
		return -EFAULT;
	if (!old_len)
		return -EINVAL;	/* Linux's "duplicate a shared area": no shared areas here */
	if ((flags & VM_REMAP_FIXED) && to < VM_MIN_ADDR)
		return -EPERM;	/* as mmap's MAP_FIXED there */
	if (old_len > new_len || (old_len == new_len && !moving)) {
		if (old_len > new_len && !range_ok(old + new_len, old_len - new_len))
			return -EINVAL;
		if (old_len > new_len && (err = unmap_locked(old + new_len, old + old_len)))
			return err;
		if (!moving)
			return (long)old;
		old_len = new_len;
	}
	struct vma *v = find(old);
	if (old_len > v->end - old)
		return -EFAULT;
	if (moving)
		return move_to(v, old, old_len, new_len, flags & VM_REMAP_FIXED ? to : 0,
			       flags & VM_REMAP_DONTUNMAP);
	if (grow_in_place(v, old, old_len, new_len))
		return (long)old;
	if (!(flags & VM_REMAP_MAYMOVE))
		return -ENOMEM;
	return move_to(v, old, old_len, new_len, 0, false);
}

long vm_remap(uint64_t old, uint64_t old_len, uint64_t new_len, unsigned flags, uint64_t to)
{
	if ((old & (PAGE_SIZE - 1)) || !range_ok(0, new_len) ||
	    ((flags & VM_REMAP_FIXED) && !range_ok(to, new_len)))
		return -EINVAL;
	spin_lock(&vm_lock);
	long ret = remap_locked(old, old_len, new_len, flags, to);
	spin_unlock(&vm_lock);
	return ret;
}

/* ---- reading ---------------------------------------------------------------- */

static void count_one(uint64_t va, uint64_t *pte, void *ctx)
{
	(void)va;
	(void)pte;
	(*(uint64_t *)ctx)++;
}

int vm_area_next(uint64_t addr, struct vm_area *a, int count_resident)
{
	struct list *l;
	int found = 0;

	spin_lock(&vm_lock);
	list_for_each(l, &vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= addr)
			continue;
		*a = (struct vm_area){ .start = v->start, .end = v->end, .prot = v->prot };
		if (count_resident && v->prot)
			mmu_user_walk(v->start, v->end, count_one, &a->resident);
		found = 1;
		break;
	}
	spin_unlock(&vm_lock);
	return found;
}
