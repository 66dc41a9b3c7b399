/* Starting the program: ELF loading and the System V initial stack. */
#ifndef AMPHI_LINUX_EXEC_H
#define AMPHI_LINUX_EXEC_H

#include <stddef.h>

#include "arch/x86_64/trapframe.h"

struct mm;

/* Loads the ELF at path (read through the VFS) into the empty address
 * space mm and fills *tf to enter it with argv/envp.  0, or -errno with
 * *why set. */
int exec_load(struct mm *mm, const char *path, const char *const *argv, int argc,
	      const char *const *envp, int envc, struct trapframe *tf, const char **why);

#endif
