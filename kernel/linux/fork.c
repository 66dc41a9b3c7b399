/* clone, clone3, fork and vfork: new threads and new processes.
 *
 * A thread shares everything but its registers, TLS and signal mask (its
 * descriptors and directory only with CLONE_FILES and CLONE_FS).  A
 * process gets a copy (or, with the CLONE_ flags, a share) of the caller's
 * address space (copy-on-write, core/vm_fork.c), descriptors, directory and
 * umask, signal actions, limits and identity; its mask is the caller's,
 * nothing is pending, and it has no interval timers.  A vfork caller waits
 * until the child execs or ends (only a fatal signal ends the wait), as on
 * Linux.  Namespaces and set_tid are refused with EINVAL. */
#include "linux/fork.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kstack.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"
#include "linux/cred.h"
#include "linux/pidfd.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define CSIGNAL			0x000000ffull
#define CLONE_VM		0x00000100ull
#define CLONE_FS		0x00000200ull
#define CLONE_FILES		0x00000400ull
#define CLONE_SIGHAND		0x00000800ull
#define CLONE_PIDFD		0x00001000ull
#define CLONE_PTRACE		0x00002000ull
#define CLONE_VFORK		0x00004000ull
#define CLONE_PARENT		0x00008000ull
#define CLONE_THREAD		0x00010000ull
#define CLONE_NEWNS		0x00020000ull
#define CLONE_SYSVSEM		0x00040000ull
#define CLONE_SETTLS		0x00080000ull
#define CLONE_PARENT_SETTID	0x00100000ull
#define CLONE_CHILD_CLEARTID	0x00200000ull
#define CLONE_DETACHED		0x00400000ull
#define CLONE_UNTRACED		0x00800000ull
#define CLONE_CHILD_SETTID	0x01000000ull
#define CLONE_IO		0x80000000ull
#define CLONE_CLEAR_SIGHAND	0x100000000ull
/* What is done here; the rest (namespaces, cgroups) is refused. */
#define CLONE_KNOWN	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PIDFD | CLONE_PTRACE | \
			 CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | \
			 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | \
			 CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO | CLONE_CLEAR_SIGHAND)

/* Linux's checks, in its order (copy_process). */
static long check_flags(const struct clone_request *r)
{
	uint64_t f = r->flags;

	if (f & ~CLONE_KNOWN)
		return -EINVAL;
	if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
		return -EINVAL;
	if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
		return -EINVAL;
	if ((f & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	/* a thread's pidfd (Linux 6.9's) is not made here */
	if ((f & CLONE_PIDFD) && (f & (CLONE_DETACHED | CLONE_THREAD)))
		return -EINVAL;
	if ((f & CLONE_PARENT) && process_current() == init_process)
		return -EINVAL;	/* init may have no siblings */
	if (r->exit_signal < 0 || r->exit_signal > NSIG)
		return -EINVAL;
	/* arch_prctl's rule: the child's first switch loads the base with
	 * wrmsr, which faults in the kernel on a non-canonical one. */
	if ((f & CLONE_SETTLS) && r->tls >= VM_USER_END)
		return -EPERM;
	return 0;
}

/* The child's registers: the caller's, returning 0, on its own stack if
 * one is given. */
static struct thread *new_thread(const struct clone_request *r, const struct trapframe *ptf)
{
	struct trapframe tf = *ptf;

	tf.rax = 0;
	if (r->stack)
		tf.rsp = r->stack;
	/* Its stack comes out of what programs may take (core/page_alloc.h). */
	struct thread *t = page_room_for_program(KSTACK_PAGES + 1) ? thread_create_user(&tf) : NULL;
	if (!t)
		return NULL;
	struct thread *me = current();
	arch_fpu_save(t->fpu);	/* the child starts with the caller's live FPU state */
	memcpy(t->name, me->name, sizeof t->name);
	t->fs_base = (r->flags & CLONE_SETTLS) ? r->tls : me->fs_base;
	t->sigmask = me->sigmask;
	sched_params_inherit(t, me);
	if (r->flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = r->ctid;
	return t;
}

/* A descriptor table the thread has to itself: a copy when another thread
 * or process holds it (exec, close_range's UNSHARE).  Swapped under
 * sig_lock, as the address space is, so /proc never takes a reference to
 * one already given back.  0, or -ENOMEM and the shared table stays. */
int thread_own_files(struct thread *t)
{
	struct fdtable *old = t->files, *files = fdtable_unshare(old);

	if (!files)
		return -ENOMEM;
	if (files == old)
		return 0;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	t->files = files;
	spin_unlock_irqrestore(&sig_lock, flags);
	fdtable_release(old);
	return 0;
}

int thread_own_fs(struct thread *t)
{
	struct fs_context *old = t->fs;

	if (__atomic_load_n(&old->refs, __ATOMIC_ACQUIRE) == 1)
		return 0;
	struct fs_context *fs = fs_context_copy(old);
	if (!fs)
		return -ENOMEM;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	t->fs = fs;
	spin_unlock_irqrestore(&sig_lock, flags);
	fs_context_release(old);
	return 0;
}

/* The child's mm, files and fs: shared or copied as the flags say.
 * 0, or -ENOMEM with whatever was taken given back. */
static long share_or_copy(uint64_t flags, struct thread *t)
{
	struct thread *me = current();

	if (flags & CLONE_VM) {
		mm_use(t->mm = me->mm);
	} else if ((t->mm = mm_new()) && vm_fork(me->mm, t->mm)) {
		mm_unuse(t->mm);
		t->mm = NULL;
	}
	if (flags & CLONE_FILES)
		fdtable_hold(t->files = me->files);
	else
		t->files = fdtable_copy(me->files);
	if (flags & CLONE_FS)
		fs_context_hold(t->fs = me->fs);
	else
		t->fs = fs_context_copy(me->fs);
	if (t->mm && t->files && t->fs)
		return 0;
	thread_drop_context(t);
	return -ENOMEM;
}

static long clone_thread(const struct clone_request *r, const struct trapframe *ptf)
{
	int tid = pid_take();

	if (tid < 0)
		return tid;
	struct thread *me = current(), *t = new_thread(r, ptf);
	if (!t) {
		pid_put();
		return -EAGAIN;
	}
	t->tid = tid;
	t->tgid = me->tgid;
	t->process = me->process;
	long err = 0;
	if (((r->flags & CLONE_PARENT_SETTID) && copy_to_user(r->ptid, &tid, sizeof tid)) ||
	    ((r->flags & CLONE_CHILD_SETTID) && copy_to_user(r->ctid, &tid, sizeof tid)))
		err = -EFAULT;
	else	/* a thread without CLONE_FILES or CLONE_FS gets copies, as on Linux */
		err = share_or_copy(r->flags, t);	/* CLONE_VM: check_flags */
	if (err) {
		thread_destroy(t);
		pid_put();
		return err;
	}
	signal_thread_start(t, me);	/* its own mask, nothing pending: signals can reach it */
	return tid;
}

/* What the child inherits from its parent's process. */
static void inherit(struct process *p, const struct process *parent, const struct clone_request *r)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	memcpy(p->actions, parent->actions, sizeof p->actions);
	memcpy(p->limits, parent->limits, sizeof p->limits);
	p->cred = parent->cred;
	p->undumpable = parent->undumpable;
	p->membarrier_registered = parent->membarrier_registered;
	p->personality = parent->personality;
	memcpy(p->comm, parent->comm, sizeof p->comm);
	if ((p->strings = parent->strings))
		__atomic_add_fetch(&p->strings->refs, 1, __ATOMIC_RELAXED);
	p->pgid = parent->pgid;
	p->sid = parent->sid;
	spin_unlock_irqrestore(&sig_lock, flags);
	if (r->flags & CLONE_CLEAR_SIGHAND)
		for (int i = 0; i < NSIG; i++)
			if (p->actions[i].handler > SIG_IGN)
				p->actions[i] = (struct kernel_sigaction){ .handler = SIG_DFL };
	p->exit_signal = r->exit_signal;
}

/* A vfork caller waits until the child gives the address space back
 * (exec, end) or a fatal signal comes: other signals wait, as on Linux. */
static void wait_vfork(struct process *me, int child)
{
	struct thread *t = current();

	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&sig_lock);
		struct process *c = process_find(child);
		bool done = !c || c->vfork_parent != me || me->exiting ||
			    (sig_pending_for(t) & sig_bit(SIGKILL));
		if (!done)
			waitq_prepare(&me->vfork_wait, &w);
		spin_unlock_irqrestore(&sig_lock, flags);
		if (done)
			return;
		waitq_sleep(&me->vfork_wait, &w);	/* kick() wakes it for signals too */
	}
}

/* The child's tid in its own memory: a copied address space is nobody's
 * yet, so it is written there directly, but only where the child itself
 * could store (never through a read-only mapping into a file); a failure
 * is ignored, as Linux ignores the child's failing put_user. */
static void set_child_tid(struct thread *t, uint64_t ctid, int pid)
{
	if (t->mm == current()->mm)
		(void)copy_to_user(ctid, &pid, sizeof pid);
	else
		(void)vm_store(t->mm, ctid, &pid, sizeof pid);
}

/* CLONE_PIDFD: a pidfd for the child, in the caller's table (after the
 * child's copy of it), its number at upidfd, before the child runs. */
static int give_pidfd(struct process *p, uint64_t upidfd)
{
	struct file *f = pidfd_file(p, false);
	int fd = f ? fd_install(f, 0, true) : -ENOMEM;

	if (fd >= 0 && copy_to_user(upidfd, &fd, sizeof fd)) {
		fd_close(fd);
		return -EFAULT;
	}
	return fd < 0 ? fd : 0;
}

static long clone_process(const struct clone_request *r, const struct trapframe *ptf)
{
	struct process *me = process_current(), *p;
	int err;

	if (!(p = process_alloc(&err)))
		return err;
	struct thread *t = new_thread(r, ptf);
	if (!t || share_or_copy(r->flags, t)) {
		if (t)
			thread_destroy(t);
		process_free(p);
		return t ? -ENOMEM : -EAGAIN;
	}
	if ((r->flags & CLONE_PIDFD) && (err = give_pidfd(p, r->pidfd))) {
		thread_drop_context(t);
		thread_destroy(t);
		process_free(p);
		return err;
	}
	inherit(p, me, r);
	cpu_limit_update(p);	/* before it runs, so before it can end */
	t->altstack_sp = current()->altstack_sp;	/* fork keeps the alternate stack */
	t->altstack_size = current()->altstack_size;
	t->altstack_flags = current()->altstack_flags;
	if (r->flags & CLONE_CHILD_SETTID)
		set_child_tid(t, r->ctid, p->pid);
	if (r->flags & CLONE_PARENT_SETTID)
		(void)copy_to_user(r->ptid, &p->pid, sizeof p->pid);
	if (r->flags & CLONE_VFORK)
		p->vfork_parent = me;
	int pid = p->pid;
	process_start(p, me, r->flags & CLONE_PARENT, t);
	return pid;
}

/* RLIMIT_NPROC, as Linux's copy_process applies it: the caller's real
 * user may not have more threads than the limit, the new one included,
 * unless it is root or has CAP_SYS_RESOURCE or CAP_SYS_ADMIN.  The place
 * is held (*held) from the check until the new task counts itself, so
 * two clones at once cannot both take the last one. */
static long nproc_hold(bool *held)
{
	struct process *me = process_current();
	uint64_t limit = process_soft_limit(me, RLIMIT_NPROC);

	if (limit == RLIM_INFINITY || !me->cred.uid[0])
		return 0;
	if ((*held = process_nproc_hold(me, limit)))
		return 0;
	return cred_capable(CAP_SYS_RESOURCE) || cred_capable(CAP_SYS_ADMIN) ? 0 : -EAGAIN;
}

long clone_do(const struct clone_request *r, const struct trapframe *tf)
{
	bool held = false;
	long err = check_flags(r);

	if (!err)
		err = nproc_hold(&held);
	if (err)
		return err;
	bool thread = r->flags & CLONE_THREAD;
	long id = thread ? clone_thread(r, tf) : clone_process(r, tf);
	if (held)
		process_nproc_release(process_current());
	if (id > 0 && !thread && (r->flags & CLONE_VFORK))
		wait_vfork(process_current(), (int)id);	/* the child counts itself by now */
	return id;
}
