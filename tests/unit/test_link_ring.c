/* lib/link_ring.c: the network-server link's rings.  Frames go through
 * whole and in order, full and empty are seen as such, indices wrap at
 * 2^32, doorbells follow the event index, and a hostile peer (garbage in
 * prod, cons or a slot's length) gets -EPROTO or -EMSGSIZE and nothing
 * more.  The ring is malloc'ed to its exact size, so AddressSanitizer
 * catches any read or write outside it; receive buffers are exactly
 * LINK_FRAME_MAX long for the same reason. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>
#include "link.h"

#define RING_SIZE (sizeof(struct link_ring) + (size_t)LINK_RING_SLOTS * LINK_SLOT_SIZE)

static struct link_ring *ring_new(uint32_t start)
{
	struct link_ring *r = calloc(1, RING_SIZE);

	assert_non_null(r);
	r->prod = r->cons = r->prod_event = start;
	return r;
}

static uint8_t *buf_new(void)
{
	uint8_t *b = malloc(LINK_FRAME_MAX);

	assert_non_null(b);
	memset(b, 0xee, LINK_FRAME_MAX);
	return b;
}

/* A frame whose bytes all derive from seq, len bytes long. */
static void frame_fill(uint8_t *f, size_t len, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

static int put_seq(struct link_end *e, size_t len, uint32_t seq)
{
	uint8_t f[LINK_FRAME_MAX];
	struct link_seg s = { f, len };

	frame_fill(f, len, seq);
	return link_ring_put(e, &s, 1, (uint16_t)seq);
}

static void get_seq(struct link_end *e, uint8_t *buf, size_t len, uint32_t seq)
{
	uint8_t want[LINK_FRAME_MAX];
	uint16_t flags = 0;

	frame_fill(want, len, seq);
	assert_int_equal(link_ring_get(e, buf, &flags), (int)len);
	assert_memory_equal(buf, want, len);
	assert_int_equal(flags, (uint16_t)seq);
}

static void open_both(struct link_ring *r, struct link_end *p, struct link_end *c)
{
	assert_true(link_end_open_producer(p, r));
	assert_true(link_end_open_consumer(c, r));
}

/* Segments are gathered into one frame; flags and length come back. */
static void put_get_segments(void **state)
{
	(void)state;
	struct link_ring *r = ring_new(0);
	struct link_end p, c;
	uint8_t *buf = buf_new();
	uint8_t a[14], b[100], cc[1];
	uint16_t flags = 0;

	memset(a, 1, sizeof a);
	memset(b, 2, sizeof b);
	memset(cc, 3, sizeof cc);
	struct link_seg segs[] = { { a, sizeof a }, { b, sizeof b }, { cc, sizeof cc } };
	open_both(r, &p, &c);
	assert_int_equal(link_ring_put(&p, segs, 3, LINK_FRAME_CSUM_VALID), 0);
	assert_int_equal(r->prod, 1);
	assert_int_equal(link_ring_get(&c, buf, &flags), 115);
	assert_int_equal(flags, LINK_FRAME_CSUM_VALID);
	assert_memory_equal(buf, a, 14);
	assert_memory_equal(buf + 14, b, 100);
	assert_int_equal(buf[114], 3);
	assert_int_equal(buf[115], 0xee);	/* nothing past the frame */
	assert_int_equal(r->cons, 1);
	assert_int_equal(link_ring_get(&c, buf, &flags), 0);
	free(buf);
	free(r);
}

/* The smallest and largest frames pass; one byte less or more does not,
 * and a refused put leaves the ring as it was. */
static void frame_lengths(void **state)
{
	(void)state;
	struct link_ring *r = ring_new(0);
	struct link_end p, c;
	uint8_t *buf = buf_new();
	uint8_t f[LINK_FRAME_MAX + 1];
	struct link_seg s = { f, 0 };

	memset(f, 9, sizeof f);
	open_both(r, &p, &c);
	for (size_t len = 0; len < LINK_FRAME_MIN; len++) {
		s.len = len;
		assert_int_equal(link_ring_put(&p, &s, 1, 0), -EINVAL);
	}
	s.len = LINK_FRAME_MAX + 1;
	assert_int_equal(link_ring_put(&p, &s, 1, 0), -EINVAL);
	assert_int_equal(link_ring_put(&p, NULL, 0, 0), -EINVAL);
	assert_int_equal(r->prod, 0);
	assert_int_equal(put_seq(&p, LINK_FRAME_MIN, 1), 0);
	assert_int_equal(put_seq(&p, LINK_FRAME_MAX, 2), 0);
	get_seq(&c, buf, LINK_FRAME_MIN, 1);
	get_seq(&c, buf, LINK_FRAME_MAX, 2);
	free(buf);
	free(r);
}

/* 256 frames fill the ring; the 257th waits for the consumer. */
static void full_and_empty(void **state)
{
	(void)state;
	struct link_ring *r = ring_new(0);
	struct link_end p, c;
	uint8_t *buf = buf_new();

	open_both(r, &p, &c);
	assert_int_equal(link_ring_room(&p), 0);
	for (uint32_t i = 0; i < LINK_RING_SLOTS; i++)
		assert_int_equal(put_seq(&p, 60 + i, i), 0);
	assert_int_equal(link_ring_room(&p), -ENOBUFS);
	assert_int_equal(put_seq(&p, 60, 999), -ENOBUFS);
	assert_int_equal(r->prod, LINK_RING_SLOTS);
	get_seq(&c, buf, 60, 0);
	assert_int_equal(link_ring_room(&p), 0);
	assert_int_equal(put_seq(&p, 70, LINK_RING_SLOTS), 0);
	for (uint32_t i = 1; i <= LINK_RING_SLOTS; i++)
		get_seq(&c, buf, i == LINK_RING_SLOTS ? 70 : 60 + i, i);
	assert_int_equal(link_ring_get(&c, buf, NULL), 0);
	free(buf);
	free(r);
}

/* Indices that start just below 2^32 run through the wrap with every frame
 * intact, in bursts of every size up to a full ring. */
static void wrap_around(void **state)
{
	(void)state;
	struct link_ring *r = ring_new(UINT32_MAX - 300);
	struct link_end p, c;
	uint8_t *buf = buf_new();
	uint32_t sent = 0, got = 0;

	open_both(r, &p, &c);
	for (uint32_t burst = 1; burst <= LINK_RING_SLOTS; burst += 17) {
		for (uint32_t i = 0; i < burst; i++, sent++)
			assert_int_equal(put_seq(&p, LINK_FRAME_MIN + sent % 500, sent), 0);
		for (; got < sent; got++)
			get_seq(&c, buf, LINK_FRAME_MIN + got % 500, got);
	}
	assert_true(r->prod < 10000);	/* it did wrap */
	assert_int_equal(r->prod, r->cons);
	free(buf);
	free(r);
}

/* The producer rings only when a batch passes the index the consumer
 * armed; a consumer that has not re-armed hears nothing more. */
static void event_index(void **state)
{
	(void)state;
	struct link_ring *r = ring_new(UINT32_MAX - 2);
	struct link_end p, c;
	uint8_t *buf = buf_new();
	uint32_t before;

	open_both(r, &p, &c);
	assert_true(link_ring_arm(&c));		/* empty: safe to sleep */
	before = p.index;
	for (int i = 0; i < 3; i++)
		assert_int_equal(put_seq(&p, 20, (uint32_t)i), 0);
	assert_true(link_ring_should_notify(&p, before));
	before = p.index;
	assert_int_equal(put_seq(&p, 20, 3), 0);
	assert_false(link_ring_should_notify(&p, before));	/* not re-armed */
	assert_false(link_ring_arm(&c));	/* frames wait: do not sleep */
	for (uint32_t i = 0; i < 4; i++)
		get_seq(&c, buf, 20, i);
	assert_true(link_ring_arm(&c));
	before = p.index;
	assert_false(link_ring_should_notify(&p, before));	/* an empty batch */
	assert_int_equal(put_seq(&p, 20, 4), 0);
	assert_true(link_ring_should_notify(&p, before));
	free(buf);
	free(r);
}

/* A producer index out of range (too far ahead, or behind the consumer)
 * is -EPROTO, and the consumer's own index does not move. */
static void hostile_prod(void **state)
{
	(void)state;
	static const uint32_t bad[] = { LINK_RING_SLOTS + 1, LINK_RING_SLOTS + 1000,
					UINT32_MAX, UINT32_MAX - 5, 0x80000000u };
	struct link_ring *r = ring_new(1000);
	struct link_end c;
	uint8_t *buf = buf_new();

	assert_true(link_end_open_consumer(&c, r));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r->prod = 1000 + bad[i];
		assert_int_equal(link_ring_get(&c, buf, NULL), -EPROTO);
		assert_int_equal(c.index, 1000);
		assert_int_equal(r->cons, 1000);
	}
	assert_int_equal(buf[0], 0xee);
	r->prod = 1000 + LINK_RING_SLOTS;	/* full is legal: every slot empty (len 0) */
	assert_int_equal(link_ring_get(&c, buf, NULL), -EMSGSIZE);
	free(buf);
	free(r);
}

/* A slot length out of range is -EMSGSIZE: nothing is copied, the slot is
 * consumed, and the next frame comes through. */
static void hostile_len(void **state)
{
	(void)state;
	static const uint16_t bad[] = { 0, 1, LINK_FRAME_MIN - 1, LINK_FRAME_MAX + 1,
					LINK_SLOT_SIZE, 0xffff };
	struct link_ring *r = ring_new(0);
	struct link_end p, c;
	uint8_t *buf = buf_new();

	open_both(r, &p, &c);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(put_seq(&p, 40, (uint32_t)i), 0);
		link_ring_slot(r, p.index - 1)->len = bad[i];
		assert_int_equal(put_seq(&p, 50, 100 + (uint32_t)i), 0);
		assert_int_equal(link_ring_get(&c, buf, NULL), -EMSGSIZE);
		assert_int_equal(buf[0], 0xee);
		assert_int_equal(r->cons, c.index);
		get_seq(&c, buf, 50, 100 + (uint32_t)i);
		memset(buf, 0xee, LINK_FRAME_MAX);
	}
	free(buf);
	free(r);
}

/* A consumer index ahead of the producer, or more than a ring behind, is
 * -EPROTO for room and put, which then write nothing. */
static void hostile_cons(void **state)
{
	(void)state;
	static const uint32_t bad[] = { 1, 2, 1000, UINT32_MAX - LINK_RING_SLOTS, 0x80000000u };
	struct link_ring *r = ring_new(500);
	struct link_end p;

	assert_true(link_end_open_producer(&p, r));
	assert_int_equal(put_seq(&p, 30, 1), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r->cons = p.index + bad[i];
		assert_int_equal(link_ring_room(&p), -EPROTO);
		assert_int_equal(put_seq(&p, 30, 2), -EPROTO);
		assert_int_equal(r->prod, 501);
		assert_int_equal(p.index, 501);
	}
	free(r);
}

/* Opening: a consistent ring is taken as it is (a restarted server picks
 * up where the last stopped); an inconsistent one is reported, and the
 * consumer starts over from empty. */
static void open_checks(void **state)
{
	(void)state;
	struct link_ring *r = ring_new(0);
	struct link_end p, c;

	r->prod = 77;
	r->cons = 70;
	open_both(r, &p, &c);
	assert_int_equal(p.index, 77);
	assert_int_equal(c.index, 70);
	r->prod = 70 + LINK_RING_SLOTS + 1;
	assert_false(link_end_open_producer(&p, r));
	assert_false(link_end_open_consumer(&c, r));
	assert_int_equal(c.index, r->prod);
	assert_int_equal(r->cons, r->prod);
	r->prod = 5;
	r->cons = 6;
	assert_false(link_end_open_producer(&p, r));
	free(r);
}

/* Random garbage in every index and slot header, between random calls on
 * both ends: only the documented results, lengths within bounds, and (by
 * ASan) no access outside the ring or the buffer. */
static void garbage(void **state)
{
	(void)state;
	struct link_ring *r = ring_new(0);
	struct link_end p, c;
	uint8_t *buf = buf_new();
	uint8_t f[LINK_FRAME_MAX];
	struct link_seg s = { f, 64 };

	memset(f, 5, sizeof f);
	srand(12345);
	open_both(r, &p, &c);
	for (int i = 0; i < 200000; i++) {
		uint32_t v = (uint32_t)rand() << 16 ^ (uint32_t)rand();
		switch (rand() % 6) {
		case 0: r->prod = rand() % 2 ? v : c.index + v % 300; break;
		case 1: r->cons = rand() % 2 ? v : p.index - v % 300; break;
		case 2: r->prod_event = v; break;
		case 3: link_ring_slot(r, v)->len = (uint16_t)(v >> 7); break;
		case 4: p.index += v % 3; break;	/* producer and consumer out of step */
		default: break;
		}
		int g = link_ring_get(&c, buf, NULL);
		assert_true(g == 0 || g == -EPROTO || g == -EMSGSIZE ||
			    (g >= LINK_FRAME_MIN && g <= (int)LINK_FRAME_MAX));
		s.len = LINK_FRAME_MIN + v % (LINK_FRAME_MAX - LINK_FRAME_MIN + 1);
		int q = link_ring_put(&p, &s, 1, 0);
		assert_true(q == 0 || q == -ENOBUFS || q == -EPROTO);
		(void)link_ring_should_notify(&p, p.index - v % 4);
		(void)link_ring_arm(&c);
		if (rand() % 1000 == 0) {
			link_end_open_consumer(&c, r);
			link_end_open_producer(&p, r);
		}
	}
	free(buf);
	free(r);
}

/* Two threads, the consumer sleeping on an eventfd whenever arm() says it
 * may, the producer ringing only when should_notify() says so: every frame
 * arrives in order and no doorbell is lost (a lost one leaves the consumer
 * asleep, and its 10 s poll fails the test). */
#define STREAM_FRAMES 300000

struct stream {
	struct link_ring *r;
	int efd_data, efd_room;	/* consumer's and producer's doorbells */
	uint32_t frames;
};

/* Both threads use these, so they abort rather than assert: cmocka's
 * failure path longjmps, which only the main thread may do. */
static void doorbell_wait(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	uint64_t v;

	if (poll(&pfd, 1, 10000) != 1 || read(fd, &v, sizeof v) != sizeof v) {
		fprintf(stderr, "a doorbell was lost: nothing for 10 s\n");
		abort();
	}
}

static void doorbell_ring(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof one) != sizeof one)
		abort();
}

static void *producer(void *arg)
{
	struct stream *s = arg;
	struct link_end p;

	link_end_open_producer(&p, s->r);
	for (uint32_t seq = 0; seq < s->frames;) {
		uint32_t before = p.index;
		int n = 0;
		while (n < 1 + (int)(seq % 37) && seq < s->frames && put_seq(&p, 14 + seq % 200, seq) == 0) {
			seq++;
			n++;
		}
		if (n && link_ring_should_notify(&p, before))
			doorbell_ring(s->efd_data);
		if (!n)		/* full: the consumer rings when it frees slots */
			doorbell_wait(s->efd_room);
	}
	return NULL;
}

static void stream_threads(void **state)
{
	(void)state;
	struct stream s = { ring_new(UINT32_MAX - 1000), eventfd(0, 0), eventfd(0, EFD_NONBLOCK), STREAM_FRAMES };
	struct link_end c;
	pthread_t t;
	uint8_t *buf = buf_new();
	uint8_t want[LINK_FRAME_MAX];

	link_end_open_consumer(&c, s.r);
	assert_int_equal(pthread_create(&t, NULL, producer, &s), 0);
	for (uint32_t seq = 0; seq < s.frames;) {
		int n = link_ring_get(&c, buf, NULL);
		if (n > 0) {
			frame_fill(want, 14 + seq % 200, seq);
			assert_int_equal(n, 14 + seq % 200);
			assert_memory_equal(buf, want, (size_t)n);
			seq++;
			if (seq % 64 == 0)
				doorbell_ring(s.efd_room);
			continue;
		}
		assert_int_equal(n, 0);
		doorbell_ring(s.efd_room);
		if (link_ring_arm(&c))
			doorbell_wait(s.efd_data);
	}
	pthread_join(t, NULL);
	close(s.efd_data);
	close(s.efd_room);
	free(buf);
	free(s.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(put_get_segments),
		cmocka_unit_test(frame_lengths),
		cmocka_unit_test(full_and_empty),
		cmocka_unit_test(wrap_around),
		cmocka_unit_test(event_index),
		cmocka_unit_test(hostile_prod),
		cmocka_unit_test(hostile_len),
		cmocka_unit_test(hostile_cons),
		cmocka_unit_test(open_checks),
		cmocka_unit_test(garbage),
		cmocka_unit_test(stream_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
