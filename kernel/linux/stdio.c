/* The console as a file: descriptors 0, 1 and 2 at start-up (and later
 * /dev/console, /dev/tty).  Reading takes standard input; writing sends
 * standard output, or standard error for the file opened as descriptor 2. */
#include "linux/stdio.h"

#include "core/errno.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "dev/console.h"
#include "frame.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/stat.h"
#include "linux/ctty.h"
#include "linux/process.h"
#include "linux/signal.h"

#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSETSF		0x5404
#define TCSBRK		0x5409
#define TCXONC		0x540a
#define TCFLSH		0x540b
#define TIOCSCTTY	0x540e
#define TIOCGPGRP	0x540f
#define TIOCSPGRP	0x5410
#define TIOCSTI		0x5412
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414
#define FIONREAD	0x541b
#define TCSBRKP		0x5425
#define TIOCGSID	0x5429
#define TCIFLUSH	0
#define TCIOFLUSH	2
#define CHUNK		4096
/* struct termios as TCGETS and TCSETS pass it: four flag words, c_line and
 * 19 c_cc.  C libraries' own struct is larger (musl's 60 bytes, with the
 * speeds), but glibc passes exactly this much: no more may be written.
 * struct termios2 (TCGETS2...) adds the input and output speeds. */
#define KTERMIOS_SIZE	36
#define KTERMIOS2_SIZE	44
#define TCGETS2		0x802c542a
#define TCSETS2		0x402c542b
#define TCSETSW2	0x402c542c
#define TCSETSF2	0x402c542d

/* TOSTOP (0400 in c_lflag, at offset 12, little endian) as a byte's bit. */
#define TOSTOP_BYTE	13
#define TOSTOP_BIT	0x01

static bool is_tty[3];

/* The terminal's settings as TCSETS last gave them, at first what Linux
 * gives a new pty (c_iflag ICRNL|IXON, c_oflag OPOST|ONLCR, c_cflag
 * B38400|CS8|CREAD, c_lflag ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|
 * IEXTEN, its c_cc, 38400 both ways): TCGETS reads them back, and writes
 * honour TOSTOP.  Echo, line editing and the signal keys are the host
 * terminal's: amphi sets them there as the program asks (tell_host). */
static struct spinlock termios_lock = SPINLOCK_INIT;
static uint8_t termios[KTERMIOS2_SIZE] = {	/* under termios_lock */
	0x00, 0x05, 0, 0,  0x05, 0, 0, 0,  0xbf, 0, 0, 0,  0x3b, 0x8a, 0, 0,  0,
	3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0,
	0x00, 0x96, 0, 0,  0x00, 0x96, 0, 0,
};
static bool tostop;			/* its TOSTOP, read without the lock */

void stdio_set_tty(int fd, bool tty) { is_tty[fd] = tty; }
bool stdio_is_tty(int fd) { return is_tty[fd]; }

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

/* With TOSTOP a background group that writes the terminal gets SIGTTOU,
 * as it does for tcsetattr: 0 to go on, -EIO or -ERESTARTSYS. */
static long may_write(const struct file *f)
{
	return tty(f) && __atomic_load_n(&tostop, __ATOMIC_RELAXED) ? ctty_may_change() : 0;
}

static long console_file_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	char chunk[CHUNK];
	size_t done = 0;
	long err = may_write(f);

	(void)pos;
	if (err)
		return err;
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

/* The int an ioctl answers through arg, or the error in place of it. */
static long put_int(uint64_t arg, long v)
{
	int i = (int)v;
	struct iobuf out = iobuf_user(arg, sizeof i);

	return v < 0 ? v : iobuf_fill(&out, 0, &i, sizeof i);
}

static long set_foreground(uint64_t arg)
{
	int pgid;
	struct iobuf in = iobuf_user(arg, sizeof pgid);

	return iobuf_drain(&in, 0, &pgid, sizeof pgid) ? -EFAULT : ctty_set_foreground(pgid);
}

/* TCGETS (size KTERMIOS_SIZE) or TCGETS2 (KTERMIOS2_SIZE): what was last
 * set. */
static long get_attrs(uint64_t arg, size_t size)
{
	uint8_t t[KTERMIOS2_SIZE];
	struct iobuf out = iobuf_user(arg, size);
	uint64_t flags = spin_lock_irqsave(&termios_lock);

	memcpy(t, termios, size);
	spin_unlock_irqrestore(&termios_lock, flags);
	return iobuf_fill(&out, 0, t, size);
}

/* The host terminal does the echo, line editing and signal keys: amphi
 * gets the input and local flag words (docs/protocol.md, frame M) and
 * sets those modes on its terminal, so a password prompt does not echo
 * and an editor reads each key as it comes. */
static void tell_host(const uint8_t *t)
{
	uint8_t modes[8];

	memcpy(modes, t, 4);		/* c_iflag */
	memcpy(modes + 4, t + 12, 4);	/* c_lflag */
	console_write(FRAME_TERMINAL, modes, sizeof modes);
}

/* Checked as Linux does (a background group's SIGTTOU, the address) and
 * kept for TCGETS and TOSTOP: the host's terminal is amphi's to set. */
static long set_attrs(uint64_t arg, size_t size)
{
	uint8_t t[KTERMIOS2_SIZE];
	struct iobuf in = iobuf_user(arg, size);
	long err = ctty_may_change();

	if (err || (err = iobuf_drain(&in, 0, t, size)))
		return err;
	uint64_t flags = spin_lock_irqsave(&termios_lock);
	memcpy(termios, t, size);	/* TCSETS leaves the speeds as they were */
	__atomic_store_n(&tostop, (t[TOSTOP_BYTE] & TOSTOP_BIT) != 0, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&termios_lock, flags);
	tell_host(t);
	return 0;
}

static long winsize(uint64_t arg)
{
	uint16_t ws[4];	/* rows, columns, pixels */
	struct iobuf out = iobuf_user(arg, sizeof ws);

	console_winsize(ws);
	return iobuf_fill(&out, 0, ws, sizeof ws);
}

/* A new size tells the foreground group, as Linux's does (the host's
 * next SIGWINCH frame sets it again). */
static long set_winsize(uint64_t arg)
{
	uint16_t ws[4];
	struct iobuf in = iobuf_user(arg, sizeof ws);

	if (iobuf_drain(&in, 0, ws, sizeof ws))
		return -EFAULT;
	if (console_set_winsize(ws))
		ctty_signal(SIGWINCH);
	return 0;
}

/* tcflush, tcflow, tcdrain and tcsendbreak: a background group's SIGTTOU
 * first, as for tcsetattr.  Output is written before write returns and
 * the line to amphi has no flow control or break, so only a flush of
 * input (type-ahead a password prompt drops) does anything. */
static long line_control(unsigned long cmd, uint64_t arg)
{
	long err = ctty_may_change();

	if (err)
		return err;
	if (cmd == TCFLSH && arg > TCIOFLUSH)
		return -EINVAL;
	if (cmd == TCFLSH && (arg == TCIFLUSH || arg == TCIOFLUSH))
		console_input_flush();
	return cmd == TCXONC && arg > 3 ? -EINVAL : 0;	/* TCOOFF..TCION */
}

/* TIOCSCTTY: the terminal already belongs to init's session, so only its
 * leader (whose pid is the session's id) may ask for it, with nothing to
 * do; anyone else would take it from that session, which Linux allows
 * only to CAP_SYS_ADMIN with arg 1 and amphi not at all. */
static long take_ctty(void)
{
	return ctty_query(true) == process_current()->pid ? 0 : -EPERM;
}

/* What the console answers as a terminal (amphi's stdin, stdout or stderr
 * is one); an ioctl it does not know is ENOTTY, as Linux's terminals say. */
static long tty_ioctl(unsigned long cmd, uint64_t arg)
{
	switch (cmd) {
	case TIOCGWINSZ: return winsize(arg);
	case TCGETS: return get_attrs(arg, KTERMIOS_SIZE);
	case TCSETS: case TCSETSW: case TCSETSF: return set_attrs(arg, KTERMIOS_SIZE);
	case TCGETS2: return get_attrs(arg, KTERMIOS2_SIZE);
	case TCSETS2: case TCSETSW2: case TCSETSF2: return set_attrs(arg, KTERMIOS2_SIZE);
	case TIOCSPGRP: return set_foreground(arg);
	case TIOCGPGRP: return put_int(arg, ctty_query(false));
	case TIOCGSID: return put_int(arg, ctty_query(true));
	case TIOCSCTTY: return take_ctty();
	case TIOCSWINSZ: return set_winsize(arg);
	case TCSBRK: case TCSBRKP: case TCXONC: case TCFLSH: return line_control(cmd, arg);
	case TIOCSTI: return -EIO;	/* no faked input: Linux's answer without legacy_tiocsti */
	default: return -ENOTTY;
	}
}

/* Whether reading f takes standard input: descriptor 0, /dev/tty opened
 * for reading; or f is the terminal, whose input it is on Linux. */
static bool takes_input(const struct file *f)
{
	return stream(f) == 0 || file_readable(f) || tty(f);
}

/* FIONREAD also on a console that is not a terminal (a pipe's, as the
 * program sees it): the bytes a read would take now. */
static long console_file_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	if (cmd == FIONREAD)
		return put_int(arg, takes_input(f) ? (long)console_input_count() : 0);
	return tty(f) ? tty_ioctl(cmd, arg) : -ENOTTY;
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
