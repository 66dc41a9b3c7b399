/* wait4, waitid (and waitpid, wait, through wait4): a process's children
 * that ended, and with WUNTRACED (WSTOPPED) or WCONTINUED those that
 * stopped or were continued (jobctl.c), each reported once.  A child is a
 * "clone" child when it signals its parent with something other than
 * SIGCHLD: only __WCLONE or __WALL wait for those, as on Linux. */
#include "core/errno.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "linux/pidfd.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002
#define WSTOPPED	WUNTRACED
#define WEXITED		0x00000004
#define WCONTINUED	0x00000008
#define WNOWAIT		0x01000000
#define __WNOTHREAD	0x20000000
#define __WALL		0x40000000
#define __WCLONE	0x80000000
#define P_ALL		0
#define P_PID		1
#define P_PGID		2
#define P_PIDFD		3

/* Which children: P_ALL, P_PID id, P_PGID id. */
struct wait_request {
	int type, id, options;
};

struct wait_result {
	int pid, status;
	int code, si_status;	/* waitid's: CLD_* and the status or signal */
	uint64_t cpu_ns;
};

struct linux_rusage {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t rest[14];
};

static bool wanted(const struct process *c, const struct wait_request *w)
{
	bool clone_child = c->exit_signal != SIGCHLD;

	if (!(w->options & __WALL) && clone_child != !!(w->options & __WCLONE))
		return false;
	switch (w->type) {
	case P_PID: return c->pid == w->id;
	case P_PGID: return c->pgid == w->id;
	default: return true;
	}
}

static struct wait_result ended(const struct process *c)
{
	struct linux_siginfo info = process_child_info(c);

	return (struct wait_result){ c->pid, c->wait_status, info.code, (int)info.kill.value,
				     c->ended_ns + c->children_ns };
}

/* A stop or continue of a living child that w asks for, taken (unless
 * WNOWAIT) into *r. */
static bool take_report(struct process *c, const struct wait_request *w, struct wait_result *r)
{
	uint64_t ns = c->ended_ns + c->children_ns;

	if (c->wait_report == WAIT_REPORT_STOPPED && (w->options & WSTOPPED))
		*r = (struct wait_result){ c->pid, c->stop_signal << 8 | 0x7f, CLD_STOPPED,
					   c->stop_signal, ns };
	else if (c->wait_report == WAIT_REPORT_CONTINUED && (w->options & WCONTINUED))
		*r = (struct wait_result){ c->pid, 0xffff, CLD_CONTINUED, SIGCONT, ns };
	else
		return false;
	if (!(w->options & WNOWAIT))
		c->wait_report = WAIT_REPORT_NONE;
	return true;
}

/* One look at the children: the pid of one that ended (reaped unless
 * WNOWAIT) or has a stop or continue to report, 0 when some wanted child
 * is still running, -ECHILD when none is wanted.  Caller holds sig_lock;
 * *gone is set to a reaped child for the caller to free after dropping
 * it. */
static int look(struct process *me, const struct wait_request *w, struct wait_result *r,
		struct process **gone)
{
	struct list *l;
	bool any = false;

	list_for_each(l, &me->children) {
		struct process *c = list_entry(l, struct process, sibling);
		if (!wanted(c, w))
			continue;
		any = true;
		if (c->state == PROCESS_ALIVE && take_report(c, w, r))
			return r->pid;
		if (c->state != PROCESS_ZOMBIE || !(w->options & WEXITED))
			continue;
		*r = ended(c);
		if (!(w->options & WNOWAIT)) {
			process_reap(c);
			*gone = c;
		}
		return r->pid;
	}
	return any ? 0 : -ECHILD;
}

static long do_wait(const struct wait_request *w, struct wait_result *r)
{
	struct process *me = process_current();

	for (;;) {
		struct waiter wt;
		struct process *gone = NULL;
		uint64_t flags = spin_lock_irqsave(&sig_lock);
		long n = look(me, w, r, &gone);
		bool sleep = !n && !(w->options & WNOHANG) && !thread_signalled();
		if (sleep)
			waitq_prepare(&me->child_wait, &wt);
		spin_unlock_irqrestore(&sig_lock, flags);
		if (gone)
			process_reap_free(gone);
		if (!sleep)
			return n || (w->options & WNOHANG) ? n : -ERESTARTSYS;
		waitq_sleep_interruptible(&me->child_wait, &wt, 0);
	}
}

static long sys_wait4(const struct sysargs *a)
{
	int pid = (int)a->a[0], options = (int)a->a[2];
	struct wait_request w = { P_ALL, 0, options | WEXITED };
	struct wait_result r;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;	/* -pid would overflow, as Linux says */
	if (pid > 0)
		w = (struct wait_request){ P_PID, pid, w.options };
	else if (pid < -1)
		w = (struct wait_request){ P_PGID, -pid, w.options };
	else if (pid == 0)
		w = (struct wait_request){ P_PGID, process_current()->pgid, w.options };
	long n = do_wait(&w, &r);
	if (n <= 0)
		return n;
	if (a->a[1] && copy_to_user(a->a[1], &r.status, sizeof r.status))
		return -EFAULT;
	struct linux_rusage ru = { .utime_sec = (int64_t)(r.cpu_ns / 1000000000u),
				   .utime_usec = (int64_t)(r.cpu_ns % 1000000000u / 1000) };
	if (a->a[3] && copy_to_user(a->a[3], &ru, sizeof ru))
		return -EFAULT;
	return n;
}

/* waitid's siginfo: zero when nothing was found (WNOHANG), as Linux. */
static long put_waitid_info(uint64_t uinfo, long n, const struct wait_result *r)
{
	struct linux_siginfo info = { 0 };

	if (n > 0) {
		info.signo = SIGCHLD;
		info.code = r->code;
		info.kill.pid = r->pid;
		info.kill.value = (uint32_t)r->si_status;
	}
	return uinfo && copy_to_user(uinfo, &info, sizeof info) ? -EFAULT : 0;
}

/* The wait itself, and what it found written out: how many it found (0
 * or 1), or -errno. */
static long waitid_finish(struct wait_request *w, const struct sysargs *a)
{
	struct wait_result r;
	long n = do_wait(w, &r);

	if (n < 0)
		return n;
	long err = put_waitid_info(a->a[2], n, &r);
	struct linux_rusage ru = { .utime_sec = (int64_t)(r.cpu_ns / 1000000000u),
				   .utime_usec = (int64_t)(r.cpu_ns % 1000000000u / 1000) };
	if (!err && n > 0 && a->a[4] && copy_to_user(a->a[4], &ru, sizeof ru))
		err = -EFAULT;
	return err ? err : n;
}

/* P_PIDFD: the child the pidfd names, as P_PID; a non-blocking pidfd
 * makes it WNOHANG, and "not yet" EAGAIN unless the caller asked for
 * WNOHANG itself.  One already waited for is ECHILD, as on Linux: its pid
 * may be another process's by now. */
static long waitid_pidfd(struct wait_request *w, const struct sysargs *a)
{
	struct pid_handle *h;
	bool nonblock;
	int options = w->options;

	if (w->id < 0)
		return -EINVAL;
	long err = pidfd_handle_get(w->id, &h, &nonblock);
	if (err)
		return err;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	bool reaped = !pidfd_process(h);
	spin_unlock_irqrestore(&sig_lock, flags);
	*w = (struct wait_request){ P_PID, pidfd_pid(h), options | (nonblock ? WNOHANG : 0) };
	pidfd_handle_put(h);
	if (reaped)
		return -ECHILD;
	long n = waitid_finish(w, a);
	if (n < 0)
		return n;
	return !n && nonblock && !(options & WNOHANG) ? -EAGAIN : 0;
}

static long sys_waitid(const struct sysargs *a)
{
	int type = (int)a->a[0], id = (int)a->a[1], options = (int)a->a[3];
	struct wait_request w = { type, id, options };

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (type == P_PID && id <= 0)
		return -EINVAL;
	if (type == P_PGID) {
		if (id < 0)
			return -EINVAL;
		if (!id)
			w.id = process_current()->pgid;
	} else if (type == P_PIDFD) {
		return waitid_pidfd(&w, a);
	} else if (type != P_ALL && type != P_PID) {
		return -EINVAL;
	}
	long n = waitid_finish(&w, a);
	return n < 0 ? n : 0;
}

static const struct syscall_entry wait_calls[] = {
	{ 61, sys_wait4 },
	{ 247, sys_waitid },
};

SYSCALL_TABLE(wait_calls);
