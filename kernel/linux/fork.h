/* New threads and processes (clone, clone3, fork, vfork). */
#ifndef AMPHI_LINUX_FORK_H
#define AMPHI_LINUX_FORK_H

#include <stdint.h>

#include "arch/x86_64/trapframe.h"

/* What clone and clone3 ask for, in clone3's terms. */
struct clone_request {
	uint64_t flags;		/* CLONE_*, without the exit signal */
	int exit_signal;	/* sent to the parent when a process ends; 0: none */
	uint64_t stack;		/* the child's rsp; 0: the caller's */
	uint64_t ptid, ctid;	/* CLONE_PARENT_SETTID, CLONE_CHILD_SETTID/CLEARTID */
	uint64_t tls;		/* CLONE_SETTLS */
	uint64_t pidfd;		/* CLONE_PIDFD: where the new pidfd's number goes */
};

/* The new thread's tid or process's pid (in the caller), or -errno.  tf is
 * the caller's system call frame: the child returns 0 from it. */
long clone_do(const struct clone_request *r, const struct trapframe *tf);

struct thread;
/* t's own descriptor table, copied if another thread or process holds
 * it: 0, or -ENOMEM (t keeps the shared one). */
int thread_own_files(struct thread *t);
/* The same for its current and root directories and umask (unshare). */
int thread_own_fs(struct thread *t);

#endif
