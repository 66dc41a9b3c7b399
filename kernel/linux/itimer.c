/* Interval timers: setitimer, getitimer, and alarm (ITIMER_REAL in whole
 * seconds), three per process (struct process's itimers).  ITIMER_REAL
 * counts the wall clock and sends SIGALRM to the process when it expires;
 * ITIMER_VIRTUAL (SIGVTALRM) and ITIMER_PROF (SIGPROF) count the
 * process's CPU time (cpu_clock.c).  amphi does not tell a program's time
 * in the kernel from its own, so ITIMER_VIRTUAL counts both, as PROF. */
#include "core/errno.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define NTIMERS		3
/* Shorter periods are stretched to this, so a timer cannot fire faster
 * than the program can take its signals. */
#define MIN_INTERVAL_NS	1000000ull

struct linux_itimerval {
	struct linux_timeval interval, value;
};

/* Serializes setitimer/alarm.  itimer_fire never takes it: a change first
 * stops the timer, waiting for a running itimer_fire to finish. */
static struct spinlock change_lock = SPINLOCK_INIT;

/* Interrupt context, on the CPU the timer was armed on.  The process
 * lives until itimer_stop, which waits for this to finish. */
static uint64_t itimer_now(const struct itimer *it)
{
	return it->cpu_time ? cpu_clock_now(it->process, 0) : clock_ns();
}

/* For the deadline, its clock being at now.  Caller owns the timer. */
static void itimer_arm(struct itimer *it, uint64_t now)
{
	timer_arm(&it->timer,
		  it->cpu_time ? clock_ns() + cpu_clock_wait(0, now, it->deadline) : it->deadline);
}

static void itimer_fire(struct timer *tm)
{
	struct itimer *it = container_of(tm, struct itimer, timer);
	uint64_t now = itimer_now(it);

	if (now < it->deadline) {	/* a CPU clock, not there yet */
		itimer_arm(it, now);
		return;
	}
	signal_send_process(it->process, it->sig, NULL);
	if (!it->interval) {
		it->deadline = 0;
		return;
	}
	uint64_t next = it->deadline + it->interval;
	if (next <= now)
		next = now + it->interval;	/* missed periods are not made up */
	it->deadline = next;
	itimer_arm(it, now);
}

/* Capped at about 146 years, as timespec_read_ns caps: a longer timer
 * never fires either, and adding it to clock_ns() cannot wrap. */
static uint64_t timeval_ns(const struct linux_timeval *tv)
{
	if (tv->tv_sec >= (1ll << 62) / 1000000000)
		return 1ull << 62;
	return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

static struct linux_timeval ns_timeval(uint64_t ns)
{
	ns = (ns + 999) / 1000;	/* whole microseconds, rounded up */
	return (struct linux_timeval){ ns / 1000000u, ns % 1000000u };
}

static struct linux_itimerval itimer_read(const struct itimer *it)
{
	uint64_t deadline = it->deadline, now = itimer_now(it);
	uint64_t left = !deadline ? 0 : deadline > now ? deadline - now : 1;

	return (struct linux_itimerval){ ns_timeval(it->interval), ns_timeval(left) };
}

static bool timeval_ok(const struct linux_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

void itimer_init(struct process *p)
{
	static const int sigs[NTIMERS] = { SIGALRM, SIGVTALRM, SIGPROF };

	for (int i = 0; i < NTIMERS; i++)
		p->itimers[i] = (struct itimer){ .timer.fn = itimer_fire, .process = p, .sig = sigs[i],
						 .cpu_time = i > 0 };
}

/* Sets p's timer which to *new; what it was goes to *old. */
static void itimer_set(struct process *p, int which, const struct linux_itimerval *new,
		       struct linux_itimerval *old)
{
	struct itimer *it = &p->itimers[which];
	uint64_t value = timeval_ns(&new->value), interval = timeval_ns(&new->interval);

	spin_lock(&change_lock);
	do
		timer_cancel(&it->timer);	/* a running itimer_fire may re-arm it */
	while (it->timer.armed);
	*old = itimer_read(it);
	uint64_t now = itimer_now(it);
	it->interval = interval && interval < MIN_INTERVAL_NS ? MIN_INTERVAL_NS : interval;
	it->deadline = value ? now + value : 0;
	if (value)
		itimer_arm(it, now);
	spin_unlock(&change_lock);
}

void itimer_stop(struct process *p)
{
	static const struct linux_itimerval off;
	struct linux_itimerval old;

	for (int i = 0; i < NTIMERS; i++)
		itimer_set(p, i, &off, &old);
}

static long sys_setitimer(const struct sysargs *a)
{
	int which = (int)a->a[0];
	struct linux_itimerval new = { 0 }, old;

	if (which < 0 || which >= NTIMERS)
		return -EINVAL;
	/* A null new value disarms, as Linux has long accepted. */
	if (a->a[1] && copy_from_user(&new, a->a[1], sizeof new))
		return -EFAULT;
	if (!timeval_ok(&new.value) || !timeval_ok(&new.interval))
		return -EINVAL;
	itimer_set(process_current(), which, &new, &old);
	return a->a[2] && copy_to_user(a->a[2], &old, sizeof old) ? -EFAULT : 0;
}

static long sys_getitimer(const struct sysargs *a)
{
	int which = (int)a->a[0];

	if (which < 0 || which >= NTIMERS)
		return -EINVAL;
	struct linux_itimerval cur = itimer_read(&process_current()->itimers[which]);
	return copy_to_user(a->a[1], &cur, sizeof cur) ? -EFAULT : 0;
}

/* alarm(2): the seconds left on the previous alarm, rounded to nearest
 * but never 0 for one still pending. */
static long sys_alarm(const struct sysargs *a)
{
	struct linux_itimerval new = { .value.tv_sec = (uint32_t)a->a[0] }, old;

	itimer_set(process_current(), 0, &new, &old);
	long left = old.value.tv_sec;
	if (old.value.tv_usec >= 500000 || (!left && old.value.tv_usec))
		left++;
	return left;
}

static const struct syscall_entry itimer_calls[] = {
	{ 38, sys_setitimer },
	{ 36, sys_getitimer },
	{ 37, sys_alarm },
};

SYSCALL_TABLE(itimer_calls);
