/* Program images: what execve (and the start of each step) builds in a new
 * address space from a file: scripts, static and dynamic ELF programs, and
 * the System V initial stack. */
#ifndef AMPHI_LINUX_EXEC_H
#define AMPHI_LINUX_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/trapframe.h"

struct mm;

/* The strings a program gets: argv's then envp's, NUL-terminated, in one
 * buffer; the arrays point into it. */
struct exec_args {
	char *buf;
	size_t len;
	const char **argv, **envp;
	int argc, envc;
	size_t limit;		/* what strings and pointers may take (E2BIG beyond) */
	/* uid, euid, gid, egid the program runs with: the caller's, then a
	 * set-user-ID or set-group-ID file's owner (exec_image), unless
	 * no_new_privs; for AT_UID... and AT_SECURE, then the process's. */
	uint32_t ids[4];
	bool no_new_privs;
};

/* Linux's limit on argv and envp together for a stack limit (RLIMIT_STACK):
 * a quarter of it, between 128 KiB and 6 MiB. */
size_t exec_args_limit(uint64_t stack_limit);
/* Copies of the kernel's own strings (the run's programs): 0, -E2BIG, -ENOMEM. */
int exec_args_from_kernel(struct exec_args *a, const char *const *argv, int argc,
			  const char *const *envp, int envc, size_t limit);
void exec_args_free(struct exec_args *a);
/* Points argv and envp at the argc + envc strings in buf: 0 or -ENOMEM. */
int exec_args_index(struct exec_args *a);

/* What exec_image made. */
struct exec_result {
	char exe[4096];		/* the ELF that runs, absolute, symlinks resolved */
	bool cut_short;		/* its file ends inside its segments: SIGSEGV once started */
	bool script;		/* a #! line was followed: exe is an interpreter */
	struct inode *inode;	/* exe's file, referenced (the caller puts it), or NULL */
};

/* Builds the program path names (relative to the caller's directory) in
 * the empty address space mm: follows "#!" lines (rewriting *a as Linux
 * does), loads the ELF and its interpreter, lays out the stack, and fills
 * *tf to enter it.  0, or -errno (ENOENT, ENOTDIR, ELOOP, EACCES, ENOEXEC,
 * ELIBBAD, E2BIG, ENOMEM...) with *why set to a short reason. */
int exec_image(struct mm *mm, const char *path, struct exec_args *a, struct exec_result *res,
	       struct trapframe *tf, const char **why);

#endif
