/* Job control: SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU stop a whole process,
 * SIGCONT lets it go on, and the parent hears of both (SIGCHLD with
 * CLD_STOPPED or CLD_CONTINUED, wait4's WUNTRACED and WCONTINUED).
 *
 * A stop is a group stop, as on Linux: the thread that takes the signal
 * marks the process stopped, every other thread is interrupted, and each
 * parks on its way back to user mode (linux_exit_to_user).  The parent is
 * told when the last one has parked, so once wait reports "stopped" no
 * thread runs program code.  Parked threads take no signal; a SIGKILL, the
 * process ending, or another of its threads exec'ing (which then stops on
 * its way back to user mode), lets them out to die.  SIGCONT acts when
 * sent, even if ignored or blocked: it ends the stop, the parent's wait
 * sees it at once, and the first thread to leave its parking sends the
 * parent its SIGCHLD (as on Linux, where the continued process tells).
 * The threads then restart the system calls the stop cut short. */
#include "linux/jobctl.h"

#include "core/sched.h"
#include "core/waitq.h"
#include "linux/process.h"
#include "linux/signal_internal.h"

#define STOP_SIGNALS	(sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) | sig_bit(SIGTTOU))

bool jobctl_is_stop_signal(int sig) { return STOP_SIGNALS & sig_bit(sig); }

/* A process group is orphaned when no member has a parent in another
 * group of the same session: nobody is left to continue it, so the
 * terminal's stop signals (not SIGSTOP) are dropped, as on Linux. */
static bool group_orphaned(int pgid, int sid)
{
	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		struct process *up = p->parent;
		if (p->pgid == pgid && p->state == PROCESS_ALIVE && up &&
		    up->pgid != pgid && up->sid == sid)
			return false;
	}
	return true;
}

/* SIGCHLD to p's parent (unless it asked for SA_NOCLDSTOP) and a wake-up
 * of its waiters. */
static void tell_parent(struct process *p, int code, int status)
{
	struct process *parent = p->parent;

	if (!parent)
		return;
	if (!(parent->actions[SIGCHLD - 1].flags & SA_NOCLDSTOP)) {
		struct linux_siginfo info = { .signo = SIGCHLD, .code = code };
		info.kill.pid = p->pid;
		info.kill.uid = p->cred.uid[0];	/* its real uid, as Linux's si_uid */
		info.kill.value = (uint32_t)status;	/* si_status */
		sig_queue(parent, NULL, SIGCHLD, &info);
		/* signal_sent's wake-up, under sig_lock as child_wait's is:
		 * a reader queues itself on sigfd_waiters under it too. */
		waitq_wake_all(&sigfd_waiters);
	}
	waitq_wake_all(&parent->child_wait);
}

static void drop_pending(struct process *p, uint64_t set)
{
	for (int sig = 1; sig <= NSIG; sig++)
		if (set & sig_bit(sig))
			sig_flush(p, sig);
}

static void end_stop(struct process *p)
{
	bool was_reported = p->stop_state == STOP_DONE;

	p->stop_state = STOP_NONE;
	recalc_threads(p);
	waitq_wake_all(&p->stop_wait);
	p->wait_report = was_reported ? WAIT_REPORT_CONTINUED : WAIT_REPORT_NONE;
	p->continue_untold = was_reported;
	if (was_reported && p->parent)
		waitq_wake_all(&p->parent->child_wait);
}

void jobctl_on_send(struct process *p, int sig)
{
	if (jobctl_is_stop_signal(sig)) {
		drop_pending(p, sig_bit(SIGCONT));
	} else if (sig == SIGCONT) {
		drop_pending(p, STOP_SIGNALS);
		if (p->stop_state != STOP_NONE)
			end_stop(p);
	} else if (sig == SIGKILL && p->stop_state != STOP_NONE) {
		waitq_wake_all(&p->stop_wait);
	}
}

bool jobctl_stop_dropped(const struct process *p, int sig)
{
	return sig != SIGSTOP && group_orphaned(p->pgid, p->sid);
}

/* Threads of p not parked: a thread woken by the last SIGCONT may not
 * have run yet, and stays parked, already counted, for this stop. */
static int unparked_threads(struct process *p)
{
	struct list *l;
	int n = 0;

	list_for_each(l, &p->threads)
		n += !list_entry(l, struct thread, sig_link)->stop_parked;
	return n;
}

/* The thread that took the stop signal marks the process and interrupts
 * its other threads, which park as they come back to user mode. */
void jobctl_stop(struct process *p, int sig)
{
	if (p->exiting || p->stop_state != STOP_NONE)
		return;
	p->stop_state = STOP_PARKING;
	p->stop_signal = sig;
	p->threads_to_park = unparked_threads(p);
	p->wait_report = WAIT_REPORT_NONE;
	sig_interrupt_others(p);
}

/* One thread fewer to wait for; the last one completes the stop. */
static void parked_one(struct process *p)
{
	if (p->stop_state != STOP_PARKING || p->exiting || --p->threads_to_park > 0)
		return;
	p->stop_state = STOP_DONE;
	p->wait_report = WAIT_REPORT_STOPPED;
	tell_parent(p, CLD_STOPPED, p->stop_signal);
}

/* Another thread's exec waits for t to end. */
static bool exec_elsewhere(const struct thread *t)
{
	const struct process *p = process_of(t);

	return p->exec_thread && p->exec_thread != t;
}

static bool may_leave(const struct thread *t)
{
	const struct process *p = process_of(t);

	return p->stop_state == STOP_NONE || p->exiting || exec_elsewhere(t) ||
	       (sig_pending_for(t) & sig_bit(SIGKILL));
}

void jobctl_park(struct thread *t)
{
	struct process *p = process_of(t);
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	if (may_leave(t)) {
		spin_unlock_irqrestore(&sig_lock, flags);
		return;
	}
	t->stop_parked = true;
	parked_one(p);
	do {
		struct waiter w;
		waitq_prepare(&p->stop_wait, &w);
		spin_unlock_irqrestore(&sig_lock, flags);
		waitq_sleep(&p->stop_wait, &w);
		flags = spin_lock_irqsave(&sig_lock);
	} while (!may_leave(t));
	if (exec_elsewhere(t)) {
		/* Ends now, before it could take a signal that is the new
		 * image's; still counted as parked, so its end does not count
		 * it again for a stop still under way. */
		spin_unlock_irqrestore(&sig_lock, flags);
		process_thread_exit(0);
	}
	t->stop_parked = false;
	if (p->continue_untold) {
		p->continue_untold = false;
		tell_parent(p, CLD_CONTINUED, SIGCONT);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
}

void jobctl_on_exec(struct process *p)
{
	waitq_wake_all(&p->stop_wait);
}

void jobctl_thread_start(struct thread *t)
{
	struct process *p = process_of(t);

	t->stop_parked = false;
	if (p->stop_state == STOP_PARKING)
		p->threads_to_park++;
}

void jobctl_thread_exit(struct thread *t)
{
	if (!t->stop_parked)
		parked_one(process_of(t));
}
