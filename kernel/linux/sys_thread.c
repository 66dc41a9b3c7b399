/* Threads: clone (threads only; fork waits for processes), exit, the
 * thread's kernel-held words (TLS base, clear-child-tid, robust list), and
 * scheduling calls. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/syscall.h"

#define CLONE_VM		0x00000100
#define CLONE_VFORK		0x00004000
#define CLONE_THREAD		0x00010000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000
#define ARCH_SET_FS		0x1002
#define ARCH_GET_FS		0x1003

/* Linux's default threads-max: kernel stacks take at most an eighth of RAM.
 * Each thread also needs its stack out of what programs may take. */
static bool thread_room(void)
{
	size_t max = page_total_count() / (8 * KSTACK_PAGES);

	return (size_t)__atomic_load_n(&proc.nthreads, __ATOMIC_RELAXED) < (max < 20 ? 20 : max) &&
	       page_room_for_program(KSTACK_PAGES + 1);
}

static long sys_clone(const struct sysargs *a)
{
	uint64_t flags = a->a[0], stack = a->a[1], ptid = a->a[2], ctid = a->a[3], tls = a->a[4];

	if (!(flags & CLONE_VM) || !(flags & CLONE_THREAD) || (flags & CLONE_VFORK))
		return -ENOSYS;	/* a new process: not until processes exist */
	if (!thread_room())
		return -EAGAIN;
	struct trapframe tf = *a->tf;
	tf.rax = 0;
	if (stack)
		tf.rsp = stack;
	struct thread *parent = current(), *t = thread_create_user(&tf);
	if (!t)
		return -EAGAIN;
	arch_fpu_save(t->fpu);	/* the child starts with the parent's live FPU state */
	t->fs_base = flags & CLONE_SETTLS ? tls : parent->fs_base;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if (((flags & CLONE_PARENT_SETTID) && copy_to_user(ptid, &t->tid, sizeof t->tid)) ||
	    ((flags & CLONE_CHILD_SETTID) && copy_to_user(ctid, &t->tid, sizeof t->tid))) {
		thread_destroy(t);
		return -EFAULT;
	}
	__atomic_add_fetch(&proc.nthreads, 1, __ATOMIC_ACQ_REL);
	int tid = t->tid;
	signal_thread_start(t, parent);	/* inherits the mask; signals can reach it */
	return tid;
}

static long sys_exit(const struct sysargs *a) { process_thread_exit((int)a->a[0] & 0xff); }
static long sys_exit_group(const struct sysargs *a) { process_exit((int)a->a[0] & 0xff); }

static long sys_set_tid_address(const struct sysargs *a)
{
	current()->clear_child_tid = a->a[0];
	return current()->tid;
}

static long sys_set_robust_list(const struct sysargs *a)
{
	if (a->a[1] != 24)	/* sizeof(struct robust_list_head) */
		return -EINVAL;
	current()->robust_list = a->a[0];
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

static long sys_sched_getaffinity(const struct sysargs *a)
{
	uint64_t mask = 0;

	if (a->a[1] < sizeof mask)
		return -EINVAL;
	for (int i = 0; i < ncpus && i < 64; i++)
		if (cpus[i].online)
			mask |= 1ull << i;
	return copy_to_user(a->a[2], &mask, sizeof mask) ? -EFAULT : (long)sizeof mask;
}

static long sys_sched_setaffinity(const struct sysargs *a)
{
	(void)a;
	return 0;	/* accepted; threads go where the balancer puts them */
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

void sys_thread_register(void)
{
	syscall_register(56, sys_clone);
	syscall_register(435, sys_enosys);	/* clone3: callers fall back to clone */
	syscall_register(334, sys_enosys);	/* rseq: optional for glibc */
	syscall_register(60, sys_exit);
	syscall_register(231, sys_exit_group);
	syscall_register(218, sys_set_tid_address);
	syscall_register(273, sys_set_robust_list);
	syscall_register(158, sys_arch_prctl);
	syscall_register(186, sys_gettid);
	syscall_register(24, sys_sched_yield);
	syscall_register(204, sys_sched_getaffinity);
	syscall_register(203, sys_sched_setaffinity);
	syscall_register(309, sys_getcpu);
}
