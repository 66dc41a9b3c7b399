/* Pending signals: each thread's set and each process's, the siginfo queued
 * with them, the actions, and each process's list of threads that sending
 * walks.  sig_lock guards all of it (signal_internal.h); nothing here
 * touches user memory.
 *
 * A standard signal (1-31) is pending at most once per thread or process;
 * a real-time one queues every instance while the siginfos last.  A signal
 * sent to a process goes to the process's set, and one thread that does
 * not block it is told (the sender itself when it can take it), as Linux
 * does; any thread that does not block it may take it. */
#include "linux/signal_internal.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/sched.h"
#include "core/timer.h"
#include "linux/process.h"
#include "net/socket.h"

/* Real-time siginfos queued at once, all processes together (Linux bounds
 * them per user with RLIMIT_SIGPENDING).  A standard signal's siginfo is
 * never refused, as on Linux, where signals from kill() and the kernel
 * override the limit: one pending at most per thread and per process
 * bounds them, and a full queue must not cost another process its
 * SIGCHLD's or its kill()'s sender. */
#define QUEUE_MAX	1024
/* Faults the program caused come before anything else that is pending. */
#define SYNC_MASK	(sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) | \
			 sig_bit(SIGTRAP) | sig_bit(SIGFPE) | sig_bit(SIGSYS))

struct queued {
	struct list link;		/* in its process's queue */
	struct thread *target;		/* NULL: sent to the process */
	struct linux_siginfo info;
};

struct spinlock sig_lock = SPINLOCK_INIT;
struct waitq sigfd_waiters = WAITQ_INIT(sigfd_waiters);
static int nqueued;			/* under sig_lock */

static struct queued *queued_alloc(int sig)
{
	if (sig >= SIGRTMIN && nqueued >= QUEUE_MAX)
		return NULL;
	struct queued *q = kmalloc(sizeof *q);
	if (q)
		nqueued++;
	return q;
}

static void queued_free(struct queued *q)
{
	list_del(&q->link);
	kfree(q);
	nqueued--;
}

void sig_recalc(struct thread *t)
{
	struct process *p = process_of(t);

	/* While the process ends (exit_group, a fatal signal), stops, or
	 * another of its threads execs, every sleep must end too: see
	 * sig_interrupt_others. */
	t->signalled = p->exiting || p->stop_state != STOP_NONE ||
		       (p->exec_thread && p->exec_thread != t) ||
		       ((t->sigpending | p->pending) & ~t->sigmask) != 0;
}

void recalc_threads(struct process *p)
{
	struct list *l;

	list_for_each(l, &p->threads)
		sig_recalc(list_entry(l, struct thread, sig_link));
}

/* Makes t notice a signal soon: wakes it from an interruptible sleep, or
 * interrupts the CPU running it so it passes linux_exit_to_user.  The
 * sender set t->signalled first; sched_wake's atomic orders the two. */
static void kick(struct thread *t)
{
	if (sched_wake(t) || t == current())
		return;
	int cpu = t->cpu;
	if (t->state == THREAD_RUNNING && cpu != this_cpu()->id)
		arch_send_resched(cpu);
}

/* p has bits pending: tell one thread that can take them.  The current
 * thread, if it is p's and can, will on its way out of the kernel; but an
 * interrupt (the console's, a timer's) may have found it between its last
 * look at signalled and its sleep (sched_block_interruptible), already
 * BLOCKED: kick wakes it then, or else leaves it be. */
static void notify_process(struct process *p, uint64_t bits)
{
	struct thread *me = current();
	struct list *l;

	recalc_threads(p);
	if (me->user && process_of(me) == p && !list_empty(&me->sig_link) && (bits & ~me->sigmask)) {
		kick(me);
		return;
	}
	list_for_each(l, &p->threads) {
		struct thread *t = list_entry(l, struct thread, sig_link);
		if (bits & ~t->sigmask) {
			kick(t);
			return;
		}
	}
}

bool sig_default_ignores(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT:
		return true;
	default:
		return false;
	}
}

bool sig_action_ignores(const struct process *p, int sig)
{
	uint64_t h = p->actions[sig - 1].handler;

	return sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && sig_default_ignores(sig)));
}

/* Whether t blocks bit, or did before sigtimedwait unblocked it to wait
 * for it (Linux's real_blocked). */
static bool blocks(const struct thread *t, uint64_t bit)
{
	return (t->sigmask | t->sigwait_blocked) & bit;
}

static bool blocked_by_all(const struct process *p, uint64_t bit)
{
	struct list *l;

	list_for_each(l, &p->threads)
		if (!blocks(list_entry(l, struct thread, sig_link), bit))
			return false;
	return !list_empty(&p->threads);
}

/* An ignored signal is dropped when sent, unless blocked: the action may
 * change before it is unblocked (or sigwait may take it, even while it
 * waits with the signal unblocked). */
static bool discarded(const struct process *p, const struct thread *t, int sig)
{
	if (!sig_action_ignores(p, sig))
		return false;
	return !(t ? blocks(t, sig_bit(sig)) : blocked_by_all(p, sig_bit(sig)));
}

int sig_queue(struct process *p, struct thread *t, int sig, const struct linux_siginfo *info)
{
	uint64_t bit = sig_bit(sig), *pending = t ? &t->sigpending : &p->pending;

	/* A zombie takes nothing, as on Linux; nor does a process whose last
	 * thread has left: signal_thread_exit freed its queue, and nothing
	 * would free what came after (the pool is every process's). */
	if (p->state != PROCESS_ALIVE || !p->nthreads)
		return 0;
	jobctl_on_send(p, sig);
	if (discarded(p, t, sig))
		return 0;
	if (sig < SIGRTMIN && (*pending & bit))
		return 0;	/* already pending: standard signals do not queue */
	struct queued *q = queued_alloc(sig);
	if (q) {
		q->target = t;
		q->info = *info;
		q->info.signo = sig;
		list_add_tail(&p->queue, &q->link);
	} else if (sig >= SIGRTMIN && info->code < 0 && info->code != SI_TKILL) {
		return -EAGAIN;	/* sigqueue's promise of one delivery each: refuse */
	}
	*pending |= bit;
	if (!t) {
		notify_process(p, bit);
		return 0;
	}
	sig_recalc(t);
	if (!(t->sigmask & bit))
		kick(t);
	return 0;
}

bool sig_timer_queued(struct process *p, int id, int sig, int n)
{
	struct list *l;

	list_for_each(l, &p->queue) {
		struct linux_siginfo *info = &list_entry(l, struct queued, link)->info;
		if (info->code != SI_TIMER || info->timer.tid != id || info->signo != sig)
			continue;
		int32_t *o = &info->timer.overrun;
		*o = *o > INT32_MAX - n ? INT32_MAX : *o + n;	/* Linux's DELAYTIMER_MAX */
		return true;
	}
	return false;
}

static bool queued_for(const struct process *p, const struct thread *target, int sig)
{
	struct list *l;

	list_for_each(l, &p->queue) {
		const struct queued *q = list_entry(l, struct queued, link);
		if (q->target == target && q->info.signo == sig)
			return true;
	}
	return false;
}

void sig_timer_forget(struct process *p, int id)
{
	struct list *l, *n;

	list_for_each_safe(l, n, &p->queue) {
		struct queued *q = list_entry(l, struct queued, link);
		if (q->info.code != SI_TIMER || q->info.timer.tid != id)
			continue;
		struct thread *t = q->target;
		int sig = q->info.signo;
		queued_free(q);
		if (!queued_for(p, t, sig))
			*(t ? &t->sigpending : &p->pending) &= ~sig_bit(sig);
	}
	recalc_threads(p);
}

bool sig_owner_may_signal(const struct process *p, const uint32_t from[2])
{
	const uint32_t *uid = p->cred.uid;	/* real, effective, saved */

	return from[1] == 0 || from[1] == uid[2] || from[1] == uid[0] || from[0] == uid[2] ||
	       from[0] == uid[0];
}

int sig_queue_group(int pgid, int sig, const struct linux_siginfo *info, const uint32_t *from)
{
	int err = -ESRCH;

	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		if (p->pgid != pgid)
			continue;
		int r = !from || sig_owner_may_signal(p, from) ? sig_queue(p, NULL, sig, info) : 0;
		if (!r || err == -ESRCH)
			err = r;
	}
	return err;
}

static struct linux_siginfo fill_info(int sig, const struct linux_siginfo *info)
{
	struct linux_siginfo k = { .code = SI_KERNEL };

	if (info)
		k = *info;
	k.signo = sig;
	return k;
}

int signal_sent(int err)
{
	if (!err)
		waitq_wake_all(&sigfd_waiters);
	return err;
}

int signal_send_process(struct process *p, int sig, const struct linux_siginfo *info)
{
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	struct linux_siginfo k = fill_info(sig, info);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int err = sig_queue(p, NULL, sig, &k);
	spin_unlock_irqrestore(&sig_lock, flags);
	return signal_sent(err);
}

int signal_send_thread(int tid, int sig, const struct linux_siginfo *info)
{
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	struct linux_siginfo k = fill_info(sig, info);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = thread_find(tid);
	int err = t ? sig_queue(process_of(t), t, sig, &k) : -ESRCH;
	spin_unlock_irqrestore(&sig_lock, flags);
	return signal_sent(err);
}

void signal_send_init(int sig)
{
	struct linux_siginfo k = { .signo = sig, .code = SI_USER };
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *init = init_process;
	int err = init ? sig_queue(init, NULL, sig, &k) : -ESRCH;

	spin_unlock_irqrestore(&sig_lock, flags);
	signal_sent(err);
}

long signal_epipe(long r)
{
	if (r == -EPIPE)
		signal_raise_self(SIGPIPE);
	return r;
}

long signal_epipe_socket(const struct socket *s, int flags, long r)
{
	return s->type == SOCK_STREAM && !(flags & MSG_NOSIGNAL) ? signal_epipe(r) : r;
}

void signal_raise_self(int sig)
{
	struct linux_siginfo info = { .code = SI_USER, .kill.pid = process_current()->pid };

	signal_send_thread(current()->tid, sig, &info);
}

uint64_t sig_pending_for(const struct thread *t) { return t->sigpending | process_of(t)->pending; }

/* The siginfo queued for (target, sig), removed from the queue; whether
 * another instance stays queued is returned in *more. */
static bool unqueue(struct process *p, struct thread *target, int sig, struct linux_siginfo *info,
		    bool *more)
{
	struct list *l;
	struct queued *found = NULL;

	*more = false;
	list_for_each(l, &p->queue) {
		struct queued *q = list_entry(l, struct queued, link);
		if (q->target != target || q->info.signo != sig)
			continue;
		if (found) {
			*more = true;
			break;
		}
		found = q;
	}
	if (!found)
		return false;
	*info = found->info;
	queued_free(found);
	return true;
}

int sig_take(struct thread *t, uint64_t set, struct linux_siginfo *info)
{
	struct process *p = process_of(t);
	bool own = t->sigpending & set, more;
	uint64_t *pending = own ? &t->sigpending : &p->pending;
	uint64_t bits = *pending & set;

	if (!bits)
		return 0;
	if (bits & SYNC_MASK)
		bits &= SYNC_MASK;
	else if (bits & sig_bit(SIGKILL))
		bits = sig_bit(SIGKILL);	/* first: it ends even a stopped process */
	int sig = __builtin_ctzll(bits) + 1;
	if (!unqueue(p, own ? t : NULL, sig, info, &more))
		*info = (struct linux_siginfo){ .signo = sig, .code = SI_USER };	/* none were left */
	if (info->code == SI_TIMER && info->timer.tid >= 0 && info->timer.tid < PROCESS_PTIMERS)
		p->ptimer_overrun[info->timer.tid] = info->timer.overrun;	/* timer_getoverrun's */
	if (!more)
		*pending &= ~sig_bit(sig);
	if (own)
		sig_recalc(t);
	else
		recalc_threads(p);
	return sig;
}

void sig_flush(struct process *p, int sig)
{
	struct list *l, *n;

	list_for_each_safe(l, n, &p->queue)
		if (list_entry(l, struct queued, link)->info.signo == sig)
			queued_free(list_entry(l, struct queued, link));
	p->pending &= ~sig_bit(sig);
	list_for_each(l, &p->threads)
		list_entry(l, struct thread, sig_link)->sigpending &= ~sig_bit(sig);
	recalc_threads(p);
}

void sig_set_mask(struct thread *t, uint64_t mask)
{
	struct process *p = process_of(t);
	uint64_t newly_blocked = mask & ~t->sigmask & p->pending;

	t->sigmask = mask & ~UNBLOCKABLE;
	sig_recalc(t);
	if (newly_blocked)
		notify_process(p, newly_blocked);
}

void sig_thread_start(struct thread *t, uint64_t mask)
{
	struct process *p = process_of(t);

	/* The alternate stack is the creator's to set (fork keeps it). */
	t->sigmask = mask;
	t->sigpending = 0;
	t->sigsaved_valid = false;
	t->sigwait_blocked = 0;
	t->restart.fn = NULL;
	list_add_tail(&p->threads, &t->sig_link);
	p->nthreads++;
	jobctl_thread_start(t);
	sig_recalc(t);
	/* Started under the lock: t cannot end (and be freed) before it is
	 * on the list, since signal_thread_exit takes the lock. */
	thread_start(t);
}

void signal_thread_start(struct thread *t, const struct thread *parent)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	sig_thread_start(t, parent->sigmask);
	spin_unlock_irqrestore(&sig_lock, flags);
}

bool signal_thread_exit(struct thread *t)
{
	struct process *p = process_of(t);
	struct list *l, *n;
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	list_for_each_safe(l, n, &p->queue)
		if (list_entry(l, struct queued, link)->target == t)
			queued_free(list_entry(l, struct queued, link));
	t->sigpending = 0;
	list_del(&t->sig_link);
	jobctl_thread_exit(t);
	bool last = --p->nthreads == 0;
	p->ended_ns += thread_cpu_ns(t);
	if (!last)
		p->threads_leaving++;	/* until process_thread_exit's thread_left */
	if (last) {
		list_for_each_safe(l, n, &p->queue)	/* nobody will take them */
			queued_free(list_entry(l, struct queued, link));
		p->pending = 0;
	} else if (p->pending) {
		notify_process(p, p->pending);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return last;
}

void signal_exec(void)
{
	struct thread *t = current();
	struct process *p = process_of(t);
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	for (int i = 0; i < NSIG; i++)
		if (p->actions[i].handler > SIG_IGN)	/* the handler's code is gone */
			p->actions[i] = (struct kernel_sigaction){ .handler = SIG_DFL };
	t->altstack_sp = t->altstack_size = 0;
	t->altstack_flags = 0;
	t->restart.fn = NULL;
	spin_unlock_irqrestore(&sig_lock, flags);
}

uint64_t signal_process_cpu_ns(const struct process *p)
{
	uint64_t ns = p->ended_ns;
	struct list *l;

	list_for_each(l, &p->threads) {
		struct thread *t = list_entry(l, struct thread, sig_link);
		ns += thread_cpu_ns(t);
	}
	return ns;
}

uint64_t signal_threads_cpu_ns(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint64_t ns = signal_process_cpu_ns(process_current());

	spin_unlock_irqrestore(&sig_lock, flags);
	return ns;
}

void signal_mask_for_wait(uint64_t mask)
{
	struct thread *t = current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	if (!t->sigsaved_valid)
		t->sigsaved = t->sigmask;
	t->sigsaved_valid = true;
	sig_set_mask(t, mask);
	spin_unlock_irqrestore(&sig_lock, flags);
}

int signal_sleep_until(uint64_t deadline)
{
	struct thread *t = current();

	if (t->signalled)
		return -ERESTARTSYS;
	if (deadline && clock_ns() >= deadline)
		return 0;
	t->state = THREAD_BLOCKED;
	if (!sched_block_interruptible(deadline))
		return 0;
	return t->signalled ? -ERESTARTSYS : 1;
}

void sig_interrupt_others(struct process *p)
{
	struct list *l;

	list_for_each(l, &p->threads) {
		struct thread *t = list_entry(l, struct thread, sig_link);
		sig_recalc(t);	/* true now: its sleeps end; its way out does the rest */
		if (t != current())
			kick(t);
	}
}
