/* VMAs: a sorted list under one lock.  Pages are allocated on first touch
 * (vm_fault) and freed on unmap after every CPU has dropped its TLB entries.
 *
 * The lock is a plain spinlock taken with interrupts on: a CPU waiting for it
 * must still answer another CPU's TLB shoot-down. */
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

#define MAX_VMAS 65530

struct vma {
	struct list link;
	uint64_t start, end;
	unsigned prot;
};

static struct spinlock vm_lock = SPINLOCK_INIT;	/* guards vmas, nvmas, user page tables */
static struct list vmas = LIST_INIT(vmas);	/* sorted by start, disjoint */
static int nvmas;

static struct vma *vma_at(struct list *l) { return list_entry(l, struct vma, link); }

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
	struct vma *tail = kmalloc(sizeof *tail);
	if (!tail)
		return -ENOMEM;
	*tail = (struct vma){ .start = addr, .end = v->end, .prot = v->prot };
	v->end = addr;
	list_add_head(&v->link, &tail->link);
	nvmas++;
	return 0;
}

/* Unmaps the pages of [start, end) and frees them once no CPU can still
 * reach them.  Caller holds vm_lock. */
static void drop_pages(uint64_t start, uint64_t end)
{
	uint64_t freed[32];
	int n = 0;

	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t pa = mmu_unmap_user(va);
		if (!pa)
			continue;
		if (n == 32) {
			arch_tlb_shootdown(start, end);
			for (int i = 0; i < n; i++)
				page_free(freed[i], 1);
			n = 0;
		}
		freed[n++] = pa;
	}
	if (!n)
		return;
	arch_tlb_shootdown(start, end);
	for (int i = 0; i < n; i++)
		page_free(freed[i], 1);
}

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
	struct vma *v = kmalloc(sizeof *v);
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

static bool range_ok(uint64_t addr, uint64_t len)
{
	return !(addr & (PAGE_SIZE - 1)) && len && addr >= VM_MIN_ADDR &&
	       addr + len > addr && addr + len <= USER_TOP;
}

int vm_map_fixed(uint64_t addr, uint64_t len, unsigned prot)
{
	len = PAGE_ROUND_UP(len);
	if (!range_ok(addr, len))
		return -EINVAL;
	spin_lock(&vm_lock);
	int err = unmap_locked(addr, addr + len);
	if (!err)
		err = insert(addr, addr + len, prot);
	spin_unlock(&vm_lock);
	return err;
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
	uint64_t at = hint && range_ok(hint, len) && is_free_locked(hint, len) ? hint : find_gap(len);
	int err = at ? insert(at, at + len, prot) : -ENOMEM;
	spin_unlock(&vm_lock);
	return err ? err : (long)at;
}

int vm_unmap(uint64_t addr, uint64_t len)
{
	len = PAGE_ROUND_UP(len);
	if ((addr & (PAGE_SIZE - 1)) || !len || addr + len < addr || addr + len > USER_TOP)
		return -EINVAL;
	spin_lock(&vm_lock);
	int err = unmap_locked(addr, addr + len);
	spin_unlock(&vm_lock);
	return err;
}

/* True if [start, end) is covered by VMAs without holes.  Caller holds vm_lock. */
static bool covered(uint64_t start, uint64_t end)
{
	uint64_t at = start;
	struct list *l;

	list_for_each(l, &vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= at)
			continue;
		if (v->start > at)
			return false;
		at = v->end;
		if (at >= end)
			return true;
	}
	return false;
}

int vm_protect(uint64_t addr, uint64_t len, unsigned prot)
{
	len = PAGE_ROUND_UP(len);
	if ((addr & (PAGE_SIZE - 1)) || addr + len < addr || addr + len > USER_TOP)
		return -EINVAL;
	if (!len)
		return 0;
	spin_lock(&vm_lock);
	int err = covered(addr, addr + len) ? 0 : -ENOMEM;
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
		for (uint64_t va = addr; va < addr + len; va += PAGE_SIZE)
			mmu_protect_user(va, prot);
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

/* Caller holds vm_lock. */
static int populate(uint64_t va, unsigned prot)
{
	if (mmu_translate_user(va))
		return 0;
	uint64_t pa = page_alloc(1);
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
	len = PAGE_ROUND_UP(len);
	if ((addr & (PAGE_SIZE - 1)) || addr + len < addr || addr + len > USER_TOP)
		return -EINVAL;
	spin_lock(&vm_lock);
	drop_pages(addr, addr + len);
	spin_unlock(&vm_lock);
	return 0;
}

/* Moves the pages of [from, from+len) to [to, to+len); the target has no
 * pages.  Caller holds vm_lock. */
static void move_pages(uint64_t from, uint64_t to, uint64_t len, unsigned prot)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t pa = mmu_unmap_user(from + off);
		if (pa && mmu_map_user(to + off, pa, prot) < 0)
			page_free(pa, 1);	/* out of page tables: the page reads as zero */
	}
	arch_tlb_shootdown(from, from + len);
}

long vm_remap(uint64_t old, uint64_t old_len, uint64_t new_len, int may_move, uint64_t fixed_to)
{
	old_len = PAGE_ROUND_UP(old_len);
	new_len = PAGE_ROUND_UP(new_len);
	if (!range_ok(old, old_len) || !new_len || new_len >= VM_MMAP_TOP)
		return -EINVAL;
	spin_lock(&vm_lock);
	struct vma *v = find(old);
	long ret;
	if (!v || old + old_len > v->end) {
		ret = -EFAULT;
	} else if (!fixed_to && new_len <= old_len) {
		ret = unmap_locked(old + new_len, old + old_len);
		ret = ret ? ret : (long)old;
	} else if (!fixed_to && v->end == old + old_len && is_free_locked(old + old_len, new_len - old_len)) {
		v->end = old + new_len;	/* grow in place */
		ret = (long)old;
	} else if (!may_move) {
		ret = -ENOMEM;
	} else {
		unsigned prot = v->prot;
		uint64_t to = fixed_to;
		if (to)
			ret = unmap_locked(to, to + new_len);
		else
			to = find_gap(new_len), ret = to ? 0 : -ENOMEM;
		if (!ret)
			ret = insert(to, to + new_len, prot);
		if (!ret) {
			uint64_t keep = old_len < new_len ? old_len : new_len;
			move_pages(old, to, keep, prot);
			ret = unmap_locked(old, old + old_len);
			ret = ret ? ret : (long)to;
		}
	}
	spin_unlock(&vm_lock);
	return ret;
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
		for (uint64_t va = v->start; count_resident && v->prot && va < v->end; va += PAGE_SIZE)
			a->resident += mmu_translate_user(va) != 0;
		found = 1;
		break;
	}
	spin_unlock(&vm_lock);
	return found;
}
