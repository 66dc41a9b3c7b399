/* Validation of x86_64 Linux executables, shared by the host command (to
 * refuse bad input before booting) and the kernel's loader (which must not
 * trust the initrd either).  Freestanding. */
#ifndef AMPHI_LIB_ELF_CHECK_H
#define AMPHI_LIB_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Where a static-pie is loaded, in the kernel (exec.c) and for gdb
 * (amphi run --gdb): Linux's own choice for PIEs run without ASLR. */
#define ELF_PIE_BASE	0x0000555555554000ull

/* lo, hi, entry and phdr_vaddr are absolute for ET_EXEC and relative to a
 * base of 0 for ET_DYN. */
struct elf_info {
	int is_pie;		/* ET_DYN (static-pie): load at a base of our choice */
	uint64_t entry;		/* e_entry (relative to base when is_pie) */
	uint64_t phoff;		/* file offset of the program headers */
	uint16_t phnum, phentsize;
	uint64_t lo, hi;	/* lowest PT_LOAD vaddr (page-aligned down), highest end */
	uint64_t phdr_vaddr;	/* where the program headers are mapped (for AT_PHDR) */
	uint64_t interp_off;	/* PT_INTERP: the interpreter's path in the file */
	uint32_t interp_len;	/* its length without the NUL; 0: a static program */
};

#define ELF_INTERP_MAX	4096	/* PATH_MAX, the NUL included */

/* Checks that a file of size bytes, whose first len of them are at img, is
 * a loadable x86_64 Linux ELF: ELF64, little endian, EM_X86_64, ET_EXEC or
 * ET_DYN, program headers inside img[0..len) (as the PT_INTERP path: the
 * rest of the file is never read; "headers too far into the file" when the
 * file holds them past len),
 * every PT_LOAD with filesz <= memsz, offset+filesz inside the file,
 * vaddr % align == offset % align (align a power of two, or 0/1), no overflow,
 * all below 0x0000800000000000, a PT_INTERP (if any) that is a well-formed
 * path in the file, the entry point inside a PT_LOAD, and for ET_EXEC
 * nothing in page zero (so NULL faults).
 * Returns 0 and fills *info, or a negative errno with *why set to a short
 * English reason ("not an ELF file", "32-bit ELF (only x86_64 is supported)",
 * "not an x86_64 program", ...).
 * The errno is -ENOEXEC (-8), as Linux gives for an image it cannot run. */
int elf_check(const void *img, size_t len, uint64_t size, struct elf_info *info, const char **why);

#endif
