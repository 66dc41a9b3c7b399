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
	unsigned flags;			/* VM_SHARED, VM_NOWRITE, VM_DONTFORK, VM_WIPEONFORK */
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
/* VMAs taken out under the lock are freed after it (a file's release may
 * sleep): the lock's holder lists them on a `gone` list. */
void vmas_free(struct list *gone);

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
