/* The console as a file: descriptors 0, 1 and 2 at start-up (and later
 * /dev/console, /dev/tty).  Reading takes standard input; writing sends
 * standard output, or standard error for the file opened as descriptor 2. */
#include "linux/stdio.h"

#include "core/errno.h"
#include "dev/console.h"
#include "frame.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/stat.h"
#include "linux/ctty.h"

#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSETSF		0x5404
#define TIOCGPGRP	0x540f
#define TIOCSPGRP	0x5410
#define TIOCGWINSZ	0x5413
#define FIONREAD	0x541b
#define TIOCGSID	0x5429
#define CHUNK		4096

static bool is_tty[3];

void stdio_set_tty(int fd, bool tty) { is_tty[fd] = tty; }

/* priv holds which stream this is: 0 in, 1 out, 2 err. */
static int stream(const struct file *f) { return (int)(uintptr_t)f->priv; }
static bool tty(const struct file *f) { return is_tty[stream(f)]; }

static long console_file_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	char chunk[CHUNK];

	(void)pos;
	long n = tty(f) ? ctty_may_read() : 0;
	if (n)
		return n;
	n = console_read(chunk, b->len < CHUNK ? b->len : CHUNK, f->flags & O_NONBLOCK);
	if (n > 0 && iobuf_fill(b, 0, chunk, n))
		return -EFAULT;	/* the bytes are lost, as on Linux */
	return n;
}

static long console_file_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	char chunk[CHUNK];
	size_t done = 0;

	(void)pos;
	while (done < b->len) {
		size_t n = b->len - done < CHUNK ? b->len - done : CHUNK;
		if (iobuf_drain(b, done, chunk, n))
			return done ? (long)done : -EFAULT;
		console_write(stream(f) == 2 ? FRAME_STDERR : FRAME_STDOUT, chunk, n);
		done += n;
	}
	return (long)done;
}

static unsigned console_file_poll(struct file *f, struct poll_table *pt)
{
	unsigned ev = POLLOUT | POLLWRNORM;

	(void)f;
	poll_wait(pt, console_input_waitq());
	if (console_input_ready())
		ev |= POLLIN | POLLRDNORM;
	return ev;
}

/* The int an ioctl answers through arg. */
static long put_int(uint64_t arg, int v)
{
	struct iobuf out = iobuf_user(arg, sizeof v);

	return iobuf_fill(&out, 0, &v, sizeof v);
}

static long set_foreground(uint64_t arg)
{
	int pgid;
	struct iobuf in = iobuf_user(arg, sizeof pgid);

	return iobuf_drain(&in, 0, &pgid, sizeof pgid) ? -EFAULT : ctty_set_foreground(pgid);
}

static long console_file_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	uint16_t winsize[4] = { 0 };	/* rows, columns, pixels */
	uint8_t termios[60] = { 0 };	/* enough for isatty() and stdio buffering */
	struct iobuf out;

	if (!tty(f))
		return -ENOTTY;
	switch (cmd) {
	case TIOCGWINSZ:
		console_winsize(&winsize[0], &winsize[1]);
		out = iobuf_user(arg, sizeof winsize);
		return iobuf_fill(&out, 0, winsize, sizeof winsize);
	case TCGETS:
		out = iobuf_user(arg, sizeof termios);
		return iobuf_fill(&out, 0, termios, sizeof termios);
	case TCSETS: case TCSETSW: case TCSETSF:
		return 0;	/* the host's terminal is amphi's to set */
	case TIOCSPGRP:
		return set_foreground(arg);
	case TIOCGPGRP:
		return put_int(arg, ctty_foreground());
	case TIOCGSID:
		return put_int(arg, ctty_session());
	case FIONREAD:
		return put_int(arg, 0);
	default:
		return -EINVAL;
	}
}

static int console_file_stat(struct file *f, struct kstat *st)
{
	*st = (struct kstat){ .dev = 0x16, .ino = 3 + stream(f), .nlink = 1, .blksize = CHUNK };
	st->mode = tty(f) ? S_IFCHR | 0620 : S_IFIFO | 0600;
	st->rdev = tty(f) ? 136 << 8 : 0;	/* /dev/pts/0 */
	return 0;
}

static const struct file_ops console_ops = {
	.read = console_file_read,
	.write = console_file_write,
	.poll = console_file_poll,
	.ioctl = console_file_ioctl,
	.stat = console_file_stat,
	.async = true,
};

struct file *stdio_open(int stream_no, unsigned flags)
{
	return file_new(&console_ops, flags, (void *)(uintptr_t)stream_no);
}

int stdio_install(struct fdtable *t)
{
	static const unsigned modes[3] = { O_RDONLY, O_WRONLY, O_WRONLY };

	for (int fd = 0; fd < 3; fd++) {
		struct file *f = stdio_open(fd, modes[fd]);
		if (!f || fdtable_install_at(t, f, fd, false) < 0)
			return -ENOMEM;
	}
	return 0;
}
