#include "linux/process.h"

#include "arch/x86_64/arch.h"
#include "core/format.h"
#include "core/profile.h"
#include "core/sched.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "core/spinlock.h"
#include "core/waitq.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"
#include "linux/stdio.h"
#include "dev/console.h"
#include "frame.h"
#include "linux/futex.h"
#include "linux/signal.h"

struct process proc;

static const char *const signal_names[32] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
	[6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
};

static struct spinlock end_lock = SPINLOCK_INIT;	/* guards has_ended */
static bool has_ended;
static struct waitq ended = WAITQ_INIT(ended);	/* the init thread, in process_wait */

_Noreturn void process_exit_vm(int status)
{
	profile_report();
	console_exit(status & 0xff);
}

/* The last thread of a program that is not the run's last is gone. */
static void step_ended(void)
{
	uint64_t flags = spin_lock_irqsave(&end_lock);

	has_ended = true;
	spin_unlock_irqrestore(&end_lock, flags);
	waitq_wake_all(&ended);
}

_Noreturn void process_exit(int status)
{
	if (proc.last)
		process_exit_vm(status);
	if (!__atomic_exchange_n(&proc.exiting, true, __ATOMIC_ACQ_REL)) {
		proc.status = status;
		signal_interrupt_all();	/* the others see proc.exiting on their way out */
	}
	process_thread_exit(status);
}

int process_wait(void)
{
	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&end_lock);
		if (has_ended) {
			has_ended = false;
			spin_unlock_irqrestore(&end_lock, flags);
			return proc.status;
		}
		waitq_prepare(&ended, &w);
		spin_unlock_irqrestore(&end_lock, flags);
		waitq_sleep(&ended, &w);
	}
}

int process_reset(void)
{
	vm_unmap(VM_MIN_ADDR, VM_USER_END - VM_MIN_ADDR);
	for (int fd = 0; fd < FD_MAX; fd++)
		fd_close(fd);
	signal_reset();
	vfs_lock();
	vfs_set_cwd(vfs_root());
	vfs_unlock();
	proc.exiting = false;
	proc.status = 0;
	return stdio_install();
}

_Noreturn void process_killed(int sig, const char *why)
{
	char line[256];
	const char *name = sig > 0 && sig < 32 && signal_names[sig] ? signal_names[sig] : "a signal";
	int n = snprintf(line, sizeof line, "amphi: program killed by %s: %s\n", name, why);

	console_write(FRAME_STDERR, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
	process_exit(128 + sig);
}

_Noreturn void process_thread_exit(int code)
{
	struct thread *t = current();

	signal_thread_exit(t);	/* before it can no longer take signals */
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (!copy_to_user(t->clear_child_tid, &zero, sizeof zero))
			futex_wake(t->clear_child_tid, 1, ~0u);
	}
	if (!proc.exiting)
		proc.status = code;
	if (__atomic_sub_fetch(&proc.nthreads, 1, __ATOMIC_ACQ_REL) == 0) {
		if (proc.last)
			process_exit_vm(proc.status);
		step_ended();
	}
	thread_exit();
}
