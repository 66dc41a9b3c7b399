/* The console relay: one ppoll() loop between amphi's stdin/stdout/stderr
 * and QEMU's serial port (its stdin and stdout, docs/protocol.md).
 *
 * Nothing here blocks.  QEMU only takes bytes from its stdin when the
 * guest's UART has room, so what amphi reads from its own stdin waits in
 * to_guest until QEMU's (non-blocking) pipe accepts it, and not before the
 * guest's sync string: the kernel's UART set-up clears the FIFO, so bytes
 * QEMU handed over earlier would be lost.  The other way,
 * frames are decoded only while the stdout and stderr queues are short:
 * a slow reader of amphi's output stops amphi reading QEMU, which stops
 * the guest's UART, which stops the program.  Back-pressure, no loss, and
 * signals and deadlines are still seen while anything waits. */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <poll.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "console.h"

#define QUEUE_HIGH	(256 * 1024)	/* stop reading a source above this */
#define WRITE_CHUNK	4096		/* a pipe that polled writable takes this much */
#define REAP_POLL_MS	10

enum { P_STDIN, P_QIN, P_QOUT, P_QERR, P_STDOUT, P_STDERR, P_EXITED, P_COUNT };

static bool transient(int err)
{
	return err == EINTR || err == EAGAIN;
}

/* A background job must not read the terminal (SIGTTIN would stop amphi,
 * and the input is meant for the foreground); wait until it is ours. */
static bool stdin_wanted(struct console *c)
{
	if (!c->stdin_open || c->ended || c->to_guest.len >= QUEUE_HIGH)
		return false;
	return !c->stdin_tty || tcgetpgrp(0) == getpgrp();
}

/* Whether terminal fd hung up: its reads would give 0 bytes forever. */
static bool hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static void read_stdin(struct console *c)
{
	uint8_t buf[FRAME_MAX];
	ssize_t n = read(0, buf, sizeof buf);

	if (n < 0 && transient(errno))
		return;
	if (n > 0) {
		queue_push_frame(&c->to_guest, FRAME_STDIN, buf, (size_t)n);
		return;
	}
	/* End of file, or an error that will not go away: the program
	 * sees end of file either way.  On a terminal 0 bytes is a ^D,
	 * which ends one read of the program's (the kernel knows stdin is a
	 * terminal) and not the terminal, unless it hung up. */
	queue_push_frame(&c->to_guest, FRAME_EOF, NULL, 0);
	c->stdin_open = n == 0 && c->stdin_tty && !hung_up(0);
}

static void write_guest(struct console *c)
{
	ssize_t n = write(c->vm->in, queue_data(&c->to_guest), c->to_guest.len);

	if (n > 0)
		queue_drop(&c->to_guest, (size_t)n);
	else if (n < 0 && !transient(errno)) {
		c->qin_open = false;	/* QEMU is gone: its exit will tell */
		queue_drop(&c->to_guest, c->to_guest.len);
	}
}

static void read_qemu_out(struct console *c)
{
	ssize_t n = read(c->vm->out, c->in, sizeof c->in);

	if (n > 0) {
		c->in_pos = 0;
		c->in_len = (size_t)n;
	} else if (n == 0 || !transient(errno)) {
		c->qout_open = false;
	}
}

static void read_qemu_err(struct console *c)
{
	char buf[4096];
	ssize_t n = read(c->vm->err, buf, sizeof buf);

	if (n > 0) {
		queue_push_lines(&c->qlog, "qemu: ", buf, (size_t)n, &c->qlog_bol);
		queue_keep_last(&c->qlog, LOG_KEEP);
		if (c->o->verbose && c->err_open)
			queue_push_lines(&c->err, "qemu: ", buf, (size_t)n, &c->qerr_bol);
	} else if (n == 0 || !transient(errno)) {
		c->qerr_open = false;
	}
}

/* A closed stdout is the reader saying "enough" (amphi run yes | head):
 * stop the VM and end as a Linux program would, by SIGPIPE. */
static void write_queue(struct console *c, int fd, struct queue *q, bool *open)
{
	size_t len = q->len < WRITE_CHUNK ? q->len : WRITE_CHUNK;
	ssize_t n = write(fd, queue_data(q), len);

	if (n > 0) {
		queue_drop(q, (size_t)n);
		return;
	}
	if (n < 0 && transient(errno))
		return;
	*open = false;
	queue_drop(q, q->len);
	if (fd == 1 && !c->ended)
		c->broken_pipe = true;
}

/* Feeds what was read from QEMU to the decoder while there is room. */
static void decode(struct console *c)
{
	while (c->in_pos < c->in_len && c->out.len < QUEUE_HIGH && c->err.len < QUEUE_HIGH) {
		if (frame_feed(&c->dec, c->in[c->in_pos++]) == 1)
			console_on_frame(c);
	}
}

static void stop_vm(struct console *c)
{
	if (!c->killed)
		qemu_kill(c->vm);
	c->killed = true;
}

/* Deadlines: the grace after X/P, --timeout, and the reap after QEMU
 * closed its output.  Returns the poll timeout in ms (-1: none). */
static int check_deadlines(struct console *c)
{
	int64_t now = now_ms(), next = -1;

	if (c->broken_pipe)
		stop_vm(c);
	if (c->ended && !c->killed) {
		if (now >= c->grace_end)
			stop_vm(c);
		next = c->grace_end;
	}
	if (!c->ended && c->timeout_end && !c->killed) {
		if (now >= c->timeout_end) {
			c->timed_out = true;
			stop_vm(c);
		}
		next = next < 0 || c->timeout_end < next ? c->timeout_end : next;
	}
	if (!c->ended && c->forwarded && !c->killed) {
		if (now >= c->stop_end) {
			c->stopped = true;	/* a kernel that cannot answer, or a program that will not */
			stop_vm(c);
		}
		next = next < 0 || c->stop_end < next ? c->stop_end : next;
	}
	if (!c->qout_open && !c->qerr_open && !c->vm->reaped) {
		if (!c->eof_at)
			c->eof_at = now;
		if (qemu_reap(c->vm, 0))
			return 0;
		if (now - c->eof_at >= GRACE_MS)
			stop_vm(c);
		/* Its pidfd wakes the poll when QEMU is gone; without one, look
		 * again soon. */
		if (c->vm->pidfd < 0 || c->killed)
			return REAP_POLL_MS;
		int64_t left = c->eof_at + GRACE_MS - now;
		return left > 0 ? (int)left : 0;
	}
	return next < 0 ? -1 : (int)(next > now ? next - now : 0);
}

static void poll_setup(struct console *c, struct pollfd *p)
{
	for (int i = 0; i < P_COUNT; i++)
		p[i] = (struct pollfd){ .fd = -1 };
	if (stdin_wanted(c))
		p[P_STDIN] = (struct pollfd){ .fd = 0, .events = POLLIN };
	/* Nothing goes to the guest before its sync string: until its console
	 * is set up, bytes in the UART are lost (its set-up clears the FIFO). */
	if (c->qin_open && c->to_guest.len && !c->ended && c->dec.synced)
		p[P_QIN] = (struct pollfd){ .fd = c->vm->in, .events = POLLOUT };
	if (c->qout_open && c->in_pos == c->in_len)
		p[P_QOUT] = (struct pollfd){ .fd = c->vm->out, .events = POLLIN };
	if (c->qerr_open && (!c->o->verbose || c->err.len < QUEUE_HIGH))
		p[P_QERR] = (struct pollfd){ .fd = c->vm->err, .events = POLLIN };
	if (c->out_open && c->out.len)
		p[P_STDOUT] = (struct pollfd){ .fd = 1, .events = POLLOUT };
	if (c->err_open && c->err.len)
		p[P_STDERR] = (struct pollfd){ .fd = 2, .events = POLLOUT };
	if (!c->qout_open && !c->qerr_open && !c->vm->reaped && c->vm->pidfd >= 0)
		p[P_EXITED] = (struct pollfd){ .fd = c->vm->pidfd, .events = POLLIN };
}

static void wait_and_serve(struct console *c, int timeout_ms)
{
	struct pollfd p[P_COUNT];
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };

	poll_setup(c, p);
	if (ppoll(p, P_COUNT, timeout_ms < 0 ? NULL : &ts, signals_wait_mask()) <= 0)
		return;
	if (p[P_STDIN].revents)
		read_stdin(c);
	if (p[P_QIN].revents)
		write_guest(c);
	if (p[P_QOUT].revents)
		read_qemu_out(c);
	if (p[P_QERR].revents)
		read_qemu_err(c);
	if (p[P_STDOUT].revents)
		write_queue(c, 1, &c->out, &c->out_open);
	if (p[P_STDERR].revents)
		write_queue(c, 2, &c->err, &c->err_open);
}

/* Done when QEMU is gone, all it said is decoded, and all of that is
 * written (or cannot be). */
static bool finished(const struct console *c)
{
	return c->vm->reaped && !c->qout_open && !c->qerr_open && c->in_pos == c->in_len &&
	       (!c->out_open || !c->out.len) && (!c->err_open || !c->err.len);
}

/* SIGWINCH goes with the terminal's new size (rows, columns; little
 * endian), when amphi has a terminal. */
static void forward_signal(struct console *c, int sig)
{
	uint8_t f[5] = { (uint8_t)sig };
	struct winsize ws;
	size_t len = 1;

	if (sig == SIGWINCH && (ioctl(1, TIOCGWINSZ, &ws) == 0 || ioctl(0, TIOCGWINSZ, &ws) == 0 ||
				ioctl(2, TIOCGWINSZ, &ws) == 0)) {
		f[1] = ws.ws_row & 0xff;
		f[2] = ws.ws_row >> 8;
		f[3] = ws.ws_col & 0xff;
		f[4] = ws.ws_col >> 8;
		len = 5;
	}
	queue_push_frame(&c->to_guest, FRAME_SIGNAL, f, len);
}

/* Every signal amphi takes goes on to the program, as often as it comes,
 * as on Linux (it may catch it).  The ones that ask a program to end
 * (SIGINT, SIGTERM, SIGQUIT) also start --stop-timeout: the VM still
 * running that long after the first stops, as `docker stop` does.  A
 * second SIGINT within a second (^C ^C), `amphi stop`, or any of those
 * before the guest can take signals, stops the VM at once.  Returns the
 * status amphi ends with at once, or 0 to go on. */
static int take_signal(struct console *c, int sig)
{
	bool ends = sig == SIGINT || sig == SIGTERM || sig == SIGQUIT;
	int64_t now = now_ms();

	if (sig == signals_stop_request()) {
		c->stop_requested = true;
		stop_vm(c);
		return 0;
	}
	if (!c->dec.synced || !c->qin_open || c->ended)
		return sig == SIGWINCH ? 0 : 128 + sig;
	if (ends && !c->o->stop_timeout)
		return 128 + sig;
	if (sig == SIGINT && c->last_sigint && now - c->last_sigint < 1000)
		return 128 + sig;
	if (sig == SIGINT)
		c->last_sigint = now;
	forward_signal(c, sig);
	if (ends && !c->forwarded) {
		c->forwarded = sig;
		c->stop_end = now + (int64_t)c->o->stop_timeout * 1000;
	}
	return 0;
}

static struct console *console_new(struct vm *vm, const struct run_opts *o)
{
	struct console *c = calloc(1, sizeof *c);

	if (!c)
		die_status(EXIT_VMFAIL, "out of memory");
	c->vm = vm;
	c->o = o;
	frame_decoder_init(&c->dec, 1);
	c->qlog_bol = c->qerr_bol = 1;
	c->stdin_open = c->qin_open = c->qout_open = c->qerr_open = true;
	c->out_open = c->err_open = true;
	c->stdin_tty = isatty(0);
	/* Readable once QEMU has exited: amphi ends at once instead of
	 * polling for it (Linux 5.3; without it, -1 and polling). */
	vm->pidfd = (int)syscall(SYS_pidfd_open, vm->pid, 0);
	if (o->timeout)
		c->timeout_end = now_ms() + (int64_t)o->timeout * 1000;
	return c;
}

int console_run(struct vm *vm, const struct run_opts *o)
{
	struct console *c = console_new(vm, o);

	while (!finished(c)) {
		for (int sig; (sig = signals_take());) {
			int status = take_signal(c, sig);
			if (status) {
				qemu_kill(vm);
				qemu_reap(vm, 1);
				return status;
			}
		}
		decode(c);
		wait_and_serve(c, check_deadlines(c));
	}
	return console_result(c);
}
