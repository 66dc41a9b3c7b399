/* Validation of a static x86_64 Linux executable before anything loads it.
 *
 * The image is untrusted: headers are copied out with memcpy (no alignment
 * assumed), every offset is compared with what is left of the file before
 * it is added, and every address sum is checked against the user limit
 * before it is formed, so no arithmetic here can wrap.  The headers are
 * read from the bytes at hand (len), which may be fewer than the file's
 * (size): the kernel holds only the file's start. */
#include <stdint.h>
#include "elf_check.h"
#include "elf64.h"
#include "libc_min.h"

#define USER_TOP	0x0000800000000000ull	/* end of the lower canonical half */
#define PAGE_SIZE	4096ull

static int refuse(const char **why, const char *reason)
{
	*why = reason;
	return -LIB_ENOEXEC;
}

static int check_ident(const uint8_t *img, size_t size, const char **why)
{
	if (size < 4 || memcmp(img, ELF_MAGIC, 4) != 0)
		return refuse(why, "not an ELF file");
	if (size < 16)
		return refuse(why, "truncated ELF header");
	if (img[ELF_EI_CLASS] == ELF_CLASS32)
		return refuse(why, "32-bit ELF (only x86_64 is supported)");
	if (img[ELF_EI_CLASS] != ELF_CLASS64)
		return refuse(why, "unknown ELF class");
	if (img[ELF_EI_DATA] != ELF_DATA_LSB)
		return refuse(why, "big-endian ELF (only x86_64 is supported)");
	if (img[ELF_EI_VERSION] != 1)
		return refuse(why, "unknown ELF version");
	if (size < sizeof(struct elf64_ehdr))
		return refuse(why, "truncated ELF header");
	return 0;
}

static int check_type(const struct elf64_ehdr *eh, const char **why)
{
	if (eh->e_machine != ELF_EM_X86_64)
		return refuse(why, "not an x86_64 program");
	switch (eh->e_type) {
	case ELF_ET_EXEC:
	case ELF_ET_DYN:
		return 0;
	case ELF_ET_REL:
		return refuse(why, "an object file, not a linked program");
	case ELF_ET_CORE:
		return refuse(why, "a core dump, not a program");
	default:
		return refuse(why, "not an executable ELF type");
	}
}

/* Whether [off, off + n) lies inside the first len bytes: 1, or 0 with
 * *why set (outside the file, or past what the caller read of it). */
static int held(uint64_t off, uint64_t n, size_t len, uint64_t size, const char *what,
		const char **why)
{
	if (off <= len && n <= len - off)
		return 1;
	*why = off <= size && n <= size - off ? "headers too far into the file" : what;
	return 0;
}

static int check_phdr_table(const struct elf64_ehdr *eh, size_t len, uint64_t size,
			    const char **why)
{
	if (eh->e_phnum == 0)
		return refuse(why, "no program headers");
	/* 0xffff means "the real count is in section 0"; no static
	 * executable needs that many. */
	if (eh->e_phnum == 0xffff)
		return refuse(why, "too many program headers");
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return refuse(why, "bad program header size");
	uint64_t table = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (!held(eh->e_phoff, table, len, size, "program headers outside the file", why))
		return -LIB_ENOEXEC;
	return 0;
}

static void read_phdr(const uint8_t *img, const struct elf64_ehdr *eh, unsigned i,
		      struct elf64_phdr *ph)
{
	memcpy(ph, img + eh->e_phoff + (uint64_t)i * sizeof *ph, sizeof *ph);
}

static int has_nul(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!p[i])
			return 1;
	return 0;
}

/* PT_INTERP, if any: a path inside the file, NUL-terminated, with no NUL
 * before its end, shorter than PATH_MAX (as Linux's loader requires). */
static int find_interp(const uint8_t *img, size_t len, uint64_t size, const struct elf64_ehdr *eh,
		       struct elf_info *info, const char **why)
{
	struct elf64_phdr ph;

	info->interp_off = info->interp_len = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		read_phdr(img, eh, i, &ph);
		if (ph.p_type != ELF_PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > ELF_INTERP_MAX)
			return refuse(why, "a bad interpreter path");
		if (!held(ph.p_offset, ph.p_filesz, len, size, "a bad interpreter path", why))
			return -LIB_ENOEXEC;
		const uint8_t *path = img + ph.p_offset;
		if (path[ph.p_filesz - 1] != 0 || has_nul(path, ph.p_filesz - 1))
			return refuse(why, "a bad interpreter path");
		info->interp_off = ph.p_offset;
		info->interp_len = (uint32_t)(ph.p_filesz - 1);
		return 0;
	}
	return 0;
}

static int check_load(const struct elf64_phdr *ph, uint64_t size, const char **why)
{
	if (ph->p_filesz > ph->p_memsz)
		return refuse(why, "a segment's file size exceeds its memory size");
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return refuse(why, "a segment's data lies outside the file");
	if (ph->p_vaddr >= USER_TOP || ph->p_memsz > USER_TOP - ph->p_vaddr)
		return refuse(why, "a segment lies outside the user address space");
	if (ph->p_align > 1) {
		if (ph->p_align & (ph->p_align - 1))
			return refuse(why, "a segment's alignment is not a power of two");
		if ((ph->p_vaddr ^ ph->p_offset) & (ph->p_align - 1))
			return refuse(why, "a segment's address and file offset disagree");
	}
	return 0;
}

/* Walks the PT_LOADs: checks each and sets info->lo/hi. */
static int check_loads(const uint8_t *img, uint64_t size, const struct elf64_ehdr *eh,
		       struct elf_info *info, const char **why)
{
	struct elf64_phdr ph;
	int loads = 0;

	info->lo = UINT64_MAX;
	info->hi = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		read_phdr(img, eh, i, &ph);
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		int r = check_load(&ph, size, why);
		if (r < 0)
			return r;
		if (ph.p_vaddr < info->lo)
			info->lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > info->hi)
			info->hi = ph.p_vaddr + ph.p_memsz;
		loads++;
	}
	if (!loads)
		return refuse(why, "no loadable segment");
	info->lo &= ~(PAGE_SIZE - 1);
	return 0;
}

static int entry_in_load(const uint8_t *img, const struct elf64_ehdr *eh)
{
	struct elf64_phdr ph;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		read_phdr(img, eh, i, &ph);
		if (ph.p_type == ELF_PT_LOAD && eh->e_entry >= ph.p_vaddr &&
		    eh->e_entry - ph.p_vaddr < ph.p_memsz)
			return 1;
	}
	return 0;
}

/* AT_PHDR: PT_PHDR says where the table is mapped; without it, the table
 * is wherever the PT_LOAD holding e_phoff puts it (as Linux computes). */
static uint64_t find_phdr_vaddr(const uint8_t *img, const struct elf64_ehdr *eh)
{
	struct elf64_phdr ph;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		read_phdr(img, eh, i, &ph);
		if (ph.p_type == ELF_PT_PHDR)
			return ph.p_vaddr;
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		read_phdr(img, eh, i, &ph);
		if (ph.p_type == ELF_PT_LOAD && eh->e_phoff >= ph.p_offset &&
		    eh->e_phoff - ph.p_offset < ph.p_filesz)
			return ph.p_vaddr + (eh->e_phoff - ph.p_offset);
	}
	return 0;
}

int elf_check(const void *img, size_t len, uint64_t size, struct elf_info *info, const char **why)
{
	const uint8_t *p = img;
	struct elf64_ehdr eh;
	int r;

	*why = "";
	if (len > size)
		len = (size_t)size;
	if ((r = check_ident(p, len, why)) < 0)
		return r;
	memcpy(&eh, p, sizeof eh);
	if ((r = check_type(&eh, why)) < 0 || (r = check_phdr_table(&eh, len, size, why)) < 0)
		return r;
	if ((r = find_interp(p, len, size, &eh, info, why)) < 0 ||
	    (r = check_loads(p, size, &eh, info, why)) < 0)
		return r;
	if (eh.e_type == ELF_ET_EXEC && info->lo < PAGE_SIZE)
		return refuse(why, "a segment maps page zero");
	if (!entry_in_load(p, &eh))
		return refuse(why, "the entry point is outside the program");
	info->is_pie = eh.e_type == ELF_ET_DYN;
	info->entry = eh.e_entry;
	info->phoff = eh.e_phoff;
	info->phnum = eh.e_phnum;
	info->phentsize = eh.e_phentsize;
	info->phdr_vaddr = find_phdr_vaddr(p, &eh);
	return 0;
}
