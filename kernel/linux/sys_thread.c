/* Threads: exit, the thread's kernel-held words (TLS base,
 * clear-child-tid, robust list), and scheduling calls.  clone is
 * sys_process.c's. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/mm.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"
#include "core/sched.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "linux/cred.h"
#include "linux/process.h"
#include "linux/robust.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define ARCH_SET_FS		0x1002
#define ARCH_GET_FS		0x1003

static long sys_exit(const struct sysargs *a) { process_thread_exit((int)a->a[0] & 0xff); }
static long sys_exit_group(const struct sysargs *a) { process_exit(status_exited((int)a->a[0])); }

static long sys_set_tid_address(const struct sysargs *a)
{
	current()->clear_child_tid = a->a[0];
	return current()->tid;
}

static long sys_set_robust_list(const struct sysargs *a)
{
	if (a->a[1] != ROBUST_HEAD_SIZE)
		return -EINVAL;
	current()->robust_list = a->a[0];
	return 0;
}

/* The robust list of thread pid (0: the caller).  Only the caller's own
 * process may look: Linux also lets a process with ptrace rights over the
 * thread, and amphi has no ptrace.  C libraries call it with pid 0 to learn
 * whether robust mutexes are there (musl's pthread_mutexattr_setrobust). */
static long sys_get_robust_list(const struct sysargs *a)
{
	int pid = (int)a->a[0];
	uint64_t head = current()->robust_list, len = ROBUST_HEAD_SIZE;

	if (pid) {
		uint64_t flags = spin_lock_irqsave(&sig_lock);
		struct thread *t = thread_find(pid);
		long err = !t ? -ESRCH : process_of(t) != process_current() ? -EPERM : 0;
		if (t)
			head = t->robust_list;
		spin_unlock_irqrestore(&sig_lock, flags);
		if (err)
			return err;
	}
	if (copy_to_user(a->a[2], &len, sizeof len) || copy_to_user(a->a[1], &head, sizeof head))
		return -EFAULT;
	return 0;
}

static long sys_arch_prctl(const struct sysargs *a)
{
	switch (a->a[0]) {
	case ARCH_SET_FS:
		if (a->a[1] >= VM_USER_END)
			return -EPERM;	/* Linux: at or above TASK_SIZE */
		current()->fs_base = a->a[1];
		arch_set_fs_base(a->a[1]);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(a->a[1], &current()->fs_base, 8);
	default:
		return -EINVAL;
	}
}

static long sys_gettid(const struct sysargs *a) { (void)a; return current()->tid; }

static long sys_sched_yield(const struct sysargs *a)
{
	(void)a;
	sched_yield();
	return 0;
}

/* The online CPUs, one bit each (MAX_CPUS is at most 64). */
static uint64_t online_mask(void)
{
	uint64_t mask = 0;

	for (int i = 0; i < ncpus && i < 64; i++)
		if (cpus[i].online)
			mask |= 1ull << i;
	return mask;
}

/* Whether the caller may look at (set: change) thread pid's affinity, 0
 * the caller: -ESRCH for nobody; changing another user's takes its uid
 * as the caller's effective one, or CAP_SYS_NICE (Linux's
 * check_same_owner). */
static long affinity_access(int pid, bool set)
{
	if (!pid)
		return 0;
	struct process *me = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = thread_find(pid);
	struct process *p = t ? process_of(t) : NULL;
	long err = !p ? -ESRCH : 0;
	if (p && set && me->cred.uid[1] != p->cred.uid[1] && me->cred.uid[1] != p->cred.uid[0] &&
	    !(me->cred.cap_effective >> CAP_SYS_NICE & 1))
		err = -EPERM;
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

/* Every thread may run on every CPU: the mask of the online ones, in as
 * many bytes as Linux's cpumask (8 here), for a size that holds it and
 * is a whole number of longs. */
static long sys_sched_getaffinity(const struct sysargs *a)
{
	uint32_t len = (uint32_t)a->a[1];
	uint64_t mask = online_mask();
	long err;

	if (len < sizeof mask || len % sizeof mask)
		return -EINVAL;
	if ((err = affinity_access((int)a->a[0], false)))
		return err;
	return copy_to_user(a->a[2], &mask, sizeof mask) ? -EFAULT : (long)sizeof mask;
}

/* Checked as Linux checks it (the mask read, the thread there, the right
 * to change it, an online CPU in it), then accepted and ignored: threads
 * go where the balancer puts them.  A shorter mask is padded with zeros,
 * a longer one read as far as the CPUs go. */
static long sys_sched_setaffinity(const struct sysargs *a)
{
	uint32_t len = (uint32_t)a->a[1];
	uint64_t mask = 0;
	long err;

	if (copy_from_user(&mask, a->a[2], len < sizeof mask ? len : sizeof mask))
		return -EFAULT;
	if ((err = affinity_access((int)a->a[0], true)))
		return err;
	return mask & online_mask() ? 0 : -EINVAL;
}

static long sys_getcpu(const struct sysargs *a)
{
	uint32_t cpu = this_cpu()->id, node = 0;

	if (a->a[0] && copy_to_user(a->a[0], &cpu, sizeof cpu))
		return -EFAULT;
	if (a->a[1] && copy_to_user(a->a[1], &node, sizeof node))
		return -EFAULT;
	return 0;
}

static long sys_enosys(const struct sysargs *a)
{
	(void)a;
	return -ENOSYS;	/* known and expected to be absent: no warning */
}

static const struct syscall_entry thread_calls[] = {
	{ 334, sys_enosys },	/* rseq: optional for glibc */
	{ 60, sys_exit },
	{ 231, sys_exit_group },
	{ 218, sys_set_tid_address },
	{ 273, sys_set_robust_list },
	{ 274, sys_get_robust_list },
	{ 158, sys_arch_prctl },
	{ 186, sys_gettid },
	{ 24, sys_sched_yield },
	{ 204, sys_sched_getaffinity },
	{ 203, sys_sched_setaffinity },
	{ 309, sys_getcpu },
};

SYSCALL_TABLE(thread_calls);
