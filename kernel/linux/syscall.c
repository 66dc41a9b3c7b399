/* System call dispatch: a table by number, filled by each area's register
 * function.  Unimplemented calls return -ENOSYS and are reported once. */
#include "linux/syscall.h"

#include "core/errno.h"
#include "core/printk.h"
#include "linux/signal.h"

extern const char *const syscall_names[NR_SYSCALLS];

static syscall_fn *table[NR_SYSCALLS];
static uint8_t warned[NR_SYSCALLS];

void syscall_register_table(const struct syscall_entry *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = calls[i].nr;
		if (nr < 0 || nr >= NR_SYSCALLS || table[nr])
			panic("system call %d registered twice", nr);
		table[nr] = calls[i].fn;
	}
}

const char *syscall_name(int nr)
{
	return nr >= 0 && nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "unknown";
}

void syscall_init(void)
{
	sigdeliver_init();
	sys_fd_register();
	sys_fs_register();
	sys_mm_register();
	sys_thread_register();
	sys_sched_register();
	sys_shm_register();
	sys_sem_register();
	sys_msg_register();
	sys_mqueue_register();
	sys_aio_register();
	sys_pidfd_register();
	sys_inotify_register();
	sys_process_vm_register();
	sys_membarrier_register();
	sys_unshare_register();
	sys_splice_register();
	sys_clock_set_register();
	sys_syslog_register();
	sys_kcmp_register();
	sys_futex_register();
	sys_signal_register();
	sys_time_register();
	sys_misc_register();
	sys_cred_register();
	sys_pipe_register();
	sys_poll_register();
	sys_epoll_register();
	sys_eventfd_register();
	sys_timerfd_register();
	sys_socket_register();
	sys_process_register();
}

syscall_fn *syscall_replace(int nr, syscall_fn *fn)
{
	syscall_fn *old = table[nr];

	table[nr] = fn;
	return old;
}

long syscall_unimplemented(uint64_t nr)
{
	if (nr >= NR_SYSCALLS || !__atomic_exchange_n(&warned[nr], 1, __ATOMIC_RELAXED))
		printk("amphi: unimplemented system call %lu (%s)\n", nr,
		       syscall_name(nr < NR_SYSCALLS ? (int)nr : -1));
	return -ENOSYS;
}

void syscall_dispatch(struct trapframe *tf);

void syscall_dispatch(struct trapframe *tf)
{
	uint64_t nr = tf->rax;
	struct sysargs a = { { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 }, tf };

	if (nr < NR_SYSCALLS && table[nr])
		tf->rax = table[nr](&a);
	else
		tf->rax = syscall_unimplemented(nr);
	linux_exit_to_user(tf);
}
