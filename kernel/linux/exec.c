/* The ELF loader.  Static executables (ET_EXEC) load at their addresses,
 * static-pie ones (ET_DYN without an interpreter) at a fixed base as Linux
 * would choose.  The initial stack follows the System V x86_64 ABI: argc,
 * argv, envp, auxv, then the strings they point to. */
#include "linux/exec.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/random.h"
#include "core/string.h"
#include "core/vm.h"
#include "elf_check.h"
#include "fs/vfs_kernel.h"
#include "linux/process.h"

#define PIE_BASE	0x0000555555554000ul
#define PT_LOAD		1
#define PF_X		1
#define PF_W		2
#define PF_R		4
#define MAX_ARGS_SIZE	(256 * 1024)

enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
	AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
	AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
	AT_HWCAP2 = 26, AT_EXECFN = 31,
};

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

struct stack_builder {
	uint8_t *buf;		/* kernel copy of the stack's top */
	uint64_t top;		/* user address of buf's end */
	size_t used;		/* bytes from the end */
	size_t cap;
};

/* Pushes bytes at the top end; the user address they land at, or 0. */
static uint64_t push_bytes(struct stack_builder *s, const void *p, size_t n)
{
	if (s->used + n > s->cap)
		return 0;
	s->used += n;
	memcpy(s->buf + s->cap - s->used, p, n);
	return s->top - s->used;
}

static uint64_t push_string(struct stack_builder *s, const char *str)
{
	return push_bytes(s, str, strlen(str) + 1);
}

/* Caller provides ptrs with room for argc + envc + 3 + 2 * 19 words. */
static int build_stack(struct stack_builder *s, const char *path, const char *const *argv, int argc,
		       const char *const *envp, int envc, const struct elf_info *info, uint64_t base,
		       uint64_t *ptrs)
{
	uint64_t *p = ptrs;
	uint8_t rnd[16];
	uint32_t r[4];

	random_fill(rnd, sizeof rnd);
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(1), "c"(0));
	uint64_t execfn = push_string(s, path), platform = push_string(s, "x86_64");
	uint64_t random = push_bytes(s, rnd, sizeof rnd);

	*p++ = argc;
	for (int i = 0; i < argc; i++)
		*p++ = push_string(s, argv[i]);
	*p++ = 0;
	for (int i = 0; i < envc; i++)
		*p++ = push_string(s, envp[i]);
	*p++ = 0;
	const uint64_t aux[][2] = {
		{ AT_PHDR, base + info->phdr_vaddr }, { AT_PHENT, info->phentsize },
		{ AT_PHNUM, info->phnum }, { AT_PAGESZ, PAGE_SIZE }, { AT_BASE, 0 },
		{ AT_FLAGS, 0 }, { AT_ENTRY, base + info->entry }, { AT_UID, 0 }, { AT_EUID, 0 },
		{ AT_GID, 0 }, { AT_EGID, 0 }, { AT_PLATFORM, platform }, { AT_HWCAP, r[3] },
		{ AT_CLKTCK, 100 }, { AT_SECURE, 0 }, { AT_RANDOM, random }, { AT_HWCAP2, 0 },
		{ AT_EXECFN, execfn }, { AT_NULL, 0 },
	};
	memcpy(p, aux, sizeof aux);
	p += sizeof aux / 8;
	if (s->used > s->cap || !execfn || !platform || !random)
		return -E2BIG;
	for (uint64_t *q = ptrs + 1; q < p - sizeof aux / 8 - 1; q++)
		if (q != ptrs + 1 + argc && *q == 0)
			return -E2BIG;	/* a string did not fit */

	/* rsp (pointing at argc) must be 16-byte aligned at entry. */
	size_t bytes = (p - ptrs) * 8;
	s->used = (s->used + bytes + 15) & ~15ul;
	if (s->used > s->cap)
		return -E2BIG;
	s->used -= bytes;
	return push_bytes(s, ptrs, bytes) ? 0 : -E2BIG;
}

static int setup_stack(struct mm *mm, const char *path, const char *const *argv, int argc,
		       const char *const *envp, int envc, const struct elf_info *info, uint64_t base,
		       uint64_t *rsp)
{
	struct stack_builder s = { .top = VM_STACK_TOP, .cap = MAX_ARGS_SIZE };
	int err = vm_map_fixed(mm, VM_STACK_TOP - VM_STACK_SIZE, VM_STACK_SIZE, MMU_READ | MMU_WRITE, true);

	if (err)
		return err;
	s.buf = kmalloc(s.cap);
	uint64_t *ptrs = kmalloc((argc + envc + 3 + 2 * 19) * 8);
	err = s.buf && ptrs ? build_stack(&s, path, argv, argc, envp, envc, info, base, ptrs) : -ENOMEM;
	if (!err)
		err = vm_fill(mm, s.top - s.used, s.buf + s.cap - s.used, s.used);
	*rsp = s.top - s.used;
	kfree(ptrs);
	kfree(s.buf);
	return err;
}

static const char *read_error(int err)
{
	switch (err) {
	case -ENOENT: return "No such file or directory";
	case -ENOTDIR: return "Not a directory (in its path)";
	case -EACCES: return "not an executable regular file";
	case -ENOMEM: return "no memory to read it";
	default: return "cannot be read";
	}
}

int exec_load(struct mm *mm, const char *path, const char *const *argv, int argc,
	      const char *const *envp, int envc, struct trapframe *tf, const char **why)
{
	void *img;
	size_t size;
	struct elf_info info = { 0 };
	uint64_t rsp;

	int err = vfs_read_whole(path, 1, &img, &size);
	if (err) {
		*why = read_error(err);
		return err;
	}
	err = elf_check(img, size, &info, why);
	uint64_t base = info.is_pie ? PIE_BASE : 0;
	if (!err) {
		*why = "cannot load its segments";
		err = load_segments(mm, img, &info, base);
	}
	kfree(img);
	if (!err) {
		*why = "cannot set up its stack";
		err = setup_stack(mm, path, argv, argc, envp, envc, &info, base, &rsp);
	}
	if (err)
		return err;
	mm->brk_base = mm->brk = PAGE_ROUND_UP(base + info.hi);
	memset(tf, 0, sizeof *tf);
	tf->rip = base + info.entry;
	tf->rsp = rsp;
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	tf->rflags = 0x202;	/* interrupts on */
	return 0;
}
