/* The console frame decoder: finds the sync string behind any garbage,
 * decodes frames however the bytes are split up, and recovers from a bad
 * header. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "frame.h"

/* Appends a frame to out at *len. */
static void put_frame(uint8_t *out, size_t *len, int type, const void *data, size_t n)
{
	frame_header(out + *len, type, n);
	memcpy(out + *len + FRAME_HDR, data, n);
	*len += FRAME_HDR + n;
}

/* What feed() saw: each completed frame with the input index of the byte
 * that completed it, and the count of -EINVAL answers. */
struct seen {
	int types[8];
	size_t lens[8];
	size_t ends[8];
	int n, errors;
};

static void feed(struct frame_decoder *d, const uint8_t *in, size_t len, size_t base,
		 struct seen *s)
{
	for (size_t i = 0; i < len; i++) {
		int r = frame_feed(d, in[i]);
		if (r < 0) {
			assert_int_equal(r, -22);
			s->errors++;
		} else if (r == 1) {
			assert_true(s->n < 8);
			s->types[s->n] = d->type;
			s->lens[s->n] = d->len;
			s->ends[s->n] = base + i;
			s->n++;
		}
	}
}

static struct frame_decoder *new_decoder(int need_sync)
{
	struct frame_decoder *d = malloc(sizeof *d);
	frame_decoder_init(d, need_sync);
	return d;
}

static void header_bytes(void **state)
{
	(void)state;
	uint8_t h[FRAME_HDR];

	frame_header(h, FRAME_STDOUT, 0x1234);
	assert_int_equal(h[0], 'O');
	assert_int_equal(h[1], 0x34);
	assert_int_equal(h[2], 0x12);
}

/* Firmware noise, a false start of the sync string, then the real one. */
static void sync_after_garbage(void **state)
{
	(void)state;
	uint8_t in[64];
	size_t len = 0;
	struct seen s = { 0 };
	struct frame_decoder *d = new_decoder(1);

	static const char noise[] = "SeaBIOS O\x03\x00xyz\x01" "AMP\x01" "AMPHI1\n";
	memcpy(in, noise, sizeof noise - 1);
	len = sizeof noise - 1;
	put_frame(in, &len, FRAME_STDOUT, "hi", 2);
	feed(d, in, sizeof noise - 2, 0, &s);
	assert_int_equal(d->synced, 0);		/* one byte short of the sync string */
	feed(d, in + sizeof noise - 2, len - (sizeof noise - 2), sizeof noise - 2, &s);
	assert_int_equal(d->synced, 1);
	assert_int_equal(s.n, 1);	/* the fake 'O' frame in the noise is skipped */
	assert_int_equal(s.errors, 0);
	assert_int_equal(s.types[0], 'O');
	assert_int_equal(s.lens[0], 2);
	assert_int_equal(s.ends[0], len - 1);
	assert_memory_equal(d->payload, "hi", 2);
	free(d);
}

/* Two frames split at every possible point between two feeds. */
static void split_anywhere(void **state)
{
	(void)state;
	uint8_t in[64];
	size_t len = 0;

	memcpy(in, FRAME_SYNC, FRAME_SYNC_LEN);
	len = FRAME_SYNC_LEN;
	put_frame(in, &len, FRAME_KMSG, "boot\n", 5);
	uint32_t status = 42;
	put_frame(in, &len, FRAME_EXIT, &status, 4);
	for (size_t cut = 0; cut <= len; cut++) {
		struct seen s = { 0 };
		struct frame_decoder *d = new_decoder(1);
		feed(d, in, cut, 0, &s);
		feed(d, in + cut, len - cut, cut, &s);
		assert_int_equal(s.n, 2);
		assert_int_equal(s.types[0], 'K');
		assert_int_equal(s.ends[0], FRAME_SYNC_LEN + 3 + 5 - 1);
		assert_int_equal(s.types[1], 'X');
		assert_int_equal(s.lens[1], 4);
		assert_int_equal(d->payload[0], 42);
		free(d);
	}
}

static void empty_and_max(void **state)
{
	(void)state;
	static uint8_t in[2 * FRAME_MAX];
	size_t len = 0;
	struct seen s = { 0 };
	struct frame_decoder *d = new_decoder(0);
	uint8_t big[FRAME_MAX];

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7);
	put_frame(in, &len, FRAME_EOF, "", 0);
	put_frame(in, &len, FRAME_STDIN, big, FRAME_MAX);
	feed(d, in, len, 0, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.types[0], 'D');
	assert_int_equal(s.lens[0], 0);
	assert_int_equal(s.ends[0], 2);		/* done at the length's high byte */
	assert_int_equal(s.lens[1], FRAME_MAX);
	assert_memory_equal(d->payload, big, FRAME_MAX);
	free(d);
}

/* A length over FRAME_MAX is refused at its high byte; with need_sync the
 * decoder then ignores everything until the next sync string. */
static void oversize_resyncs(void **state)
{
	(void)state;
	uint8_t in[64];
	size_t len = 0;
	struct seen s = { 0 };
	struct frame_decoder *d = new_decoder(1);

	memcpy(in, FRAME_SYNC "O\x01\x10", FRAME_SYNC_LEN + 3);	/* 4097 */
	len = FRAME_SYNC_LEN + 3;
	put_frame(in, &len, FRAME_STDOUT, "lost", 4);
	memcpy(in + len, FRAME_SYNC, FRAME_SYNC_LEN);
	len += FRAME_SYNC_LEN;
	put_frame(in, &len, FRAME_STDERR, "ok", 2);
	feed(d, in, len, 0, &s);
	assert_int_equal(s.errors, 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.types[0], 'E');
	assert_memory_equal(d->payload, "ok", 2);
	free(d);
}

/* Without need_sync (the guest's side) a bad header is dropped and the
 * next byte is read as a new type. */
static void unknown_type_no_sync(void **state)
{
	(void)state;
	uint8_t in[64];
	size_t len = 0;
	struct seen s = { 0 };
	struct frame_decoder *d = new_decoder(0);

	in[len++] = 'Z';
	in[len++] = FRAME_EOF;
	in[len++] = 0xff;	/* length 0xffff */
	in[len++] = 0xff;
	put_frame(in, &len, FRAME_STDIN, "abc", 3);
	assert_int_equal(d->synced, 1);	/* nothing to wait for without need_sync */
	feed(d, in, len, 0, &s);
	assert_int_equal(s.errors, 2);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.types[0], 'I');
	assert_memory_equal(d->payload, "abc", 3);
	free(d);
}

/* A bad type byte that starts the sync string counts toward it. */
static void bad_type_starts_sync(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct frame_decoder *d = new_decoder(1);
	uint8_t in[32];
	size_t len = FRAME_SYNC_LEN;

	memcpy(in, FRAME_SYNC, FRAME_SYNC_LEN);
	memcpy(in + len, FRAME_SYNC, FRAME_SYNC_LEN);	/* guest restarted */
	len += FRAME_SYNC_LEN;
	put_frame(in, &len, FRAME_PANIC, "x", 1);
	feed(d, in, len, 0, &s);
	assert_int_equal(s.errors, 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.types[0], 'P');
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_bytes),
		cmocka_unit_test(sync_after_garbage),
		cmocka_unit_test(split_anywhere),
		cmocka_unit_test(empty_and_max),
		cmocka_unit_test(oversize_resyncs),
		cmocka_unit_test(unknown_type_no_sync),
		cmocka_unit_test(bad_type_starts_sync),
	};
	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
