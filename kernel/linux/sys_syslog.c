/* syslog(2), klogctl in C libraries: the kernel's log (core/klog.h) as
 * busybox's dmesg reads it, one "<priority>[seconds.micros] text" line per
 * record, and the console's level.  Linux's rules throughout
 * (kernel/printk/printk.c's do_syslog): who may ask (syslog_may), the
 * checks of each action in its order, READ consuming the log for one
 * reader (a record too big for the buffer read in parts), READ_ALL giving
 * the newest records that fit since the last CLEAR. */
#include "linux/syslog.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/klog.h"
#include "core/kmalloc.h"
#include "core/mutex.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "fs/file.h"
#include "linux/cred.h"
#include "linux/syscall.h"

#define CONSOLE_LEVEL_MIN	1	/* Linux's minimum_console_loglevel */
#define LINES_MAX	2048	/* a record's lines with their prefixes (Linux's PRINTK_MESSAGE_MAX) */

static struct mutex syslog_lock = MUTEX_INIT(syslog_lock);	/* guards the rest */
static uint64_t read_seq;	/* READ's next record */
static size_t read_partial;	/* the bytes of it READ already gave */
static uint64_t clear_seq;	/* READ_ALL starts here */
static int saved_console_level = -1;	/* CONSOLE_OFF's, for CONSOLE_ON */

/* Without dmesg_restrict, anyone may read the whole log and its size. */
static bool restricted(int action)
{
	return DMESG_RESTRICT || (action != SYSLOG_READ_ALL && action != SYSLOG_SIZE_BUFFER);
}

int syslog_may(int action)
{
	static bool warned;

	if (!restricted(action) || cred_capable(CAP_SYSLOG))
		return 0;
	if (!cred_capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
		printk("%s (%d): Attempt to access syslog with CAP_SYS_ADMIN but no CAP_SYSLOG "
		       "(deprecated).\n", current()->name, current()->tid);
	return 0;
}

uint64_t syslog_clear_seq(void) { return __atomic_load_n(&clear_seq, __ATOMIC_RELAXED); }

/* r as READ and READ_ALL give it, each of its lines after the prefix:
 * the size of what was written to out.  Lines that the prefixes push past
 * LINES_MAX are cut, as Linux cuts them. */
static size_t format_lines(const struct klog_record *r, char *out)
{
	char prefix[48];
	size_t plen = (size_t)snprintf(prefix, sizeof prefix, "<%u>[%5lu.%06lu] ", r->priority,
				       (unsigned long)(r->ns / 1000000000),
				       (unsigned long)(r->ns % 1000000000 / 1000));
	size_t n = 0;

	for (size_t k = 0;; k++) {
		size_t end = k;
		while (end < r->len && r->text[end] != '\n')
			end++;
		if (n + plen + 1 >= LINES_MAX)
			break;
		size_t len = end - k < LINES_MAX - n - plen - 1 ? end - k : LINES_MAX - n - plen - 1;
		memcpy(out + n, prefix, plen);
		memcpy(out + n + plen, r->text + k, len);
		n += plen + len;
		out[n++] = '\n';
		if (end >= r->len)
			break;
		k = end;	/* and past its newline */
	}
	return n;
}

int syslog_wait(uint64_t seq)
{
	struct waiter w = { 0 };

	while (klog_next() <= seq) {
		if (thread_signalled())
			return -ERESTARTSYS;
		waitq_prepare(&klog_wait, &w);
		bool ready = klog_next() > seq;	/* added before we were queued */
		waitq_sleep_interruptible(&klog_wait, &w, clock_ns() + (ready ? 0 : KLOG_WAIT_NS));
	}
	return 0;
}

/* A record and its line, for the loops below. */
struct line {
	struct klog_record r;
	char text[LINES_MAX];
	size_t len;
};

static bool read_line(uint64_t seq, struct line *l)
{
	if (!klog_read(seq, &l->r))
		return false;
	l->len = format_lines(&l->r, l->text);
	return true;
}

/* READ: waits for a record, then gives the records from read_seq that
 * fit, the first in parts if it alone does not. */
static long read_consuming(const struct iobuf *b, struct line *l)
{
	size_t size = b->len;
	long done = 0;

	mutex_lock(&syslog_lock);
	for (uint64_t seq; !klog_read(seq = read_seq, &l->r);) {
		mutex_unlock(&syslog_lock);
		int err = syslog_wait(seq);
		if (err)
			return err;
		mutex_lock(&syslog_lock);
	}
	while (size && read_line(read_seq, l)) {
		if (l->r.seq != read_seq) {	/* gone meanwhile: go on from the oldest */
			read_seq = l->r.seq;
			read_partial = 0;
		}
		size_t skip = read_partial, n = l->len - skip;
		if (n <= size) {
			read_seq++;
			read_partial = 0;
		} else if (!done) {
			n = size;
			read_partial += n;
		} else
			break;
		if (iobuf_fill(b, (size_t)done, l->text + skip, n)) {
			done = done ? done : -EFAULT;
			break;
		}
		done += (long)n;
		size -= n;
	}
	mutex_unlock(&syslog_lock);
	return done;
}

/* The first record from clear_seq on whose lines, with all after them,
 * fit in size bytes. */
static uint64_t first_fitting(size_t size, struct line *l)
{
	uint64_t seq = clear_seq > klog_first() ? clear_seq : klog_first(), end = klog_next();
	size_t total = 0;

	for (uint64_t s = seq; s < end && read_line(s, l); s = l->r.seq + 1)
		total += l->len;
	while (total > size && read_line(seq, l)) {
		total -= l->len;
		seq = l->r.seq + 1;
	}
	return seq;
}

/* READ_ALL and READ_CLEAR: the newest records that fit, the log kept. */
static long read_all(uint64_t buf, size_t size, bool clear, struct line *l)
{
	long done = 0;

	mutex_lock(&syslog_lock);
	uint64_t seq = first_fitting(size, l);
	for (; read_line(seq, l); seq = l->r.seq + 1) {
		if ((size_t)done + l->len > size)
			break;
		if (copy_to_user(buf + (uint64_t)done, l->text, l->len)) {
			done = -EFAULT;
			break;
		}
		done += (long)l->len;
	}
	if (clear)
		clear_seq = seq;
	mutex_unlock(&syslog_lock);
	return done;
}

/* SIZE_UNREAD: the bytes READ would give now. */
static long unread(struct line *l)
{
	long n = 0;

	mutex_lock(&syslog_lock);
	if (read_line(read_seq, l) && l->r.seq != read_seq) {
		read_seq = l->r.seq;
		read_partial = 0;
	}
	for (uint64_t s = read_seq; read_line(s, l); s = l->r.seq + 1)
		n += (long)l->len;
	n -= n ? (long)read_partial : 0;
	mutex_unlock(&syslog_lock);
	return n;
}

static long console_action(int action, int len)
{
	switch (action) {
	case SYSLOG_CONSOLE_OFF:
		if (saved_console_level < 0)
			saved_console_level = printk_console_level();
		printk_set_console_level(CONSOLE_LEVEL_MIN);
		return 0;
	case SYSLOG_CONSOLE_ON:
		if (saved_console_level >= 0)
			printk_set_console_level(saved_console_level);
		saved_console_level = -1;
		return 0;
	default:	/* SYSLOG_CONSOLE_LEVEL */
		if (len < 1 || len > 8)
			return -EINVAL;
		printk_set_console_level(len < CONSOLE_LEVEL_MIN ? CONSOLE_LEVEL_MIN : len);
		saved_console_level = -1;
		return 0;
	}
}

/* The actions that move bytes: a buffer and its size checked first. */
static long transfer(int action, uint64_t buf, int len)
{
	if (!buf || len < 0)
		return -EINVAL;
	if (!len)
		return 0;
	if (!user_range_ok(buf, (size_t)len))
		return -EFAULT;
	struct line *l = kmalloc(sizeof *l);
	if (!l)
		return -ENOMEM;
	struct iobuf b = iobuf_user(buf, (size_t)len);
	long r = action == SYSLOG_READ ? read_consuming(&b, l)
				       : read_all(buf, (size_t)len, action == SYSLOG_READ_CLEAR, l);
	kfree(l);
	return r;
}

long syslog_read(const struct iobuf *b, bool nonblock)
{
	if (nonblock && syslog_unread() <= 0)
		return -EAGAIN;
	if (!b->len)
		return 0;
	struct line *l = kmalloc(sizeof *l);
	if (!l)
		return -ENOMEM;
	long r = read_consuming(b, l);
	kfree(l);
	return r;
}

long syslog_unread(void)
{
	struct line *l = kmalloc(sizeof *l);
	long n = l ? unread(l) : -ENOMEM;

	kfree(l);
	return n;
}

static long sys_syslog(const struct sysargs *a)
{
	int action = (int)a->a[0], len = (int)a->a[2];
	int err = syslog_may(action);

	if (err)
		return err;
	switch (action) {
	case SYSLOG_CLOSE:
	case SYSLOG_OPEN:
		return 0;
	case SYSLOG_READ:
	case SYSLOG_READ_ALL:
	case SYSLOG_READ_CLEAR:
		return transfer(action, a->a[1], len);
	case SYSLOG_CLEAR:
		mutex_lock(&syslog_lock);
		clear_seq = klog_next();
		mutex_unlock(&syslog_lock);
		return 0;
	case SYSLOG_CONSOLE_OFF:
	case SYSLOG_CONSOLE_ON:
	case SYSLOG_CONSOLE_LEVEL:
		mutex_lock(&syslog_lock);
		err = (int)console_action(action, len);
		mutex_unlock(&syslog_lock);
		return err;
	case SYSLOG_SIZE_UNREAD:
		return syslog_unread();
	case SYSLOG_SIZE_BUFFER:
		return KLOG_SIZE;
	default:
		return -EINVAL;
	}
}

static const struct syscall_entry syslog_calls[] = {
	{ 103, sys_syslog },
};

SYSCALL_TABLE(syslog_calls);
