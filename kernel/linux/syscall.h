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

/* Registers an area's calls; registering a number twice panics.  A table
 * per area, not a call per number: under TCG each call site is code that
 * runs once and is translated first, 2 ms of boot for 220 calls. */
void syscall_register_table(const struct syscall_entry *calls, size_t n);
void syscall_init(void);
const char *syscall_name(int nr);
/* Puts fn in the table at nr (0 <= nr < NR_SYSCALLS), returning what was
 * there: the trace stands in for the calls it watches.  Only before the
 * program starts, while no thread can be in a call. */
syscall_fn *syscall_replace(int nr, syscall_fn *fn);
/* What a number with no handler returns (-ENOSYS, logged once). */
long syscall_unimplemented(uint64_t nr);

/* One register function per area (STYLE.md rule 3). */
void sys_fd_register(void);
void sys_fs_register(void);
void sys_mm_register(void);
void sys_thread_register(void);
void sys_sched_register(void);
void sys_shm_register(void);
void sys_sem_register(void);
void sys_msg_register(void);
void sys_mqueue_register(void);
void sys_aio_register(void);
void sys_pidfd_register(void);
void sys_inotify_register(void);
void sys_process_vm_register(void);
void sys_membarrier_register(void);
void sys_unshare_register(void);
void sys_splice_register(void);
void sys_clock_set_register(void);
void sys_syslog_register(void);
void sys_kcmp_register(void);
void sys_futex_register(void);
void sys_signal_register(void);
void sys_time_register(void);
void sys_misc_register(void);
void sys_cred_register(void);	/* and sys_caps_register() */
void sys_caps_register(void);
/* prctl's capability operations; -ENOSYS for any other. */
long sys_caps_prctl(const struct sysargs *a);
void sys_pipe_register(void);
void sys_poll_register(void);
void sys_epoll_register(void);
void sys_eventfd_register(void);
void sys_timerfd_register(void);
void sys_socket_register(void);	/* and sys_socket_msg_register() */
void sys_socket_msg_register(void);
void sys_process_register(void);	/* and sys_wait_register() */
void sys_wait_register(void);
void sys_exec_register(void);

#endif
