/* Between exec.c (the image) and exec_stack.c (arguments, the stack). */
#ifndef AMPHI_LINUX_EXEC_INTERNAL_H
#define AMPHI_LINUX_EXEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/trapframe.h"
#include "linux/exec.h"

struct inode;
struct mm;

/* Where a loaded program starts, and what its auxiliary vector says. */
struct exec_start {
	uint64_t phdr, phent, phnum;	/* the program's headers, mapped */
	uint64_t entry;			/* the program's entry (AT_ENTRY) */
	uint64_t interp_base;		/* AT_BASE: the interpreter's base, 0 for none */
	uint64_t pc;			/* where it starts: the interpreter's entry if any */
	uint64_t brk;			/* the heap starts here */
};

/* Loads the ELF program i (absolute path abs) and its interpreter into mm
 * (exec_elf.c): 0 and *start, or -errno with *why set.  A file cut short
 * inside its segments sets *cut_short (see exec_result). */
int exec_load_elf(struct mm *mm, struct inode *i, const char *abs, struct exec_start *start,
		  bool *cut_short, const char **why);
/* A script's arguments, as Linux makes them: argv[0] goes, and interp, arg
 * (if any) and file come first.  0 or -ENOMEM. */
int exec_args_script(struct exec_args *a, const char *interp, const char *arg, const char *file);
/* Maps the stack at the top of mm, lays out argc, argv, envp, auxv and the
 * strings, and fills *tf to enter at start->pc.  0, -E2BIG, -ENOMEM. */
int exec_stack(struct mm *mm, const struct exec_args *a, const char *execfn,
	       const struct exec_start *start, struct trapframe *tf);

#endif
