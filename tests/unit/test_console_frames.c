/* What amphi run does with each frame from the guest (tools/amphi/
 * console_frames.c), fed by the frame decoder from streams a hostile
 * guest could send: random frames of every type cut anywhere, with
 * garbage and bad headers between them.  Under AddressSanitizer nothing
 * may be read or written out of bounds; only an X of 4 bytes holding
 * 0..255 gives a status; kernel messages are kept to LOG_KEEP bytes with
 * no control byte but newline and tab (queue_push_text); only an M frame
 * of two words sets the terminal's modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "console.h"

/* The run's private directory is not this test's. */
void tmpdir_remove(void)
{
}

/* Nor is the terminal: what an M frame asked of it. */
static unsigned terminal_calls;
static uint32_t terminal_words[2];

void terminal_set_modes(uint32_t iflag, uint32_t lflag)
{
	terminal_calls++;
	terminal_words[0] = iflag;
	terminal_words[1] = lflag;
}

static struct console *console_new(bool verbose)
{
	static struct run_opts o;
	struct console *c = calloc(1, sizeof *c);

	memset(&o, 0, sizeof o);
	o.verbose = verbose;
	o.trace_fd = -1;
	c->o = &o;
	c->out_open = c->err_open = true;
	frame_decoder_init(&c->dec, 1);
	return c;
}

static void console_free(struct console *c)
{
	free(c->out.buf);
	free(c->err.buf);
	free(c->klog.buf);
	free(c->panic);
	free(c);
}

static void feed(struct console *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (frame_feed(&c->dec, p[i]) == 1)
			console_on_frame(c);
}

static void feed_frame(struct console *c, int type, const void *data, size_t n)
{
	uint8_t hdr[FRAME_HDR];

	frame_header(hdr, type, n);
	feed(c, hdr, sizeof hdr);
	feed(c, data, n);
}

static bool plain_text(const struct queue *q)
{
	for (size_t i = 0; i < q->len; i++) {
		uint8_t b = queue_data(q)[i];
		if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7f)
			return false;
	}
	return true;
}

static void exit_status_range(void **state)
{
	static const struct { uint8_t le[4]; size_t len; int status; } cases[] = {
		{ { 0, 0, 0, 0 }, 4, 0 },	{ { 255, 0, 0, 0 }, 4, 255 },
		{ { 0, 1, 0, 0 }, 4, -1 },	/* 256 */
		{ { 255, 255, 255, 255 }, 4, -1 },	/* -1 */
		{ { 0, 0, 1, 0 }, 4, -1 },	{ { 7, 0, 0, 0 }, 2, -1 },
		{ { 7, 0, 0, 0 }, 0, -1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct console *c = console_new(false);
		feed(c, (const uint8_t *)FRAME_SYNC, FRAME_SYNC_LEN);
		feed_frame(c, FRAME_EXIT, cases[i].le, cases[i].len);
		assert_int_equal(c->have_status, cases[i].status >= 0);
		assert_int_equal(c->bad_exit, cases[i].status < 0);
		if (cases[i].status >= 0)
			assert_int_equal(c->status, cases[i].status);
		console_free(c);
	}
}

static void kernel_messages_escaped(void **state)
{
	static const char msg[] = "a\x1b[2J\x07\r\n\tz\x7f";
	static const char want[] = "a\\x1b[2J\\x07\\x0d\n\tz\\x7f";
	(void)state;
	for (int verbose = 0; verbose < 2; verbose++) {
		struct console *c = console_new(verbose);
		feed(c, (const uint8_t *)FRAME_SYNC, FRAME_SYNC_LEN);
		feed_frame(c, FRAME_KMSG, msg, sizeof msg - 1);
		struct queue *q = verbose ? &c->err : &c->klog;
		assert_int_equal(q->len, sizeof want - 1);
		assert_memory_equal(queue_data(q), want, sizeof want - 1);
		console_free(c);
	}
}

/* An M frame of two words sets the terminal; any other size is ignored. */
static void terminal_modes(void **state)
{
	static const uint8_t words[8] = { 0x00, 0x05, 0, 0, 0x31, 0x8a, 0, 0 };
	struct console *c = console_new(false);

	(void)state;
	terminal_calls = 0;
	feed(c, (const uint8_t *)FRAME_SYNC, FRAME_SYNC_LEN);
	feed_frame(c, FRAME_TERMINAL, words, 7);
	feed_frame(c, FRAME_TERMINAL, words, 0);
	assert_int_equal(terminal_calls, 0);
	feed_frame(c, FRAME_TERMINAL, words, 8);
	assert_int_equal(terminal_calls, 1);
	assert_int_equal(terminal_words[0], 0x500);
	assert_int_equal(terminal_words[1], 0x8a31);
	console_free(c);
}

/* A random stream: frames of every type (and a few unknown) with random
 * lengths, some over FRAME_MAX, sync strings and garbage between them. */
static size_t random_stream(uint8_t *buf, size_t cap, unsigned *seed)
{
	static const char types[] = "KOEXPRTMIDSZ";
	size_t n = 0;

	while (n + FRAME_HDR + 5000 + FRAME_SYNC_LEN < cap) {
		int r = rand_r(seed) % 16;
		if (r == 0) {
			memcpy(buf + n, FRAME_SYNC, FRAME_SYNC_LEN);
			n += FRAME_SYNC_LEN;
			continue;
		}
		if (r == 1) {
			buf[n++] = (uint8_t)rand_r(seed);
			continue;
		}
		size_t len = rand_r(seed) % 8 ? (size_t)(rand_r(seed) % 64) : (size_t)(rand_r(seed) % 5000);
		frame_header(buf + n, types[rand_r(seed) % (sizeof types - 1)], len);
		n += FRAME_HDR;
		for (size_t i = 0; i < len; i++)
			buf[n++] = (uint8_t)rand_r(seed);
	}
	return n;
}

static void random_streams(void **state)
{
	size_t cap = 1 << 20;
	uint8_t *buf = malloc(cap);
	(void)state;
	for (unsigned seed = 1; seed <= 200; seed++) {
		unsigned s = seed;
		struct console *c = console_new(seed % 2);
		size_t n = random_stream(buf, cap, &s);
		feed(c, (const uint8_t *)FRAME_SYNC, FRAME_SYNC_LEN);
		feed(c, buf, n);
		assert_true(c->klog.len <= LOG_KEEP);
		assert_true(plain_text(&c->klog));
		if (c->have_status)
			assert_true(c->status >= 0 && c->status <= 255);
		console_free(c);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_status_range),
		cmocka_unit_test(kernel_messages_escaped),
		cmocka_unit_test(terminal_modes),
		cmocka_unit_test(random_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
