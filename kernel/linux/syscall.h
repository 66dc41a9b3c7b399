/* The Linux system call boundary. */
#ifndef AMPHI_LINUX_SYSCALL_H
#define AMPHI_LINUX_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/trapframe.h"

#define NR_SYSCALLS 512

struct sysargs {
	uint64_t a[6];
	struct trapframe *tf;	/* the caller's user registers */
};

typedef long syscall_fn(const struct sysargs *a);

struct syscall_entry {
	int nr;
	syscall_fn *fn;
};

struct syscall_table {
	const struct syscall_entry *calls;
	size_t n;
};

/* Registers an area's calls (STYLE.md rule 3): syscall_init enters every
 * table so declared, and panics on a number registered twice.  Declared,
 * not called: under TCG each call site is code that runs once and is
 * translated first, about 8 us of boot each (a call per number cost 2 ms
 * for 220 calls; a register function per file, 0.8 ms for 50). */
#define SYSCALL_TABLE(calls)							\
	static const struct syscall_table calls##_table				\
	__attribute__((used, section(".syscall_tables"), aligned(8))) =	\
		{ calls, sizeof calls / sizeof calls[0] }

void syscall_init(void);
const char *syscall_name(int nr);
/* Puts fn in the table at nr (0 <= nr < NR_SYSCALLS), returning what was
 * there: the trace stands in for the calls it watches.  Only before the
 * program starts, while no thread can be in a call. */
syscall_fn *syscall_replace(int nr, syscall_fn *fn);
/* What a number with no handler returns (-ENOSYS, logged once). */
long syscall_unimplemented(uint64_t nr);

/* The hooks by which the layers below ask this one: credentials for
 * fs/, net/ and the VM, and SIGURG for net/. */
void sys_cred_register(void);
void sys_socket_register(void);
/* prctl's capability operations; -ENOSYS for any other. */
long sys_caps_prctl(const struct sysargs *a);

#endif
