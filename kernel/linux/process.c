#include "linux/process.h"

#include "core/format.h"
#include "core/sched.h"
#include "core/uaccess.h"
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

_Noreturn void process_exit(int status)
{
	console_exit(status & 0xff);
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
	if (__atomic_sub_fetch(&proc.nthreads, 1, __ATOMIC_ACQ_REL) == 0)
		process_exit(code);
	thread_exit();
}
