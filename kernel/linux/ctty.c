/* The console as a controlling terminal: that of the first process's
 * session (amphi's init, as a terminal is a login shell's), with a
 * foreground process group that tcsetpgrp moves.  Linux's job-control
 * rules for a process of that session in another group: reading sends its
 * group SIGTTIN (EIO when the signal is blocked or ignored, or nobody
 * could continue the group), and so do tcsetpgrp and tcsetattr with
 * SIGTTOU (allowed when that is blocked or ignored), and writing too when
 * TOSTOP is set (stdio.c keeps what TCSETS gives).  Processes of
 * other sessions (after setsid) have no controlling terminal: their reads
 * are not checked, and what only a controlling terminal answers (its
 * group, its session) is ENOTTY for them, as on Linux. */
#include "linux/ctty.h"

#include "core/errno.h"
#include "core/sched.h"
#include "linux/jobctl.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/signal_internal.h"

static int foreground;		/* under sig_lock */

void ctty_reset_locked(int pgid) { foreground = pgid; }

/* Whether the console is p's controlling terminal.  Caller holds sig_lock. */
static bool in_session(const struct process *p)
{
	return init_process && p->sid == init_process->sid;
}

/* Caller holds sig_lock. */
static bool in_background(const struct process *p)
{
	return in_session(p) && p->pgid != foreground;
}

static bool signal_refused(const struct process *p, const struct thread *t, int sig)
{
	return (t->sigmask & sig_bit(sig)) || sig_action_ignores(p, sig);
}

/* Whether pgid may be the foreground: 0, -ESRCH when there is no such
 * group, -EPERM when it is another session's.  Caller holds sig_lock. */
static int group_check(int pgid, int sid)
{
	for (struct process *p = process_next(NULL); p; p = process_next(p))
		if (p->pgid == pgid && p->state == PROCESS_ALIVE)
			return p->sid == sid ? 0 : -EPERM;
	return -ESRCH;
}

/* The check both a read and tcsetpgrp make: 0 to go on, -EIO, or
 * -ERESTARTSYS with sig sent (the call runs again once continued).
 * Caller holds sig_lock. */
static int background_check(int sig, bool refused_is_ok)
{
	struct process *p = process_current();

	if (!in_background(p))
		return 0;
	if (signal_refused(p, current(), sig))
		return refused_is_ok ? 0 : -EIO;
	if (jobctl_stop_dropped(p, sig))
		return -EIO;	/* an orphaned group: nobody would continue it */
	struct linux_siginfo info = { .signo = sig, .code = SI_KERNEL };
	sig_queue_group(p->pgid, sig, &info, NULL);	/* to the caller's whole group */
	return -ERESTARTSYS;
}

/* After background_check, with sig_lock dropped: wakes signalfd readers
 * when a signal went. */
static long checked(long err)
{
	if (err == -ERESTARTSYS)
		signal_sent(0);
	return err;
}

long ctty_may_read(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long err = background_check(SIGTTIN, false);

	spin_unlock_irqrestore(&sig_lock, flags);
	return checked(err);
}

void ctty_signal(int sig)
{
	struct linux_siginfo info = { .signo = sig, .code = SI_KERNEL };
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	/* Zombies take no signal: a group of them is gone too. */
	int err = group_check(foreground, init_process ? init_process->sid : 0) ? -ESRCH :
		  sig_queue_group(foreground, sig, &info, NULL);

	spin_unlock_irqrestore(&sig_lock, flags);
	if (err == -ESRCH)
		signal_send_init(sig);	/* the group is gone and nobody took the terminal back */
	else
		signal_sent(err);
}

long ctty_may_change(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long err = background_check(SIGTTOU, true);

	spin_unlock_irqrestore(&sig_lock, flags);
	return checked(err);
}

long ctty_query(bool session)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long id = !in_session(process_current()) ? -ENOTTY : session ? init_process->sid : foreground;

	spin_unlock_irqrestore(&sig_lock, flags);
	return id;
}
long ctty_set_foreground(int pgid)
{
	if (pgid < 0)
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = process_current();
	long err = in_session(p) ? 0 : -ENOTTY;

	if (!err)
		err = background_check(SIGTTOU, true);
	if (err == -EIO)
		err = -ENOTTY;	/* an orphaned group: Linux's tiocspgrp says so */
	if (!err)
		err = group_check(pgid, p->sid);
	if (!err)
		foreground = pgid;
	spin_unlock_irqrestore(&sig_lock, flags);
	return checked(err);
}
