/* The program loader.  A file starting with "#!" names an interpreter, by
 * Linux's rules (binfmt_script: the first line, at most 256 bytes; the
 * interpreter's path and one optional argument; argv becomes interpreter,
 * argument, the script's path as given, then argv[1...]).  An ELF loads at
 * its addresses (ET_EXEC) or at a base (ET_DYN): a PIE or static-pie at
 * 0x555555554000 as Linux without randomization, its interpreter
 * (PT_INTERP: ld.so) wherever mmap would put it, and the program starts at
 * the interpreter's entry with AT_BASE, AT_PHDR and AT_ENTRY telling it
 * where the program is.  The initial stack follows the System V x86_64
 * ABI: argc, argv, envp, auxv, then the strings, laid out as Linux does. */
#include "linux/exec.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/random.h"
#include "core/string.h"
#include "core/vm.h"
#include "elf_check.h"
#include "fs/vfs.h"
#include "fs/vfs_kernel.h"
#include "linux/exec_internal.h"

#define PIE_BASE	0x0000555555554000ul
#define PT_LOAD		1
#define PF_X		1
#define PF_W		2
#define PF_R		4
#define BINPRM_BUF	256	/* what Linux reads of a file to tell its kind */
#define MAX_DEPTH	5	/* interpreters of interpreters: ELOOP beyond, as Linux */

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static unsigned prot_of(uint32_t flags)
{
	return (flags & PF_R ? MMU_READ : 0) | (flags & PF_W ? MMU_WRITE : 0) |
	       (flags & PF_X ? MMU_EXEC : 0);
}

/* Maps every PT_LOAD, then fills them: a page two segments share gets both
 * protections, and filling after mapping keeps the first one's bytes. */
static int load_segments(struct mm *mm, const uint8_t *img, const struct elf_info *info,
			 uint64_t base)
{
	const struct phdr *ph = (const struct phdr *)(img + info->phoff);
	uint64_t prev_end = 0;
	unsigned prev_prot = 0;
	int err = 0;

	for (int i = 0; i < info->phnum && !err; i++) {
		if (ph[i].type != PT_LOAD || !ph[i].memsz)
			continue;
		uint64_t start = PAGE_ROUND_DOWN(base + ph[i].vaddr);
		uint64_t end = PAGE_ROUND_UP(base + ph[i].vaddr + ph[i].memsz);
		unsigned prot = prot_of(ph[i].flags);
		if (start < prev_end) {	/* shares its first page with the previous one */
			err = vm_protect(mm, start, PAGE_SIZE, prot | prev_prot);
			start += PAGE_SIZE;
		}
		if (!err && start < end)
			err = vm_map_fixed(mm, start, end - start, prot, true);
		prev_end = end;
		prev_prot = prot;
	}
	for (int i = 0; i < info->phnum && !err; i++)
		if (ph[i].type == PT_LOAD && ph[i].filesz)
			err = vm_fill(mm, base + ph[i].vaddr, img + ph[i].offset, ph[i].filesz);
	return err;
}

/* The whole file in a new kmalloc'd buffer. */
static int read_file(struct inode *i, uint8_t **img, size_t *size)
{
	int64_t n = vfs_size(i);
	uint8_t *buf = n >= 0 ? kmalloc(n ? (size_t)n : 1) : NULL;

	if (!buf)
		return -ENOMEM;
	long got = vfs_read_at(i, buf, (size_t)n, 0);
	if (got != n) {
		kfree(buf);
		return got < 0 ? (int)got : -EIO;
	}
	*img = buf;
	*size = (size_t)n;
	return 0;
}

/* An ELF read and checked: its image (kmalloc'd) and what elf_check saw. */
struct elf {
	uint8_t *img;
	size_t size;
	struct elf_info info;
	uint64_t base;
};

/* How long the file would have to be for its PT_LOADs' data, when its
 * program headers lie inside it; 0 otherwise. */
static uint64_t needed_size(const uint8_t *img, size_t size)
{
	uint64_t phoff, need = 0;
	uint16_t phnum, phentsize;

	if (size < 64)
		return 0;
	memcpy(&phoff, img + 32, 8);
	memcpy(&phentsize, img + 54, 2);
	memcpy(&phnum, img + 56, 2);
	if (phentsize != sizeof(struct phdr) || phoff > size || (uint64_t)phnum * phentsize > size - phoff)
		return 0;
	for (int k = 0; k < phnum; k++) {
		struct phdr ph;
		memcpy(&ph, img + phoff + (uint64_t)k * sizeof ph, sizeof ph);
		if (ph.type == PT_LOAD && ph.offset + ph.filesz > need && ph.offset + ph.filesz >= ph.offset)
			need = ph.offset + ph.filesz;
	}
	return need;
}

/* A file cut short inside its segments is mapped as Linux maps it (what
 * is missing reads as zeros) and its process dies with SIGSEGV once the
 * old image is gone, as Linux's loader fails then: the image is padded
 * here and *cut_short set. */
static int pad_cut_short(struct elf *e, bool *cut_short)
{
	uint64_t need = needed_size(e->img, e->size);

	if (need <= e->size || need - e->size > (64u << 20))
		return -ENOEXEC;
	uint8_t *img = kmalloc(need);
	if (!img)
		return -ENOMEM;
	memcpy(img, e->img, e->size);
	kfree(e->img);
	e->img = img;
	e->size = need;
	*cut_short = true;
	return 0;
}

static int read_elf(struct inode *i, struct elf *e, bool *cut_short, const char **why)
{
	int err = read_file(i, &e->img, &e->size);

	if (err) {
		*why = "cannot be read";
		return err;
	}
	err = elf_check(e->img, e->size, &e->info, why);
	if (err == -ENOEXEC && cut_short && !pad_cut_short(e, cut_short))
		err = elf_check(e->img, e->size, &e->info, why);
	if (err) {
		kfree(e->img);
		e->img = NULL;
	}
	return err;
}

/* The interpreter a PT_INTERP names: an ELF program, or ELIBBAD. */
static int read_interp(const struct elf *prog, struct elf *interp, const char **why)
{
	char path[ELF_INTERP_MAX];
	char *abs = kmalloc(PATH_MAX);
	struct inode *i;

	if (!abs)
		return -ENOMEM;
	memcpy(path, prog->img + prog->info.interp_off, prog->info.interp_len + 1);
	int err = vfs_open_exec(path, &i, abs);
	kfree(abs);
	if (err) {
		*why = "its interpreter (PT_INTERP) cannot be opened";
		return err;
	}
	err = read_elf(i, interp, NULL, why);
	inode_put(i);
	if (err == -ENOEXEC || (!err && interp->info.interp_len)) {
		*why = "its interpreter is not an ELF program it can run";
		if (!err)
			kfree(interp->img);
		return -ELIBBAD;
	}
	return err;
}

/* Loads the program (and its interpreter) into mm; fills the auxiliary
 * values and where to start. */
static int load_elf(struct mm *mm, struct inode *i, struct exec_start *start, bool *cut_short,
		    const char **why)
{
	struct elf prog = { 0 }, interp = { 0 };
	int err = read_elf(i, &prog, cut_short, why);

	if (!err && prog.info.interp_len)
		err = read_interp(&prog, &interp, why);
	prog.base = prog.info.is_pie ? PIE_BASE : 0;
	if (!err) {
		*why = "cannot load its segments";
		err = load_segments(mm, prog.img, &prog.info, prog.base);
	}
	if (!err && interp.img) {
		long at = vm_map_anywhere(mm, 0, interp.info.hi - interp.info.lo, 0);
		interp.base = at - interp.info.lo;
		err = at < 0 ? (int)at : load_segments(mm, interp.img, &interp.info, interp.base);
	}
	if (!err) {
		*start = (struct exec_start){
			.phdr = prog.base + prog.info.phdr_vaddr, .phent = prog.info.phentsize,
			.phnum = prog.info.phnum, .entry = prog.base + prog.info.entry,
			.interp_base = interp.img ? interp.base : 0,
			.pc = interp.img ? interp.base + interp.info.entry : prog.base + prog.info.entry,
			.brk = PAGE_ROUND_UP(prog.base + prog.info.hi),
		};
	}
	kfree(prog.img);
	kfree(interp.img);
	return err;
}

static bool spacetab(char c) { return c == ' ' || c == '\t'; }

/* The first byte in [first, last] that is not a space or tab, or NULL. */
static char *next_non_spacetab(char *first, char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

/* The first space, tab or NUL in [first, last], or NULL. */
static char *next_terminator(char *first, char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

/* The first line of a "#!" file, in buf: BINPRM_BUF bytes, zero past the
 * file's end.  Its interpreter and optional argument, NUL-terminated
 * there, or -ENOEXEC where Linux's binfmt_script refuses: no interpreter,
 * or one the 256 bytes may have cut off. */
static int parse_script(char *buf, char **interp, char **arg)
{
	char *buf_end = buf + BINPRM_BUF - 1, *end = memchr(buf, '\n', BINPRM_BUF);

	if (!end) {
		end = next_non_spacetab(buf + 2, buf_end);
		if (!end || !next_terminator(end, buf_end))
			return -ENOEXEC;
		end = buf_end;
	}
	while (spacetab(end[-1]))
		end--;
	char *name = next_non_spacetab(buf + 2, end), *sep;
	if (!name || name == end)
		return -ENOEXEC;
	*arg = NULL;
	sep = next_terminator(name, end);
	if (sep && *sep)
		*arg = next_non_spacetab(sep, end);
	*end = 0;
	if (sep)
		*sep = 0;
	*interp = name;
	return 0;
}

static int check_limit(const struct exec_args *a)
{
	size_t ptrs = (size_t)((a->argc ? a->argc : 1) + a->envc) * sizeof(void *);

	return a->len + ptrs > a->limit ? -E2BIG : 0;
}

int exec_image(struct mm *mm, const char *path, struct exec_args *a, struct exec_result *res,
	       struct trapframe *tf, const char **why)
{
	char hdr[BINPRM_BUF + 1];
	struct exec_start start;
	const char *file = path;	/* what runs: the script's interpreter next */
	char *execfn = kmalloc(strlen(path) + 1);
	int err = execfn ? 0 : -ENOMEM;

	if (execfn)
		memcpy(execfn, path, strlen(path) + 1);
	for (int depth = 0; !err; depth++) {
		struct inode *i;
		*why = "cannot be opened as a program";
		if (depth > MAX_DEPTH) {
			err = -ELOOP;
			break;
		}
		if ((err = vfs_open_exec(file, &i, res->exe)))
			break;
		memset(hdr, 0, sizeof hdr);
		long n = vfs_read_at(i, hdr, BINPRM_BUF, 0);
		char *interp, *arg;
		if (n >= 2 && hdr[0] == '#' && hdr[1] == '!') {
			inode_put(i);
			*why = "a script whose #! line Linux would refuse";
			if (!(err = parse_script(hdr, &interp, &arg)) &&
			    !(err = exec_args_script(a, interp, arg, file)))
				err = check_limit(a);
			file = a->argv[0];
			continue;
		}
		err = n < 0 ? (int)n : n < 4 || memcmp(hdr, "\x7f" "ELF", 4) ? -ENOEXEC : 0;
		*why = "not a program (no ELF or #! header)";
		if (!err)
			err = load_elf(mm, i, &start, &res->cut_short, why);
		inode_put(i);
		break;
	}
	if (!err) {
		*why = "cannot set up its stack";
		err = exec_stack(mm, a, execfn, &start, tf);
	}
	if (!err)
		mm->brk_base = mm->brk = start.brk;
	kfree(execfn);
	return err;
}
