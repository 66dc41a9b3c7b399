/* fork's copy of an address space.  Every mapping is copied (but those
 * marked VM_DONTFORK, and those marked VM_WIPEONFORK without their pages:
 * madvise); every page in use is mapped in both, with one more reference:
 * a private page becomes read-only in both (vm_fault.c copies it for the
 * first that writes), a shared one stays writable in both.  The exception
 * is a private page pinned for a device: the child gets a copy at once.
 * Locks (mlock) and mlockall(MCL_FUTURE) stay the parent's. */
#include "core/vm.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/vm_internal.h"

struct copy {
	struct mm *child;
	const struct vma *v;
	int err;
};

/* A private page of the parent's alone that a device is storing into
 * (pinned, page_pin) stays the parent's, writable: sharing it would send
 * the parent's next write to a copy, and the device's bytes to the page
 * the child keeps.  The child gets a copy now instead, as on Linux; one
 * page more of room than the copy asks, for the child's tables. */
static uint64_t copy_for_child(uint64_t pa)
{
	return page_room_for_program(5) ? vm_copy_page(pa) : 0;
}

static void copy_one(uint64_t va, uint64_t *pte, void *ctx)
{
	struct copy *c = ctx;
	uint64_t pa = mmu_user_pa(pte);
	unsigned prot = mmu_user_prot(pte);

	if (c->err)
		return;
	if (!page_room_for_program(4)) {	/* the child's page tables */
		c->err = -ENOMEM;
		return;
	}
	if (!(c->v->flags & VM_SHARED) && page_pinned(pa) && page_sharers(pa) == 1) {
		uint64_t copy = copy_for_child(pa);
		if (!copy || mmu_map_user(c->child->root, va, copy, prot)) {
			if (copy)
				page_ref_put(copy);
			c->err = -ENOMEM;
		}
		return;
	}
	if (!(c->v->flags & VM_SHARED) && (prot & MMU_WRITE)) {
		prot &= ~MMU_WRITE;
		mmu_user_set_prot(pte, prot);
	}
	if (mmu_map_user(c->child->root, va, pa, prot)) {
		c->err = -ENOMEM;
		return;
	}
	if (mmu_user_borrowed(pte))
		mmu_user_set_borrowed(mmu_user_pte(c->child->root, va));
	page_ref_get(pa);
}

/* Caller holds both locks. */
static int copy_vma(struct mm *child, const struct vma *v)
{
	struct vma *n = kmalloc_program(sizeof *n);

	if (!n)
		return -ENOMEM;
	*n = *v;
	n->flags &= ~VM_LOCK_MASK;	/* locks are not inherited, as on Linux */
	int err = vma_insert(child, n);
	if (err) {
		kfree(n);
		return err;
	}
	if (n->ops)
		vma_hold_file(n);
	return 0;
}

int vm_fork(struct mm *parent, struct mm *child)
{
	struct list *l;
	int err = 0;

	/* The child's lock too: a file's truncation may walk the child's
	 * tables already (vm_object.c), and must find there what this copy
	 * put in. */
	spin_lock(&parent->lock);
	spin_lock(&child->lock);
	list_for_each(l, &parent->vmas) {
		struct vma *v = vma_at(l);
		struct copy c = { .child = child, .v = v };
		if (v->flags & VM_DONTFORK)
			continue;
		if ((err = copy_vma(child, v)))
			break;
		if (v->flags & VM_WIPEONFORK)
			continue;	/* the child starts with zeros there */
		mmu_user_walk(parent->root, v->start, v->end, copy_one, &c);
		if ((err = c.err))
			break;
	}
	child->brk_base = parent->brk_base;
	child->brk = parent->brk;
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_end = parent->env_end;
	child->data_start = parent->data_start;
	child->data_end = parent->data_end;
	memcpy(child->limits, parent->limits, sizeof child->limits);
	/* The parent's entries lost their write permission. */
	mm_flush(parent, 0, VM_USER_END);
	spin_unlock(&child->lock);
	spin_unlock(&parent->lock);
	return err;
}
