/* /dev/kmsg (Linux's Documentation/ABI/testing/dev-kmsg): the kernel's
 * log one record per read, as util-linux's dmesg and systemd read it, and
 * a way for programs to add lines to it.
 *
 * A read gives the reader's next record as
 * "PRIORITY,SEQ,MICROSECONDS,-;TEXT\n", TEXT's unprintable bytes as \xNN;
 * EPIPE once when records it had not read yet were dropped to make room
 * (it then goes on from the oldest); EINVAL when the buffer is too small,
 * the record skipped all the same.  lseek takes only offset 0: SEEK_SET to
 * the oldest record, SEEK_DATA to where syslog's CLEAR left the log,
 * SEEK_END past the newest.  A write is one record, its "<N>" prefix
 * giving its priority (facility LOG_USER unless the prefix names
 * another), ten a writer per five seconds: the rest are dropped and
 * counted, as Linux's default printk.devkmsg=ratelimit does.  Each of
 * these is Linux 6.x's devkmsg_* behaviour. */
#include "core/errno.h"
#include "core/format.h"
#include "core/klog.h"
#include "core/kmalloc.h"
#include "core/mutex.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "fs/devfs.h"
#include "fs/poll.h"
#include "fs/vfs_file.h"
#include "linux/syslog.h"

#define LOG_USER	1	/* a writer's facility unless it names another */
#define WRITE_MAX	1024	/* Linux's PRINTKRB_RECORD_MAX */
#define BURST		10
#define INTERVAL_NS	(5 * 1000 * 1000 * 1000ull)
#define RECORD_MAX	(4 * KLOG_TEXT_MAX + 64)	/* every byte escaped, and the header */

struct reader {
	struct mutex lock;	/* one read or seek at a time, as Linux's */
	uint64_t seq;		/* the next record to give */
	struct klog_record r;
	char out[RECORD_MAX];
	/* The rate limit of writes through this open file, under its own
	 * lock: a write never waits for a read of the same file, which may
	 * be waiting for that very write's record (Linux's devkmsg_write
	 * takes no reader's lock either). */
	struct spinlock rate_lock;
	uint64_t window_start;
	unsigned written, dropped;
};

static size_t format_record(const struct klog_record *r, char *out)
{
	size_t n = (size_t)snprintf(out, RECORD_MAX, "%u,%lu,%lu,-;", r->priority, (unsigned long)r->seq,
				    (unsigned long)(r->ns / 1000));

	for (size_t k = 0; k < r->len; k++) {
		unsigned char c = (unsigned char)r->text[k];
		if (c < ' ' || c >= 127 || c == '\\')
			n += (size_t)snprintf(out + n, RECORD_MAX - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n++] = '\n';
	return n;
}

/* The reader's next record into rd->r, waiting for one unless nonblock:
 * 0, -EAGAIN, -ERESTARTSYS. */
static int next_record(struct reader *rd, bool nonblock)
{
	while (!klog_read(rd->seq, &rd->r)) {
		if (nonblock)
			return -EAGAIN;
		int err = syslog_wait(rd->seq);
		if (err)
			return err;
	}
	return 0;
}

static long kmsg_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct reader *rd = f->priv;
	long ret;

	(void)pos;
	mutex_lock(&rd->lock);
	ret = next_record(rd, f->flags & O_NONBLOCK);
	if (!ret && rd->r.seq != rd->seq) {
		rd->seq = rd->r.seq;	/* records it missed are gone */
		ret = -EPIPE;
	} else if (!ret) {
		rd->seq = rd->r.seq + 1;
		size_t n = format_record(&rd->r, rd->out);
		ret = n > b->len ? -EINVAL : iobuf_fill(b, 0, rd->out, n) ? -EFAULT : (long)n;
	}
	mutex_unlock(&rd->lock);
	return ret;
}

static int64_t kmsg_llseek(struct file *f, int64_t off, int whence)
{
	struct reader *rd = f->priv;
	int64_t ret = 0;

	if (whence < 0 || whence > SEEK_HOLE)
		return -EINVAL;
	if (off)
		return -ESPIPE;
	mutex_lock(&rd->lock);
	if (whence == SEEK_SET)
		rd->seq = klog_first();
	else if (whence == SEEK_DATA)
		rd->seq = syslog_clear_seq();
	else if (whence == SEEK_END)
		rd->seq = klog_next();
	else
		ret = -EINVAL;
	mutex_unlock(&rd->lock);
	return ret;
}

static unsigned kmsg_poll(struct file *f, struct poll_table *pt)
{
	struct reader *rd = f->priv;
	uint64_t seq = __atomic_load_n(&rd->seq, __ATOMIC_RELAXED);

	poll_wait(pt, &klog_wait);
	if (klog_next() <= seq)
		return 0;
	return POLLIN | POLLRDNORM | (klog_first() > seq ? POLLERR | POLLPRI : 0);
}

/* Whether this write may go into the log (Linux's ___ratelimit). */
static bool within_rate(struct reader *rd)
{
	uint64_t now = clock_ns();

	if (!rd->window_start || now - rd->window_start > INTERVAL_NS) {
		rd->window_start = now;
		rd->written = 0;
	}
	if (rd->written < BURST) {
		rd->written++;
		return true;
	}
	rd->dropped++;
	return false;
}

/* "<N>" at the start of line: its priority, and where the text starts. */
static unsigned parse_priority(const char *line, const char **text)
{
	unsigned priority = LOG_USER << 3 | KLOG_WARNING, n = 0;
	const char *p = line + 1;

	*text = line;
	if (line[0] != '<')
		return priority;
	while (*p >= '0' && *p <= '9')
		n = n * 10 + (unsigned)(*p++ - '0');
	if (*p != '>')
		return priority;
	*text = p + 1;
	unsigned facility = n >> 3 & 0xff;	/* Linux's LOG_FACILITY: a record keeps 8 bits */
	return (facility ? facility : LOG_USER) << 3 | (n & 7);
}

static long kmsg_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct reader *rd = f->priv;

	(void)pos;
	if (b->len > WRITE_MAX)
		return -EINVAL;
	spin_lock(&rd->rate_lock);
	bool take = within_rate(rd);
	spin_unlock(&rd->rate_lock);
	if (!take)
		return (long)b->len;
	char *line = kmalloc(b->len + 1);
	if (!line)
		return -ENOMEM;
	long ret = iobuf_drain(b, 0, line, b->len) ? -EFAULT : (long)b->len;
	if (ret >= 0) {
		const char *text;
		line[b->len] = 0;
		unsigned priority = parse_priority(line, &text);
		size_t len = strlen(text);
		printk_emit(priority, text, len && text[len - 1] == '\n' ? len - 1 : len);
	}
	kfree(line);
	return ret;
}

static void kmsg_release(struct file *f)
{
	struct reader *rd = f->priv;

	if (rd->dropped)
		printk("printk: %s: %u output lines suppressed due to ratelimiting\n", current()->name,
		       rd->dropped);
	kfree(rd);
	vfs_file_release(f);
}

static const struct file_ops kmsg_ops = {
	.read = kmsg_read, .write = kmsg_write, .poll = kmsg_poll, .llseek = kmsg_llseek,
	.stat = vfs_file_stat, .release = kmsg_release, .sees_empty = true,
};

/* Readers need what READ_ALL needs; a writer only the file's mode. */
static int kmsg_open(struct inode *i, unsigned flags, struct file **out)
{
	int err = (flags & O_ACCMODE) == O_WRONLY ? 0 : syslog_may(SYSLOG_READ_ALL);

	if (err)
		return err;
	struct reader *rd = kmalloc(sizeof *rd);
	if (!rd)
		return -ENOMEM;
	*rd = (struct reader){ .seq = klog_first(), .rate_lock = SPINLOCK_INIT };
	mutex_init(&rd->lock);
	*out = vfs_file_new(i, &kmsg_ops, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC), rd);
	if (!*out) {
		kfree(rd);
		return -ENOMEM;
	}
	return 0;
}

int dev_kmsg_register(void)
{
	return chrdev_register(dev_make(1, 11), kmsg_open);
}
