/* The program's address space: virtual memory areas (VMAs) over the lower
 * half, filled with zeroed pages on first touch.  One address space: every
 * thread of the program shares it. */
#ifndef AMPHI_CORE_VM_H
#define AMPHI_CORE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VM_MIN_ADDR	0x10000ul		/* nothing maps below (null pointers fault) */
#define VM_MMAP_TOP	0x00007f0000000000ul	/* mmap hands out addresses below this */
#define VM_USER_END	0x00007ffffffff000ul	/* no mapping reaches past (Linux's TASK_SIZE) */
#define VM_STACK_TOP	VM_USER_END
#define VM_STACK_SIZE	(8ul << 20)

/* Ranges are page aligned and lie below VM_USER_END; the callers (the
 * system calls) check what programs pass, and these refuse the rest with
 * -EINVAL, so nothing ever maps outside the user half. */

/* Maps [addr, addr+len) with prot (MMU_READ/WRITE/EXEC), replacing what
 * was there, or (!replace) -EEXIST if anything was.  -ENOMEM when out of
 * VMAs. */
int vm_map_fixed(uint64_t addr, uint64_t len, unsigned prot, bool replace);
/* Finds room for len bytes (at hint if free) and maps it; the address, or
 * -ENOMEM. */
long vm_map_anywhere(uint64_t hint, uint64_t len, unsigned prot);
int vm_unmap(uint64_t addr, uint64_t len);
int vm_protect(uint64_t addr, uint64_t len, unsigned prot);	/* -ENOMEM if a hole */
/* mremap: moves or resizes the mapping at old, keeping its pages; the new
 * address or -errno.  flags are Linux's; `to` is the MREMAP_FIXED target. */
#define VM_REMAP_MAYMOVE	1
#define VM_REMAP_FIXED		2
#define VM_REMAP_DONTUNMAP	4	/* the old range stays mapped, empty */
long vm_remap(uint64_t old, uint64_t old_len, uint64_t new_len, unsigned flags, uint64_t to);
/* Drops the pages of the mapped parts of [addr, addr+len): they read as
 * zero again.  -ENOMEM if the range has holes (the rest is still done). */
int vm_discard(uint64_t addr, uint64_t len);
/* 0 if [addr, addr+len) is mapped without holes (need_access: and nothing
 * in it is PROT_NONE), else -ENOMEM. */
int vm_covered(uint64_t addr, uint64_t len, bool need_access);
/* True if [addr, addr+len) overlaps no mapping. */
int vm_is_free(uint64_t addr, uint64_t len);

/* One mapping as /proc/self/maps shows it. */
struct vm_area {
	uint64_t start, end;
	unsigned prot;
	uint64_t resident;	/* pages present (when asked for) */
};

/* Read-only iteration: the first area ending above addr, 1 and *a filled,
 * or 0 past the last.  count_resident walks the page tables of the area
 * (areas without access are not counted). */
int vm_area_next(uint64_t addr, struct vm_area *a, int count_resident);

/* Resolves a fault at addr for access (MMU_READ/WRITE/EXEC): 0 when a page
 * is now there, -EFAULT when the access is not allowed, -ENOMEM. */
int vm_fault(uint64_t addr, unsigned access);

/* Writes src into the program's memory regardless of protection (the ELF
 * loader filling read-only text).  -EFAULT if unmapped, -ENOMEM. */
int vm_fill(uint64_t addr, const void *src, size_t len);

#endif
