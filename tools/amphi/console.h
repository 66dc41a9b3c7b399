/* The console relay's state, shared by console.c (the event loop) and
 * console_frames.c (what each frame from the guest does). */
#ifndef AMPHI_TOOL_CONSOLE_H
#define AMPHI_TOOL_CONSOLE_H

#include <stdbool.h>
#include "amphi.h"
#include "frame.h"
#include "queue.h"

#define CONSOLE_READ	65536		/* one read from QEMU's stdout */
#define LOG_KEEP	(64 * 1024)	/* kernel messages and QEMU stderr kept for failures */
#define GRACE_MS	2000		/* time QEMU gets to exit after X or P */

struct console {
	struct vm *vm;
	const struct run_opts *o;
	struct frame_decoder dec;
	uint8_t in[CONSOLE_READ];	/* read from QEMU, decoded from in_pos */
	size_t in_pos, in_len;

	struct queue to_guest;		/* I and D frames for QEMU's stdin */
	struct queue out, err;		/* for amphi's stdout and stderr */
	struct queue klog, qlog;	/* kept for a failure report */
	int qlog_bol, qerr_bol;

	bool stdin_open, stdin_tty, qin_open, qout_open, qerr_open, out_open, err_open;

	bool up;			/* a frame arrived: the guest runs */
	bool ended;			/* X or P arrived */
	bool have_status;
	bool bad_exit;			/* an X that was not 4 bytes of 0..255 came */
	int status;
	char *panic;

	bool killed, timed_out, broken_pipe;
	int forwarded;			/* the signal that started --stop-timeout, or 0 */
	bool stopped;			/* the VM outlived its --stop-timeout after it */
	bool stop_requested;		/* amphi stop */
	int64_t last_sigint;		/* when the last SIGINT came (ms) */
	bool trace_failed;		/* writing the --trace-file failed (said once) */
	int64_t grace_end, timeout_end, eof_at, stop_end;
};

void console_on_frame(struct console *c);
int console_result(struct console *c);

#endif
