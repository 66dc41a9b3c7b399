/* VMAs: a sorted list per address space (core/mm.h) under its lock.  Pages
 * are allocated on first touch (vm_fault) and given back on unmap after
 * every CPU that uses the address space has dropped its TLB entries.  A
 * page may be shared by several address spaces (fork's copy-on-write):
 * it carries a reference count (core/page_alloc.h) and goes with the last.
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
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/vm_internal.h"

#define MAX_VMAS 65530		/* Linux's default vm.max_map_count */

/* Page aligned, not empty, and inside [0, VM_USER_END) without wrapping. */
static bool range_ok(uint64_t addr, uint64_t len)
{
	return !(addr & (PAGE_SIZE - 1)) && !(len & (PAGE_SIZE - 1)) && len &&
	       len <= VM_USER_END && addr <= VM_USER_END - len;
}

struct vma *vma_find(struct mm *mm, uint64_t addr)
{
	struct list *l;

	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

int vma_split(struct mm *mm, uint64_t addr)
{
	struct vma *v = vma_find(mm, addr);

	if (!v || v->start == addr)
		return 0;
	if (mm->nvmas >= MAX_VMAS)
		return -ENOMEM;
	struct vma *tail = kmalloc_program(sizeof *tail);
	if (!tail)
		return -ENOMEM;
	*tail = *v;
	tail->start = addr;
	if (tail->ops) {
		tail->pgoff += (addr - v->start) / PAGE_SIZE;
		vma_hold_file(tail);
	}
	v->end = addr;
	list_add_head(&v->link, &tail->link);
	mm->nvmas++;
	return 0;
}

/* ---- pages on their way out ----------------------------------------------- */

/* Pages go back as references: another address space may share them. */
void reclaim_flush(struct reclaim *r)
{
	if (!r->n)
		return;
	mm_flush(r->mm, r->start, r->end);
	for (int i = 0; i < r->n; i++)
		page_ref_put(r->pa[i]);
	r->n = 0;
}

void reclaim_add(uint64_t pa, void *ctx)
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

void drop_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	struct reclaim r = { .mm = mm, .start = start, .end = end };

	mmu_user_walk(mm->root, start, end, drop_one, &r);
	mmu_user_prune(mm->root, start, end, reclaim_add, &r);
	reclaim_flush(&r);
}

/* ---- VMAs ------------------------------------------------------------------ */

static bool may_write_file(const struct vma *v)
{
	return v->ops && (v->flags & (VM_SHARED | VM_NOWRITE)) == VM_SHARED;
}

/* A VMA that may write its file is counted there (vm_object.nwritable):
 * one made by vm_map got past write_reserve; one copied from another (a
 * cut, fork, mremap) finds the count at least 1, its original's. */
void vma_hold_file(struct vma *v)
{
	v->ops->hold(v->obj);
	__atomic_add_fetch(&v->object->nmaps, 1, __ATOMIC_SEQ_CST);
	if (may_write_file(v))
		__atomic_add_fetch(&v->object->nwritable, 1, __ATOMIC_SEQ_CST);
}

/* Counts a mapping on its way in among those that may write o, unless
 * that is refused (a sealed file): false then.  The caller drops it with
 * write_release once the mapping is counted itself, or has failed. */
static bool write_reserve(struct vm_object *o)
{
	int n = __atomic_load_n(&o->nwritable, __ATOMIC_SEQ_CST);

	do {
		if (n < 0)
			return false;
	} while (!__atomic_compare_exchange_n(&o->nwritable, &n, n + 1, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return true;
}

static void write_release(struct vm_object *o)
{
	__atomic_sub_fetch(&o->nwritable, 1, __ATOMIC_SEQ_CST);
}

void vmas_free(struct list *gone)
{
	struct list *l, *n;

	list_for_each_safe(l, n, gone) {
		struct vma *v = vma_at(l);
		if (v->ops) {
			__atomic_sub_fetch(&v->object->nmaps, 1, __ATOMIC_RELAXED);
			if (may_write_file(v))
				write_release(v->object);
			v->ops->release(v->obj);
		}
		kfree(v);
	}
}

/* Removes every mapping inside [start, end), onto *gone.  Caller holds
 * mm->lock. */
static int unmap_locked(struct mm *mm, uint64_t start, uint64_t end, struct list *gone)
{
	int err = vma_split(mm, start);

	if (!err)
		err = vma_split(mm, end);
	if (err)
		return err;
	struct list *l, *n;
	list_for_each_safe(l, n, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= end)
			break;
		if (v->start >= start) {
			drop_pages(mm, v->start, v->end);
			list_del(&v->link);
			list_add_tail(gone, &v->link);
			mm->nvmas--;
		}
	}
	return 0;
}

int vma_insert(struct mm *mm, struct vma *v)
{
	struct list *l;

	if (mm->nvmas >= MAX_VMAS)
		return -ENOMEM;
	list_for_each(l, &mm->vmas)
		if (vma_at(l)->start > v->start)
			break;
	list_insert_between(&v->link, l->prev, l);
	mm->nvmas++;
	return 0;
}

/* Caller holds mm->lock. */
static bool is_free_locked(struct mm *mm, uint64_t addr, uint64_t len)
{
	struct list *l;

	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= addr + len)
			break;
		if (v->end > addr)
			return false;
	}
	return true;
}

int vm_is_free(struct mm *mm, uint64_t addr, uint64_t len)
{
	spin_lock(&mm->lock);
	bool free = is_free_locked(mm, addr, len);
	spin_unlock(&mm->lock);
	return free;
}

/* Highest free gap of len bytes inside [lo, hi), or 0.  Caller holds
 * mm->lock. */
static uint64_t find_gap_in(struct mm *mm, uint64_t len, uint64_t lo, uint64_t hi)
{
	if (len > hi - lo)
		return 0;
	uint64_t cand = hi - len;
	struct list *l;

	for (l = mm->vmas.prev; l != &mm->vmas; l = l->prev) {
		struct vma *v = vma_at(l);
		if (v->start >= cand + len)
			continue;
		if (v->end <= cand)
			break;
		if (v->start < len + lo)
			return 0;
		cand = v->start - len;
	}
	return cand >= lo ? cand : 0;
}

static uint64_t find_gap(struct mm *mm, uint64_t len)
{
	return find_gap_in(mm, len, VM_MIN_ADDR, VM_MMAP_TOP);
}

static bool mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && !a->ops && !b->ops && a->prot == b->prot && a->flags == b->flags;
}

void vma_merge_range(struct mm *mm, uint64_t start, uint64_t end, struct list *gone)
{
	struct list *l = mm->vmas.next;

	while (l != &mm->vmas && vma_at(l)->start <= end) {
		struct vma *v = vma_at(l);
		struct list *n = l->next;
		if (n != &mm->vmas && v->end >= start && mergeable(v, vma_at(n))) {
			v->end = vma_at(n)->end;
			list_del(n);
			list_add_tail(gone, n);
			mm->nvmas--;
			continue;	/* and again with the next one */
		}
		l = n;
	}
}

/* A new anonymous mapping joins its neighbours of the same kind, as Linux
 * merges them (a heap grown by brk stays one area, and the count of areas
 * stays below vm.max_map_count).  Caller holds mm->lock; what goes is put
 * on *gone. */
static void merge_anonymous(struct mm *mm, struct vma *v, struct list *gone)
{
	vma_merge_range(mm, v->start, v->end, gone);
}

/* The new mapping's lock: checked before what it replaces goes, and not
 * taken from it, as Linux's mlock_future_ok.  Caller holds mm->lock. */
static bool may_lock_new(struct mm *mm, const struct vma *v, uint64_t len)
{
	return !(v->flags & VM_LOCKED) || vm_may_lock(mm, len, 0, 0);
}

/* Where v, a new mapping of len bytes, goes: addr itself for VM_FIXED
 * (what was there goes onto *gone) and VM_FIXED_NOREPLACE (-EEXIST if
 * anything was), else addr if free, else the highest gap; -EAGAIN past the
 * lock limit, -ENOMEM past the others (checked before anything goes).
 * Caller holds mm->lock. */
static long place(struct mm *mm, const struct vma *v, uint64_t addr, uint64_t len, unsigned flags,
		  struct list *gone)
{
	bool data = vma_is_data(v);

	if (flags & VM_FIXED) {
		if (!may_lock_new(mm, v, len))
			return -EAGAIN;
		if (!vm_may_grow(mm, len, addr, addr + len, 0, data))
			return -ENOMEM;
		int err = unmap_locked(mm, addr, addr + len, gone);
		return err ? err : (long)addr;
	}
	if (flags & VM_FIXED_NOREPLACE && !is_free_locked(mm, addr, len))
		return -EEXIST;
	if (!may_lock_new(mm, v, len))
		return -EAGAIN;
	if (!vm_may_grow(mm, len, 0, 0, 0, data))
		return -ENOMEM;
	if (flags & VM_FIXED_NOREPLACE)
		return (long)addr;
	uint64_t hi = flags & VM_32BIT ? VM_32BIT_END : VM_USER_END;
	addr = PAGE_ROUND_DOWN(addr);
	if (addr >= VM_MIN_ADDR && range_ok(addr, len) && len <= hi - addr &&
	    is_free_locked(mm, addr, len))
		return (long)addr;
	uint64_t at = flags & VM_32BIT ? find_gap_in(mm, len, VM_32BIT_START, VM_32BIT_END)
				       : find_gap(mm, len);
	return at ? (long)at : -ENOMEM;
}

long vm_map(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	    const struct vm_file_ops *ops, void *obj, uint64_t pgoff)
{
	bool fixed = flags & (VM_FIXED | VM_FIXED_NOREPLACE);

	len = PAGE_ROUND_UP(len);
	if (fixed && !range_ok(addr, len))
		return -EINVAL;
	if (fixed && addr < VM_MIN_ADDR)
		return -EPERM;	/* as Linux's vm.mmap_min_addr */
	if (!fixed && (!len || len >= VM_MMAP_TOP))
		return -ENOMEM;
	struct vma *v = kmalloc_program(sizeof *v);
	if (!v)
		return -ENOMEM;
	/* mlockall(MCL_FUTURE)'s marks join the caller's (MAP_LOCKED) */
	unsigned kind = (flags & (VM_SHARED | VM_NOWRITE | VM_LOCK_MASK | VM_STACK | VM_DONTEXPAND)) |
			__atomic_load_n(&mm->def_flags, __ATOMIC_RELAXED);
	*v = (struct vma){ .prot = prot, .flags = kind, .ops = ops, .obj = obj,
			   .object = ops ? ops->object(obj) : NULL, .pgoff = pgoff };
	struct vm_object *o = v->object;	/* v may be gone once unlocked */
	bool reserved = may_write_file(v);
	if (reserved && !write_reserve(o)) {
		kfree(v);
		return -EPERM;	/* sealed since the caller looked */
	}
	struct list gone = LIST_INIT(gone);
	spin_lock(&mm->lock);
	long at = place(mm, v, addr, len, flags, &gone);
	if (at >= 0) {
		v->start = (uint64_t)at;
		v->end = (uint64_t)at + len;
		int err = vma_insert(mm, v);
		if (err)
			at = err;
		else if (ops)
			vma_hold_file(v);	/* before another thread can unmap it */
		else
			merge_anonymous(mm, v, &gone);
	}
	spin_unlock(&mm->lock);
	if (reserved)
		write_release(o);	/* counted by vma_hold_file, or failed */
	if (at < 0)
		kfree(v);
	vmas_free(&gone);
	return at;
}

int vm_map_fixed(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, bool replace)
{
	long at = vm_map(mm, addr, len, prot, replace ? VM_FIXED : VM_FIXED_NOREPLACE, NULL, NULL, 0);

	return at < 0 ? (int)at : 0;
}

long vm_map_anywhere(struct mm *mm, uint64_t hint, uint64_t len, unsigned prot)
{
	return vm_map(mm, hint, len, prot, 0, NULL, NULL, 0);
}

int vm_unmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	struct list gone = LIST_INIT(gone);

	len = PAGE_ROUND_UP(len);
	if (!range_ok(addr, len))
		return -EINVAL;
	spin_lock(&mm->lock);
	int err = unmap_locked(mm, addr, addr + len, &gone);
	spin_unlock(&mm->lock);
	vmas_free(&gone);
	return err;
}

void vm_unmap_all(struct mm *mm)
{
	struct list gone = LIST_INIT(gone);

	spin_lock(&mm->lock);
	unmap_locked(mm, 0, VM_USER_END, &gone);	/* no split needed: cannot fail */
	spin_unlock(&mm->lock);
	vmas_free(&gone);
}

/* True if [start, end) is covered by VMAs without holes (and, with
 * need_access, none of them is PROT_NONE).  Caller holds mm->lock. */
static bool covered(struct mm *mm, uint64_t start, uint64_t end, bool need_access)
{
	uint64_t at = start;
	struct list *l;

	list_for_each(l, &mm->vmas) {
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

int vm_covered(struct mm *mm, uint64_t addr, uint64_t len, bool need_access)
{
	spin_lock(&mm->lock);
	bool all = addr < VM_USER_END && covered(mm, addr, addr + len, need_access);
	spin_unlock(&mm->lock);
	return all ? 0 : -ENOMEM;
}

/* Whether [start, end) holds a mapping that may never be writable.
 * Caller holds mm->lock. */
static bool nowrite_in(struct mm *mm, uint64_t start, uint64_t end)
{
	struct list *l;

	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->start >= end)
			break;
		if (v->end > start && (v->flags & VM_NOWRITE))
			return true;
	}
	return false;
}

/* A page others share stays read-only (vm_page_prot). */
static void protect_one(uint64_t va, uint64_t *pte, void *ctx)
{
	(void)va;
	mmu_user_set_prot(pte, vm_page_prot(ctx, mmu_user_pa(pte)));
}

int vm_protect(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot)
{
	len = PAGE_ROUND_UP(len);
	if (!len)
		return 0;
	if (!range_ok(addr, len))
		return -ENOMEM;	/* nothing is mapped out there */
	spin_lock(&mm->lock);
	int err = covered(mm, addr, addr + len, false) ? 0 : -ENOMEM;
	if (!err && (prot & MMU_WRITE) && nowrite_in(mm, addr, addr + len))
		err = -EACCES;
	if (!err && (prot & MMU_WRITE) && !vm_may_become_data(mm, addr, addr + len))
		err = -ENOMEM;	/* RLIMIT_DATA, as Linux's mprotect_fixup */
	if (!err)
		err = vma_split(mm, addr);
	if (!err)
		err = vma_split(mm, addr + len);
	if (!err) {
		struct list *l;
		list_for_each(l, &mm->vmas) {
			struct vma *v = vma_at(l);
			if (v->start >= addr + len)
				break;
			if (v->start >= addr) {
				v->prot = prot;
				mmu_user_walk(mm->root, v->start, v->end, protect_one, v);
			}
		}
		mm_flush(mm, addr, addr + len);
	}
	spin_unlock(&mm->lock);
	return err;
}

/* ---- mremap ---------------------------------------------------------------- */

struct move {
	struct mm *mm;
	uint64_t from, to;
	bool failed;			/* out of page tables: the rest stays */
};

/* The entry moves as it is: its protection (a page shared copy-on-write
 * stays read-only), its page and its mark.  It is mapped at its new place
 * before it goes from the old one, so a failure leaves it where it was. */
static void move_one(uint64_t va, uint64_t *pte, void *ctx)
{
	struct move *m = ctx;
	uint64_t to = va - m->from + m->to;

	if (m->failed)
		return;
	if (mmu_map_user(m->mm->root, to, mmu_user_pa(pte), mmu_user_prot(pte)) < 0) {
		m->failed = true;
		return;
	}
	if (mmu_user_borrowed(pte))
		mmu_user_set_borrowed(mmu_user_pte(m->mm->root, to));
	mmu_user_clear(pte);
}

/* Moves the pages of [from, from+len) to [to, to+len), which has none: 0,
 * or -ENOMEM (no memory for a page table) with every page back where it
 * was -- moving back needs no table, those of [from, ...) are still there.
 * Caller holds mm->lock. */
static int move_pages(struct mm *mm, uint64_t from, uint64_t to, uint64_t len)
{
	struct move there = { mm, from, to, false }, back = { mm, to, from, false };

	mmu_user_walk(mm->root, from, from + len, move_one, &there);
	if (there.failed)
		mmu_user_walk(mm->root, to, to + len, move_one, &back);
	uint64_t emptied = there.failed ? to : from;	/* its tables may go */
	struct reclaim r = { .mm = mm, .start = emptied, .end = emptied + len };
	mm_flush(mm, from, from + len);	/* the entries that moved, either way */
	if (there.failed)
		mm_flush(mm, to, to + len);
	mmu_user_prune(mm->root, emptied, emptied + len, reclaim_add, &r);
	reclaim_flush(&r);
	return there.failed ? -ENOMEM : 0;
}

/* Moves [old, old+len) (inside v) to `to` with new_len bytes, or to a free
 * gap when to is 0; unless keep_old, the old range goes (onto *gone); with
 * len 0 (and keep_old) the new VMA is a second mapping of v's file.  The
 * new VMA is v's kind: the same file, at the same offset.  Everything that
 * can fail comes before the pages move: room for three more areas (the new
 * one, and v cut in three), as Linux's move_vma asks, and the cuts around
 * the old range, so that unmapping it after cannot fail; a move that runs
 * out of page tables is undone (move_pages).  Caller holds mm->lock. */
static long move_to(struct mm *mm, struct vma *v, uint64_t old, uint64_t len, uint64_t new_len,
		    uint64_t to, bool keep_old, struct list *gone)
{
	long err = 0;

	bool unlock_old = keep_old && len && (v->flags & VM_LOCK_MASK);

	if (mm->nvmas >= MAX_VMAS - 3 ||
	    !vm_may_grow(mm, new_len, to, to ? to + new_len : 0, keep_old ? 0 : len, vma_is_data(v)))
		return -ENOMEM;
	struct vma *n = kmalloc_program(sizeof *n);
	if (!n)
		return -ENOMEM;
	*n = *v;	/* v may be cut from here on */
	n->pgoff += (old - v->start) / PAGE_SIZE;
	if (to)
		err = unmap_locked(mm, to, to + new_len, gone);
	else if (!(to = find_gap(mm, new_len)))
		err = -ENOMEM;
	if (!err && (!keep_old || unlock_old))
		err = vma_split(mm, old);
	if (!err && (!keep_old || unlock_old))
		err = vma_split(mm, old + len);
	n->start = to;
	n->end = to + new_len;
	if (!err)
		err = vma_insert(mm, n);
	if (err) {
		kfree(n);
		return err;
	}
	if (n->ops)
		vma_hold_file(n);
	if (len && move_pages(mm, old, to, len < new_len ? len : new_len)) {
		list_del(&n->link);	/* vmas_free drops its hold */
		list_add_tail(gone, &n->link);
		mm->nvmas--;
		return -ENOMEM;
	}
	if (!keep_old)
		unmap_locked(mm, old, old + len, gone);	/* cut already: cannot fail */
	if (unlock_old)	/* MREMAP_DONTUNMAP: the lock moves with the pages */
		vma_find(mm, old)->flags &= ~VM_LOCK_MASK;
	return (long)to;
}

/* Grows [old, old+len) to new_len bytes where it is, if the room after it
 * is free: 1 if done.  Caller holds mm->lock. */
static bool grow_in_place(struct mm *mm, struct vma *v, uint64_t old, uint64_t len, uint64_t new_len)
{
	if (v->end != old + len || new_len > VM_USER_END - old ||
	    !is_free_locked(mm, v->end, new_len - len) ||
	    !vm_may_grow(mm, new_len - len, 0, 0, 0, vma_is_data(v)))
		return false;
	v->end = old + new_len;
	return true;
}

/* Linux's order: the source must start in a mapping; a shrink (also on the
 * way to a move) unmaps the tail as munmap would, wherever it reaches; what
 * is left must lie in one mapping; then move, or grow. */
static long remap_locked(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len,
			 unsigned flags, uint64_t to, struct list *gone)
{
	bool moving = flags & (VM_REMAP_FIXED | VM_REMAP_DONTUNMAP), dup = !old_len;
	struct vma *v = vma_find(mm, old);
	long err;

	if (!v)
		return -EFAULT;
	/* No length: a second mapping of the same pages (nothing moves, nothing
	 * goes), which only a shared mapping can have. */
	if (dup && !(v->flags & VM_SHARED))
		return -EINVAL;
	if ((flags & VM_REMAP_FIXED) && to < VM_MIN_ADDR)
		return -EPERM;	/* as mmap's MAP_FIXED there */
	if (old_len > new_len || (old_len == new_len && !moving)) {
		if (old_len > new_len && !range_ok(old + new_len, old_len - new_len))
			return -EINVAL;
		if (old_len > new_len && (err = unmap_locked(mm, old + new_len, old + old_len, gone)))
			return err;
		if (!moving)
			return (long)old;
		old_len = new_len;
	}
	v = vma_find(mm, old);
	if (old_len > v->end - old)
		return -EFAULT;
	if (new_len > old_len && (v->flags & VM_DONTEXPAND))
		return -EFAULT;
	/* A locked mapping grows locked (Linux's vma_to_resize: before it
	 * looks for room) */
	if (new_len > old_len && (v->flags & VM_LOCKED) && !vm_may_lock(mm, new_len - old_len, 0, 0))
		return -EAGAIN;
	if (moving)
		return move_to(mm, v, old, old_len, new_len, flags & VM_REMAP_FIXED ? to : 0,
			       dup || (flags & VM_REMAP_DONTUNMAP), gone);
	if (!dup && grow_in_place(mm, v, old, old_len, new_len))
		return (long)old;
	if (!(flags & VM_REMAP_MAYMOVE))
		return -ENOMEM;
	return move_to(mm, v, old, old_len, new_len, 0, dup, gone);
}

long vm_remap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len, unsigned flags,
	      uint64_t to)
{
	if ((old & (PAGE_SIZE - 1)) || !range_ok(0, new_len) ||
	    ((flags & VM_REMAP_FIXED) && !range_ok(to, new_len)))
		return -EINVAL;
	struct list gone = LIST_INIT(gone);
	spin_lock(&mm->lock);
	long ret = remap_locked(mm, old, old_len, new_len, flags, to, &gone);
	spin_unlock(&mm->lock);
	vmas_free(&gone);
	return ret;
}

/* ---- reading ---------------------------------------------------------------- */

static void count_one(uint64_t va, uint64_t *pte, void *ctx)
{
	(void)va;
	(void)pte;
	(*(uint64_t *)ctx)++;
}

int vm_area_next(struct mm *mm, uint64_t addr, struct vm_area *a, int count_resident)
{
	struct list *l;
	int found = 0;

	spin_lock(&mm->lock);
	list_for_each(l, &mm->vmas) {
		struct vma *v = vma_at(l);
		if (v->end <= addr)
			continue;
		char *name = a->name;
		size_t size = a->name_size;
		*a = (struct vm_area){ .start = v->start, .end = v->end, .prot = v->prot,
				       .flags = v->flags & (VM_SHARED | VM_LOCKED | VM_STACK),
				       .file = v->ops != NULL, .offset = v->pgoff * PAGE_SIZE,
				       .ops = v->ops, .obj = v->obj, .name = name, .name_size = size };
		if (v->ops && name)
			v->ops->describe(v->obj, name, size, &a->dev, &a->ino);
		if (count_resident && v->prot)
			mmu_user_walk(mm->root, v->start, v->end, count_one, &a->resident);
		found = 1;
		break;
	}
	spin_unlock(&mm->lock);
	return found;
}
