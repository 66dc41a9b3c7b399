/* madvise's work on mappings: dropping pages (MADV_DONTNEED, MADV_FREE)
 * and what fork does with a range (MADV_DONTFORK, MADV_WIPEONFORK and
 * their undoing; vm_fork.c reads the flags); and mincore's look at which
 * pages are there.  Linux's rules: the mapped
 * parts of a range are done and holes answer -ENOMEM; advice that only
 * private anonymous memory takes is -EINVAL elsewhere, and then nothing
 * is done here (Linux does the mappings before the first it refuses). */
#include "core/vm.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/list.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "core/vm_internal.h"

/* Whether a mapping meeting [start, end) is a file's or shared (with
 * VM_DISCARD_ANON in only) or locked (VM_DISCARD_UNLOCKED): then nothing
 * may be dropped.  Caller holds mm->lock. */
static bool refused_in(struct mm *mm, uint64_t start, uint64_t end, unsigned only)
{
	struct list *l;

	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= end)
			break;
		if (v->end <= start)
			continue;
		if ((only & VM_DISCARD_ANON) && (v->ops || (v->flags & VM_SHARED)))
			return true;
		if ((only & VM_DISCARD_UNLOCKED) && (v->flags & VM_LOCKED))
			return true;	/* Linux's can_madv_lru_vma */
	}
	return false;
}

int vm_discard(struct mm *mm, uint64_t addr, uint64_t len, unsigned only)
{
	uint64_t end = addr + len, at = addr;
	bool hole = false;
	struct list *l;

	spin_lock(&mm->lock);
	if (refused_in(mm, addr, end, only)) {
		spin_unlock(&mm->lock);
		return -EINVAL;	/* a file's pages, a private copy of them, locked ones stay */
	}
	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= addr)
			continue;
		if (v->start >= end)
			break;
		hole |= v->start > at;	/* the mapped parts are still done, as on Linux */
		drop_pages(mm, v->start > addr ? v->start : addr, v->end < end ? v->end : end);
		at = v->end;
	}
	spin_unlock(&mm->lock);
	return hole || at < end ? -ENOMEM : 0;
}

/* Sets the flags on the mappings inside [start, end), cut there first:
 * whether the range had holes, or -ENOMEM.  Caller holds mm->lock. */
static int set_flags(struct mm *mm, uint64_t start, uint64_t end, unsigned set, unsigned clear)
{
	uint64_t at = start;
	bool hole = false;
	struct list *l;
	int err = vma_split(mm, start);

	if (!err)
		err = vma_split(mm, end);
	if (err)
		return err;
	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		hole |= v->start > at;
		v->flags = (v->flags & ~clear) | set;
		at = v->end;
	}
	return hole || at < end;
}

int vm_fork_advise(struct mm *mm, uint64_t addr, uint64_t len, unsigned set, unsigned clear)
{
	int err;

	spin_lock(&mm->lock);
	if ((set & VM_WIPEONFORK) && refused_in(mm, addr, addr + len, VM_DISCARD_ANON))
		err = -EINVAL;	/* a file's or shared pages are the same for the child */
	else
		err = set_flags(mm, addr, addr + len, set, clear);
	spin_unlock(&mm->lock);
	return err > 0 ? -ENOMEM : err;
}

size_t vm_resident(struct mm *mm, uint64_t addr, size_t n, uint8_t *vec)
{
	const struct vma *v = NULL;
	size_t i;

	spin_lock(&mm->lock);
	for (i = 0; i < n; i++, addr += PAGE_SIZE) {
		if (!v || addr >= v->end)
			v = vma_find(mm, addr);
		if (!v)
			break;
		vec[i] = mmu_user_pte(mm->root, addr) != NULL;
	}
	spin_unlock(&mm->lock);
	return i;
}
