/* Checks the auxiliary vector a static program relies on.  musl's start-up
 * code (and its static-pie self-relocation) reads AT_PHDR, AT_PHNUM,
 * AT_PHENT and AT_PAGESZ; stack protectors and hash seeds read AT_RANDOM.
 * AT_PHDR must point at this program's real program headers: we compare it
 * with __ehdr_start, the ELF header the linker placed at the start of the
 * first segment.  Prints "execfn=..." and "auxv ok", or FAIL lines. */
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

extern const Elf64_Ehdr __ehdr_start;
extern char _start[];

static int failures;

static void check(int ok, const char *what, unsigned long got)
{
	if (!ok) {
		printf("FAIL: %s (got %#lx)\n", what, got);
		failures++;
	}
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(const ElfW(Phdr) **)data = info->dlpi_phdr;
	return 1;
}

int main(void)
{
	const Elf64_Ehdr *eh = &__ehdr_start;
	unsigned long phdr = getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	unsigned long phent = getauxval(AT_PHENT);
	unsigned long entry = getauxval(AT_ENTRY);
	unsigned long pagesz = getauxval(AT_PAGESZ);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN);

	check(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0, "__ehdr_start is not an ELF header", 0);
	check(phdr == (unsigned long)eh + eh->e_phoff,
	      "AT_PHDR is not __ehdr_start + e_phoff", phdr);
	check(phnum == eh->e_phnum, "AT_PHNUM differs from e_phnum", phnum);
	check(phent == sizeof(Elf64_Phdr), "AT_PHENT is not sizeof(Elf64_Phdr)", phent);
	check(entry == (unsigned long)_start, "AT_ENTRY is not the address of _start", entry);
	check(pagesz == 4096, "AT_PAGESZ is not 4096", pagesz);

	/* The headers AT_PHDR names must describe this program: one PT_LOAD
	 * covers main, and dl_iterate_phdr agrees. */
	if (phdr && phnum == eh->e_phnum) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)phdr;
		unsigned long base = eh->e_type == ET_DYN ? (unsigned long)eh : 0;
		unsigned long m = (unsigned long)main;
		int covered = 0;
		for (unsigned long i = 0; i < phnum; i++)
			if (ph[i].p_type == PT_LOAD && m >= base + ph[i].p_vaddr &&
			    m < base + ph[i].p_vaddr + ph[i].p_memsz)
				covered = 1;
		check(covered, "no PT_LOAD at AT_PHDR covers main", m);
	}
	const ElfW(Phdr) *iter = NULL;
	dl_iterate_phdr(phdr_cb, &iter);
	check((unsigned long)iter == phdr, "dl_iterate_phdr disagrees with AT_PHDR",
	      (unsigned long)iter);

	check(rnd != NULL, "AT_RANDOM missing", 0);
	if (rnd) {
		unsigned char copy[16];
		memcpy(copy, rnd, 16);	/* must be readable */
		int nonzero = 0;
		for (int i = 0; i < 16; i++)
			nonzero |= copy[i];
		check(nonzero, "AT_RANDOM bytes are all zero", 0);
	}
	check(execfn != NULL, "AT_EXECFN missing", 0);
	printf("execfn=%s\n", execfn ? execfn : "(null)");

	if (failures)
		return 1;
	printf("auxv ok\n");
	return 0;
}
