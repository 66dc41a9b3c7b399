/* timerfd_create, timerfd_settime, timerfd_gettime: a timer as a file
 * (timerfd_create(2)).  Reading gives the number of expirations since the
 * last read, as 8 bytes, waiting for at least one.
 *
 * Expirations are counted from the clock, not from the timer callbacks:
 * catch_up() adds every period that has passed, so a late or missed
 * interrupt loses none.  The callback (interrupt context, on the CPU that
 * armed it) only counts and wakes the queue.  A periodic timer is armed
 * again by the read that takes its expirations, as on Linux: one nobody
 * reads costs no interrupts, however short its interval (1 ns re-armed
 * from the callback kept a CPU taking timer interrupts and nothing else).
 *
 * Arming and cancelling the core timer are serialised by `arm`, a mutex,
 * with `next` cleared first: a callback that runs meanwhile sees the timer
 * disarmed and does not re-arm it behind timer_cancel's back. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "core/mutex.h"
#include "fs/poll.h"
#include "fs/stat.h"
#include "fs/wait.h"
#include "linux/cred.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_BOOTTIME		7
#define CLOCK_REALTIME_ALARM	8
#define CLOCK_BOOTTIME_ALARM	9
#define TFD_TIMER_ABSTIME	1
#define TFD_TIMER_CANCEL_ON_SET	2	/* accepted: the wall clock is never set here */
#define TFD_CREATE_FLAGS	(O_NONBLOCK | O_CLOEXEC)
#define NS_PER_SEC		1000000000ull
#define ANON_DEV		0x0e

struct timerfd {
	struct mutex arm;	/* serialises timer_arm/timer_cancel (settime, release) */
	struct spinlock lock;	/* irqsave (the callback takes it); guards below */
	bool realtime;		/* absolute times are wall-clock times */
	uint64_t next;		/* next expiry, clock_ns(); 0: disarmed */
	uint64_t interval;	/* ns; 0: one-shot */
	uint64_t ticks;		/* expirations not yet read */
	bool armed;		/* the core timer is set for next, or its callback due */
	bool rearming;		/* rearm() is cancelling it: callbacks leave it alone */
	struct timer timer;
	struct waitq wq;	/* readers and pollers */
};

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

static const struct file_ops timerfd_ops;

/* Saturating: UINT64_MAX is a time that never comes. */
static uint64_t sat_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

/* Counts what expired up to now.  Caller holds t->lock. */
static void catch_up(struct timerfd *t, uint64_t now)
{
	if (!t->next || now < t->next)
		return;
	if (!t->interval) {
		t->ticks++;
		t->next = 0;
		return;
	}
	uint64_t n = (now - t->next) / t->interval + 1, step;
	t->ticks += n;
	t->next = __builtin_mul_overflow(n, t->interval, &step) ? UINT64_MAX : sat_add(t->next, step);
}

/* Sets the core timer for the next expiry, unless it is set, there is
 * none, or rearm() is about to.  Caller holds t->lock, and t->arm (no
 * callback of the timer runs then) or runs the callback (on this CPU). */
static void arm_locked(struct timerfd *t)
{
	if (t->next && !t->armed && !t->rearming) {
		t->armed = true;
		timer_arm(&t->timer, t->next);
	}
}

/* Interrupt context.  Leaves a periodic timer unarmed once it has
 * expirations to read: the read arms it (rearm). */
static void timerfd_fire(struct timer *tm)
{
	struct timerfd *t = container_of(tm, struct timerfd, timer);
	uint64_t flags = spin_lock_irqsave(&t->lock);

	t->armed = false;
	catch_up(t, clock_ns());
	bool wake = t->ticks > 0;
	if (!wake)
		arm_locked(t);	/* early: not due yet */
	spin_unlock_irqrestore(&t->lock, flags);
	if (wake)
		waitq_wake_all(&t->wq);
}

/* After a read took the expirations: a periodic timer goes on.  Under
 * t->arm, so no settime runs, and after timer_cancel, which waits for a
 * callback that left the timer unarmed but is still running; `rearming`
 * keeps one that finds nothing due (a read took it first) from setting
 * the timer again behind timer_cancel's back. */
static void rearm(struct timerfd *t)
{
	mutex_lock(&t->arm);
	uint64_t flags = spin_lock_irqsave(&t->lock);
	t->rearming = true;
	spin_unlock_irqrestore(&t->lock, flags);
	timer_cancel(&t->timer);
	flags = spin_lock_irqsave(&t->lock);
	t->rearming = false;
	t->armed = false;	/* cancelled above, if it was set */
	arm_locked(t);
	spin_unlock_irqrestore(&t->lock, flags);
	mutex_unlock(&t->arm);
}

static long timerfd_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct timerfd *t = f->priv;

	(void)pos;
	if (b->len < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&t->lock);
		catch_up(t, clock_ns());
		uint64_t v = t->ticks;
		bool unarmed = t->next && !t->armed;
		t->ticks = 0;
		if (v || unarmed) {
			spin_unlock_irqrestore(&t->lock, flags);
			if (unarmed)
				rearm(t);
			if (!v)
				continue;
			return iobuf_fill(b, 0, &v, sizeof v) ? -EFAULT : (long)sizeof v;
		}
		long err = wait_refusal(f);
		if (err) {
			spin_unlock_irqrestore(&t->lock, flags);
			return err;
		}
		waitq_prepare(&t->wq, &w);
		spin_unlock_irqrestore(&t->lock, flags);
		wait_sleep(&t->wq, &w, 0);
	}
}

/* Open for writing, but nothing to write: Linux says EINVAL. */
static long timerfd_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return -EINVAL;
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *t = f->priv;

	poll_wait(pt, &t->wq);
	uint64_t flags = spin_lock_irqsave(&t->lock);
	catch_up(t, clock_ns());
	bool ready = t->ticks > 0;
	spin_unlock_irqrestore(&t->lock, flags);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static int timerfd_stat(struct file *f, struct kstat *st)
{
	(void)f;
	*st = (struct kstat){ .dev = ANON_DEV, .ino = 1, .nlink = 1, .mode = 0600, .blksize = 4096 };
	return 0;
}

/* Leaves the core timer disarmed, with no callback running. */
static void disarm(struct timerfd *t)
{
	uint64_t flags = spin_lock_irqsave(&t->lock);

	t->next = 0;
	spin_unlock_irqrestore(&t->lock, flags);
	timer_cancel(&t->timer);
	flags = spin_lock_irqsave(&t->lock);
	t->armed = false;	/* cancelled; with next 0 nothing sets it again */
	spin_unlock_irqrestore(&t->lock, flags);
}

/* The last reference: no settime can be running. */
static void timerfd_release(struct file *f)
{
	struct timerfd *t = f->priv;

	disarm(t);
	kfree(t);
}

static const struct file_ops timerfd_ops = {
	.read = timerfd_read,
	.write = timerfd_write,
	.poll = timerfd_poll,
	.stat = timerfd_stat,
	.release = timerfd_release,
	.sees_empty = true,	/* 0 bytes are EINVAL, as any short transfer */
};

/* ---- system calls ------------------------------------------------------- */

static char *path_copy(const char *s)
{
	char *p = kmalloc(strlen(s) + 1);

	if (p)
		memcpy(p, s, strlen(s) + 1);
	return p;
}

static long sys_timerfd_create(const struct sysargs *a)
{
	int clock = (int)a->a[0];
	uint64_t flags = a->a[1];

	if (flags & ~(uint64_t)TFD_CREATE_FLAGS)
		return -EINVAL;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
	    clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	/* A timer that would wake a suspended machine: privileged on Linux. */
	if ((clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) &&
	    !cred_capable(CAP_WAKE_ALARM))
		return -EPERM;
	struct timerfd *t = kmalloc(sizeof *t);
	struct file *f = t ? file_new(&timerfd_ops, O_RDWR | (flags & O_NONBLOCK), t) : NULL;
	if (!f) {
		kfree(t);
		return -ENOMEM;
	}
	mutex_init(&t->arm);
	t->realtime = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM;
	t->timer.fn = timerfd_fire;
	waitq_init(&t->wq);
	f->path = path_copy("anon_inode:[timerfd]");
	return fd_install(f, 0, flags & O_CLOEXEC);
}

/* The timerfd at fd with a reference, or NULL with *err set. */
static struct timerfd *timerfd_get(int fd, struct file **fp, long *err)
{
	struct file *f = fd_get(fd);

	*err = !f ? -EBADF : f->ops != &timerfd_ops ? -EINVAL : 0;
	if (*err) {
		if (f)
			file_put(f);
		return NULL;
	}
	*fp = f;
	return f->priv;
}

static uint64_t ts_ns(const struct linux_timespec *ts)
{
	if ((uint64_t)ts->tv_sec >= UINT64_MAX / NS_PER_SEC - 1)
		return UINT64_MAX;
	return ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)NS_PER_SEC;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
	return (struct linux_timespec){ ns / NS_PER_SEC, ns % NS_PER_SEC };
}

/* The setting as timerfd_gettime shows it: time to the next expiry and the
 * interval.  Caller holds t->lock. */
static struct linux_itimerspec current_setting(struct timerfd *t)
{
	uint64_t now = clock_ns();

	catch_up(t, now);
	return (struct linux_itimerspec){ ns_ts(t->interval), ns_ts(t->next ? t->next - now : 0) };
}

/* The expiry in clock_ns() terms for the new value (not zero). */
static uint64_t expiry(const struct timerfd *t, const struct linux_itimerspec *its, int flags)
{
	uint64_t v = ts_ns(&its->value), now = clock_ns();

	if (!(flags & TFD_TIMER_ABSTIME))
		return sat_add(now, v);
	if (t->realtime)
		v = v > time_realtime_offset_ns() ? v - time_realtime_offset_ns() : 0;
	return v ? v : 1;	/* in the past: expires at once */
}

/* Caller holds t->arm; the core timer is disarmed.  Like Linux, a new
 * setting forgets expirations not yet read. */
static void settime(struct timerfd *t, const struct linux_itimerspec *its, int flags)
{
	uint64_t irq = spin_lock_irqsave(&t->lock);

	t->ticks = 0;
	t->interval = ts_ns(&its->interval);
	t->next = its->value.tv_sec || its->value.tv_nsec ? expiry(t, its, flags) : 0;
	arm_locked(t);
	spin_unlock_irqrestore(&t->lock, irq);
}

static long sys_timerfd_settime(const struct sysargs *a)
{
	int flags = (int)a->a[1];
	struct linux_itimerspec its, old;
	struct file *f;
	long err;

	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (copy_from_user(&its, a->a[2], sizeof its))
		return -EFAULT;
	if (!ts_valid(&its.value) || !ts_valid(&its.interval))
		return -EINVAL;
	struct timerfd *t = timerfd_get((int)a->a[0], &f, &err);
	if (!t)
		return err;
	mutex_lock(&t->arm);
	uint64_t irq = spin_lock_irqsave(&t->lock);
	old = current_setting(t);
	spin_unlock_irqrestore(&t->lock, irq);
	disarm(t);
	settime(t, &its, flags);
	mutex_unlock(&t->arm);
	file_put(f);
	return a->a[3] && copy_to_user(a->a[3], &old, sizeof old) ? -EFAULT : 0;
}

static long sys_timerfd_gettime(const struct sysargs *a)
{
	struct file *f;
	long err;
	struct timerfd *t = timerfd_get((int)a->a[0], &f, &err);

	if (!t)
		return err;
	uint64_t irq = spin_lock_irqsave(&t->lock);
	struct linux_itimerspec cur = current_setting(t);
	spin_unlock_irqrestore(&t->lock, irq);
	file_put(f);
	return copy_to_user(a->a[1], &cur, sizeof cur) ? -EFAULT : 0;
}

static const struct syscall_entry timerfd_calls[] = {
	{ 283, sys_timerfd_create },
	{ 286, sys_timerfd_settime },
	{ 287, sys_timerfd_gettime },
};

SYSCALL_TABLE(timerfd_calls);
