/* Linux native AIO's system calls: io_setup, io_destroy, io_submit,
 * io_cancel, io_getevents, io_pgetevents (linux/aio.h has the context,
 * aio_submit.c the requests).  Arguments are checked in Linux 6.x's
 * order; a context is named by its ring's address, looked up in the
 * calling address space. */
#include "core/errno.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/aio.h"
#include "linux/syscall.h"
#include "linux/time.h"
#include "linux/waitmask.h"

#define KTIME_SEC_MAX	9223372036ll	/* past this a timeout is none (Linux's KTIME_MAX) */

static long sys_io_setup(const struct sysargs *a)
{
	unsigned nr = (unsigned)a->a[0];
	uint64_t uctx = a->a[1], ctx;

	if (copy_from_user(&ctx, uctx, sizeof ctx))
		return -EFAULT;
	if (ctx || !nr)
		return -EINVAL;
	long err = aio_setup(nr, &ctx);
	if (err)
		return err;
	if (copy_to_user(uctx, &ctx, sizeof ctx)) {
		struct aio_ctx *c = aio_lookup(ctx);
		if (c)
			aio_destroy(c);
		return -EFAULT;
	}
	return 0;
}

static long sys_io_destroy(const struct sysargs *a)
{
	struct aio_ctx *ctx = aio_lookup(a->a[0]);

	return ctx ? aio_destroy(ctx) : -EINVAL;
}

static long sys_io_submit(const struct sysargs *a)
{
	long nr = (long)a->a[1];
	uint64_t uiocbpp = a->a[2];
	long i, err = 0;

	if (nr < 0)
		return -EINVAL;
	struct aio_ctx *ctx = aio_lookup(a->a[0]);
	if (!ctx)
		return -EINVAL;
	if (nr > (long)aio_ring_size(ctx))
		nr = aio_ring_size(ctx);
	for (i = 0; i < nr && !err; i++) {
		uint64_t uiocb;
		if (copy_from_user(&uiocb, uiocbpp + (uint64_t)i * sizeof uiocb, sizeof uiocb))
			err = -EFAULT;
		else
			err = aio_submit_one(ctx, uiocb);
		if (err)
			break;
	}
	aio_put(ctx);
	return i ? i : err;
}

static long sys_io_cancel(const struct sysargs *a)
{
	uint64_t uiocb = a->a[1];
	uint32_t key;

	if (copy_from_user(&key, uiocb + 8, sizeof key))	/* iocb.aio_key */
		return -EFAULT;
	if (key != 0)
		return -EINVAL;
	struct aio_ctx *ctx = aio_lookup(a->a[0]);
	if (!ctx)
		return -EINVAL;
	long err = aio_cancel(ctx, uiocb);
	aio_put(ctx);
	/* the event comes through the ring: -EINPROGRESS says it will */
	return err ? err : -EINPROGRESS;
}

/* A relative timeout as Linux 6.18 takes it, unchecked: NULL, a negative
 * one or one past KTIME_SEC_MAX waits for ever (0), zero not at all
 * (UINT64_MAX), else a deadline on clock_ns(). */
static long read_timeout(uint64_t uts, uint64_t *deadline)
{
	struct linux_timespec ts;

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec >= KTIME_SEC_MAX)
		return 0;
	int64_t ns = ts.tv_sec < -KTIME_SEC_MAX ? -1 : ts.tv_sec * 1000000000ll + ts.tv_nsec;
	*deadline = ns < 0 ? 0 : !ns ? UINT64_MAX : clock_ns() + (uint64_t)ns;
	return 0;
}

static long getevents(const struct sysargs *a, uint64_t deadline)
{
	long min_nr = (long)a->a[1], nr = (long)a->a[2];
	struct aio_ctx *ctx = aio_lookup(a->a[0]);
	long r = -EINVAL;

	if (!ctx)
		return r;
	if (min_nr <= nr && min_nr >= 0)
		r = aio_getevents(ctx, min_nr, nr, a->a[3], deadline);
	aio_put(ctx);
	return r;
}

static long sys_io_getevents(const struct sysargs *a)
{
	uint64_t deadline;
	long err = read_timeout(a->a[4], &deadline);

	if (err)
		return err;
	long r = getevents(a, deadline);
	/* not restarted, whatever SA_RESTART says */
	return !r && thread_signalled() ? -EINTR : r;
}

/* struct __aio_sigset */
struct aio_sigset {
	uint64_t sigmask;
	uint64_t sigsetsize;
};

static long sys_io_pgetevents(const struct sysargs *a)
{
	struct aio_sigset s = { 0, 0 };
	uint64_t deadline;
	long err = read_timeout(a->a[4], &deadline);

	if (err)
		return err;
	if (a->a[5] && copy_from_user(&s, a->a[5], sizeof s))
		return -EFAULT;
	if ((err = waitmask_apply(s.sigmask, s.sigsetsize)))
		return err;
	long r = getevents(a, deadline);
	return !r && thread_signalled() ? -ERESTARTNOHAND : r;
}

static const struct syscall_entry aio_calls[] = {
	{ 206, sys_io_setup },
	{ 207, sys_io_destroy },
	{ 208, sys_io_getevents },
	{ 209, sys_io_submit },
	{ 210, sys_io_cancel },
	{ 333, sys_io_pgetevents },
};

SYSCALL_TABLE(aio_calls);
