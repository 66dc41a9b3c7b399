/* The limits an address space is held to (core/vm.h's enum vm_limit,
 * Linux's RLIMIT_AS, RLIMIT_DATA and RLIMIT_MEMLOCK, which linux/ keeps
 * and hands down): how much is mapped, how much of it is data, how much
 * is locked.  Nothing is counted as it changes: each check walks the
 * mappings, and only under a limit, so no count can drift from what the
 * list holds through a cut, a merge, a move or a fork. */
#include "core/vm.h"

#include "arch/x86_64/arch.h"
#include "core/list.h"
#include "core/mm.h"
#include "core/vm_internal.h"

/* Linux's stack starts 128 KiB below what exec put there and grows as it
 * is used; amphi's is mapped whole (VM_STACK_SIZE) at exec.  For the lock
 * count it counts as Linux's would: down to the lowest page used, and at
 * least this much. */
#define STACK_INITIAL	(132ul << 10)

static bool (*lock_privilege)(void);

void vm_set_lock_privilege(bool (*unlimited)(void)) { lock_privilege = unlimited; }

void vm_set_limit(struct mm *mm, enum vm_limit which, uint64_t bytes)
{
	__atomic_store_n(&mm->limits[which], bytes, __ATOMIC_RELAXED);
}

static uint64_t limit_of(struct mm *mm, enum vm_limit which)
{
	return __atomic_load_n(&mm->limits[which], __ATOMIC_RELAXED);
}

bool vma_is_data(const struct vma *v)
{
	return (v->prot & MMU_WRITE) && !(v->flags & (VM_SHARED | VM_STACK));
}

static void lowest(uint64_t va, uint64_t *pte, void *ctx)
{
	uint64_t *low = ctx;

	(void)pte;
	if (va < *low)
		*low = va;
}

uint64_t vma_lock_start(struct mm *mm, const struct vma *v)
{
	if (!(v->flags & VM_STACK) || v->end != VM_STACK_TOP)
		return v->start;
	uint64_t low = v->end - STACK_INITIAL;
	mmu_user_walk(mm->root, v->start, low, lowest, &low);
	return low > v->start ? low : v->start;
}

/* Bytes inside [start, end) of the mappings that match: all (kind 0),
 * data, or locked (as far as vma_lock_start).  Caller holds mm->lock. */
enum { ALL, DATA, LOCKED };

static uint64_t bytes_in(struct mm *mm, uint64_t start, uint64_t end, int kind)
{
	uint64_t n = 0;
	struct list *l;

	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= end)
			break;
		if (v->end <= start || (kind == DATA && !vma_is_data(v)) ||
		    (kind == LOCKED && !(v->flags & VM_LOCKED)))
			continue;
		uint64_t lo = kind == LOCKED ? vma_lock_start(mm, v) : v->start;
		lo = lo > start ? lo : start;
		uint64_t hi = v->end < end ? v->end : end;
		n += hi > lo ? hi - lo : 0;
	}
	return n;
}

/* Whether what is counted may take len bytes more once `less` bytes of it
 * have gone: Linux's may_expand_vm, in pages as Linux counts. */
static bool fits(uint64_t now, uint64_t less, uint64_t len, uint64_t limit)
{
	uint64_t after = (now > less ? now - less : 0) / PAGE_SIZE, add = len / PAGE_SIZE;

	return add <= limit / PAGE_SIZE && after <= limit / PAGE_SIZE - add;
}

bool vm_may_grow(struct mm *mm, uint64_t len, uint64_t going, uint64_t going_end, uint64_t freed,
		 bool data)
{
	uint64_t as = limit_of(mm, VM_LIMIT_AS), dl = limit_of(mm, VM_LIMIT_DATA);

	if (as == UINT64_MAX && (!data || dl == UINT64_MAX))
		return true;
	/* Linux takes from the data too what goes at the new place, whatever
	 * its kind (mmap_region's count_vma_pages_range). */
	uint64_t less = bytes_in(mm, going, going_end, ALL) + freed;
	if (as != UINT64_MAX && !fits(bytes_in(mm, 0, VM_USER_END, ALL), less, len, as))
		return false;
	return !data || dl == UINT64_MAX || fits(bytes_in(mm, 0, VM_USER_END, DATA), less, len, dl);
}

bool vm_may_become_data(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t limit = limit_of(mm, VM_LIMIT_DATA), more = 0;
	struct list *l;

	if (limit == UINT64_MAX)
		return true;
	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= end)
			break;
		if (v->end <= start || (v->prot & MMU_WRITE) || (v->flags & (VM_SHARED | VM_STACK)))
			continue;
		more += (v->end < end ? v->end : end) - (v->start > start ? v->start : start);
	}
	return fits(bytes_in(mm, 0, VM_USER_END, DATA), 0, more, limit);
}

bool vm_may_lock(struct mm *mm, uint64_t len, uint64_t start, uint64_t end)
{
	uint64_t limit = limit_of(mm, VM_LIMIT_LOCKED) / PAGE_SIZE;

	if (limit == UINT64_MAX / PAGE_SIZE)
		return true;
	uint64_t locked = bytes_in(mm, 0, VM_USER_END, LOCKED) / PAGE_SIZE, add = len / PAGE_SIZE;
	uint64_t want = add > UINT64_MAX - locked ? UINT64_MAX : add + locked;
	/* mlock: what the range holds locked already is not counted twice */
	if (want > limit && end > start)
		want -= bytes_in(mm, start, end, LOCKED) / PAGE_SIZE;
	return want <= limit || vm_lock_unlimited();
}

bool vm_may_lock_all(struct mm *mm)
{
	uint64_t limit = limit_of(mm, VM_LIMIT_LOCKED), total = 0;
	struct list *l;

	if (limit == UINT64_MAX)
		return true;
	list_for_each(l, &mm->vmas)
		total += vma_at(l)->end - vma_lock_start(mm, vma_at(l));
	return total / PAGE_SIZE <= limit / PAGE_SIZE || vm_lock_unlimited();
}

bool vm_lock_unlimited(void) { return !lock_privilege || lock_privilege(); }

uint64_t vm_locked_bytes(struct mm *mm)
{
	spin_lock(&mm->lock);
	uint64_t n = bytes_in(mm, 0, VM_USER_END, LOCKED);
	spin_unlock(&mm->lock);
	return n;
}

uint64_t vm_data_bytes(struct mm *mm)
{
	spin_lock(&mm->lock);
	uint64_t n = bytes_in(mm, 0, VM_USER_END, DATA);
	spin_unlock(&mm->lock);
	return n;
}
