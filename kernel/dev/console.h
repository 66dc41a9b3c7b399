/* The console: the framed line to amphi (docs/protocol.md).  Standard
 * output, standard error and kernel messages go out as frames; standard
 * input comes in as frames and waits in a ring for readers. */
#ifndef AMPHI_DEV_CONSOLE_H
#define AMPHI_DEV_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void console_init(void);		/* before anything prints */
void console_init_irq(uint32_t apic_id);	/* once interrupts can be routed */
/* Plain text instead of frames (amphi.console=text), mirrored on the VGA
 * text screen if vga, kernel messages shown if kmsg.  Once, after the
 * kernel's page tables are up and before anything but a panic prints. */
void console_set_text(bool vga, bool kmsg);

/* Sends len bytes as frames of `type` (FRAME_STDOUT, FRAME_STDERR, ...). */
void console_write(int type, const void *buf, size_t len);

/* Reads up to len bytes of standard input into buf (kernel memory).
 * Blocks until some is there unless nonblock; 0 at end of file, -EAGAIN. */
long console_read(void *buf, size_t len, int nonblock);
/* Standard input is a terminal: an end of file is a ^D, which ends the read
 * that meets it, and input goes on after it (as on Linux).  Else the first
 * end of file is the end.  Once, before the program reads. */
void console_set_eof_once(void);

/* Who gets the signals amphi forwards (its own SIGINT, SIGTERM, SIGHUP):
 * called from the interrupt handler. */
void console_set_signal_hook(void (*hook)(int sig));
/* The terminal's size as TIOCGWINSZ gives it: rows, columns, pixels
 * across and down (24 x 80 until a SIGWINCH frame says more, or the
 * program sets one); setting says whether it changed. */
void console_winsize(uint16_t ws[4]);
bool console_set_winsize(const uint16_t ws[4]);

/* For poll: whether a read would not block, and the queue that says when. */
bool console_input_ready(void);
/* The bytes of standard input queued, which a read takes at once; and
 * dropping them (tcflush). */
size_t console_input_count(void);
void console_input_flush(void);
struct waitq *console_input_waitq(void);

/* Tells amphi the program's exit status and powers off. */
_Noreturn void console_exit(int status);

#endif
