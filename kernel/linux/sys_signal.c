/* Signal system calls: actions, masks, sending, waiting.  The state they
 * change is signal.c's; the frame calls (rt_sigreturn, sigaltstack) are
 * sigframe.c's, the timers itimer.c's. */
#include "core/errno.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/cred.h"
#include "linux/pidfd.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2
#define SIGSET_SIZE	8	/* the kernel's sigset_t: 64 signals */

static long sys_rt_sigaction(const struct sysargs *a)
{
	int sig = (int)a->a[0];
	struct kernel_sigaction new = { 0 }, old;

	/* Linux's order: the size, the copy, then the signal. */
	if (a->a[3] != SIGSET_SIZE)
		return -EINVAL;
	if (a->a[1] && copy_from_user(&new, a->a[1], sizeof new))
		return -EFAULT;
	if (sig < 1 || sig > NSIG || (a->a[1] && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	new.mask &= ~UNBLOCKABLE;
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	old = p->actions[sig - 1];
	if (a->a[1]) {
		p->actions[sig - 1] = new;
		if (sig_action_ignores(p, sig))
			sig_flush(p, sig);	/* POSIX: pending instances go too */
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	if (a->a[2] && copy_to_user(a->a[2], &old, sizeof old))
		return -EFAULT;
	return 0;
}

static long sys_rt_sigprocmask(const struct sysargs *a)
{
	struct thread *t = current();
	uint64_t set, old = t->sigmask;
	long err = 0;

	if (a->a[3] != SIGSET_SIZE)
		return -EINVAL;
	if (a->a[1]) {
		if (copy_from_user(&set, a->a[1], sizeof set))
			return -EFAULT;
		uint64_t flags = spin_lock_irqsave(&sig_lock);
		old = t->sigmask;
		switch (a->a[0]) {
		case SIG_BLOCK: sig_set_mask(t, old | set); break;
		case SIG_UNBLOCK: sig_set_mask(t, old & ~set); break;
		case SIG_SETMASK: sig_set_mask(t, set); break;
		default: err = -EINVAL;
		}
		spin_unlock_irqrestore(&sig_lock, flags);
	}
	if (!err && a->a[2] && copy_to_user(a->a[2], &old, sizeof old))
		return -EFAULT;
	return err;
}

static long sys_rt_sigpending(const struct sysargs *a)
{
	struct thread *t = current();

	if (a->a[1] > SIGSET_SIZE)
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint64_t set = sig_pending_for(t) & t->sigmask;	/* unblocked ones are delivered */
	spin_unlock_irqrestore(&sig_lock, flags);
	return copy_to_user(a->a[0], &set, a->a[1]) ? -EFAULT : 0;
}

static struct linux_siginfo from_program(int code)
{
	return (struct linux_siginfo){ .code = code, .kill.pid = current()->tgid,
				       .kill.uid = process_current()->cred.uid[0] };
}

/* Linux's check_kill_permission for a signal from the program: within
 * the process, between matching real or effective and real or saved
 * uids, with CAP_KILL, or SIGCONT within the session.  Caller holds
 * sig_lock. */
static int may_signal(const struct process *to, int sig)
{
	const struct process *me = process_current();
	const uint32_t *from = me->cred.uid, *uid = to->cred.uid;

	if (to == me || from[1] == uid[2] || from[1] == uid[0] || from[0] == uid[2] ||
	    from[0] == uid[0] || (me->cred.cap_effective >> CAP_KILL & 1))
		return 0;
	return sig == SIGCONT && to->sid == me->sid ? 0 : -EPERM;
}

/* The checks, then the signal (0: the checks alone).  The number is
 * checked here, once a target is found, as Linux's check_kill_permission
 * does: a bad signal to nobody is ESRCH.  Caller holds sig_lock. */
static int send_checked(struct process *p, struct thread *t, int sig, const struct linux_siginfo *info)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	int err = may_signal(p, sig);

	return err || !sig ? err : sig_queue(p, t, sig, info);
}

/* Sends to every process that match() accepts: 0 if one took it (or sig
 * is 0, the check alone), -ESRCH if none matched.  kill(-1) passes over
 * the processes it may not signal (eperm_ok), as Linux does.  Caller holds
 * sig_lock. */
static int kill_matching(bool (*match)(const struct process *p, int arg), int arg, int sig,
			 const struct linux_siginfo *info, bool eperm_ok)
{
	int found = 0, err = -ESRCH;

	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		if (!match(p, arg))
			continue;
		found++;
		int r = send_checked(p, NULL, sig, info);
		if (r == -EPERM && eperm_ok)
			r = err == -ESRCH ? 0 : err;
		if (!r || err == -ESRCH)
			err = r;
	}
	return found ? err : -ESRCH;
}

static bool in_group(const struct process *p, int pgid) { return p->pgid == pgid; }

int signal_send_owner(int id, bool thread, const uint32_t from[2], int sig,
		      const struct linux_siginfo *info)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = thread ? thread_find(id) : NULL;
	struct process *p = t ? process_of(t) : id > 0 && !thread ? process_find(id) : NULL;
	int err = p && !sig_owner_may_signal(p, from) ? 0	/* passed over, silently */
		: p ? sig_queue(p, t, sig, info)
		: id < 0 ? sig_queue_group(-id, sig, info, from) : -ESRCH;

	spin_unlock_irqrestore(&sig_lock, flags);
	return signal_sent(err);
}

/* kill(-1): every process but init and the caller, as Linux. */
static bool not_init_nor_me(const struct process *p, int me) { return p->pid != 1 && p->pid != me; }

static long sys_kill(const struct sysargs *a)
{
	int pid = (int)a->a[0], sig = (int)a->a[1];
	struct linux_siginfo info = from_program(SI_USER);
	long err;

	if (pid == INT32_MIN)
		return -ESRCH;	/* -pid would overflow, as Linux says */
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	if (pid > 0) {
		struct process *p = process_find(pid);
		err = !p ? -ESRCH : send_checked(p, NULL, sig, &info);
	} else if (pid == -1) {
		err = kill_matching(not_init_nor_me, current()->tgid, sig, &info, true);
	} else {
		err = kill_matching(in_group, pid ? -pid : process_current()->pgid, sig, &info, false);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return signal_sent(err);
}

/* To one thread, of the process tgid when tgid > 0. */
static long to_thread(int tgid, int tid, int sig, const struct linux_siginfo *info)
{
	if (tid <= 0 || tgid == 0 || tgid < -1)
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = thread_find(tid);
	long err = !t || (tgid > 0 && t->tgid != tgid) ? -ESRCH : 0;
	if (!err) {
		struct linux_siginfo k = *info;
		k.signo = sig;
		err = send_checked(process_of(t), t, sig, &k);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return signal_sent(err);
}

static long sys_tkill(const struct sysargs *a)
{
	struct linux_siginfo info = from_program(SI_TKILL);

	return to_thread(-1, (int)a->a[0], (int)a->a[1], &info);
}

static long sys_tgkill(const struct sysargs *a)
{
	struct linux_siginfo info = from_program(SI_TKILL);

	if ((int)a->a[0] <= 0)
		return -EINVAL;	/* -1 is tkill's, not a caller's */
	return to_thread((int)a->a[0], (int)a->a[1], (int)a->a[2], &info);
}

/* sigqueue: the program gives the siginfo; to another process only with
 * a negative si_code other than SI_TKILL (it may not pose as the kernel
 * or kill()), as on Linux. */
static long sys_rt_sigqueueinfo(const struct sysargs *a)
{
	int pid = (int)a->a[0], sig = (int)a->a[1];
	struct linux_siginfo info;

	if (copy_from_user(&info, a->a[2], sizeof info))
		return -EFAULT;
	if (pid != current()->tgid && (info.code >= 0 || info.code == SI_TKILL))
		return -EPERM;
	info.signo = sig;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = pid > 0 ? process_find(pid) : NULL;
	long err = !p ? -ESRCH : send_checked(p, NULL, sig, &info);
	spin_unlock_irqrestore(&sig_lock, flags);
	return signal_sent(err);
}

static long sys_rt_tgsigqueueinfo(const struct sysargs *a)
{
	struct linux_siginfo info;

	if ((int)a->a[0] <= 0 || (int)a->a[1] <= 0)
		return -EINVAL;
	if (copy_from_user(&info, a->a[3], sizeof info))
		return -EFAULT;
	/* Linux compares the target thread with the calling one: only to
	 * itself may a thread pose as kill() or the kernel. */
	if ((int)a->a[1] != current()->tid && (info.code >= 0 || info.code == SI_TKILL))
		return -EPERM;
	return to_thread((int)a->a[0], (int)a->a[1], (int)a->a[2], &info);
}

/* Sleeps until a signal is pending and not blocked; a handler makes the
 * call fail with EINTR, anything else restarts it. */
static long wait_for_signal(void)
{
	while (signal_sleep_until(0) != -ERESTARTSYS)
		;
	return -ERESTARTNOHAND;
}

static long sys_pause(const struct sysargs *a)
{
	(void)a;
	return wait_for_signal();
}

/* The mask is replaced while asleep; the way out puts the old one back,
 * through the handler's frame or, with no handler, directly. */
static long sys_rt_sigsuspend(const struct sysargs *a)
{
	uint64_t mask;

	if (a->a[1] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&mask, a->a[0], sizeof mask))
		return -EFAULT;
	signal_mask_for_wait(mask);
	return wait_for_signal();
}

/* The deadline for an optional relative timeout: 0 for none, and
 * *poll set when the timeout is zero. */
static long timeout_deadline(uint64_t uts, uint64_t *deadline, bool *poll)
{
	uint64_t ns;

	*deadline = 0;
	*poll = false;
	if (!uts)
		return 0;
	long err = timespec_read_ns(uts, &ns);
	if (err)
		return err;
	*poll = !ns;
	*deadline = clock_ns() + ns;
	return 0;
}

/* Waits for a signal in set, which are unblocked meanwhile so their
 * arrival wakes us; takes it under the same lock that blocks them again. */
static int wait_in_set(struct thread *t, uint64_t set, uint64_t deadline, struct linux_siginfo *info,
		       int *slept)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock), saved = t->sigmask;

	t->sigwait_blocked = saved;	/* an ignored signal in set still comes */
	t->sigmask &= ~set;
	sig_recalc(t);
	spin_unlock_irqrestore(&sig_lock, flags);
	while ((*slept = signal_sleep_until(deadline)) == 1)
		;
	flags = spin_lock_irqsave(&sig_lock);
	t->sigwait_blocked = 0;
	sig_set_mask(t, saved);
	int sig = sig_take(t, set, info);
	spin_unlock_irqrestore(&sig_lock, flags);
	return sig;
}

static long sys_rt_sigtimedwait(const struct sysargs *a)
{
	struct thread *t = current();
	struct linux_siginfo info;
	uint64_t set, deadline;
	bool poll;
	int slept = 0;

	if (a->a[3] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, a->a[0], sizeof set))
		return -EFAULT;
	long err = timeout_deadline(a->a[2], &deadline, &poll);
	if (err)
		return err;
	set &= ~UNBLOCKABLE;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int sig = sig_take(t, set, &info);
	spin_unlock_irqrestore(&sig_lock, flags);
	if (!sig && !poll)
		sig = wait_in_set(t, set, deadline, &info, &slept);
	if (!sig)
		return poll || slept == 0 ? -EAGAIN : -EINTR;
	if (a->a[1] && copy_to_user(a->a[1], &info, sizeof info))
		return -EFAULT;
	return sig;
}

#define PIDFD_SIGNAL_THREAD		1
#define PIDFD_SIGNAL_THREAD_GROUP	2
#define PIDFD_SIGNAL_PROCESS_GROUP	4

/* Where pidfd_send_signal's flags send to: the process (its thread
 * group, the default), its first thread, or its process group.  Caller
 * holds sig_lock. */
static int send_pidfd(struct process *p, int pid, unsigned flags, int sig,
		      const struct linux_siginfo *info)
{
	if (flags == PIDFD_SIGNAL_PROCESS_GROUP)
		return kill_matching(in_group, p->pgid, sig, info, false);
	if (flags != PIDFD_SIGNAL_THREAD)
		return send_checked(p, NULL, sig, info);
	struct thread *t = thread_find(pid);
	return t && process_of(t) == p ? send_checked(p, t, sig, info) : -ESRCH;
}

/* The siginfo a program gives: only to its own process may it pose as
 * the kernel or kill() (si_code >= 0, or SI_TKILL), as sigqueue's rule. */
static long program_siginfo(uint64_t uinfo, int sig, bool own, struct linux_siginfo *info)
{
	if (copy_from_user(info, uinfo, sizeof *info))
		return -EFAULT;
	if (info->signo != sig)
		return -EINVAL;
	return !own && (info->code >= 0 || info->code == SI_TKILL) ? -EPERM : 0;
}

/* kill's rules, or sigqueue's with a siginfo, to the process a pidfd
 * names; ESRCH once it has been waited for. */
static long sys_pidfd_send_signal(const struct sysargs *a)
{
	int sig = (int)a->a[1];
	unsigned flags = (unsigned)a->a[3];
	struct linux_siginfo info = from_program(SI_USER);
	struct pid_handle *h;
	bool nonblock;

	if (flags & ~(unsigned)(PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP |
				PIDFD_SIGNAL_PROCESS_GROUP) || (flags & (flags - 1)))
		return -EINVAL;	/* unknown, or more than one */
	long err = pidfd_handle_get((int)a->a[0], &h, &nonblock);
	if (err)
		return err;
	bool own = pidfd_pid(h) == current()->tgid && flags != PIDFD_SIGNAL_PROCESS_GROUP;
	if (a->a[2])
		err = program_siginfo(a->a[2], sig, own, &info);
	if (!err) {
		uint64_t irq = spin_lock_irqsave(&sig_lock);
		struct process *p = pidfd_process(h);
		err = p ? send_pidfd(p, pidfd_pid(h), flags, sig, &info) : -ESRCH;
		spin_unlock_irqrestore(&sig_lock, irq);
	}
	pidfd_handle_put(h);
	return signal_sent(err);
}

static const struct syscall_entry signal_calls[] = {
	{ 424, sys_pidfd_send_signal },
	{ 13, sys_rt_sigaction },
	{ 14, sys_rt_sigprocmask },
	{ 127, sys_rt_sigpending },
	{ 62, sys_kill },
	{ 200, sys_tkill },
	{ 234, sys_tgkill },
	{ 129, sys_rt_sigqueueinfo },
	{ 297, sys_rt_tgsigqueueinfo },
	{ 34, sys_pause },
	{ 130, sys_rt_sigsuspend },
	{ 128, sys_rt_sigtimedwait },
};

SYSCALL_TABLE(signal_calls);
