/* mlock's work on mappings: the lock marks (VM_LOCKED, VM_LOCKONFAULT) on
 * ranges and on everything, the marks mlockall(MCL_FUTURE) gives new
 * mappings (mm->def_flags, read by vm_map), and bringing locked pages in.
 * Memory is never paged out, so a lock holds nothing in place: it counts
 * against the limit (vm_limit.c) and has its pages there from the start,
 * which is what a program can see (mincore, VmLck, the errors). */
#include "core/vm.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/list.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "core/vm_internal.h"

/* Marks the mappings from start on, up to end, with lock, as Linux's
 * apply_vma_lock_flags: -ENOMEM at a hole (what came before it is done,
 * and stays).  Caller holds mm->lock. */
static int mark_range(struct mm *mm, uint64_t start, uint64_t end, unsigned lock)
{
	uint64_t at = start;

	while (at < end) {
		struct vma *v = vma_find(mm, at);
		if (!v)
			return -ENOMEM;
		uint64_t stop = v->end < end ? v->end : end;
		if ((v->flags & VM_LOCK_MASK) != lock) {
			int err = vma_split(mm, at);
			if (!err)
				err = vma_split(mm, stop);
			if (err)
				return err;
			v = vma_find(mm, at);
			v->flags = (v->flags & ~VM_LOCK_MASK) | lock;
		}
		at = stop;
	}
	return 0;
}

int vm_lock(struct mm *mm, uint64_t addr, uint64_t len, unsigned lock)
{
	struct list gone = LIST_INIT(gone);
	uint64_t end = addr + len;
	int err = 0;

	spin_lock(&mm->lock);
	/* Linux's order: the limit (counting a range that wraps as reaching
	 * the top), then the range */
	if (lock && !vm_may_lock(mm, len, addr, end < addr ? UINT64_MAX : end))
		err = -ENOMEM;
	else if (end < addr)
		err = -EINVAL;
	else if (len) {
		err = mark_range(mm, addr, end, lock);
		vma_merge_range(mm, addr, end, &gone);
	}
	spin_unlock(&mm->lock);
	vmas_free(&gone);
	return err;
}

int vm_lock_all(struct mm *mm, unsigned current, unsigned future, bool keep_current)
{
	struct list gone = LIST_INIT(gone);
	struct list *l;
	int err = 0;

	spin_lock(&mm->lock);
	if (!keep_current && (current & VM_LOCKED) && !vm_may_lock_all(mm))
		err = -ENOMEM;
	if (!err) {
		__atomic_store_n(&mm->def_flags, future, __ATOMIC_RELAXED);
		if (!keep_current) {
			list_for_each(l, &mm->vmas) {
				struct vma *v = vma_at(l);
				v->flags = (v->flags & ~VM_LOCK_MASK) | current;
			}
			vma_merge_range(mm, 0, VM_USER_END, &gone);
		}
	}
	spin_unlock(&mm->lock);
	vmas_free(&gone);
	return err;
}

/* The next locked part of [at, end) to bring in: 1 and [*start, *stop)
 * with the access that brings a page in (0: none can, PROT_NONE), or 0
 * when there is none. */
static int next_locked(struct mm *mm, uint64_t at, uint64_t end, uint64_t *start, uint64_t *stop,
		       unsigned *access)
{
	struct list *l;
	int found = 0;

	spin_lock(&mm->lock);
	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= end)
			break;
		if (v->end <= at || (v->flags & VM_LOCK_MASK) != VM_LOCKED)
			continue;
		uint64_t lo = vma_lock_start(mm, v);
		*start = lo > at ? lo : at;
		*stop = v->end < end ? v->end : end;
		if (*start >= *stop)
			continue;
		/* a private writable page is made the mapping's own, as a
		 * write would (Linux breaks copy-on-write here too) */
		bool own = (v->prot & MMU_WRITE) && !(v->flags & VM_SHARED);
		*access = !v->prot ? 0 : own ? MMU_WRITE : MMU_READ;
		found = 1;
		break;
	}
	spin_unlock(&mm->lock);
	return found;
}

#define STOP_EVERY	256	/* pages brought in between asking stop */

int vm_populate(struct mm *mm, uint64_t addr, uint64_t len, bool ignore_errors, bool (*stop)(void))
{
	uint64_t at = PAGE_ROUND_DOWN(addr), end = addr + len < addr ? VM_USER_END : addr + len;
	uint64_t start, stop_at;
	unsigned access, n = 0;

	while (at < end && next_locked(mm, at, end, &start, &stop_at, &access)) {
		int err = access ? 0 : -EFAULT;
		for (uint64_t va = start; !err && va < stop_at; va += PAGE_SIZE) {
			if (stop && ++n % STOP_EVERY == 0 && stop())
				return 0;
			err = vm_fault(mm, va, access);
		}
		if (err == -EIO)
			err = -EFAULT;	/* past a file's end: as Linux's get_user_pages */
		if (err && !ignore_errors)
			return err;
		at = stop_at;	/* a mapping that failed is left for the next one */
	}
	return 0;
}
