/* Signal system calls.  Actions and the mask are recorded so programs that
 * install handlers at start-up run; delivery comes with the signals work. */
#include "core/errno.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/uaccess.h"
#include "linux/signal.h"
#include "linux/syscall.h"

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2
#define UNBLOCKABLE	((1ull << (SIGKILL - 1)) | (1ull << (19 - 1)))	/* SIGKILL, SIGSTOP */

struct kernel_sigaction {
	uint64_t handler, flags, restorer, mask;
};

static struct spinlock actions_lock = SPINLOCK_INIT;	/* guards actions */
static struct kernel_sigaction actions[NSIG];

static long sys_rt_sigaction(const struct sysargs *a)
{
	int sig = (int)a->a[0];
	struct kernel_sigaction new, old;

	if (sig < 1 || sig > NSIG || a->a[3] != 8)
		return -EINVAL;
	if (a->a[1] && (sig == SIGKILL || sig == 19))
		return -EINVAL;
	if (a->a[1] && copy_from_user(&new, a->a[1], sizeof new))
		return -EFAULT;
	spin_lock(&actions_lock);
	old = actions[sig - 1];
	if (a->a[1])
		actions[sig - 1] = new;
	spin_unlock(&actions_lock);
	if (a->a[2] && copy_to_user(a->a[2], &old, sizeof old))
		return -EFAULT;
	return 0;
}

static long sys_rt_sigprocmask(const struct sysargs *a)
{
	struct thread *t = current();
	uint64_t set, old = t->sigmask;

	if (a->a[3] != 8)
		return -EINVAL;
	if (a->a[1]) {
		if (copy_from_user(&set, a->a[1], sizeof set))
			return -EFAULT;
		switch (a->a[0]) {
		case SIG_BLOCK: t->sigmask |= set; break;
		case SIG_UNBLOCK: t->sigmask &= ~set; break;
		case SIG_SETMASK: t->sigmask = set; break;
		default: return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (a->a[2] && copy_to_user(a->a[2], &old, sizeof old))
		return -EFAULT;
	return 0;
}

void sys_signal_register(void)
{
	syscall_register(13, sys_rt_sigaction);
	syscall_register(14, sys_rt_sigprocmask);
}
