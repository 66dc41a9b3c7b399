/* unshare(2): a thread stops sharing what clone let it share.
 *  - CLONE_FILES, CLONE_FS: its own copy of the descriptor table, of the
 *    current and root directories and umask.
 *  - CLONE_SYSVSEM: its semaphore adjustments are made now and forgotten,
 *    as when the last holder of an undo list lets go of it.  amphi keeps
 *    one list per process, so with other threads in the process the list
 *    stays shared (Linux gives the caller a new empty one).
 *  - CLONE_THREAD, CLONE_SIGHAND, CLONE_VM: Linux only checks that there
 *    is nothing to unshare (one thread, an address space nobody else
 *    uses): EINVAL otherwise.
 *  - Namespaces: EPERM without CAP_SYS_ADMIN, as on Linux; with it
 *    EINVAL, as a Linux built without namespaces answers: amphi has one
 *    of each. */
#include "core/errno.h"
#include "core/mm.h"
#include "core/sched.h"
#include "fs/vfs.h"
#include "linux/cred.h"
#include "linux/fork.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define CLONE_VM	0x00000100
#define CLONE_FS	0x00000200
#define CLONE_FILES	0x00000400
#define CLONE_SIGHAND	0x00000800
#define CLONE_THREAD	0x00010000
#define CLONE_SYSVSEM	0x00040000
#define CLONE_NEWTIME	0x00000080
#define CLONE_NEWNS	0x00020000
#define CLONE_NEWCGROUP	0x02000000
#define CLONE_NEWUTS	0x04000000
#define CLONE_NEWIPC	0x08000000
#define CLONE_NEWUSER	0x10000000
#define CLONE_NEWPID	0x20000000
#define CLONE_NEWNET	0x40000000
#define NAMESPACES	(CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
			 CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
#define KNOWN		(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
			 CLONE_SYSVSEM | NAMESPACES)

static int threads_of_caller(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int n = process_current()->nthreads;

	spin_unlock_irqrestore(&sig_lock, flags);
	return n;
}

/* Linux's check_unshare_flags. */
static long check(uint64_t flags)
{
	if (flags & ~(uint64_t)KNOWN)
		return -EINVAL;
	if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && threads_of_caller() > 1)
		return -EINVAL;
	if ((flags & CLONE_VM) && __atomic_load_n(&mm_current()->users, __ATOMIC_RELAXED) > 1)
		return -EINVAL;	/* a CLONE_VM process shares it */
	if (flags & NAMESPACES)
		return cred_capable(CAP_SYS_ADMIN) ? -EINVAL : -EPERM;
	return 0;
}

static long sys_unshare(const struct sysargs *a)
{
	uint64_t flags = a->a[0];	/* Linux's is an unsigned long: no bit above is known */
	long err = check(flags);

	if (!err && (flags & CLONE_FS))
		err = thread_own_fs(current());
	if (!err && (flags & CLONE_FILES))
		err = thread_own_files(current());
	if (!err && (flags & CLONE_SYSVSEM) && threads_of_caller() == 1)
		sem_exit(process_current());
	return err;
}

static const struct syscall_entry unshare_calls[] = {
	{ 272, sys_unshare },
};

SYSCALL_TABLE(unshare_calls);
