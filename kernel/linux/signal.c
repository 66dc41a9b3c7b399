/* Pending signals: each thread's set and the process's, the siginfo queued
 * with them, the actions, and the list of the program's threads that
 * sending walks.  sig_lock guards all of it (signal_internal.h); nothing
 * here touches user memory.
 *
 * A standard signal (1-31) is pending at most once per thread or process;
 * a real-time one queues every instance while the pool lasts.  A signal
 * sent to the process goes to the process's set, and one thread that does
 * not block it is told (the sender itself when it can take it), as Linux
 * does; any thread that does not block it may take it. */
#include "linux/signal_internal.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/list.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/timer.h"
#include "linux/process.h"

#define QUEUE_MAX	256	/* siginfos queued at once, all threads together */
/* Faults the program caused come before anything else that is pending. */
#define SYNC_MASK	(sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) | \
			 sig_bit(SIGTRAP) | sig_bit(SIGFPE) | sig_bit(SIGSYS))

struct queued {
	struct list link;		/* in queue or free_list */
	struct thread *target;		/* NULL: sent to the process */
	struct linux_siginfo info;
};

struct spinlock sig_lock = SPINLOCK_INIT;
struct kernel_sigaction sig_actions[NSIG];
struct waitq sigfd_waiters = WAITQ_INIT(sigfd_waiters);

/* All under sig_lock. */
static struct queued pool[QUEUE_MAX];
static struct list queue = LIST_INIT(queue);
static struct list free_list = LIST_INIT(free_list);
static bool pool_ready;
static uint64_t process_pending;
static struct list threads = LIST_INIT(threads);	/* started, not yet ended */
static uint64_t ended_ns;				/* CPU time of ended threads */

static struct queued *queued_alloc(void)
{
	if (!pool_ready) {
		for (int i = 0; i < QUEUE_MAX; i++)
			list_add_tail(&free_list, &pool[i].link);
		pool_ready = true;
	}
	if (list_empty(&free_list))
		return NULL;
	struct list *l = free_list.next;
	list_del(l);
	return list_entry(l, struct queued, link);
}

static void queued_free(struct queued *q)
{
	list_del(&q->link);
	list_add_tail(&free_list, &q->link);
}

void sig_recalc(struct thread *t)
{
	/* While the program ends (exit_group of a step that is not the last),
	 * every sleep must end too: see signal_interrupt_all. */
	t->signalled = proc.exiting || ((t->sigpending | process_pending) & ~t->sigmask) != 0;
}

static void recalc_all(void)
{
	struct list *l;

	list_for_each(l, &threads)
		sig_recalc(list_entry(l, struct thread, sig_link));
}

static bool listed(const struct thread *t) { return t->user && !list_empty(&t->sig_link); }

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

/* The process has bits pending: tell one thread that can take them.  The
 * current thread, if it can, will on its way out of the kernel. */
static void notify_process(uint64_t bits)
{
	struct thread *me = current();
	struct list *l;

	recalc_all();
	if (listed(me) && (bits & ~me->sigmask))
		return;
	list_for_each(l, &threads) {
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
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return true;
	default:
		return false;
	}
}

bool sig_action_ignores(int sig)
{
	uint64_t h = sig_actions[sig - 1].handler;

	return sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && sig_default_ignores(sig)));
}

static bool blocked_by_all(uint64_t bit)
{
	struct list *l;

	list_for_each(l, &threads)
		if (!(list_entry(l, struct thread, sig_link)->sigmask & bit))
			return false;
	return !list_empty(&threads);
}

/* An ignored signal is dropped when sent, unless blocked: the action may
 * change before it is unblocked (or sigwait may take it). */
static bool discarded(const struct thread *t, int sig)
{
	static bool noted;

	if (!sig_action_ignores(sig))
		return false;
	if (t ? t->sigmask & sig_bit(sig) : blocked_by_all(sig_bit(sig)))
		return false;
	if (sig_actions[sig - 1].handler == SIG_DFL && sig >= SIGSTOP && sig <= SIGTTOU &&
	    sig != SIGCONT && !noted) {
		noted = true;
		printk("amphi: stop signal %d ignored: no job control\n", sig);
	}
	return true;
}

int sig_queue(struct thread *t, int sig, const struct linux_siginfo *info)
{
	uint64_t bit = sig_bit(sig), *pending = t ? &t->sigpending : &process_pending;

	if (discarded(t, sig))
		return 0;
	if (sig < SIGRTMIN && (*pending & bit))
		return 0;	/* already pending: standard signals do not queue */
	struct queued *q = queued_alloc();
	if (q) {
		q->target = t;
		q->info = *info;
		list_add_tail(&queue, &q->link);
	} else if (sig >= SIGRTMIN && info->code < 0 && info->code != SI_TKILL) {
		return -EAGAIN;	/* sigqueue's promise of one delivery each: refuse */
	}
	*pending |= bit;
	if (!t) {
		notify_process(bit);
		return 0;
	}
	sig_recalc(t);
	if (!(t->sigmask & bit))
		kick(t);
	return 0;
}

int signal_send(int tid, int sig, const struct linux_siginfo *info)
{
	struct linux_siginfo k = { .code = SI_KERNEL };
	int err = 0;

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (info)
		k = *info;
	k.signo = sig;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = tid ? sig_find_thread(tid) : NULL;
	if (tid && !t)
		err = -ESRCH;
	else
		err = sig_queue(t, sig, &k);
	spin_unlock_irqrestore(&sig_lock, flags);
	/* After the lock: a signalfd reader that found nothing queued itself
	 * on sigfd_waiters under it, so it is there now. */
	if (!err)
		waitq_wake_all(&sigfd_waiters);
	return err;
}

void signal_raise_self(int sig)
{
	struct linux_siginfo info = { .code = SI_USER, .kill.pid = proc.pid };

	signal_send(current()->tid, sig, &info);
}

uint64_t sig_pending_for(const struct thread *t) { return t->sigpending | process_pending; }

/* The siginfo queued for (target, sig), removed from the queue; whether
 * another instance stays queued is returned in *more. */
static bool unqueue(struct thread *target, int sig, struct linux_siginfo *info, bool *more)
{
	struct list *l;
	struct queued *found = NULL;

	*more = false;
	list_for_each(l, &queue) {
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
	bool own = t->sigpending & set, more;
	uint64_t *pending = own ? &t->sigpending : &process_pending;
	uint64_t bits = *pending & set;

	if (!bits)
		return 0;
	if (bits & SYNC_MASK)
		bits &= SYNC_MASK;
	int sig = __builtin_ctzll(bits) + 1;
	if (!unqueue(own ? t : NULL, sig, info, &more))
		*info = (struct linux_siginfo){ .signo = sig, .code = SI_USER };	/* pool was empty */
	if (!more)
		*pending &= ~sig_bit(sig);
	if (own)
		sig_recalc(t);
	else
		recalc_all();
	return sig;
}

void sig_flush(int sig)
{
	struct list *l, *n;

	list_for_each_safe(l, n, &queue)
		if (list_entry(l, struct queued, link)->info.signo == sig)
			queued_free(list_entry(l, struct queued, link));
	process_pending &= ~sig_bit(sig);
	list_for_each(l, &threads)
		list_entry(l, struct thread, sig_link)->sigpending &= ~sig_bit(sig);
	recalc_all();
}

void sig_set_mask(struct thread *t, uint64_t mask)
{
	uint64_t newly_blocked = mask & ~t->sigmask & process_pending;

	t->sigmask = mask & ~UNBLOCKABLE;
	sig_recalc(t);
	if (newly_blocked)
		notify_process(newly_blocked);
}

struct thread *sig_find_thread(int tid)
{
	struct list *l;

	list_for_each(l, &threads) {
		struct thread *t = list_entry(l, struct thread, sig_link);
		if (t->tid == tid)
			return t;
	}
	return NULL;
}

void signal_thread_start(struct thread *t, const struct thread *parent)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	/* A thread shares the address space, so not the alternate stack. */
	t->sigmask = parent ? parent->sigmask : 0;
	t->sigpending = 0;
	t->sigsaved_valid = false;
	t->altstack_sp = t->altstack_size = 0;
	t->altstack_flags = 0;
	t->restart.fn = NULL;
	list_add_tail(&threads, &t->sig_link);
	sig_recalc(t);
	/* Started under the lock: t cannot end (and be freed) before it is
	 * on the list, since signal_thread_exit takes the lock. */
	thread_start(t);
	spin_unlock_irqrestore(&sig_lock, flags);
}

void signal_thread_exit(struct thread *t)
{
	struct list *l, *n;
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	list_for_each_safe(l, n, &queue)
		if (list_entry(l, struct queued, link)->target == t)
			queued_free(list_entry(l, struct queued, link));
	t->sigpending = 0;
	list_del(&t->sig_link);
	ended_ns += t->run_ns + (clock_ns() - t->run_start);
	if (process_pending)
		notify_process(process_pending);
	spin_unlock_irqrestore(&sig_lock, flags);
}

void signal_exec(void)
{
	struct thread *t = current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	for (int i = 0; i < NSIG; i++)
		if (sig_actions[i].handler > SIG_IGN)	/* the handler's code is gone */
			sig_actions[i] = (struct kernel_sigaction){ .handler = SIG_DFL };
	t->altstack_sp = t->altstack_size = 0;
	t->altstack_flags = 0;
	t->restart.fn = NULL;
	spin_unlock_irqrestore(&sig_lock, flags);
}

void signal_reset(void)
{
	struct list *l, *n;

	itimer_reset();	/* first: an expiry now would leave SIGALRM pending */
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	for (int i = 0; i < NSIG; i++)
		sig_actions[i] = (struct kernel_sigaction){ .handler = SIG_DFL };
	list_for_each_safe(l, n, &queue)	/* the threads are gone: all of it */
		queued_free(list_entry(l, struct queued, link));
	process_pending = 0;
	ended_ns = 0;
	spin_unlock_irqrestore(&sig_lock, flags);
}

uint64_t signal_threads_cpu_ns(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock), ns = ended_ns;
	struct list *l;

	list_for_each(l, &threads) {
		struct thread *t = list_entry(l, struct thread, sig_link);
		ns += t->run_ns;
		if (t == current())
			ns += clock_ns() - t->run_start;
	}
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

void signal_interrupt_all(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct list *l;

	list_for_each(l, &threads) {
		struct thread *t = list_entry(l, struct thread, sig_link);
		if (t == current())
			continue;
		sig_recalc(t);	/* true now: its sleeps end; proc.exiting does the rest */
		kick(t);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
}
