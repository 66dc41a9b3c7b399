/* Setting the wall clock: settimeofday, clock_settime, and adjtimex and
 * clock_adjtime as NTP daemons and `date -s` use them.  Each needs
 * CAP_SYS_TIME (EPERM), after Linux's checks of the value (EINVAL); a
 * time before the boot is EINVAL, as there.  The clock steps; amphi
 * disciplines nothing, so adjtimex keeps the NTP values it is given
 * (clamped as Linux clamps them) and reports them back, and its answer is
 * TIME_ERROR while STA_UNSYNC is set, as on a Linux no NTP daemon has
 * synchronized.  Timers set for an absolute wall-clock time keep the
 * moment they were set for, where Linux moves them with the clock. */
#include "core/errno.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/cred.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define CLOCK_REALTIME	0
#define CLOCK_TAI	11
#define CAP_SYS_TIME	25
#define NS		1000000000ll
#define ADJ_OFFSET	0x0001
#define ADJ_FREQUENCY	0x0002
#define ADJ_MAXERROR	0x0004
#define ADJ_ESTERROR	0x0008
#define ADJ_STATUS	0x0010
#define ADJ_TIMECONST	0x0020
#define ADJ_TAI		0x0080
#define ADJ_SETOFFSET	0x0100
#define ADJ_MICRO	0x1000
#define ADJ_NANO	0x2000
#define ADJ_TICK	0x4000
#define ADJ_OFFSET_READONLY 0x2000	/* with ADJ_ADJTIME; else it is ADJ_NANO */
#define ADJ_ADJTIME	0x8000	/* adjtime(3)'s one-shot slew, apart from NTP's */
#define ADJ_OFFSET_SINGLESHOT 0x8001
#define PPM_SCALE	(1000ll << 16)
#define STA_UNSYNC	0x0040
#define STA_NANO	0x2000
#define STA_RONLY	0xff00	/* the bits the kernel reports and nobody sets */
#define TIME_OK		0
#define TIME_ERROR	5
#define MAXFREQ_SCALED	(500ll << 16)	/* 500 ppm, as timex's freq scales it */
#define NTP_PHASE_LIMIT	16000000l	/* us: an unsynchronized clock's error */
#define USER_HZ		100

struct timex {
	uint32_t modes;
	int64_t offset, freq, maxerror, esterror;
	int32_t status;
	int64_t constant, precision, tolerance;
	struct linux_timeval time;	/* usec, or nsec with STA_NANO / ADJ_NANO */
	int64_t tick, ppsfreq, jitter;
	int32_t shift;
	int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t pad[11];
};

/* The NTP values adjtimex keeps, as Linux's ntp_clear leaves them. */
static struct spinlock ntp_lock = SPINLOCK_INIT;
static struct {
	int64_t offset, freq, maxerror, esterror, constant, tick;
	int32_t status, tai;
	int64_t slew;	/* ADJ_ADJTIME's */
} ntp = { 0, 0, NTP_PHASE_LIMIT, NTP_PHASE_LIMIT, 2, 1000000 / USER_HZ, STA_UNSYNC, 0, 0 };
static int32_t zone[2];		/* settimeofday's timezone: minutes west, dst */

void time_zone(int32_t tz[2])
{
	tz[0] = __atomic_load_n(&zone[0], __ATOMIC_RELAXED);
	tz[1] = __atomic_load_n(&zone[1], __ATOMIC_RELAXED);
}

static long set_wall_clock(int64_t sec, int64_t nsec)
{
	if (sec < 0 || nsec < 0 || nsec >= NS || sec > INT64_MAX / NS - 1)
		return -EINVAL;
	if (!cred_capable(CAP_SYS_TIME))
		return -EPERM;
	return clock_set_realtime((uint64_t)(sec * NS + nsec)) ? 0 : -EINVAL;
}

static long sys_settimeofday(const struct sysargs *a)
{
	struct linux_timeval tv;
	int32_t tz[2];

	if (a->a[0] && copy_from_user(&tv, a->a[0], sizeof tv))
		return -EFAULT;
	if (a->a[0] && (tv.tv_usec < 0 || tv.tv_usec > 1000000))
		return -EINVAL;
	if (a->a[1] && copy_from_user(tz, a->a[1], sizeof tz))
		return -EFAULT;
	if (a->a[0] && (tv.tv_sec < 0 || tv.tv_usec >= 1000000))
		return -EINVAL;
	if (!cred_capable(CAP_SYS_TIME))
		return -EPERM;	/* even with nothing to set, as Linux */
	if (a->a[1] && (tz[0] > 15 * 60 || tz[0] < -15 * 60))
		return -EINVAL;
	if (a->a[1]) {
		__atomic_store_n(&zone[0], tz[0], __ATOMIC_RELAXED);
		__atomic_store_n(&zone[1], tz[1], __ATOMIC_RELAXED);
	}
	return a->a[0] ? set_wall_clock(tv.tv_sec, tv.tv_usec * 1000) : 0;
}

static long sys_clock_settime(const struct sysargs *a)
{
	struct linux_timespec ts;
	int clock = (int)a->a[0];

	if (clock != CLOCK_REALTIME)
		return -EINVAL;	/* no other clock can be set, as on Linux 6.18 */
	if (copy_from_user(&ts, a->a[1], sizeof ts))
		return -EFAULT;
	return set_wall_clock(ts.tv_sec, ts.tv_nsec);
}

/* Linux's timekeeping_validate_timex, in its order. */
static long timex_check(const struct timex *t)
{
	bool may = cred_capable(CAP_SYS_TIME);

	if (t->modes & ADJ_ADJTIME) {
		if ((t->modes & ADJ_OFFSET_SINGLESHOT) != ADJ_OFFSET_SINGLESHOT)
			return -EINVAL;
		if (!(t->modes & ADJ_OFFSET_READONLY) && !may)
			return -EPERM;
	} else {
		if (t->modes && !may)
			return -EPERM;
		if ((t->modes & ADJ_TICK) && (t->tick < 900000 / USER_HZ || t->tick > 1100000 / USER_HZ))
			return -EINVAL;
	}
	if (t->modes & ADJ_SETOFFSET) {
		if (!may)
			return -EPERM;
		if (t->time.tv_usec < 0 || t->time.tv_usec >= (t->modes & ADJ_NANO ? NS : 1000000))
			return -EINVAL;
	}
	if ((t->modes & ADJ_FREQUENCY) && (t->freq < INT64_MIN / PPM_SCALE || t->freq > INT64_MAX / PPM_SCALE))
		return -EINVAL;
	return 0;
}

/* ADJ_SETOFFSET: the clock steps by the time given. */
static long step_clock(const struct timex *t)
{
	int64_t by = t->time.tv_sec * NS + t->time.tv_usec * (t->modes & ADJ_NANO ? 1 : 1000);
	int64_t now = (int64_t)(clock_realtime_offset_ns() + clock_ns());

	return set_wall_clock((now + by) / NS, (now + by) % NS);
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The NTP values the modes set.  Caller holds ntp_lock. */
static void keep(const struct timex *t)
{
	if (t->modes & ADJ_ADJTIME)
		return;	/* adjtime's slew is apart (report) */
	if (t->modes & ADJ_STATUS)
		ntp.status = (ntp.status & STA_RONLY) | (t->status & ~STA_RONLY);
	if (t->modes & ADJ_NANO)
		ntp.status |= STA_NANO;
	if (t->modes & ADJ_MICRO)
		ntp.status &= ~STA_NANO;
	if (t->modes & ADJ_FREQUENCY)
		ntp.freq = clamp(t->freq, -MAXFREQ_SCALED, MAXFREQ_SCALED);
	if (t->modes & ADJ_MAXERROR)
		ntp.maxerror = clamp(t->maxerror, 0, NTP_PHASE_LIMIT);
	if (t->modes & ADJ_ESTERROR)
		ntp.esterror = clamp(t->esterror, 0, NTP_PHASE_LIMIT);
	if (t->modes & ADJ_TIMECONST)
		ntp.constant = clamp(t->constant, 0, 10);
	if ((t->modes & ADJ_TAI) && t->constant >= 0)
		ntp.tai = (int32_t)t->constant;
	if (t->modes & ADJ_OFFSET)
		ntp.offset = t->offset;
	if (t->modes & ADJ_TICK)
		ntp.tick = t->tick;
}

/* What adjtimex answers; ADJ_ADJTIME swaps its slew for the old one. */
static void report(struct timex *t)
{
	uint64_t now = clock_realtime_offset_ns() + clock_ns();
	bool nano = ntp.status & STA_NANO;
	int64_t slew = ntp.slew;

	if ((t->modes & ADJ_ADJTIME) && !(t->modes & ADJ_OFFSET_READONLY))
		ntp.slew = t->offset;
	t->offset = t->modes & ADJ_ADJTIME ? slew : ntp.offset;
	t->freq = ntp.freq;
	t->maxerror = ntp.maxerror;
	t->esterror = ntp.esterror;
	t->status = ntp.status;
	t->constant = ntp.constant;
	t->precision = 1;
	t->tolerance = MAXFREQ_SCALED;
	t->time = (struct linux_timeval){ (int64_t)(now / NS), (int64_t)(now % NS) / (nano ? 1 : 1000) };
	t->tick = ntp.tick;
	t->tai = ntp.tai;
}

static long adjust(uint64_t utx)
{
	struct timex t;

	if (copy_from_user(&t, utx, sizeof t))
		return -EFAULT;
	long err = timex_check(&t);
	if (!err && (t.modes & ADJ_SETOFFSET))
		err = step_clock(&t);
	if (err)
		return err;
	uint64_t flags = spin_lock_irqsave(&ntp_lock);
	keep(&t);
	report(&t);
	spin_unlock_irqrestore(&ntp_lock, flags);
	if (copy_to_user(utx, &t, sizeof t))
		return -EFAULT;
	return t.status & STA_UNSYNC ? TIME_ERROR : TIME_OK;
}

static long sys_adjtimex(const struct sysargs *a) { return adjust(a->a[0]); }

static long sys_clock_adjtime(const struct sysargs *a)
{
	int clock = (int)a->a[0];

	if (clock == CLOCK_REALTIME)
		return adjust(a->a[1]);
	return clock > 0 && clock <= CLOCK_TAI && clock != 10 ? -EOPNOTSUPP : -EINVAL;
}

static const struct syscall_entry clock_set_calls[] = {
	{ 164, sys_settimeofday },
	{ 227, sys_clock_settime },
	{ 159, sys_adjtimex },
	{ 305, sys_clock_adjtime },
};

SYSCALL_TABLE(clock_set_calls);
