/* Shared by vm.c (the mappings), vm_fault.c (pages on first touch,
 * copy-on-write) and vm_fork.c (fork's copy). */
#ifndef AMPHI_CORE_VM_INTERNAL_H
#define AMPHI_CORE_VM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/vm.h"

struct mm;

struct vma {
	struct list link;		/* in mm->vmas */
	uint64_t start, end;
	unsigned prot;			/* MMU_READ/WRITE/EXEC */
	/* VM_SHARED, VM_NOWRITE, VM_DONTFORK, VM_WIPEONFORK, VM_LOCK_MASK, VM_STACK */
	unsigned flags;
	/* A file mapping: its pages come from ops (held once per VMA);
	 * pgoff is the file page at start.  NULL: anonymous memory. */
	const struct vm_file_ops *ops;
	void *obj;
	struct vm_object *object;	/* ops->object(obj) */
	uint64_t pgoff;
};

/* A file mapping's VMA holds its file and counts among the file's
 * mappings (vm_object.nmaps) from when it is listed until vmas_free. */
void vma_hold_file(struct vma *v);

static inline struct vma *vma_at(struct list *l) { return list_entry(l, struct vma, link); }

/* The VMA holding addr, or NULL.  Caller holds mm->lock. */
struct vma *vma_find(struct mm *mm, uint64_t addr);
/* Makes addr a VMA boundary: 0, or -ENOMEM (out of memory or VMAs).
 * Caller holds mm->lock. */
int vma_split(struct mm *mm, uint64_t addr);
/* Unmaps the pages of [start, end) and the page tables left empty, and
 * frees them once no CPU can still reach them.  Caller holds mm->lock. */
void drop_pages(struct mm *mm, uint64_t start, uint64_t end);
/* Adds v (its range free), or -ENOMEM past the count Linux allows.
 * Caller holds mm->lock. */
int vma_insert(struct mm *mm, struct vma *v);
/* Anonymous neighbours of the same kind inside or touching [start, end)
 * become one, as Linux merges them.  What goes is put on *gone.  Caller
 * holds mm->lock. */
void vma_merge_range(struct mm *mm, uint64_t start, uint64_t end, struct list *gone);
/* VMAs taken out under the lock are freed after it (a file's release may
 * sleep): the lock's holder lists them on a `gone` list. */
void vmas_free(struct list *gone);

/* ---- limits (vm_limit.c); callers hold mm->lock ---- */

/* Private writable memory but a stack: what Linux counts as data_vm. */
bool vma_is_data(const struct vma *v);
/* Where v's locked part starts: v->start, but for exec's stack, which
 * counts only as far down as it has been used. */
uint64_t vma_lock_start(struct mm *mm, const struct vma *v);
/* Whether mm's mappings may cover len bytes more (of data, if data) once
 * [going, going_end) has gone and `freed` bytes besides (a moved range):
 * Linux's may_expand_vm against VM_LIMIT_AS and VM_LIMIT_DATA. */
bool vm_may_grow(struct mm *mm, uint64_t len, uint64_t going, uint64_t going_end, uint64_t freed,
		 bool data);
/* mprotect: whether [start, end) may become writable, as far as what
 * becomes data by it (private, not yet writable) fits VM_LIMIT_DATA. */
bool vm_may_become_data(struct mm *mm, uint64_t start, uint64_t end);
/* Whether len bytes more may be locked, not counting twice what
 * [start, end) holds locked already (mlock's; start == end: none).  Asks
 * vm_lock_unlimited only past the limit. */
bool vm_may_lock(struct mm *mm, uint64_t len, uint64_t start, uint64_t end);
/* mlockall(MCL_CURRENT): whether everything mapped may be locked. */
bool vm_may_lock_all(struct mm *mm);
/* The calling thread may lock past the limit (linux/'s answer). */
bool vm_lock_unlimited(void);

/* A copy of the page at pa for a program (with a reference, out of what
 * programs may take: room for it and the tables to map it), or 0.  The
 * copy fills every byte, so the page is not zeroed first. */
uint64_t vm_copy_page(uint64_t pa);

/* Whether prot allows access (MMU_READ/WRITE/EXEC). */
bool vm_access_allowed(unsigned prot, unsigned access);
/* What a page of v may be mapped with: a private page others still share
 * (fork, a file's page) is read-only until copied on its first write. */
unsigned vm_page_prot(const struct vma *v, uint64_t pa);

/* Pages and page tables taken out of [start, end): given back (as
 * references) only once every CPU that uses mm has flushed that range. */
struct reclaim {
	struct mm *mm;
	uint64_t start, end;
	int n;
	uint64_t pa[32];
};

void reclaim_add(uint64_t pa, void *ctx);
void reclaim_flush(struct reclaim *r);

#endif
