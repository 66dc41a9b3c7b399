/* madvise(MADV_REMOVE): the pages behind a shared file mapping go from the
 * file itself (as Linux's fallocate(PUNCH_HOLE) of that range), not just
 * from the page tables, so the memory is freed and the range, and read()
 * of the file, see zeros.  The file's punch may sleep, so each mapping's
 * part is taken under mm->lock (its file held) and punched after. */
#include "core/vm.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/list.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "core/vm_internal.h"

/* One mapping's part of the range: [start, end), the file's pages from idx. */
struct part {
	const struct vm_file_ops *ops;	/* and obj: held by the caller */
	void *obj;
	uint64_t idx, start, end;
};

/* Linux's madvise_remove checks, in its order. */
static int removable(const struct vma *v)
{
	if (v->flags & VM_LOCKED)
		return -EINVAL;		/* a locked page stays */
	if (!v->ops)
		return -EINVAL;		/* anonymous private memory has no file */
	if (!(v->flags & VM_SHARED) || (v->flags & VM_NOWRITE))
		return -EACCES;		/* only a shared mapping that may write */
	return v->ops->punch ? 0 : -EOPNOTSUPP;
}

/* The first mapping ending above at and starting below end, as *p (its
 * file held): 0, 1 when there is none, or its -errno; *hole set when it
 * starts above at. */
static int next_part(struct mm *mm, uint64_t at, uint64_t end, struct part *p, bool *hole)
{
	int err = 1;
	struct list *l;

	spin_lock(&mm->lock);
	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= at)
			continue;
		if (v->start < end && !(err = removable(v))) {
			*hole |= v->start > at;
			p->start = v->start > at ? v->start : at;
			p->end = v->end < end ? v->end : end;
			p->idx = v->pgoff + (p->start - v->start) / PAGE_SIZE;
			p->ops = v->ops;
			p->obj = v->obj;
			p->ops->hold(p->obj);
		}
		break;
	}
	spin_unlock(&mm->lock);
	return err;
}

int vm_remove(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t at = addr, end = addr + len;
	bool hole = false;
	struct part p;
	int err = 0;

	while (at < end && !(err = next_part(mm, at, end, &p, &hole))) {
		err = p.ops->punch(p.obj, p.idx, (p.end - p.start) / PAGE_SIZE);
		p.ops->release(p.obj);
		if (err)
			return err;
		at = p.end;	/* the punch took the pages from every mapping */
	}
	if (at < end && err < 0)
		return err;
	return hole || at < end ? -ENOMEM : 0;
}
