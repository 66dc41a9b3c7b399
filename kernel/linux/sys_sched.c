/* Nice values, scheduling policies and I/O priorities: getpriority,
 * setpriority, the sched_{get,set}{scheduler,param,attr} calls,
 * sched_get_priority_{max,min}, sched_rr_get_interval, ioprio_get and
 * ioprio_set.
 *
 * Each thread has its own nice value, as on Linux, and it sets the
 * thread's weight in the scheduler: 1024 at nice 0, a fifth less for each
 * step up, a quarter more for each step down, which is Linux's table to a
 * few parts in a thousand.  Busy threads sharing a CPU get it in
 * proportion to their weights as far as the slices' bounds let them
 * (core/sched.h: 1 to 100 ms, so nice -10 to 10 exactly).
 *
 * SCHED_BATCH is scheduled as SCHED_OTHER; SCHED_IDLE gets Linux's least
 * weight (3).  The real-time and deadline policies need a scheduler that
 * runs by priority, which amphi's round robin is not: they are refused
 * with EPERM, as Linux refuses them to a caller without CAP_SYS_NICE, for
 * root too.
 *
 * An I/O priority is kept per thread with Linux's checks and reported; the
 * block layer does not order requests by it, as Linux's "none" scheduler
 * does not. */
#include "core/errno.h"
#include "core/sched.h"
#include "core/uaccess.h"
#include "linux/cred.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/ioprio.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define PRIO_PROCESS	0
#define PRIO_PGRP	1
#define PRIO_USER	2

#define SCHED_OTHER	0
#define SCHED_FIFO	1
#define SCHED_RR	2
#define SCHED_BATCH	3
#define SCHED_IDLE	5
#define SCHED_DEADLINE	6
#define SCHED_RESET_ON_FORK 0x40000000

#define NICE_MIN	(-20)
#define NICE_MAX	19
#define WEIGHT_IDLE	3	/* Linux's WEIGHT_IDLEPRIO */

static uint32_t weight_of_nice(int nice)
{
	uint32_t w = SCHED_WEIGHT_DEFAULT;

	for (; nice > 0; nice--)
		w = w * 4 / 5;
	for (; nice < 0; nice++)
		w = w * 5 / 4;
	return w;
}

/* Under sig_lock. */
static void set_params(struct thread *t, int nice, int policy)
{
	t->nice = (int8_t)nice;
	t->policy = (uint8_t)policy;
	sched_set_weight(t, policy == SCHED_IDLE ? WEIGHT_IDLE : weight_of_nice(nice));
}

/* clone: the child runs as its parent, unless the parent asked with
 * SCHED_RESET_ON_FORK for a child without a raised priority. */
void sched_params_inherit(struct thread *child, const struct thread *parent)
{
	int nice = parent->nice;

	if (parent->sched_reset_on_fork && nice < 0)
		nice = 0;
	set_params(child, nice, parent->policy);
	child->ioprio = parent->ioprio;
}

static bool nice_capable(const struct process_cred *c) { return c->cap_effective >> CAP_SYS_NICE & 1; }

/* Whether the caller may change t at all: its own, by real or effective
 * uid against t's effective one, or CAP_SYS_NICE (Linux's
 * set_one_prio_perm and check_same_owner, which agree on these ids). */
static bool may_change(const struct process_cred *me, const struct thread *t)
{
	const struct process_cred *c = &process_of(t)->cred;

	return me->uid[1] == c->uid[0] || me->uid[1] == c->uid[1] ||
	       nice_capable(me);
}

/* Whether t's process may go down to nice: RLIMIT_NICE, whose 1..40 is
 * nice 19..-20, or CAP_SYS_NICE (Linux's can_nice). */
static bool may_lower_to(const struct process_cred *me, const struct thread *t, int nice)
{
	return (uint64_t)(20 - nice) <= process_limit(process_of(t), RLIMIT_NICE).cur ||
	       nice_capable(me);
}

/* The threads `which`/`who` names, as Linux walks them: one thread, every
 * thread of a process group, every thread of a real uid.  0 is the
 * caller's own.  Under sig_lock. */
struct prio_walk {
	int which;
	uint32_t who;
};

static bool prio_walk_init(struct prio_walk *w, int which, uint32_t who)
{
	struct process *me = process_current();

	w->which = which;
	w->who = who;
	if (which == PRIO_PROCESS)
		w->who = who ? who : (uint32_t)current()->tid;
	else if (which == PRIO_PGRP)
		w->who = who ? who : (uint32_t)me->pgid;
	else if (which == PRIO_USER)
		w->who = who ? who : me->cred.uid[0];
	else
		return false;
	return true;
}

static bool prio_walk_matches(const struct prio_walk *w, const struct thread *t)
{
	const struct process *p = process_of(t);

	if (p->state != PROCESS_ALIVE)
		return false;
	if (w->which == PRIO_PROCESS)
		return (uint32_t)t->tid == w->who;
	if (w->which == PRIO_PGRP)
		return (uint32_t)p->pgid == w->who;
	return p->cred.uid[0] == w->who;
}

/* Calls fn on each thread walked, with *err (-ESRCH until one matched). */
static long prio_walk(const struct prio_walk *w,
		      long (*fn)(struct thread *t, long err, void *arg), void *arg)
{
	long err = -ESRCH;

	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		struct list *l;
		list_for_each(l, &p->threads) {
			struct thread *t = list_entry(l, struct thread, sig_link);
			if (prio_walk_matches(w, t))
				err = fn(t, err, arg);
		}
	}
	return err;
}

/* getpriority's answer is 20 - nice (1..40, never negative), the
 * highest among the threads; glibc turns it back. */
static long highest_prio(struct thread *t, long err, void *arg)
{
	(void)arg;
	long prio = 20 - t->nice;

	return err < prio ? prio : err;
}

static long sys_getpriority(const struct sysargs *a)
{
	struct prio_walk w;

	if (!prio_walk_init(&w, (int)a->a[0], (uint32_t)a->a[1]))
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long r = prio_walk(&w, highest_prio, NULL);
	spin_unlock_irqrestore(&sig_lock, flags);
	return r;
}

/* Linux's set_one_prio: a refusal stays the answer unless a later thread
 * is refused otherwise; a success only replaces "nobody". */
static long set_one_nice(struct thread *t, long err, void *arg)
{
	int nice = *(int *)arg;
	const struct process_cred *me = &process_current()->cred;

	if (!may_change(me, t))
		return -EPERM;
	if (nice < t->nice && !may_lower_to(me, t, nice))
		return -EACCES;
	set_params(t, nice, t->policy);
	return err == -ESRCH ? 0 : err;
}

static long sys_setpriority(const struct sysargs *a)
{
	struct prio_walk w;
	int nice = (int)a->a[2];

	if (!prio_walk_init(&w, (int)a->a[0], (uint32_t)a->a[1]))
		return -EINVAL;
	nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long r = prio_walk(&w, set_one_nice, &nice);
	spin_unlock_irqrestore(&sig_lock, flags);
	return r;
}

/* The thread pid names for the sched_* calls (0: the caller), or NULL
 * and *err.  Under sig_lock. */
static struct thread *sched_target(int pid, long *err)
{
	struct thread *t = NULL;

	if (pid < 0)
		*err = -EINVAL;
	else if (!(t = pid ? thread_find(pid) : current()))
		*err = -ESRCH;
	return t;
}

static bool policy_known(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR ||
	       policy == SCHED_BATCH || policy == SCHED_IDLE || policy == SCHED_DEADLINE;
}

static bool policy_realtime(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_DEADLINE;
}

static bool policy_fair(int policy) { return policy == SCHED_OTHER || policy == SCHED_BATCH; }

/* A change of policy: policy -1 keeps the thread's (sched_setparam) and
 * its reset-on-fork; nice applies to the fair policies, when given. */
struct sched_change {
	int policy, prio, nice;
	bool reset_on_fork, set_nice;
	bool deadline_valid;		/* sched_setattr's deadline parameters are */
	bool util_clamp;		/* sched_setattr asked to clamp utilization */
};

/* What a caller without CAP_SYS_NICE may not do (Linux's
 * user_check_sched_setscheduler): raise a fair thread's priority beyond
 * RLIMIT_NICE, leave SCHED_IDLE likewise, change another user's thread,
 * or drop reset-on-fork. */
static bool user_may(const struct process_cred *me, const struct thread *t, const struct sched_change *c,
		     int policy)
{
	if (policy_fair(policy) && c->set_nice && c->nice < t->nice && !may_lower_to(me, t, c->nice))
		return false;
	if (t->policy == SCHED_IDLE && policy != SCHED_IDLE && !may_lower_to(me, t, t->nice))
		return false;
	return may_change(me, t) && (!t->sched_reset_on_fork || c->reset_on_fork);
}

/* Linux's __sched_setscheduler checks, in its order.  Under sig_lock. */
static long set_policy(struct thread *t, struct sched_change c)
{
	const struct process_cred *me = &process_current()->cred;

	if (c.policy < 0) {
		c.policy = t->policy;
		c.reset_on_fork = t->sched_reset_on_fork;
	}
	if (!policy_known(c.policy))
		return -EINVAL;
	bool fifo_rr = c.policy == SCHED_FIFO || c.policy == SCHED_RR;
	if (fifo_rr ? c.prio < 1 || c.prio > 99 : c.prio != 0)
		return -EINVAL;
	if (c.policy == SCHED_DEADLINE && !c.deadline_valid)
		return -EINVAL;
	if (policy_realtime(c.policy))
		return -EPERM;	/* no priority scheduler: see the top */
	if (!nice_capable(me) && !user_may(me, t, &c, c.policy))
		return -EPERM;
	/* No utilization clamping, as a Linux without CONFIG_UCLAMP_TASK:
	 * refused after the checks above and before anything changes. */
	if (c.util_clamp)
		return -EOPNOTSUPP;
	t->sched_reset_on_fork = c.reset_on_fork;
	set_params(t, policy_fair(c.policy) && c.set_nice ? c.nice : t->nice, c.policy);
	return 0;
}

static long read_prio(uint64_t uparam, int *prio)
{
	if (!uparam)
		return -EINVAL;
	return copy_from_user(prio, uparam, sizeof *prio) ? -EFAULT : 0;
}

static long set_scheduler(int pid, int policy, uint64_t uparam)
{
	bool reset_on_fork = policy >= 0 && (policy & SCHED_RESET_ON_FORK);
	int prio;
	long err = 0;

	if (pid < 0)
		return -EINVAL;
	if ((err = read_prio(uparam, &prio)))
		return err;
	if (policy >= 0)
		policy &= ~SCHED_RESET_ON_FORK;
	struct sched_change c = { .policy = policy, .prio = prio, .reset_on_fork = reset_on_fork };
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = sched_target(pid, &err);
	if (t)
		err = set_policy(t, c);
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

static long sys_sched_setscheduler(const struct sysargs *a)
{
	int policy = (int)a->a[1];

	return policy < 0 ? -EINVAL : set_scheduler((int)a->a[0], policy, a->a[2]);
}

static long sys_sched_setparam(const struct sysargs *a)
{
	return set_scheduler((int)a->a[0], -1, a->a[1]);
}

static long sys_sched_getscheduler(const struct sysargs *a)
{
	long err = 0;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = sched_target((int)a->a[0], &err);
	long r = t ? t->policy | (t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0) : err;
	spin_unlock_irqrestore(&sig_lock, flags);
	return r;
}

/* Every policy amphi runs has priority 0. */
static long sys_sched_getparam(const struct sysargs *a)
{
	long err = 0;
	int prio = 0;

	if (!a->a[1])
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = sched_target((int)a->a[0], &err);
	spin_unlock_irqrestore(&sig_lock, flags);
	if (!t)
		return err;
	return copy_to_user(a->a[1], &prio, sizeof prio) ? -EFAULT : 0;
}

static long sys_sched_get_priority_max(const struct sysargs *a)
{
	int policy = (int)a->a[0];

	if (!policy_known(policy))
		return -EINVAL;
	return policy == SCHED_FIFO || policy == SCHED_RR ? 99 : 0;
}

static long sys_sched_get_priority_min(const struct sysargs *a)
{
	int policy = (int)a->a[0];

	if (!policy_known(policy))
		return -EINVAL;
	return policy == SCHED_FIFO || policy == SCHED_RR ? 1 : 0;
}

/* The length of the thread's slice, which its weight sets. */
static long sys_sched_rr_get_interval(const struct sysargs *a)
{
	long err = 0;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = sched_target((int)a->a[0], &err);
	uint64_t ns = t ? sched_slice_ns(t) : 0;
	spin_unlock_irqrestore(&sig_lock, flags);

	if (!t)
		return err;
	struct linux_timespec ts = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };
	return copy_to_user(a->a[1], &ts, sizeof ts) ? -EFAULT : 0;
}

/* ---- sched_setattr and sched_getattr ---------------------------------------- */

#define SCHED_ATTR_SIZE_VER0	48
#define SCHED_ATTR_SIZE_VER1	56
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_KEEP_POLICY	0x08
#define SCHED_FLAG_KEEP_PARAMS	0x10
#define SCHED_FLAG_UTIL_CLAMP	0x60
#define SCHED_FLAG_ALL		0x7f
#define DL_RUNTIME_MIN		1024		/* Linux's 1 << DL_SCALE ns */
#define DL_PERIOD_MIN		100000ull	/* sched_deadline_period_min_us, in ns */
#define DL_PERIOD_MAX		4194304000ull	/* and _max_us */

struct sched_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

/* Linux's sched_copy_attr: size 0 is the first version's; a size out of
 * bounds, or bytes beyond ours not zero, are E2BIG with our size written
 * back for the program to see. */
static long read_attr(uint64_t uattr, struct sched_attr *a)
{
	uint32_t size;

	if (copy_from_user(&size, uattr, sizeof size))
		return -EFAULT;
	if (!size)
		size = SCHED_ATTR_SIZE_VER0;
	long err = size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE ? -E2BIG
		   : copy_struct_from_user(a, sizeof *a, uattr, size);
	if (err == -E2BIG) {
		size = sizeof *a;
		/* as Linux's put_user there, unchecked: the answer is E2BIG
		 * even where the size cannot be written */
		(void)copy_to_user(uattr, &size, sizeof size);
		return -E2BIG;
	}
	if (err)
		return err;
	if ((a->flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	a->nice = a->nice < NICE_MIN ? NICE_MIN : a->nice > NICE_MAX ? NICE_MAX : a->nice;
	return 0;
}

/* Linux's __checkparam_dl: runtime <= deadline <= period, in bounds. */
static bool deadline_valid(const struct sched_attr *a)
{
	uint64_t period = a->period ? a->period : a->deadline;

	return a->deadline && a->runtime >= DL_RUNTIME_MIN && !(a->deadline >> 63) &&
	       !(a->period >> 63) && period >= a->deadline && a->deadline >= a->runtime &&
	       period >= DL_PERIOD_MIN && period <= DL_PERIOD_MAX;
}


static long sys_sched_setattr(const struct sysargs *a)
{
	int pid = (int)a->a[0];
	struct sched_attr attr;
	long err;

	/* flags is an unsigned int: the register's upper half is ignored */
	if (!a->a[1] || pid < 0 || (uint32_t)a->a[2])
		return -EINVAL;
	if ((err = read_attr(a->a[1], &attr)))
		return err;
	if ((int32_t)attr.policy < 0)
		return -EINVAL;
	int policy = attr.flags & SCHED_FLAG_KEEP_POLICY ? -1 : (int)attr.policy;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = sched_target(pid, &err);
	if (t && (attr.flags & SCHED_FLAG_KEEP_PARAMS)) {
		attr.nice = t->nice;
		attr.priority = 0;
	}
	if (t && (attr.flags & ~(uint64_t)SCHED_FLAG_ALL || attr.priority > 99))
		err = -EINVAL;
	else if (t) {
		struct sched_change c = { policy, (int)attr.priority, attr.nice,
					  attr.flags & SCHED_FLAG_RESET_ON_FORK, true, deadline_valid(&attr),
					  attr.flags & SCHED_FLAG_UTIL_CLAMP };
		err = set_policy(t, c);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

/* The fair policies' runtime is the slice amphi gives the thread, where
 * Linux reports its own fair scheduler's. */
static long sys_sched_getattr(const struct sysargs *a)
{
	uint32_t usize = (uint32_t)a->a[2];
	struct sched_attr attr = { 0 };
	long err = 0;

	/* usize and flags are unsigned ints, as pid is an int */
	if (!a->a[1] || (int)a->a[0] < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 ||
	    (uint32_t)a->a[3])
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = sched_target((int)a->a[0], &err);
	if (t) {
		attr.policy = t->policy;
		attr.flags = t->sched_reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
		attr.nice = t->nice;
		attr.runtime = sched_slice_ns(t);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	if (!t)
		return err;
	attr.size = usize < sizeof attr ? usize : sizeof attr;
	return copy_struct_to_user(a->a[1], usize, &attr, sizeof attr);
}

/* ---- I/O priorities -------------------------------------------------------- */

#define IOPRIO_CLASS(v)		((v) >> 13 & 7)
#define IOPRIO_LEVEL(v)		((v) & 7)
#define IOPRIO_CLASS_NONE	0
#define IOPRIO_CLASS_RT		1
#define IOPRIO_CLASS_BE		2
#define IOPRIO_CLASS_IDLE	3
#define IOPRIO_BE_NORMAL	(IOPRIO_CLASS_BE << 13 | 4)

/* Linux's ioprio_check_cap: a known class, a level where the class has
 * one, and CAP_SYS_NICE or CAP_SYS_ADMIN for the real-time class. */
long ioprio_check_cap(int ioprio)
{
	const struct process_cred *me = &process_current()->cred;

	switch (IOPRIO_CLASS(ioprio)) {
	case IOPRIO_CLASS_RT:
		if (!nice_capable(me) && !(me->cap_effective >> CAP_SYS_ADMIN & 1))
			return -EPERM;
		return 0;
	case IOPRIO_CLASS_BE:
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return IOPRIO_LEVEL(ioprio) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* Linux's ioprio_best: the higher of two, "none" counting as normal. */
static long ioprio_best(long a, long b)
{
	if (IOPRIO_CLASS(a) == IOPRIO_CLASS_NONE)
		a = IOPRIO_BE_NORMAL;
	if (IOPRIO_CLASS(b) == IOPRIO_CLASS_NONE)
		b = IOPRIO_BE_NORMAL;
	return a < b ? a : b;
}

/* One thread's, as is for PRIO_PROCESS, else the best of those walked. */
static long gather_ioprio(struct thread *t, long err, void *arg)
{
	(void)arg;
	return err == -ESRCH ? t->ioprio : ioprio_best(err, t->ioprio);
}

/* Linux's set_task_ioprio: its owner by real uid, or CAP_SYS_NICE; the
 * walk stops at the first refusal. */
static long set_one_ioprio(struct thread *t, long err, void *arg)
{
	const struct process_cred *me = &process_current()->cred, *c = &process_of(t)->cred;

	if (err != -ESRCH && err)
		return err;
	if (c->uid[0] != me->uid[1] && c->uid[0] != me->uid[0] && !nice_capable(me))
		return -EPERM;
	t->ioprio = (uint16_t)*(int *)arg;
	return 0;
}

/* ioprio's `which` (IOPRIO_WHO_PROCESS, _PGRP, _USER) is getpriority's
 * plus one. */
static long sys_ioprio_get(const struct sysargs *a)
{
	struct prio_walk w;

	if (!prio_walk_init(&w, (int)a->a[0] - 1, (uint32_t)a->a[1]))
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long r = prio_walk(&w, gather_ioprio, NULL);
	spin_unlock_irqrestore(&sig_lock, flags);
	return r;
}

static long sys_ioprio_set(const struct sysargs *a)
{
	struct prio_walk w;
	int ioprio = (int)a->a[2];
	long err = ioprio_check_cap(ioprio);

	if (err)
		return err;
	if (!prio_walk_init(&w, (int)a->a[0] - 1, (uint32_t)a->a[1]))
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	err = prio_walk(&w, set_one_ioprio, &ioprio);
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

static const struct syscall_entry sched_calls[] = {
	{ 140, sys_getpriority },
	{ 141, sys_setpriority },
	{ 142, sys_sched_setparam },
	{ 143, sys_sched_getparam },
	{ 144, sys_sched_setscheduler },
	{ 145, sys_sched_getscheduler },
	{ 146, sys_sched_get_priority_max },
	{ 147, sys_sched_get_priority_min },
	{ 148, sys_sched_rr_get_interval },
	{ 251, sys_ioprio_set },
	{ 314, sys_sched_setattr },
	{ 315, sys_sched_getattr },
	{ 252, sys_ioprio_get },
};

SYSCALL_TABLE(sched_calls);
