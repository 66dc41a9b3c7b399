/* What each frame from the guest does, and what amphi says and returns
 * when the VM is over.
 *
 * Exit status: the program's own from X; 124 when --timeout expired; 125
 * for a kernel panic or a VM that stopped without X (then the kernel's
 * messages and QEMU's stderr, kept all along, are printed); 141 (as
 * SIGPIPE would give) when amphi's stdout was closed under the program. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "console.h"

static void end(struct console *c)
{
	c->ended = true;
	c->grace_end = now_ms() + GRACE_MS;
}

static void on_exit_frame(struct console *c)
{
	const uint8_t *p = c->dec.payload;

	if (c->ended)
		return;
	/* 0..255 by the protocol (the kernel sends the low byte).  A malformed
	 * X is ignored, never cut down to a status: 256 must not read as
	 * success.  The run then ends as "no exit status", and says why. */
	if (c->dec.len != 4 || p[1] || p[2] || p[3]) {
		c->bad_exit = true;
		return;
	}
	c->status = p[0];
	c->have_status = true;
	end(c);
}

static void on_panic_frame(struct console *c)
{
	size_t n = c->dec.len;

	if (c->ended)
		return;
	while (n && (c->dec.payload[n - 1] == '\n' || c->dec.payload[n - 1] == '\r'))
		n--;
	c->panic = xmalloc(n + 1);
	memcpy(c->panic, c->dec.payload, n);
	c->panic[n] = 0;
	end(c);
}

static void on_kmsg_frame(struct console *c)
{
	if (c->o->verbose) {
		if (c->err_open)
			queue_push_text(&c->err, c->dec.payload, c->dec.len);
		return;
	}
	queue_push_text(&c->klog, c->dec.payload, c->dec.len);
	queue_keep_last(&c->klog, LOG_KEEP);
}

/* Into the --trace-file as it comes (a regular file does not block for
 * long), else in order with the program's own standard error. */
static void on_trace_frame(struct console *c)
{
	if (c->o->trace_fd >= 0) {
		int r = c->trace_failed ? 0 : write_full(c->o->trace_fd, c->dec.payload, c->dec.len);
		if (r < 0) {
			error("--trace-file: %s; the rest of the trace is lost", strerror(-r));
			c->trace_failed = true;
		}
		return;
	}
	if (c->err_open)
		queue_push(&c->err, c->dec.payload, c->dec.len);
}

/* Two words, c_iflag and c_lflag; another size is malformed and ignored. */
static void on_terminal_frame(struct console *c)
{
	uint32_t iflag, lflag;

	if (c->dec.len != 8)
		return;
	memcpy(&iflag, c->dec.payload, 4);
	memcpy(&lflag, c->dec.payload + 4, 4);
	terminal_set_modes(iflag, lflag);
}

void console_on_frame(struct console *c)
{
	/* QEMU read the kernel and initrd before the guest ran. */
	if (!c->up)
		tmpdir_remove();
	c->up = true;
	switch (c->dec.type) {
	case FRAME_STDOUT:
		if (c->out_open)
			queue_push(&c->out, c->dec.payload, c->dec.len);
		break;
	case FRAME_STDERR:
		if (c->err_open)
			queue_push(&c->err, c->dec.payload, c->dec.len);
		break;
	case FRAME_KMSG:
		on_kmsg_frame(c);
		break;
	case FRAME_TRACE:
		on_trace_frame(c);
		break;
	case FRAME_EXIT:
		on_exit_frame(c);
		break;
	case FRAME_PANIC:
		on_panic_frame(c);
		break;
	case FRAME_TERMINAL:
		on_terminal_frame(c);
		break;
	}
}

/* Kernel messages as kept (with -v they were shown already), ending in a
 * newline. */
static void print_klog(const struct console *c)
{
	if (!c->klog.len)
		return;
	write_full(2, queue_data(&c->klog), c->klog.len);
	if (queue_data(&c->klog)[c->klog.len - 1] != '\n')
		write_full(2, "\n", 1);
}

static void print_qlog(const struct console *c)
{
	if (!c->qlog.len || c->o->verbose)
		return;
	write_full(2, queue_data(&c->qlog), c->qlog.len);
	if (!c->qlog_bol)
		write_full(2, "\n", 1);
}

static void describe_exit(int wstatus, char *buf, size_t size)
{
	if (WIFSIGNALED(wstatus))
		snprintf(buf, size, "qemu was killed by signal %d", WTERMSIG(wstatus));
	else
		snprintf(buf, size, "qemu exited with %d", WEXITSTATUS(wstatus));
}

int console_result(struct console *c)
{
	char why[64];

	if (c->timed_out) {
		error("timed out after %u seconds", c->o->timeout);
		return EXIT_TIMEOUT;
	}
	if (c->stop_requested) {
		error("stopped by amphi stop");
		return 128 + SIGKILL;
	}
	if (c->stopped) {
		error("stopped: the VM did not end within %u seconds of signal %d", c->o->stop_timeout,
		      c->forwarded);
		return 128 + c->forwarded;
	}
	if (c->have_status)
		return c->status;
	if (c->broken_pipe)
		return 128 + SIGPIPE;
	print_klog(c);
	if (c->panic) {
		error("kernel panic: %s", c->panic);
		return EXIT_VMFAIL;
	}
	print_qlog(c);
	describe_exit(c->vm->wstatus, why, sizeof why);
	error("the VM stopped without an exit status (%s)%s", why,
	      c->bad_exit ? "; it sent a malformed one" : "");
	return EXIT_VMFAIL;
}
