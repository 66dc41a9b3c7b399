/* Clocks and sleeping: clock_gettime and friends, nanosleep. */
#include "linux/time.h"

#include "core/errno.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_MONOTONIC_RAW		4
#define CLOCK_REALTIME_COARSE		5
#define CLOCK_MONOTONIC_COARSE		6
#define CLOCK_BOOTTIME			7
#define CLOCK_REALTIME_ALARM		8
#define CLOCK_BOOTTIME_ALARM		9
#define CLOCK_TAI			11
#define TIMER_ABSTIME			1

uint64_t time_realtime_offset_ns(void) { return clock_realtime_offset_ns(); }

/* A CPU-time clock of a process or thread, as clock_getcpuclockid and
 * pthread_getcpuclockid make them (both C libraries ask clock_getres
 * with one to learn whether it is there): ~pid << 3, the thread bit, and
 * which time in the low two bits.  amphi does not split user from system
 * time, so its three kinds read the same.  Pid 0 is the caller; a
 * thread's clock only for the caller's own threads, a process's for any
 * process, by its pid or the caller's own thread id, as on Linux. */
#define CPUCLOCK_PERTHREAD	4
#define CPUCLOCK_KINDS		3	/* PROF, VIRT, SCHED */

static int64_t cpu_clock_read(int clock)
{
	int pid = ~(clock >> 3);
	bool thread = clock & CPUCLOCK_PERTHREAD;

	if ((clock & 3) >= CPUCLOCK_KINDS)
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int64_t ns = -EINVAL;
	if (thread) {
		struct thread *t = pid ? thread_find(pid) : current();
		if (t && process_of(t) == process_current())
			ns = (int64_t)thread_cpu_ns(t);
	} else {
		struct process *p = pid ? process_find(pid) : process_current();
		if (p && (!pid || p->pid == pid || pid == current()->tid))
			ns = (int64_t)signal_process_cpu_ns(p);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return ns;
}

/* Now on `clock`, in ns; -EINVAL for an unknown clock. */
static int64_t clock_read(int clock)
{
	if (clock < 0)
		return cpu_clock_read(clock);
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:		/* Linux's TAI offset is 0 until NTP sets it */
		return clock_ns() + time_realtime_offset_ns();
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		return clock_ns();
	case CLOCK_PROCESS_CPUTIME_ID:
		return signal_threads_cpu_ns();
	case CLOCK_THREAD_CPUTIME_ID:
		return (int64_t)thread_cpu_ns(current());
	default:
		return -EINVAL;
	}
}

static long put_timespec(uint64_t uts, uint64_t ns)
{
	struct linux_timespec ts = { ns / 1000000000u, ns % 1000000000u };

	return copy_to_user(uts, &ts, sizeof ts);
}

long timespec_read_ns(uint64_t uts, uint64_t *ns)
{
	struct linux_timespec ts;

	if (copy_from_user(&ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	/* Capped at about 146 years, so adding it to clock_ns() cannot wrap. */
	*ns = ts.tv_sec >= (1ll << 62) / 1000000000 ? 1ull << 62 :
	      (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
	return 0;
}

static long sys_clock_gettime(const struct sysargs *a)
{
	int64_t ns = clock_read((int)a->a[0]);

	return ns < 0 ? ns : put_timespec(a->a[1], ns);
}

static long sys_clock_getres(const struct sysargs *a)
{
	if (clock_read((int)a->a[0]) < 0)
		return -EINVAL;
	return a->a[1] ? put_timespec(a->a[1], 1) : 0;
}

/* The time zone the kernel keeps (struct timezone) is never set here:
 * UTC, no daylight saving, as Linux's until settimeofday sets it. */
static long sys_gettimeofday(const struct sysargs *a)
{
	uint64_t ns = clock_ns() + time_realtime_offset_ns();
	struct linux_timeval tv = { ns / 1000000000u, ns % 1000000000u / 1000 };
	int32_t tz[2];

	time_zone(tz);
	if (a->a[0] && copy_to_user(a->a[0], &tv, sizeof tv))
		return -EFAULT;
	return a->a[1] && copy_to_user(a->a[1], tz, sizeof tz) ? -EFAULT : 0;
}

static long sys_time(const struct sysargs *a)
{
	int64_t s = (clock_ns() + time_realtime_offset_ns()) / 1000000000u;

	if (a->a[0] && copy_to_user(a->a[0], &s, sizeof s))
		return -EFAULT;
	return s;
}

static long sleep_until(uint64_t deadline, uint64_t urem);

static long sleep_restart(struct thread *t) { return sleep_until(t->restart.deadline, t->restart.urem); }

/* Sleeps until deadline (clock_ns terms).  Interrupted by a signal: what
 * is left goes to urem (relative sleeps), and restart_syscall can resume
 * the same sleep when no handler ran; with one, the call fails with EINTR
 * (nanosleep(2): never restarted, whatever SA_RESTART says). */
static long sleep_until(uint64_t deadline, uint64_t urem)
{
	struct thread *t = current();
	int r;

	while ((r = signal_sleep_until(deadline)) == 1)
		;
	if (!r)
		return 0;
	uint64_t now = clock_ns();
	if (urem && put_timespec(urem, deadline > now ? deadline - now : 0))
		return -EFAULT;
	t->restart.fn = sleep_restart;
	t->restart.deadline = deadline;
	t->restart.urem = urem;
	return -ERESTART_RESTARTBLOCK;
}

/* Resumes the sleep current->restart describes (sigdeliver.c restarts an
 * interrupted nanosleep or timed futex wait through here). */
static long sys_restart_syscall(const struct sysargs *a)
{
	struct thread *t = current();
	long (*fn)(struct thread *) = t->restart.fn;

	(void)a;
	t->restart.fn = NULL;
	return fn ? fn(t) : -EINTR;
}

static long sys_nanosleep(const struct sysargs *a)
{
	uint64_t ns;
	long err = timespec_read_ns(a->a[0], &ns);

	return err ? err : sleep_until(clock_ns() + ns, a->a[1]);
}

/* Whether clock_nanosleep sleeps on `clock`: 0, -EOPNOTSUPP for a clock
 * Linux has but cannot sleep on, -EINVAL for one it does not have (or
 * one it sleeps on that amphi does not: a process's CPU-time clock). */
static long nsleep_clock_ok(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_REALTIME_ALARM:	/* as a machine with no RTC alarm */
	case CLOCK_BOOTTIME_ALARM:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

/* The clock is checked before the time is read, as Linux does. */
static long sys_clock_nanosleep(const struct sysargs *a)
{
	int clock = (int)a->a[0];
	uint64_t ns;
	long err = nsleep_clock_ok(clock);

	if (err || (err = timespec_read_ns(a->a[2], &ns)))
		return err;
	if (!(a->a[1] & TIMER_ABSTIME))
		return sleep_until(clock_ns() + ns, a->a[3]);
	if (clock == CLOCK_REALTIME || clock == CLOCK_TAI)
		ns = ns > time_realtime_offset_ns() ? ns - time_realtime_offset_ns() : 0;
	return sleep_until(ns ? ns : 1, 0);
}

static const struct syscall_entry time_calls[] = {
	{ 228, sys_clock_gettime },
	{ 229, sys_clock_getres },
	{ 96, sys_gettimeofday },
	{ 201, sys_time },
	{ 35, sys_nanosleep },
	{ 230, sys_clock_nanosleep },
	{ 219, sys_restart_syscall },
};

SYSCALL_TABLE(time_calls);
