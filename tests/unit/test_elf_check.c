/* elf_check on ELF images built in memory: what a static program looks
 * like passes with the right numbers; each way an image can lie is refused
 * with -ENOEXEC and a reason, without reading past the image (ASan). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "elf64.h"
#include "elf_check.h"

#define IMG_SIZE 0x2000

struct image {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[8];
	size_t size;
};

static struct elf64_phdr load(uint64_t off, uint64_t vaddr, uint64_t filesz, uint64_t memsz,
			      uint32_t flags)
{
	struct elf64_phdr p = { .p_type = ELF_PT_LOAD, .p_flags = flags, .p_offset = off,
				.p_vaddr = vaddr, .p_paddr = vaddr, .p_filesz = filesz,
				.p_memsz = memsz, .p_align = 0x1000 };
	return p;
}

/* A static non-PIE program: headers and rodata, then text, then bss. */
static void make_exec(struct image *im)
{
	memset(im, 0, sizeof *im);
	memcpy(im->eh.e_ident, ELF_MAGIC, 4);
	im->eh.e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	im->eh.e_ident[ELF_EI_DATA] = ELF_DATA_LSB;
	im->eh.e_ident[ELF_EI_VERSION] = 1;
	im->eh.e_type = ELF_ET_EXEC;
	im->eh.e_machine = ELF_EM_X86_64;
	im->eh.e_version = 1;
	im->eh.e_entry = 0x401010;
	im->eh.e_phoff = sizeof im->eh;
	im->eh.e_ehsize = sizeof im->eh;
	im->eh.e_phentsize = sizeof(struct elf64_phdr);
	im->eh.e_phnum = 3;
	im->ph[0] = load(0, 0x400000, 0x1000, 0x1000, ELF_PF_R);
	im->ph[1] = load(0x1000, 0x401000, 0x800, 0x3000, ELF_PF_R | ELF_PF_X);
	im->ph[2] = (struct elf64_phdr){ .p_type = ELF_PT_GNU_STACK, .p_flags = ELF_PF_R | ELF_PF_W };
	im->size = IMG_SIZE;
}

/* A static-pie: linked at 0, PT_PHDR and PT_DYNAMIC, no PT_INTERP. */
static void make_pie(struct image *im)
{
	make_exec(im);
	im->eh.e_type = ELF_ET_DYN;
	im->eh.e_entry = 0x1010;
	im->eh.e_phnum = 4;
	im->ph[0] = (struct elf64_phdr){ .p_type = ELF_PT_PHDR, .p_offset = 64, .p_vaddr = 64,
					 .p_filesz = 4 * 56, .p_memsz = 4 * 56, .p_align = 8 };
	im->ph[1] = load(0, 0, 0x1000, 0x1000, ELF_PF_R);
	im->ph[2] = load(0x1000, 0x1000, 0x1000, 0x5000, ELF_PF_R | ELF_PF_X);
	im->ph[3] = (struct elf64_phdr){ .p_type = ELF_PT_DYNAMIC, .p_offset = 0x1800,
					 .p_vaddr = 0x1800, .p_filesz = 0x100, .p_memsz = 0x100 };
}

/* Lays the image out in a buffer of exactly im->size bytes and checks it. */
static int check(const struct image *im, struct elf_info *info, const char **why)
{
	uint8_t *buf = calloc(1, im->size ? im->size : 1);
	size_t head = sizeof im->eh + sizeof im->ph;

	memcpy(buf, im, im->size < head ? im->size : head);
	int r = elf_check(buf, im->size, im->size, info, why);
	free(buf);
	return r;
}

static void refused(const struct image *im, const char *reason)
{
	struct elf_info info;
	const char *why = NULL;

	assert_int_equal(check(im, &info, &why), -8);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void static_exec(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;
	const char *why;

	make_exec(&im);
	assert_int_equal(check(&im, &info, &why), 0);
	assert_int_equal(info.is_pie, 0);
	assert_int_equal(info.entry, 0x401010);
	assert_int_equal(info.phoff, 64);
	assert_int_equal(info.phnum, 3);
	assert_int_equal(info.phentsize, 56);
	assert_int_equal(info.lo, 0x400000);
	assert_int_equal(info.hi, 0x404000);
	assert_int_equal(info.phdr_vaddr, 0x400040);	/* from the PT_LOAD at offset 0 */
}

static void static_pie(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;
	const char *why;

	make_pie(&im);
	assert_int_equal(check(&im, &info, &why), 0);
	assert_int_equal(info.is_pie, 1);
	assert_int_equal(info.entry, 0x1010);
	assert_int_equal(info.lo, 0);
	assert_int_equal(info.hi, 0x6000);
	assert_int_equal(info.phdr_vaddr, 64);		/* from PT_PHDR */
}

/* lo is page-aligned down; without PT_PHDR and with the headers in no
 * PT_LOAD, there is no AT_PHDR to give. */
static void bounds_and_phdr(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;
	const char *why;

	make_exec(&im);
	im.ph[0] = load(0x1100, 0x400100, 0x10, 0x10, ELF_PF_R);
	assert_int_equal(check(&im, &info, &why), 0);
	assert_int_equal(info.lo, 0x400000);
	assert_int_equal(info.phdr_vaddr, 0);
}

/* elf_check of im with `n` bytes of path at 0x300 (the PT_INTERP's). */
static int check_interp(const struct image *im, const char *path, size_t n, struct elf_info *info,
			const char **why)
{
	uint8_t *buf = calloc(1, im->size);

	memcpy(buf, im, sizeof im->eh + sizeof im->ph);
	memcpy(buf + 0x300, path, n);
	int r = elf_check(buf, im->size, im->size, info, why);
	free(buf);
	return r;
}

/* A PT_INTERP names the loader (exec maps it); a path that is not one
 * NUL-terminated string inside the file is refused. */
static void interp(void **state)
{
	(void)state;
	static const char ld[] = "/lib64/ld-linux-x86-64.so.2";
	struct image im;
	struct elf_info info;
	const char *why = NULL;

	make_exec(&im);
	im.ph[2] = (struct elf64_phdr){ .p_type = ELF_PT_INTERP, .p_offset = 0x300, .p_filesz = sizeof ld };
	assert_int_equal(check_interp(&im, ld, sizeof ld, &info, &why), 0);
	assert_int_equal(info.interp_off, 0x300);
	assert_int_equal(info.interp_len, sizeof ld - 1);
	im.ph[2].p_filesz = sizeof ld - 1;	/* no NUL at its end */
	assert_int_equal(check_interp(&im, ld, sizeof ld, &info, &why), -8);
	assert_string_equal(why, "a bad interpreter path");
	im.ph[2].p_filesz = 5;
	assert_int_equal(check_interp(&im, "/a\0b", 5, &info, &why), -8);	/* one too early */
	assert_string_equal(why, "a bad interpreter path");
	im.ph[2].p_offset = im.size;	/* outside the file */
	refused(&im, "a bad interpreter path");
	make_pie(&im);
	im.ph[3] = (struct elf64_phdr){ .p_type = ELF_PT_INTERP, .p_offset = 0x300, .p_filesz = sizeof ld };
	assert_int_equal(check_interp(&im, ld, sizeof ld, &info, &why), 0);
	assert_int_equal(info.is_pie, 1);
	assert_int_equal(info.interp_len, sizeof ld - 1);
	make_exec(&im);
	assert_int_equal(check(&im, &info, &why), 0);
	assert_int_equal(info.interp_len, 0);	/* static */
}

static void not_elf(void **state)
{
	(void)state;
	struct image im;

	make_exec(&im);
	memcpy(im.eh.e_ident, "MZ\x90\x00", 4);
	refused(&im, "not an ELF file");
	make_exec(&im);
	for (size_t n = 0; n < 4; n++) {
		im.size = n;
		refused(&im, "not an ELF file");
	}
	im.size = 40;
	refused(&im, "truncated ELF header");
}

static void wrong_kind(void **state)
{
	(void)state;
	struct image im;

	make_exec(&im);
	im.eh.e_ident[ELF_EI_CLASS] = ELF_CLASS32;
	refused(&im, "32-bit ELF (only x86_64 is supported)");
	make_exec(&im);
	im.eh.e_machine = 183;	/* EM_AARCH64 */
	refused(&im, "not an x86_64 program");
	make_exec(&im);
	im.eh.e_ident[ELF_EI_DATA] = 2;
	refused(&im, "big-endian ELF (only x86_64 is supported)");
	make_exec(&im);
	im.eh.e_type = ELF_ET_REL;
	refused(&im, "an object file, not a linked program");
}

static void bad_phdr_table(void **state)
{
	(void)state;
	struct image im;

	make_exec(&im);
	im.eh.e_phoff = IMG_SIZE - 56;	/* 3 entries, room for 1 */
	refused(&im, "program headers outside the file");
	im.eh.e_phoff = UINT64_MAX - 16;
	refused(&im, "program headers outside the file");
	make_exec(&im);
	im.eh.e_phentsize = 32;
	refused(&im, "bad program header size");
	make_exec(&im);
	im.eh.e_phnum = 0;
	refused(&im, "no program headers");
	make_exec(&im);
	im.ph[0].p_type = im.ph[1].p_type = 0x70000000;
	refused(&im, "no loadable segment");
}

static void bad_segments(void **state)
{
	(void)state;
	struct image im;

	make_exec(&im);
	im.ph[1].p_filesz = im.ph[1].p_memsz + 1;
	refused(&im, "a segment's file size exceeds its memory size");

	make_exec(&im);
	im.ph[1].p_filesz = IMG_SIZE;	/* 0x1000 + 0x2000 > 0x2000 */
	im.ph[1].p_memsz = IMG_SIZE;
	refused(&im, "a segment's data lies outside the file");
	im.ph[1].p_offset = UINT64_MAX - 0x10;	/* offset + filesz wraps */
	im.ph[1].p_filesz = 0x20;
	refused(&im, "a segment's data lies outside the file");

	make_exec(&im);
	im.ph[1].p_vaddr = 0xfffffffffffff000ull;	/* vaddr + memsz wraps */
	refused(&im, "a segment lies outside the user address space");
	im.ph[1].p_vaddr = 0x7ffffffff000ull;		/* ends past the user half */
	refused(&im, "a segment lies outside the user address space");

	make_exec(&im);
	im.ph[1].p_vaddr = 0x401100;
	refused(&im, "a segment's address and file offset disagree");
	make_exec(&im);
	im.ph[1].p_align = 0x1800;
	refused(&im, "a segment's alignment is not a power of two");
}

static void bad_entry_and_page_zero(void **state)
{
	(void)state;
	struct image im;

	make_exec(&im);
	im.eh.e_entry = 0x404000;	/* one past the end of the bss */
	refused(&im, "the entry point is outside the program");
	make_exec(&im);
	im.ph[0].p_vaddr = 0;
	im.eh.e_entry = 0x10;
	refused(&im, "a segment maps page zero");
}

/* Every prefix of a valid image is either refused or (once the headers
 * and all segment data fit) accepted; none is read past its end. */
static void every_prefix(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;
	const char *why;

	make_exec(&im);
	for (size_t n = 0; n <= IMG_SIZE; n++) {
		im.size = n;
		int r = check(&im, &info, &why);
		assert_int_equal(r, n >= 0x1800 ? 0 : -8);
	}
}

/* Only the file's first len bytes at hand (the kernel's head): program
 * headers or a PT_INTERP path past them are refused, never read, even
 * when the file (or a size claimed for one cut short) holds them; the
 * bytes are in a buffer of exactly len, so ASan sees any read past it. */
static void head_shorter_than_file(void **state)
{
	(void)state;
	static const char ld[] = "/lib/ld.so";
	struct image im;
	struct elf_info info;
	const char *why;
	size_t len = sizeof im.eh + sizeof im.ph;
	uint8_t *buf = malloc(len);

	make_exec(&im);
	memcpy(buf, &im, len);
	assert_int_equal(elf_check(buf, len, IMG_SIZE, &info, &why), 0);
	im.eh.e_phoff = len;		/* in the file, past the head */
	memcpy(buf, &im, len);
	assert_int_equal(elf_check(buf, len, IMG_SIZE, &info, &why), -8);
	assert_string_equal(why, "headers too far into the file");
	im.eh.e_phoff = 1ull << 40;	/* a size claimed past the file's end */
	memcpy(buf, &im, len);
	assert_int_equal(elf_check(buf, len, 1ull << 41, &info, &why), -8);
	assert_string_equal(why, "headers too far into the file");
	make_exec(&im);
	im.ph[2] = (struct elf64_phdr){ .p_type = ELF_PT_INTERP, .p_offset = len,
					.p_filesz = sizeof ld };
	memcpy(buf, &im, len);
	assert_int_equal(elf_check(buf, len, IMG_SIZE, &info, &why), -8);
	assert_string_equal(why, "headers too far into the file");
	im.ph[2].p_offset = IMG_SIZE;
	memcpy(buf, &im, len);
	assert_int_equal(elf_check(buf, len, IMG_SIZE, &info, &why), -8);
	assert_string_equal(why, "a bad interpreter path");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(static_exec),
		cmocka_unit_test(static_pie),
		cmocka_unit_test(bounds_and_phdr),
		cmocka_unit_test(interp),
		cmocka_unit_test(not_elf),
		cmocka_unit_test(wrong_kind),
		cmocka_unit_test(bad_phdr_table),
		cmocka_unit_test(bad_segments),
		cmocka_unit_test(bad_entry_and_page_zero),
		cmocka_unit_test(every_prefix),
		cmocka_unit_test(head_shorter_than_file),
	};
	return cmocka_run_group_tests_name("elf_check", tests, NULL, NULL);
}
