/* The program's address space: virtual memory areas (VMAs) over the lower
 * half, filled with zeroed pages on first touch.  One address space: every
 * thread of the program shares it. */
#ifndef AMPHI_CORE_VM_H
#define AMPHI_CORE_VM_H

#include <stddef.h>
#include <stdint.h>

#define VM_MIN_ADDR	0x10000ul		/* nothing maps below (null pointers fault) */
#define VM_MMAP_TOP	0x00007f0000000000ul	/* mmap hands out addresses below this */
#define VM_STACK_TOP	0x00007ffffffff000ul
#define VM_STACK_SIZE	(8ul << 20)

/* Maps [addr, addr+len) (page aligned) with prot (MMU_READ/WRITE/EXEC),
 * replacing what was there.  -ENOMEM when out of VMAs. */
int vm_map_fixed(uint64_t addr, uint64_t len, unsigned prot);
/* Finds room for len bytes (at hint if free) and maps it; the address, or
 * -ENOMEM. */
long vm_map_anywhere(uint64_t hint, uint64_t len, unsigned prot);
int vm_unmap(uint64_t addr, uint64_t len);
int vm_protect(uint64_t addr, uint64_t len, unsigned prot);	/* -ENOMEM if a hole */
/* Moves or resizes a mapping, keeping its pages; the new address or -errno. */
long vm_remap(uint64_t old, uint64_t old_len, uint64_t new_len, int may_move,
	      uint64_t fixed_to);
/* Drops the pages of [addr, addr+len): they read as zero again. */
int vm_discard(uint64_t addr, uint64_t len);
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
