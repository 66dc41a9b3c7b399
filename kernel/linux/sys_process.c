/* Process system calls: clone, clone3, fork, vfork (linux/fork.c does the
 * work), process groups and sessions.  Everyone is root, so permission
 * checks are Linux's for root: only the session and exec rules remain. */
#include "core/errno.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "linux/fork.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define CSIGNAL			0xff
#define CLONE_VM		0x00000100
#define CLONE_PIDFD		0x00001000
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_ARGS_SIZE_VER0	64
#define CLONE_ARGS_SIZE_VER2	88

/* clone(flags, stack, parent_tid, child_tid, tls) on x86_64. */
static long sys_clone(const struct sysargs *a)
{
	struct clone_request r = {
		.flags = a->a[0] & ~(uint64_t)CSIGNAL, .exit_signal = (int)(a->a[0] & CSIGNAL),
		.stack = a->a[1], .ptid = a->a[2], .ctid = a->a[3], .tls = a->a[4],
		.pidfd = a->a[2],
	};

	r.flags &= 0xffffffffull;	/* clone's flags are an int */
	if ((r.flags & CLONE_PIDFD) && (r.flags & CLONE_PARENT_SETTID))
		return -EINVAL;	/* both would write to parent_tid */
	return clone_do(&r, a->tf);
}

static long sys_fork(const struct sysargs *a)
{
	struct clone_request r = { .exit_signal = SIGCHLD };

	return clone_do(&r, a->tf);
}

static long sys_vfork(const struct sysargs *a)
{
	struct clone_request r = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };

	return clone_do(&r, a->tf);
}

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

static long read_clone_args(uint64_t uargs, uint64_t size, struct clone_args *ca)
{
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(ca, sizeof *ca, uargs, size);
}

static long sys_clone3(const struct sysargs *a)
{
	struct clone_args ca;
	long err = read_clone_args(a->a[0], a->a[1], &ca);

	if (err)
		return err;
	if ((ca.exit_signal & ~(uint64_t)CSIGNAL) || (ca.flags & CSIGNAL) || ca.set_tid ||
	    ca.set_tid_size || (!ca.stack != !ca.stack_size) || ca.stack + ca.stack_size < ca.stack)
		return -EINVAL;
	struct clone_request r = {
		.flags = ca.flags, .exit_signal = (int)ca.exit_signal,
		.stack = ca.stack ? ca.stack + ca.stack_size : 0,
		.ptid = ca.parent_tid, .ctid = ca.child_tid, .tls = ca.tls, .pidfd = ca.pidfd,
	};
	return clone_do(&r, a->tf);
}

/* The process a group call names: the caller for 0.  Caller holds sig_lock. */
static struct process *named(int pid)
{
	return pid ? process_find(pid) : process_current();
}

static bool group_in_session(int pgid, int sid)
{
	for (struct process *p = process_next(NULL); p; p = process_next(p))
		if (p->pgid == pgid && p->sid == sid)
			return true;
	return false;
}

/* Linux's rules: the caller or one of its children that has not exec'd,
 * in the caller's session, not a session leader; into a group of that
 * session or a new one named after it. */
static long setpgid_locked(int pid, int pgid)
{
	struct process *me = process_current(), *p = named(pid);

	if (!p || (p != me && p->parent != me))
		return -ESRCH;
	if (p != me && p->sid != me->sid)
		return -EPERM;
	if (p != me && p->did_exec)
		return -EACCES;
	if (p->pid == p->sid)
		return -EPERM;
	if (!pgid)
		pgid = p->pid;
	if (pgid != p->pid && !group_in_session(pgid, me->sid))
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

static long sys_setpgid(const struct sysargs *a)
{
	int pid = (int)a->a[0], pgid = (int)a->a[1];

	if (pgid < 0)
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long err = setpgid_locked(pid, pgid);
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

/* getpgid (sid false) and getsid (sid true). */
static long get_id(int pid, bool sid)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = pid >= 0 ? named(pid) : NULL;
	long id = !p ? -ESRCH : sid ? p->sid : p->pgid;

	spin_unlock_irqrestore(&sig_lock, flags);
	return id;
}

static long sys_getpgid(const struct sysargs *a) { return get_id((int)a->a[0], false); }
static long sys_getpgrp(const struct sysargs *a) { (void)a; return get_id(0, false); }
static long sys_getsid(const struct sysargs *a) { return get_id((int)a->a[0], true); }

/* A new session and group named after the caller, unless some group is
 * already named so (the caller leads one). */
static long sys_setsid(const struct sysargs *a)
{
	struct process *me = process_current();
	long ret = me->pid;

	(void)a;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	for (struct process *p = process_next(NULL); p; p = process_next(p))
		if (p->pgid == me->pid)
			ret = -EPERM;
	if (ret > 0)
		me->sid = me->pgid = me->pid;
	spin_unlock_irqrestore(&sig_lock, flags);
	return ret;
}

static const struct syscall_entry process_calls[] = {
	{ 56, sys_clone },
	{ 57, sys_fork },
	{ 58, sys_vfork },
	{ 435, sys_clone3 },
	{ 109, sys_setpgid },
	{ 121, sys_getpgid },
	{ 111, sys_getpgrp },
	{ 112, sys_setsid },
	{ 124, sys_getsid },
};

SYSCALL_TABLE(process_calls);
