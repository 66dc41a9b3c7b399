/* The console over COM1.
 *
 * Output: one lock keeps each frame whole on the line.
 * Input: the interrupt handler decodes frames into a ring.  It takes bytes
 * from the UART only while the ring has room for a whole frame, then turns
 * the receive interrupt off; QEMU stops reading amphi's pipe when the UART is
 * full, so a slow reader holds the sender back and no byte is lost.  The
 * reader turns the interrupt back on as it drains the ring.
 *
 * Text mode (amphi.console=text, as amphi iso boots): no frames, for a
 * person at a serial terminal or a screen.  The program's output goes out
 * as it is (newlines as CR LF), mirrored on the VGA text screen when asked
 * for; kernel messages only with amphi.verbose; input bytes are the
 * program's standard input (CR as newline, ^D as end of file). */
#include "dev/console.h"

#include <stdbool.h>

#include "arch/x86_64/arch.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/trap.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/watchdog.h"
#include "core/waitq.h"
#include "dev/uart.h"
#include "dev/vga_text.h"
#include "frame.h"

/* Four whole frames: the host sends only when the UART has room, so a
 * fuller ring only buffers more, and every VM pays for it in least -m. */
#define RING_SIZE (4 * FRAME_MAX)

static struct spinlock out_lock = SPINLOCK_INIT;	/* guards the transmit side */
static bool synced;			/* the sync string went out */
static bool text_mode, text_kmsg, text_vga;	/* set once, before the CPUs start */

static struct spinlock in_lock = SPINLOCK_INIT;	/* guards everything below */
static uint8_t ring[RING_SIZE];
static size_t ring_head, ring_tail;	/* free-running: head - tail bytes queued */
static bool in_eof, rx_stopped;
/* On a terminal an end of file is ^D, which ends one read (the one that
 * reaches its place in the input) and not the input: where each pending
 * one falls in the ring, oldest first.  More than EOF_MAX pending at once
 * (nobody reading) merge into the last. */
#define EOF_MAX	8
static bool eof_once;
static size_t eof_at[EOF_MAX];
static unsigned eof_first, eof_count;
static struct frame_decoder decoder;
static struct waitq readers = WAITQ_INIT(readers);
static void (*signal_hook)(int sig);
/* The terminal's size: rows, columns, pixels across and down; the host
 * terminal's as amphi last said, or as the program last set it. */
static uint16_t winsize[4] = { 24, 80, 0, 0 };

void console_set_signal_hook(void (*hook)(int sig)) { signal_hook = hook; }

/* Relaxed: a size read while one changes may mix the two, as the old
 * code's did, and the next SIGWINCH says the size again. */
void console_winsize(uint16_t ws[4])
{
	for (int i = 0; i < 4; i++)
		ws[i] = __atomic_load_n(&winsize[i], __ATOMIC_RELAXED);
}

bool console_set_winsize(const uint16_t ws[4])
{
	bool changed = false;

	for (int i = 0; i < 4; i++)
		changed |= __atomic_exchange_n(&winsize[i], ws[i], __ATOMIC_RELAXED) != ws[i];
	return changed;
}

/* After a panic or a lockup the holder may be a CPU that never lets go:
 * wait a little, then write anyway (a torn frame beats no report). */
static uint64_t out_lock_take(void)
{
	uint64_t flags = irq_save();

	if (!printk_in_emergency()) {
		spin_lock(&out_lock);
		return flags;
	}
	uint64_t end = clock_ns() + 200000000;
	while (!spin_trylock(&out_lock) && clock_ns() < end)
		cpu_relax();
	return flags;
}

/* Caller holds out_lock. */
static void text_put(const void *buf, size_t len)
{
	const uint8_t *p = buf, *end = p + len;

	while (p < end) {
		const uint8_t *q = p;
		while (q < end && *q != '\n')
			q++;
		uart_write(p, (size_t)(q - p));
		if (q < end)
			uart_write("\r\n", 2);
		p = q + (q < end);
	}
	if (text_vga)
		vga_text_write(buf, len);
}

static void text_write(int type, const void *buf, size_t len)
{
	uint64_t flags = out_lock_take();

	if (type == FRAME_PANIC)
		text_put("amphi: kernel panic: ", 21);
	if (type != FRAME_KMSG || text_kmsg || type == FRAME_PANIC)
		text_put(buf, len);
	if (type == FRAME_PANIC)
		text_put("\n", 1);
	spin_unlock_irqrestore(&out_lock, flags);
}

void console_set_text(bool vga, bool kmsg)
{
	text_mode = true;
	text_kmsg = kmsg;
	if (vga) {
		vga_text_init();
		text_vga = true;
	}
}

/* Before the first frame: amphi skips whatever came before it, and sends
 * standard input only once it has seen it.  Caller holds out_lock. */
static void sync_once(void)
{
	if (!synced) {
		uart_write(FRAME_SYNC, FRAME_SYNC_LEN);
		synced = true;
	}
}

/* The UART goes only as fast as QEMU empties it, and QEMU waits while
 * amphi's reader is slow: a CPU here (or waiting for out_lock) waits on the
 * host, which the lockup detector must not take for a hang. */
void console_write(int type, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (text_mode) {
		text_write(type, buf, len);
		return;
	}
	do {
		size_t n = len < FRAME_MAX ? len : FRAME_MAX;
		uint8_t hdr[FRAME_HDR];
		frame_header(hdr, type, n);
		watchdog_host_wait(true);
		uint64_t flags = out_lock_take();
		sync_once();
		uart_write(hdr, sizeof hdr);
		uart_write(p, n);
		spin_unlock_irqrestore(&out_lock, flags);
		watchdog_host_wait(false);
		p += n;
		len -= n;
	} while (len);
}

static void kmsg_sink(const char *text, size_t len) { console_write(FRAME_KMSG, text, len); }

static void panic_hook(const char *reason)
{
	console_write(FRAME_PANIC, reason, strlen(reason));
	arch_poweroff(1);
}

_Noreturn void console_exit(int status)
{
	uint8_t le[4] = { status & 0xff, (status >> 8) & 0xff, (status >> 16) & 0xff, (uint32_t)status >> 24 };
	char line[64];

	if (text_mode) {	/* a person reads this; the machine halts after */
		int n = snprintf(line, sizeof line, "amphi: the program ended with status %d\n", status);
		text_write(FRAME_STDERR, line, (size_t)n);
		arch_poweroff(status);	/* QEMU's isa-debug-exit: (status << 1) | 1 */
	}
	console_write(FRAME_EXIT, le, sizeof le);
	arch_poweroff(0);
}

/* An end of file from the host: for good, or (eof_once) for one read.
 * Caller holds in_lock. */
static void take_eof(void)
{
	if (!eof_once)
		in_eof = true;
	else if (eof_count < EOF_MAX)
		eof_at[(eof_first + eof_count++) % EOF_MAX] = ring_head;
	else
		eof_at[(eof_first + EOF_MAX - 1) % EOF_MAX] = ring_head;
}

/* Caller holds in_lock. */
static void take_frame(void)
{
	if (decoder.type == FRAME_EOF) {
		take_eof();
		return;
	}
	if (decoder.type == FRAME_SIGNAL) {
		const uint8_t *p = decoder.payload;
		if (decoder.len == 5) {	/* SIGWINCH with the new size (no pixels) */
			winsize[0] = (uint16_t)(p[1] | p[2] << 8);
			winsize[1] = (uint16_t)(p[3] | p[4] << 8);
			winsize[2] = winsize[3] = 0;
		}
		if ((decoder.len == 1 || decoder.len == 5) && signal_hook)
			signal_hook(p[0]);
		return;
	}
	if (decoder.type != FRAME_STDIN)
		return;
	for (size_t i = 0; i < decoder.len; i++)
		ring[ring_head++ % RING_SIZE] = decoder.payload[i];
}

/* A byte typed at a terminal.  Caller holds in_lock. */
static void take_text(uint8_t c)
{
	if (c == 4)
		take_eof();
	else
		ring[ring_head++ % RING_SIZE] = c == '\r' ? '\n' : c;
}

/* Caller holds in_lock, interrupts off. */
static void drain_uart(void)
{
	while (uart_rx_ready()) {
		if (RING_SIZE - (ring_head - ring_tail) < FRAME_MAX) {
			rx_stopped = true;
			uart_rx_interrupts(false);
			return;
		}
		uint8_t c = uart_rx_byte();
		if (text_mode)
			take_text(c);
		else if (frame_feed(&decoder, c) == 1)
			take_frame();
	}
}

static void console_irq(void)
{
	spin_lock(&in_lock);
	drain_uart();
	spin_unlock(&in_lock);
	waitq_wake_all(&readers);
}

void console_init(void)
{
	uart_init();
	frame_decoder_init(&decoder, 0);
	printk_set_sink(kmsg_sink);
	panic_set_hook(panic_hook);
}

/* From here on input can be taken, so amphi may send it: the sync string
 * goes out now, not with the first frame, which without -v may be the
 * program's answer to that input. */
void console_init_irq(uint32_t apic_id)
{
	irq_register(UART_IRQ, console_irq);
	ioapic_route_isa(UART_IRQ, apic_id);
	uart_rx_interrupts(true);
	if (!text_mode) {
		uint64_t flags = out_lock_take();
		sync_once();
		spin_unlock_irqrestore(&out_lock, flags);
	}
}

/* Whether a ^D waits where the input is now: the read that finds it
 * returns 0 and uses it up.  Caller holds in_lock. */
static bool eof_now(void)
{
	return eof_count && eof_at[eof_first] == ring_tail;
}

static void eof_used(void)
{
	eof_first = (eof_first + 1) % EOF_MAX;
	eof_count--;
}

/* Copies queued input out (drops it with dst NULL), up to the next ^D.
 * Caller holds in_lock. */
static size_t ring_take(uint8_t *dst, size_t len)
{
	size_t n = 0;

	if (eof_count && eof_at[eof_first] - ring_tail < len)
		len = eof_at[eof_first] - ring_tail;
	while (n < len && ring_tail != ring_head) {
		uint8_t c = ring[ring_tail++ % RING_SIZE];
		if (dst)
			dst[n] = c;
		n++;
	}
	if (rx_stopped && RING_SIZE - (ring_head - ring_tail) >= FRAME_MAX) {
		rx_stopped = false;
		drain_uart();
		if (!rx_stopped)
			uart_rx_interrupts(true);
	}
	return n;
}

/* Blocks until input, end of input, or a signal (-ERESTARTSYS: the signal
 * layer fails the read with EINTR or restarts it).  Input that came with
 * the signal is returned first. */
long console_read(void *buf, size_t len, int nonblock)
{
	if (!len)
		return 0;
	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&in_lock);
		size_t n = ring_take(buf, len);
		bool eof = !n && (in_eof || eof_now());
		if (eof && !in_eof)
			eof_used();
		if (n || eof || nonblock) {
			spin_unlock_irqrestore(&in_lock, flags);
			return n ? (long)n : eof ? 0 : -EAGAIN;
		}
		if (thread_signalled()) {
			spin_unlock_irqrestore(&in_lock, flags);
			return -ERESTARTSYS;
		}
		waitq_prepare(&readers, &w);
		spin_unlock_irqrestore(&in_lock, flags);
		/* A signal sent between the check above and waitq_prepare woke
		 * nothing: look again now that we are BLOCKED (the fence orders
		 * that store before this load) and wake ourselves. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (thread_signalled())
			sched_wake(current());
		waitq_sleep(&readers, &w);
	}
}

bool console_input_ready(void)
{
	uint64_t flags = spin_lock_irqsave(&in_lock);
	bool ready = ring_head != ring_tail || in_eof || eof_count;

	spin_unlock_irqrestore(&in_lock, flags);
	return ready;
}

void console_input_flush(void)
{
	uint64_t flags = spin_lock_irqsave(&in_lock);

	eof_count = 0;		/* tcflush drops the ^Ds typed ahead too */
	ring_take(NULL, ring_head - ring_tail);
	spin_unlock_irqrestore(&in_lock, flags);
}

void console_set_eof_once(void) { eof_once = true; }

size_t console_input_count(void)
{
	uint64_t flags = spin_lock_irqsave(&in_lock);
	size_t n = ring_head - ring_tail;

	spin_unlock_irqrestore(&in_lock, flags);
	return n;
}

struct waitq *console_input_waitq(void) { return &readers; }
