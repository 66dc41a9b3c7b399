/* POSIX per-process timers: timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete.  Each sends its signal (SIGEV_SIGNAL to
 * the process, SIGEV_THREAD_ID to one of its threads, SIGEV_NONE nothing)
 * with si_code SI_TIMER, the timer's id and the program's value.  They go
 * with exec and with the process.  A timer on CLOCK_PROCESS_CPUTIME_ID
 * counts the process's CPU time, on CLOCK_THREAD_CPUTIME_ID its creator's
 * (cpu_clock.c); once that thread has ended, the timer never fires
 * and timer_settime is ESRCH, as on Linux.
 *
 * Overruns, as Linux counts them: a timer has at most one signal queued;
 * an expiry while it waits to be taken, or one missed while the timer
 * was late, adds to its si_overrun instead, and timer_getoverrun says the
 * count the last signal taken carried (signal.c keeps it).  A deleted
 * timer's signal still queued goes with it, as on Linux 6.13 and later. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD_ID	4
#define TIMER_ABSTIME	1
#define CLOCK_REALTIME	0
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID	3
#define CLOCK_TAI	11
#define MIN_INTERVAL_NS	1000000ull	/* as itimer.c: no faster than signals are taken */

struct ptimer {
	struct timer timer;
	struct process *process;
	int id, sig, notify, tid, clock;
	int cpu_tid;			/* CLOCK_THREAD_CPUTIME_ID: whose time it counts */
	uint64_t value;			/* sigev_value, into si_value */
	volatile uint64_t deadline;	/* clock_ns(), or its CPU clock's ns; 0: disarmed */
	volatile uint64_t interval;
};

struct linux_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;
	int32_t pad[11];
};

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

/* Guards every process's ptimers[] and each timer's settings; the timer
 * callback never takes it (a change first stops the timer). */
static struct spinlock ptimer_lock = SPINLOCK_INIT;

/* SIGEV_THREAD_ID: to the thread only while it is the process's own.
 * Once it has ended its id may come back (ids wrap) as another process's
 * thread, which the timer must not reach: the signal is dropped, as
 * Linux drops it for a thread gone.  Interrupt context. */
static void send_to_thread(struct ptimer *pt, struct linux_siginfo *info)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = thread_find(pt->tid);
	int err = t && process_of(t) == pt->process ? sig_queue(pt->process, t, pt->sig, info) : -ESRCH;

	spin_unlock_irqrestore(&sig_lock, flags);
	signal_sent(err);
}

/* Sends pt's signal for one expiry and missed more, or counts them all
 * into the one still queued.  Interrupt context. */
static void ptimer_send(struct ptimer *pt, uint64_t missed)
{
	struct linux_siginfo info = { .signo = pt->sig, .code = SI_TIMER };
	int overrun = missed >= INT32_MAX ? INT32_MAX - 1 : (int)missed;

	if (pt->notify == SIGEV_NONE)
		return;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	bool counted = sig_timer_queued(pt->process, pt->id, pt->sig, overrun + 1);
	spin_unlock_irqrestore(&sig_lock, flags);
	if (counted)
		return;
	info.timer.tid = pt->id;
	info.timer.overrun = overrun;
	info.timer.value = pt->value;
	if (pt->notify == SIGEV_THREAD_ID)
		send_to_thread(pt, &info);
	else
		signal_send_process(pt->process, pt->sig, &info);
}

static bool cpu_clock(int clock)
{
	return clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID;
}

/* Its clock now: clock_ns() (the wall clocks' offset is applied when
 * set), or CPU time, CPU_CLOCK_GONE once its thread has ended. */
static uint64_t ptimer_now(const struct ptimer *pt)
{
	return cpu_clock(pt->clock) ? cpu_clock_now(pt->process, pt->cpu_tid) : clock_ns();
}

/* For the deadline, its clock being at now.  Caller owns the timer. */
static void ptimer_arm(struct ptimer *pt, uint64_t now)
{
	if (!cpu_clock(pt->clock))
		timer_arm(&pt->timer, pt->deadline > now ? pt->deadline : now);
	else if (now != CPU_CLOCK_GONE)
		timer_arm(&pt->timer, clock_ns() + cpu_clock_wait(pt->cpu_tid, now, pt->deadline));
}

/* Interrupt context.  A periodic timer keeps its phase: the next expiry
 * is the first after now, and the periods skipped are overruns. */
static void ptimer_fire(struct timer *tm)
{
	struct ptimer *pt = container_of(tm, struct ptimer, timer);
	uint64_t now = ptimer_now(pt), missed = 0;

	if (now < pt->deadline || now == CPU_CLOCK_GONE) {
		ptimer_arm(pt, now);	/* a CPU clock, not there yet */
		return;
	}
	if (pt->interval && now > pt->deadline)
		missed = (now - pt->deadline) / pt->interval;
	ptimer_send(pt, missed);
	if (!pt->interval) {
		pt->deadline = 0;
		return;
	}
	pt->deadline += (missed + 1) * pt->interval;
	ptimer_arm(pt, now);
}

/* Caller holds ptimer_lock: a new or reset timer starts with no overrun. */
static void overrun_reset(struct process *p, int id)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	p->ptimer_overrun[id] = 0;
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* Stops pt for good or for a change, waiting for a running ptimer_fire. */
static void ptimer_halt(struct ptimer *pt)
{
	do
		timer_cancel(&pt->timer);	/* a running ptimer_fire may re-arm it */
	while (pt->timer.armed);
}

/* TAI reads as the wall clock here (Linux's offset is 0 until NTP sets it). */
static bool wall_clock(int clock) { return clock == CLOCK_REALTIME || clock == CLOCK_TAI; }

static bool clock_ok(int clock)
{
	/* REALTIME, MONOTONIC, PROCESS_ and THREAD_CPUTIME, BOOTTIME, TAI */
	return clock == 0 || clock == 1 || clock == 2 || clock == 3 || clock == 7 ||
	       clock == CLOCK_TAI;
}

static long sys_timer_create(const struct sysargs *a)
{
	int clock = (int)a->a[0];
	struct linux_sigevent ev = { .signo = SIGALRM, .notify = SIGEV_SIGNAL };
	struct process *p = process_current();

	/* MONOTONIC_RAW and the coarse clocks (5, 6) have no timers on Linux;
	 * the alarm ones (8, 9) none on a machine without an RTC alarm. */
	if (clock == 4 || clock == 5 || clock == 6 || clock == 8 || clock == 9)
		return -EOPNOTSUPP;
	if (!clock_ok(clock))
		return -EINVAL;
	if (a->a[1] && copy_from_user(&ev, a->a[1], sizeof ev))
		return -EFAULT;
	if ((ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && ev.notify != SIGEV_THREAD_ID) ||
	    (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > NSIG)))
		return -EINVAL;
	if (ev.notify == SIGEV_THREAD_ID) {
		uint64_t flags = spin_lock_irqsave(&sig_lock);
		struct thread *t = thread_find(ev.tid);
		bool ours = t && t->process == p;
		spin_unlock_irqrestore(&sig_lock, flags);
		if (!ours)
			return -EINVAL;
	}
	struct ptimer *pt = kmalloc_program(sizeof *pt);
	if (!pt)
		return -ENOMEM;
	*pt = (struct ptimer){ .timer.fn = ptimer_fire, .process = p, .sig = ev.signo,
			       .notify = ev.notify, .tid = ev.tid, .clock = clock, .value = ev.value,
			       .cpu_tid = clock == CLOCK_THREAD_CPUTIME_ID ? current()->tid : 0 };
	if (!a->a[1])
		pt->value = 0;	/* Linux: the id; set below */
	spin_lock(&ptimer_lock);
	int id = 0;
	while (id < PROCESS_PTIMERS && p->ptimers[id])
		id++;
	if (id < PROCESS_PTIMERS) {
		pt->id = id;
		if (!a->a[1])
			pt->value = (uint64_t)id;
		p->ptimers[id] = pt;
		overrun_reset(p, id);
	}
	spin_unlock(&ptimer_lock);
	if (id == PROCESS_PTIMERS) {
		kfree(pt);
		return -EAGAIN;
	}
	if (copy_to_user(a->a[2], &id, sizeof id)) {
		spin_lock(&ptimer_lock);
		p->ptimers[id] = NULL;
		spin_unlock(&ptimer_lock);
		kfree(pt);
		return -EFAULT;
	}
	return 0;
}

/* Caller holds ptimer_lock. */
static struct ptimer *ptimer_of(struct process *p, uint64_t id)
{
	return id < PROCESS_PTIMERS ? p->ptimers[id] : NULL;
}

static struct linux_timespec ns_timespec(uint64_t ns)
{
	return (struct linux_timespec){ (int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u) };
}

static struct linux_itimerspec ptimer_read(const struct ptimer *pt)
{
	uint64_t deadline = pt->deadline, now = ptimer_now(pt);
	uint64_t left = !deadline || now == CPU_CLOCK_GONE ? 0 : deadline > now ? deadline - now : 1;

	return (struct linux_itimerspec){ ns_timespec(pt->interval), ns_timespec(left) };
}

static long sys_timer_settime(const struct sysargs *a)
{
	struct process *p = process_current();
	uint64_t value, interval;
	long err;

	/* Flags other than TIMER_ABSTIME are ignored, as Linux does. */
	if ((err = timespec_read_ns(a->a[2], &interval)) ||
	    (err = timespec_read_ns(a->a[2] + sizeof(struct linux_timespec), &value)))
		return err;
	spin_lock(&ptimer_lock);
	struct ptimer *pt = ptimer_of(p, a->a[0]);
	struct linux_itimerspec old = { 0 };
	uint64_t now = pt ? ptimer_now(pt) : 0;
	if (now == CPU_CLOCK_GONE)
		err = -ESRCH;	/* its thread has ended: nothing to arm, as Linux */
	if (pt && !err) {
		ptimer_halt(pt);
		old = ptimer_read(pt);
		uint64_t at = value;
		if (value && (a->a[1] & TIMER_ABSTIME) && wall_clock(pt->clock))
			at = value > time_realtime_offset_ns() ? value - time_realtime_offset_ns() : 1;
		if (value && !(a->a[1] & TIMER_ABSTIME))
			at = now + value;
		pt->interval = interval && interval < MIN_INTERVAL_NS ? MIN_INTERVAL_NS : interval;
		pt->deadline = value ? (at > now ? at : now) : 0;
		overrun_reset(p, (int)a->a[0]);
		if (value)
			ptimer_arm(pt, now);
	}
	spin_unlock(&ptimer_lock);
	if (!pt || err)
		return pt ? err : -EINVAL;
	return a->a[3] && copy_to_user(a->a[3], &old, sizeof old) ? -EFAULT : 0;
}

static long sys_timer_gettime(const struct sysargs *a)
{
	spin_lock(&ptimer_lock);
	struct ptimer *pt = ptimer_of(process_current(), a->a[0]);
	struct linux_itimerspec cur = pt ? ptimer_read(pt) : (struct linux_itimerspec){ 0 };
	spin_unlock(&ptimer_lock);
	if (!pt)
		return -EINVAL;
	return copy_to_user(a->a[1], &cur, sizeof cur) ? -EFAULT : 0;
}

static long sys_timer_getoverrun(const struct sysargs *a)
{
	struct process *p = process_current();

	spin_lock(&ptimer_lock);
	struct ptimer *pt = ptimer_of(p, a->a[0]);
	spin_unlock(&ptimer_lock);
	if (!pt)
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long overrun = p->ptimer_overrun[a->a[0]];
	spin_unlock_irqrestore(&sig_lock, flags);
	return overrun;
}

/* Takes timer id out of p and frees it; -EINVAL if there is none. */
static long ptimer_delete(struct process *p, uint64_t id)
{
	spin_lock(&ptimer_lock);
	struct ptimer *pt = ptimer_of(p, id);
	if (pt) {
		p->ptimers[id] = NULL;
		ptimer_halt(pt);
		uint64_t flags = spin_lock_irqsave(&sig_lock);
		sig_timer_forget(p, (int)id);
		spin_unlock_irqrestore(&sig_lock, flags);
	}
	spin_unlock(&ptimer_lock);
	kfree(pt);
	return pt ? 0 : -EINVAL;
}

static long sys_timer_delete(const struct sysargs *a)
{
	return ptimer_delete(process_current(), a->a[0]);
}

void ptimer_delete_all(struct process *p)
{
	for (int i = 0; i < PROCESS_PTIMERS; i++)
		ptimer_delete(p, i);
}

static const struct syscall_entry ptimer_calls[] = {
	{ 222, sys_timer_create },
	{ 223, sys_timer_settime },
	{ 224, sys_timer_gettime },
	{ 225, sys_timer_getoverrun },
	{ 226, sys_timer_delete },
};

SYSCALL_TABLE(ptimer_calls);
