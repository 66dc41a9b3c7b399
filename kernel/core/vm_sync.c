/* msync(MS_SYNC): the files behind the shared mappings of a range make
 * what was stored through them durable, as Linux's msync calls
 * vfs_fsync_range for each such mapping; without it a store through a
 * mapping of a mounted store's file reached the disk only when the
 * writeback thread came by.  A file's sync may sleep, so each mapping is
 * found under mm->lock (its file held) and synced with the lock dropped. */
#include "core/vm.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/list.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "core/vm_internal.h"

/* The first shared file mapping ending above *at and starting below end:
 * true, with its file held in *ops and *obj.  *at moves past every
 * mapping looked at; *hole is set when one starts above *at. */
static bool next_shared(struct mm *mm, uint64_t *at, uint64_t end, const struct vm_file_ops **ops,
			void **obj, bool *hole)
{
	bool found = false;
	struct list *l;

	spin_lock(&mm->lock);
	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= *at)
			continue;
		if (v->start >= end)
			break;
		*hole |= v->start > *at;
		*at = v->end;
		if ((v->flags & VM_SHARED) && v->ops && v->ops->sync) {
			*ops = v->ops;
			*obj = v->obj;
			v->ops->hold(v->obj);
			found = true;
			break;
		}
	}
	spin_unlock(&mm->lock);
	return found;
}

int vm_sync(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t at = addr, end = addr + len;
	const struct vm_file_ops *ops;
	bool hole = false;
	void *obj;

	while (at < end && next_shared(mm, &at, end, &ops, &obj, &hole)) {
		int err = ops->sync(obj);
		ops->release(obj);
		if (err)
			return err;
	}
	return hole || at < end ? -ENOMEM : 0;
}
