/* Cutting a file's pages out of every address space that maps them
 * (truncation, a punched hole): Linux's unmap_mapping_range.
 *
 * There is no per-file list of mappings: a file counts its mappings
 * (vm_object.nmaps), and only a file that has some makes the walk, over
 * every address space and its VMAs of that file.  Two races are closed:
 *
 *  - A fault fetches a page with its address space unlocked (vm_fault.c).
 *    The cut is counted (vm_object.cuts) before any address space is
 *    walked, and the fault maps its page only if the count is unchanged
 *    under the lock: either its entry is in place before the walk comes
 *    by, or the fault finds the count changed and asks the file again.
 *  - fork copies entries from parent to child.  The walk goes oldest
 *    address space first, and a child is made before its copy starts, so
 *    an entry the copy takes from a parent not yet walked is walked in the
 *    child later; fork holds both locks while it copies. */
#include "core/vm.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/list.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "core/vm_internal.h"

struct cut {
	struct vm_object *o;
	uint64_t first, end;		/* file pages [first, end) */
	bool copies_too;
	bool every_entry;		/* of the VMA being walked */
	struct reclaim r;
};

static void cut_one(uint64_t va, uint64_t *pte, void *ctx)
{
	struct cut *c = ctx;

	if (!c->every_entry && !mmu_user_borrowed(pte))
		return;
	uint64_t pa = mmu_user_pa(pte);
	(void)va;
	mmu_user_clear(pte);
	reclaim_add(pa, &c->r);
}

/* The part of v that maps [c->first, c->end).  Caller holds mm->lock. */
static void cut_vma(struct mm *mm, const struct vma *v, struct cut *c)
{
	uint64_t npages = (v->end - v->start) / PAGE_SIZE;
	uint64_t lo = v->pgoff > c->first ? v->pgoff : c->first;
	uint64_t hi = v->pgoff + npages < c->end ? v->pgoff + npages : c->end;

	if (lo >= hi)
		return;
	/* A shared mapping's entries are all the file's own pages */
	c->every_entry = (v->flags & VM_SHARED) || c->copies_too;
	c->r = (struct reclaim){ .mm = mm, .start = v->start + (lo - v->pgoff) * PAGE_SIZE,
				 .end = v->start + (hi - v->pgoff) * PAGE_SIZE };
	mmu_user_walk(mm->root, c->r.start, c->r.end, cut_one, c);
	reclaim_flush(&c->r);
}

static void cut_mm(struct mm *mm, void *ctx)
{
	struct cut *c = ctx;
	struct list *l;

	spin_lock(&mm->lock);
	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->object == c->o)
			cut_vma(mm, v, c);
	}
	spin_unlock(&mm->lock);
}

void vm_object_unmap(struct vm_object *o, uint64_t idx, uint64_t npages, bool copies_too)
{
	struct cut c = { .o = o, .first = idx, .copies_too = copies_too };

	c.end = npages > UINT64_MAX - idx ? UINT64_MAX : idx + npages;
	__atomic_add_fetch(&o->cuts, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&o->nmaps, __ATOMIC_SEQ_CST))
		mm_for_each(cut_mm, &c);
}

int vm_object_deny_write(struct vm_object *o)
{
	int n = __atomic_load_n(&o->nwritable, __ATOMIC_SEQ_CST);

	do {
		if (n > 0)
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&o->nwritable, &n, -1, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return 0;
}
