/* signalfd, signalfd4: signals read from a file instead of delivered
 * (signalfd(2)).  The file holds a mask; a read takes, among the signals in
 * it, what the reading thread could take (its own pending set, then the
 * process's), each as a 128-byte struct signalfd_siginfo.  Programs block
 * those signals so they stay pending until read.  Readable (poll, epoll)
 * while the polling thread has one pending; every signal sent wakes the
 * signal layer's sigfd_waiters, which readers and pollers wait on. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/stat.h"
#include "fs/wait.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define SFD_FLAGS	(O_NONBLOCK | O_CLOEXEC)
#define ANON_DEV	0x0e	/* st_dev of anonymous-inode files */

struct signalfd {
	volatile uint64_t mask;	/* changed by signalfd4 on this file; read as one word */
};

struct signalfd_siginfo {
	uint32_t signo;
	int32_t errno_, code;
	uint32_t pid, uid;
	int32_t fd;
	uint32_t tid, band, overrun, trapno;
	int32_t status, int_;
	uint64_t ptr, utime, stime, addr;
	uint16_t addr_lsb, pad2;
	int32_t syscall;
	uint64_t call_addr;
	uint32_t arch;
	uint8_t pad[28];
};

_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

/* The fields of the siginfo's kind, as Linux's siginfo_layout tells them
 * apart: by si_code, and for the kernel's own codes (above 0) by signal,
 * since CLD_EXITED, POLL_IN and SEGV_MAPERR are all 1. */
static struct signalfd_siginfo to_ssi(const struct linux_siginfo *si)
{
	struct signalfd_siginfo s = { .signo = si->signo, .errno_ = si->errno_, .code = si->code };

	if (si->code == SI_TIMER) {
		s.tid = si->timer.tid;
		s.overrun = si->timer.overrun;
		s.int_ = (int32_t)si->timer.value;
		s.ptr = si->timer.value;
	} else if (si->code <= 0) {	/* kill, tkill, sigqueue */
		s.pid = si->kill.pid;
		s.uid = si->kill.uid;
		s.int_ = (int32_t)si->kill.value;
		s.ptr = si->kill.value;
	} else if (si->code == SI_KERNEL) {
		/* nothing more */
	} else if (si->signo == SIGCHLD) {
		s.pid = si->kill.pid;
		s.uid = si->kill.uid;
		s.status = (int32_t)si->kill.value;	/* si_status */
	} else if (is_fault_signal(si->signo)) {
		s.addr = si->fault.addr;
	} else {	/* SIGIO's, or F_SETSIG's signal: POLL_IN... */
		s.band = (uint32_t)si->poll.band;
		s.fd = si->poll.fd;
	}
	return s;
}

/* Takes one signal in mask; when there is none and w is given, queues w on
 * sigfd_waiters under the same lock that signal_send takes, so a signal
 * sent after the look still wakes it. */
static int take(uint64_t mask, struct linux_siginfo *info, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int sig = sig_take(current(), mask, info);

	if (!sig && w)
		waitq_prepare(&sigfd_waiters, w);
	spin_unlock_irqrestore(&sig_lock, flags);
	return sig;
}

/* Fills the buffer with what is there; waits only for the first. */
static long signalfd_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct signalfd *sfd = f->priv;
	struct linux_siginfo info;
	size_t n = 0;

	(void)pos;
	if (b->len < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	while (n + sizeof(struct signalfd_siginfo) <= b->len) {
		struct waiter w;
		bool wait = !n && !(f->flags & O_NONBLOCK) && !thread_signalled();
		if (!take(sfd->mask, &info, wait ? &w : NULL)) {
			if (n)
				break;
			if (!wait)
				return f->flags & O_NONBLOCK ? -EAGAIN : -ERESTARTSYS;
			wait_sleep(&sigfd_waiters, &w, 0);
			continue;
		}
		struct signalfd_siginfo s = to_ssi(&info);
		/* Taken before the copy, as on Linux: a bad buffer loses it. */
		if (iobuf_fill(b, n, &s, sizeof s))
			return n ? (long)n : -EFAULT;
		n += sizeof s;
	}
	return (long)n;
}

static unsigned signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd *sfd = f->priv;

	poll_wait(pt, &sigfd_waiters);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	bool ready = sig_pending_for(current()) & sfd->mask;
	spin_unlock_irqrestore(&sig_lock, flags);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static int signalfd_stat(struct file *f, struct kstat *st)
{
	(void)f;
	*st = (struct kstat){ .dev = ANON_DEV, .ino = 2, .nlink = 1, .mode = 0600, .blksize = 4096 };
	return 0;
}

static void signalfd_release(struct file *f) { kfree(f->priv); }

/* Linux's answer for a file that cannot be written, though open for it. */
static long signalfd_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return -EINVAL;
}

static const struct file_ops signalfd_ops = {
	.read = signalfd_read,
	.write = signalfd_write,
	.poll = signalfd_poll,
	.stat = signalfd_stat,
	.release = signalfd_release,
	.sees_empty = true,	/* 0 bytes are EINVAL, as any short transfer */
};

static long signalfd_new(uint64_t mask, uint64_t flags)
{
	static const char name[] = "anon_inode:[signalfd]";
	struct signalfd *sfd = kmalloc(sizeof *sfd);
	struct file *f = sfd ? file_new(&signalfd_ops, O_RDWR | (flags & O_NONBLOCK), sfd) : NULL;

	if (!f) {
		kfree(sfd);
		return -ENOMEM;
	}
	sfd->mask = mask;
	f->path = kmalloc(sizeof name);
	if (f->path)
		memcpy(f->path, name, sizeof name);
	return fd_install(f, 0, flags & O_CLOEXEC);
}

/* fd -1: a new signalfd; else a signalfd whose mask changes. */
static long signalfd_set(int fd, uint64_t umask, uint64_t size, uint64_t flags)
{
	uint64_t mask;

	if (size != sizeof mask || (flags & ~(uint64_t)SFD_FLAGS))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof mask))
		return -EFAULT;
	mask &= ~UNBLOCKABLE;
	if (fd == -1)
		return signalfd_new(mask, flags);
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long ret = f->ops == &signalfd_ops ? fd : -EINVAL;
	if (ret >= 0) {
		((struct signalfd *)f->priv)->mask = mask;
		waitq_wake_all(&sigfd_waiters);	/* readers look again with the new mask */
	}
	file_put(f);
	return ret;
}

static long sys_signalfd(const struct sysargs *a)
{
	return signalfd_set((int)a->a[0], a->a[1], a->a[2], 0);
}

static long sys_signalfd4(const struct sysargs *a)
{
	return signalfd_set((int)a->a[0], a->a[1], a->a[2], a->a[3]);
}

static const struct syscall_entry signalfd_calls[] = {
	{ 282, sys_signalfd },
	{ 289, sys_signalfd4 },
};

SYSCALL_TABLE(signalfd_calls);
