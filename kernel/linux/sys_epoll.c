/* epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
 * epoll_pwait2: argument checks in Linux's order; the instance is
 * fs/epoll.c's. */
#include "core/errno.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "fs/epoll.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "linux/syscall.h"
#include "linux/time.h"
#include "linux/waitmask.h"

#define EPOLL_CLOEXEC	O_CLOEXEC
#define MAX_EVENTS	(0x7fffffff / (int)sizeof(struct epoll_event_user))
#define NS_PER_SEC	1000000000ull

static long create(uint64_t flags)
{
	if (flags & ~(uint64_t)EPOLL_CLOEXEC)
		return -EINVAL;
	struct file *f = epoll_new();
	return f ? fd_install(f, 0, flags & EPOLL_CLOEXEC) : -ENOMEM;
}

static long sys_epoll_create(const struct sysargs *a) { return (int)a->a[0] <= 0 ? -EINVAL : create(0); }
static long sys_epoll_create1(const struct sysargs *a) { return create(a->a[0]); }

static long sys_epoll_ctl(const struct sysargs *a)
{
	int op = (int)a->a[1], fd = (int)a->a[2];
	struct epoll_event_user ev = { 0, 0 };

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, a->a[3], sizeof ev))
		return -EFAULT;
	struct file *ep = fd_get((int)a->a[0]);
	if (!ep)
		return -EBADF;
	struct file *target = fd_get(fd);
	long err = target ? epoll_ctl(ep, op, fd, target, ev.events, ev.data) : -EBADF;
	if (target)
		file_put(target);
	file_put(ep);
	return err;
}

/* deadline: clock_ns() terms, 0 for none, already past for a zero timeout. */
static long wait(int epfd, uint64_t uevents, int max, uint64_t deadline)
{
	struct iobuf out = iobuf_user(uevents, (size_t)max * sizeof(struct epoll_event_user));

	if (max <= 0 || max > MAX_EVENTS)
		return -EINVAL;
	if (!user_range_ok(out.user, out.len))
		return -EFAULT;
	struct file *ep = fd_get(epfd);
	if (!ep)
		return -EBADF;
	long n = epoll_is(ep) ? epoll_wait(ep, &out, max, deadline) : -EINVAL;
	file_put(ep);
	return n;
}

static uint64_t deadline_ms(int timeout_ms)
{
	uint64_t now = clock_ns();

	if (timeout_ms < 0)
		return 0;
	return timeout_ms ? now + (uint64_t)timeout_ms * 1000000 : now ? now : 1;
}

static long sys_epoll_wait(const struct sysargs *a)
{
	return wait((int)a->a[0], a->a[1], (int)a->a[2], deadline_ms((int)a->a[3]));
}

static long sys_epoll_pwait(const struct sysargs *a)
{
	long err = waitmask_apply(a->a[4], a->a[5]);

	return err ? err : wait((int)a->a[0], a->a[1], (int)a->a[2], deadline_ms((int)a->a[3]));
}

/* The timeout is a struct timespec (NULL: for ever), to the nanosecond. */
static long sys_epoll_pwait2(const struct sysargs *a)
{
	uint64_t deadline = 0, ns;

	if (a->a[3]) {
		long err = timespec_read_ns(a->a[3], &ns);
		if (err)
			return err;
		uint64_t now = clock_ns();
		deadline = !ns ? (now ? now : 1) : now + ns;
	}
	long err = waitmask_apply(a->a[4], a->a[5]);
	return err ? err : wait((int)a->a[0], a->a[1], (int)a->a[2], deadline);
}

static const struct syscall_entry epoll_calls[] = {
	{ 213, sys_epoll_create },
	{ 291, sys_epoll_create1 },
	{ 233, sys_epoll_ctl },
	{ 232, sys_epoll_wait },
	{ 281, sys_epoll_pwait },
	{ 441, sys_epoll_pwait2 },
};

SYSCALL_TABLE(epoll_calls);
