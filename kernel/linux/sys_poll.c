/* poll, ppoll, select, pselect6: the same loop (fs/poller.h) over an array
 * of pollfd or over three descriptor bit sets.
 *
 * Timeouts become a deadline in clock_ns() terms: 0 means none (wait for
 * ever), and a zero timeout is a deadline already past, so the files are
 * looked at once and the call never sleeps.
 *
 * A signal ends the wait with -ERESTARTNOHAND: Linux restarts these calls
 * only when no handler ran, and a handler makes them fail with EINTR
 * whatever SA_RESTART says (signal(7)).  ppoll's and pselect6's signal mask:
 * linux/waitmask.h. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poller.h"
#include "linux/syscall.h"
#include "linux/time.h"
#include "linux/waitmask.h"

#define NS_PER_SEC	1000000000ull
#define POLLIN_SET	(POLLIN | POLLRDNORM | POLLHUP | POLLERR | 0x080 /* RDBAND */)
#define POLLOUT_SET	(POLLOUT | POLLWRNORM | POLLERR | 0x200 /* WRBAND */)
#define POLLEX_SET	POLLPRI

/* One pass over the files: how many are ready (or -errno).  hook: the
 * first pass, which also hooks the poller onto their queues. */
typedef long scan_fn(void *ctx, struct poller *p, bool hook);

static long poll_loop(scan_fn *scan, void *ctx, uint64_t deadline)
{
	struct poller p;
	long n;

	poller_init(&p);
	for (bool hook = true;; hook = false) {
		poller_arm(&p);
		n = scan(ctx, &p, hook);
		if (n || (n = p.error))
			break;
		if (deadline && clock_ns() >= deadline)
			break;
		if (thread_signalled()) {
			n = -ERESTARTNOHAND;
			break;
		}
		poller_sleep(&p, deadline);
	}
	poller_done(&p);
	return n;
}

/* ---- time --------------------------------------------------------------- */

/* sec seconds and ns nanoseconds, saturating: a timeout of centuries is
 * for ever (deadline_after then gives 0). */
static uint64_t span_ns(uint64_t sec, uint64_t ns)
{
	return sec >= UINT64_MAX / NS_PER_SEC - 1 ? UINT64_MAX : sec * NS_PER_SEC + ns;
}

/* deadline for a relative timeout of ns; a zero timeout is already past. */
static uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = clock_ns();

	if (!ns)
		return now ? now : 1;
	return now + ns < now ? 0 : now + ns;
}

/* An optional struct timespec timeout: *deadline 0 for none. */
static long get_timeout_ts(uint64_t uts, uint64_t *deadline)
{
	uint64_t ns;

	*deadline = 0;
	if (!uts)
		return 0;
	long err = timespec_read_ns(uts, &ns);
	if (!err)
		*deadline = deadline_after(ns);
	return err;
}

static uint64_t remaining(uint64_t deadline)
{
	uint64_t now = clock_ns();

	return deadline > now ? deadline - now : 0;
}

/* Linux writes what is left of the timeout back (not for a zero one); a
 * failed write is ignored, except that it makes a restart an EINTR. */
static long put_remaining(uint64_t uaddr, uint64_t deadline, bool was_zero, bool timeval, long ret)
{
	uint64_t ns = remaining(deadline);
	struct linux_timespec ts = { ns / NS_PER_SEC, ns % NS_PER_SEC };
	struct linux_timeval tv = { ns / NS_PER_SEC, ns % NS_PER_SEC / 1000 };

	if (!uaddr || !deadline || was_zero)
		return ret;
	long err = timeval ? copy_to_user(uaddr, &tv, sizeof tv) : copy_to_user(uaddr, &ts, sizeof ts);
	return err && ret == -ERESTARTNOHAND ? -EINTR : ret;
}

/* ---- poll --------------------------------------------------------------- */

struct linux_pollfd {
	int32_t fd;
	int16_t events, revents;
};

struct poll_set {
	struct linux_pollfd *fds;
	unsigned n;
};

static long poll_scan(void *ctx, struct poller *p, bool hook)
{
	struct poll_set *s = ctx;
	long ready = 0;

	for (unsigned i = 0; i < s->n; i++) {
		struct linux_pollfd *pfd = &s->fds[i];
		pfd->revents = 0;
		if (pfd->fd < 0)
			continue;
		struct file *f = fd_get(pfd->fd);
		unsigned ev = POLLNVAL;
		if (f) {
			ev = poller_poll_file(p, f, hook) & ((uint16_t)pfd->events | POLLERR | POLLHUP);
			file_put(f);
		}
		pfd->revents = (int16_t)ev;
		ready += ev != 0;
	}
	return ready;
}

static long do_poll(uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
	size_t size = nfds * sizeof(struct linux_pollfd);
	struct poll_set s = { NULL, (unsigned)nfds };

	if (nfds > FD_MAX)
		return -EINVAL;
	if (nfds && !(s.fds = kmalloc(size)))
		return -ENOMEM;
	long n = copy_from_user(s.fds, ufds, size) ? -EFAULT : poll_loop(poll_scan, &s, deadline);
	/* revents go back on success and on interruption, as on Linux. */
	if (n >= 0 || n == -ERESTARTNOHAND)
		for (unsigned i = 0; i < s.n; i++)
			if (copy_to_user(ufds + i * sizeof *s.fds + 6, &s.fds[i].revents, 2))
				n = -EFAULT;
	kfree(s.fds);
	return n;
}

static long sys_poll(const struct sysargs *a)
{
	int timeout_ms = (int)a->a[2];
	uint64_t deadline = timeout_ms < 0 ? 0 : deadline_after((uint64_t)timeout_ms * 1000000);

	return do_poll(a->a[0], (unsigned)a->a[1], deadline);
}

static long sys_ppoll(const struct sysargs *a)
{
	uint64_t deadline, uts = a->a[2];
	bool zero;
	long err = get_timeout_ts(uts, &deadline);

	if (err || (err = waitmask_apply(a->a[3], a->a[4])))
		return err;
	zero = deadline && !remaining(deadline);
	return put_remaining(uts, deadline, zero, false, do_poll(a->a[0], (unsigned)a->a[1], deadline));
}

/* ---- select ------------------------------------------------------------- */

/* Descriptor sets as Linux lays them out: bit fd % 64 of word fd / 64. */
struct select_set {
	int nfds;
	size_t words;
	uint64_t *in[3];	/* read, write, except: asked (NULL: not given) */
	uint64_t *out[3];	/* found */
};

static const unsigned select_events[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };

static bool fd_asked(const struct select_set *s, int fd)
{
	for (int k = 0; k < 3; k++)
		if (s->in[k] && (s->in[k][fd / 64] >> (fd % 64) & 1))
			return true;
	return false;
}

static long select_scan(void *ctx, struct poller *p, bool hook)
{
	struct select_set *s = ctx;
	long ready = 0;

	for (int k = 0; k < 3; k++)
		memset(s->out[k], 0, s->words * 8);
	for (int fd = 0; fd < s->nfds; fd++) {
		if (!fd_asked(s, fd))
			continue;
		struct file *f = fd_get(fd);
		if (!f) {
			if (hook)
				return -EBADF;
			continue;	/* closed while we slept: Linux skips it too */
		}
		unsigned ev = poller_poll_file(p, f, hook);
		file_put(f);
		for (int k = 0; k < 3; k++) {
			if (s->in[k] && (s->in[k][fd / 64] >> (fd % 64) & 1) && (ev & select_events[k])) {
				s->out[k][fd / 64] |= 1ull << (fd % 64);
				ready++;
			}
		}
	}
	return ready;
}

static long select_copy_in(struct select_set *s, uint64_t *block, const uint64_t u[3])
{
	for (int k = 0; k < 3; k++) {
		s->out[k] = block + (3 + k) * s->words;
		s->in[k] = u[k] ? block + k * s->words : NULL;
		if (u[k] && copy_from_user(s->in[k], u[k], s->words * 8))
			return -EFAULT;
	}
	return 0;
}

static long do_select(int nfds, const uint64_t u[3], uint64_t deadline)
{
	struct select_set s;

	if (nfds < 0)
		return -EINVAL;
	/* As Linux, no further than the descriptor table: the sets' bits
	 * past it are neither read (they may lie past the program's
	 * memory) nor a bad descriptor. */
	int size = fd_table_size();
	s.nfds = nfds > size ? size : nfds;
	s.words = (s.nfds + 63) / 64;
	uint64_t *block = kmalloc(6 * s.words * 8 + 8);
	if (!block)
		return -ENOMEM;
	long n = select_copy_in(&s, block, u);
	if (!n)
		n = poll_loop(select_scan, &s, deadline);
	for (int k = 0; k < 3 && n >= 0; k++)
		if (u[k] && copy_to_user(u[k], s.out[k], s.words * 8))
			n = -EFAULT;
	kfree(block);
	return n;
}

static long sys_select(const struct sysargs *a)
{
	const uint64_t sets[3] = { a->a[1], a->a[2], a->a[3] };
	uint64_t utv = a->a[4], deadline = 0;
	struct linux_timeval tv = { 0, 0 };

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof tv))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux takes tv_usec past a second as more seconds. */
		deadline = deadline_after(span_ns(tv.tv_sec + tv.tv_usec / 1000000,
						  tv.tv_usec % 1000000 * 1000));
	}
	bool zero = utv && !tv.tv_sec && !tv.tv_usec;
	return put_remaining(utv, deadline, zero, true, do_select((int)a->a[0], sets, deadline));
}

static long sys_pselect6(const struct sysargs *a)
{
	const uint64_t sets[3] = { a->a[1], a->a[2], a->a[3] };
	uint64_t uts = a->a[4], deadline, sig[2] = { 0, 0 };
	long err = get_timeout_ts(uts, &deadline);

	if (err)
		return err;
	if (a->a[5] && copy_from_user(sig, a->a[5], sizeof sig))
		return -EFAULT;
	if ((err = waitmask_apply(sig[0], sig[1])))
		return err;
	bool zero = deadline && !remaining(deadline);
	return put_remaining(uts, deadline, zero, false, do_select((int)a->a[0], sets, deadline));
}

static const struct syscall_entry poll_calls[] = {
	{ 7, sys_poll },
	{ 271, sys_ppoll },
	{ 23, sys_select },
	{ 270, sys_pselect6 },
};

SYSCALL_TABLE(poll_calls);
