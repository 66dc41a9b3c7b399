/* The link's rings (lib/link_ring.c) in a region of the real size: frames
 * in and out whole, in order, with their flags; full and empty; indices
 * wrapping past 2^32; a peer that lies about its index or a slot's length
 * (an error, and nothing read or written outside the ring); the event-index
 * doorbell rule at every offset; and two threads passing frames with
 * doorbells, where a lost wake-up would hang the consumer. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "link.h"

static void *new_region(void)
{
	void *r = aligned_alloc(4096, LINK_REGION_SIZE);

	assert_non_null(r);
	memset(r, 0, LINK_REGION_SIZE);
	return r;
}

/* A frame whose bytes say which one it is. */
static void fill(uint8_t *f, size_t len, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i * 13 + (i >> 8));
}

static size_t len_of(uint32_t seq)
{
	return LINK_FRAME_MIN + (seq * 2654435761u >> 7) % (LINK_FRAME_MAX - LINK_FRAME_MIN + 1);
}

static int put_one(struct link_end *e, uint32_t seq, size_t len)
{
	uint8_t f[LINK_FRAME_MAX];
	struct link_seg seg = { f, len };

	fill(f, len, seq);
	return link_ring_put(e, &seg, 1, (uint16_t)seq);
}

/* The consumer's buffer is exactly LINK_FRAME_MAX: ASan sees any overrun. */
static void get_check(struct link_end *e, uint32_t seq, size_t len)
{
	uint8_t *buf = malloc(LINK_FRAME_MAX), want[LINK_FRAME_MAX];
	uint16_t flags = 0xdead;

	assert_int_equal(link_ring_get(e, buf, &flags), (int)len);
	fill(want, len, seq);
	assert_memory_equal(buf, want, len);
	assert_int_equal(flags, (uint16_t)seq);
	free(buf);
}

static int get_rc(struct link_end *e)
{
	uint8_t *buf = malloc(LINK_FRAME_MAX);
	int r = link_ring_get(e, buf, NULL);

	free(buf);
	return r;
}

/* Producer and consumer ends on one ring whose indices start at start. */
static void open_pair(struct link_ring *r, uint32_t start, struct link_end *p, struct link_end *c)
{
	r->prod = r->cons = r->prod_event = start;
	assert_true(link_end_open_producer(p, r));
	assert_true(link_end_open_consumer(c, r));
	assert_int_equal(p->index, start);
	assert_int_equal(c->index, start);
}

static void layout(void **state)
{
	(void)state;
	char *base = new_region();

	assert_ptr_equal(link_host(base), base);
	assert_ptr_equal(link_srv(base), base + 0x1000);
	assert_ptr_equal(link_app(base), base + 0x4000);
	assert_ptr_equal(link_tx(base), base + 0x8000);
	assert_ptr_equal(link_rx(base), base + 0x89000);
	assert_int_equal(offsetof(struct link_ring, cons), 64);	/* own cache lines */
	assert_int_equal(offsetof(struct link_ring, prod_event), 68);
	assert_int_equal(offsetof(struct link_slot, frame), LINK_SLOT_HDR);
	assert_int_equal(LINK_FRAME_MAX, 2040);
	struct link_ring *tx = link_tx(base), *rx = link_rx(base);
	assert_ptr_equal(link_ring_slot(tx, 0), base + 0x8000 + 128);
	assert_ptr_equal(link_ring_slot(tx, 256), link_ring_slot(tx, 0));
	assert_ptr_equal(link_ring_slot(tx, 0xffffffffu), link_ring_slot(tx, 255));
	assert_true((char *)(link_ring_slot(tx, 255) + 1) <= (char *)rx);
	assert_true((char *)(link_ring_slot(rx, 255) + 1) <= base + LINK_END);
	assert_true(LINK_END <= LINK_REGION_SIZE);
	free(base);
}

static void put_get_in_order(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_tx(base);
	struct link_end p, c;
	static const size_t lens[] = { LINK_FRAME_MIN, 60, 1514, LINK_FRAME_MAX, 15 };

	open_pair(r, 0, &p, &c);
	assert_int_equal(get_rc(&c), 0);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(put_one(&p, i, lens[i]), 0);
	assert_int_equal(r->prod, 5);
	assert_int_equal(link_ring_slot(r, 3)->len, LINK_FRAME_MAX);
	for (uint32_t i = 0; i < 5; i++)
		get_check(&c, i, lens[i]);
	assert_int_equal(r->cons, 5);
	assert_int_equal(get_rc(&c), 0);
	free(base);
}

/* A frame given in pieces arrives as one, empty pieces included. */
static void segments(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_end p, c;
	uint8_t f[300], *buf = malloc(LINK_FRAME_MAX);
	uint16_t flags;

	fill(f, sizeof f, 9);
	struct link_seg segs[] = { { f, 14 }, { f + 14, 0 }, { f + 14, 200 }, { f + 214, 86 } };
	open_pair(link_tx(base), 0, &p, &c);
	assert_int_equal(link_ring_put(&p, segs, 4, LINK_FRAME_CSUM_VALID), 0);
	assert_int_equal(link_ring_get(&c, buf, &flags), 300);
	assert_memory_equal(buf, f, 300);
	assert_int_equal(flags, LINK_FRAME_CSUM_VALID);
	free(buf);
	free(base);
}

/* Lengths outside [LINK_FRAME_MIN, LINK_FRAME_MAX] are refused and publish
 * nothing; the bounds themselves pass. */
static void bad_lengths(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_tx(base);
	struct link_end p, c;
	static uint8_t f[LINK_FRAME_MAX + 1];
	struct link_seg two[] = { { f, LINK_FRAME_MAX }, { f, 1 } };

	open_pair(r, 0, &p, &c);
	assert_int_equal(link_ring_put(&p, NULL, 0, 0), -22);
	assert_int_equal(put_one(&p, 0, 0), -22);
	assert_int_equal(put_one(&p, 0, LINK_FRAME_MIN - 1), -22);
	struct link_seg big = { f, LINK_FRAME_MAX + 1 };
	assert_int_equal(link_ring_put(&p, &big, 1, 0), -22);
	assert_int_equal(link_ring_put(&p, two, 2, 0), -22);
	assert_int_equal(r->prod, 0);
	assert_int_equal(p.index, 0);
	assert_int_equal(get_rc(&c), 0);
	assert_int_equal(put_one(&p, 1, LINK_FRAME_MIN), 0);
	assert_int_equal(put_one(&p, 2, LINK_FRAME_MAX), 0);
	get_check(&c, 1, LINK_FRAME_MIN);
	get_check(&c, 2, LINK_FRAME_MAX);
	free(base);
}

/* 256 frames fill the ring; one taken makes room for one. */
static void full_ring(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_end p, c;

	open_pair(link_rx(base), 0, &p, &c);
	for (uint32_t i = 0; i < LINK_RING_SLOTS; i++) {
		assert_int_equal(link_ring_room(&p), 0);
		assert_int_equal(put_one(&p, i, len_of(i)), 0);
	}
	assert_int_equal(link_ring_room(&p), -105);
	assert_int_equal(put_one(&p, 999, 60), -105);
	assert_int_equal(p.index, LINK_RING_SLOTS);
	get_check(&c, 0, len_of(0));
	assert_int_equal(put_one(&p, 256, len_of(256)), 0);
	assert_int_equal(put_one(&p, 999, 60), -105);
	for (uint32_t i = 1; i <= LINK_RING_SLOTS; i++)
		get_check(&c, i, len_of(i));
	assert_int_equal(get_rc(&c), 0);
	free(base);
}

/* Free-running indices: the same traffic starting just below 2^32. */
static void indices_wrap(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_end p, c;
	uint32_t sent = 0, got = 0;

	open_pair(link_tx(base), 0xffffff00u, &p, &c);
	for (int round = 0; round < 200; round++) {
		int batch = (round * 37) % 257;
		for (int i = 0; i < batch; i++, sent++)
			assert_int_equal(put_one(&p, sent, len_of(sent)), 0);
		if (batch == 256)
			assert_int_equal(put_one(&p, sent, 60), -105);
		while (got < sent) {
			get_check(&c, got, len_of(got));
			got++;
		}
		assert_int_equal(get_rc(&c), 0);
	}
	assert_true(p.index < 0xffffff00u);	/* it did wrap */
	assert_int_equal(p.index, c.index);
	free(base);
}

/* The consumer's cons as the producer sees it: anything but prod - 256 ..
 * prod is a lie, refused before a byte is written. */
static void lying_consumer(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_rx(base);
	struct link_end p, c;
	static const uint32_t lies[] = { 1, 2, 1000, 0x80000000u, 0u - 257, 0u - 1000 };

	open_pair(r, 5, &p, &c);
	for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
		r->cons = p.index + lies[i];	/* ahead of us, or too far behind */
		assert_int_equal(link_ring_room(&p), -71);
		assert_int_equal(put_one(&p, 0, 60), -71);
		assert_int_equal(r->prod, 5);
		assert_int_equal(link_ring_slot(r, 5)->len, 0);
	}
	r->cons = p.index - LINK_RING_SLOTS;	/* full, honestly */
	assert_int_equal(put_one(&p, 0, 60), -105);
	r->cons = p.index;
	assert_int_equal(put_one(&p, 0, 60), 0);
	free(base);
}

/* The producer's prod as the consumer sees it: more than 256 ahead, or
 * behind, is a lie; nothing is read and cons stays. */
static void lying_producer(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_tx(base);
	struct link_end p, c;
	static const uint32_t lies[] = { LINK_RING_SLOTS + 1, 0x10000, 0x80000000u, 0xffffffffu };

	open_pair(r, 0xfffffff0u, &p, &c);
	for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
		r->prod = c.index + lies[i];
		assert_int_equal(get_rc(&c), -71);
		assert_int_equal(r->cons, 0xfffffff0u);
		assert_int_equal(c.index, 0xfffffff0u);
	}
	/* 256 ahead is a full ring of (here zero-length) slots. */
	r->prod = c.index + LINK_RING_SLOTS;
	assert_int_equal(get_rc(&c), -90);
	free(base);
}

/* A slot's length out of range: -EMSGSIZE, the slot consumed, the frames
 * behind it intact. */
static void lying_slot_length(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_tx(base);
	struct link_end p, c;
	static const uint16_t lies[] = { 0, 1, LINK_FRAME_MIN - 1, LINK_FRAME_MAX + 1, 2048, 0xffff };
	uint16_t flags;
	uint8_t *buf = malloc(LINK_FRAME_MAX);

	open_pair(r, 0, &p, &c);
	for (uint32_t i = 0; i < 7; i++)
		assert_int_equal(put_one(&p, i, 100), 0);
	for (uint32_t i = 0; i < 6; i++) {
		link_ring_slot(r, i)->len = lies[i];
		link_ring_slot(r, i)->flags = 0x4242;
		memset(buf, 0x5a, LINK_FRAME_MAX);
		assert_int_equal(link_ring_get(&c, buf, &flags), -90);
		assert_int_equal(flags, 0x4242);
		assert_int_equal(buf[0], 0x5a);		/* nothing copied */
		assert_int_equal(r->cons, i + 1);
	}
	get_check(&c, 6, 100);
	free(buf);
	free(base);
}

/* Opening takes the indices the region holds; a consumer finding them out
 * of range starts over from empty, a producer says so. */
static void open_ends(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_tx(base);
	struct link_end p, c;

	r->prod = 1000, r->cons = 1000 - LINK_RING_SLOTS;
	assert_true(link_end_open_consumer(&c, r));
	assert_int_equal(c.index, 1000 - LINK_RING_SLOTS);
	assert_true(link_end_open_producer(&p, r));
	assert_int_equal(p.index, 1000);

	r->prod = 1000, r->cons = 1000 - LINK_RING_SLOTS - 1;
	assert_false(link_end_open_producer(&p, r));
	assert_int_equal(link_ring_room(&p), -71);
	assert_false(link_end_open_consumer(&c, r));
	assert_int_equal(c.index, 1000);
	assert_int_equal(r->cons, 1000);
	assert_int_equal(get_rc(&c), 0);

	r->prod = 5, r->cons = 6;	/* cons ahead of prod */
	assert_false(link_end_open_consumer(&c, r));
	assert_int_equal(r->cons, 5);
	assert_true(link_end_open_producer(&p, r));
	assert_int_equal(put_one(&p, 1, 77), 0);
	get_check(&c, 1, 77);

	/* A restarted side picks up where its predecessor stopped. */
	assert_int_equal(put_one(&p, 2, 78), 0);
	struct link_end c2;
	assert_true(link_end_open_consumer(&c2, r));
	get_check(&c2, 2, 78);
	free(base);
}

/* A producer starting afresh (the server, for a new app) drops whatever
 * the ring held, even indices out of range: a frame for the last app that
 * landed after the region was zeroed must not reach the new one. */
static void reset_producer(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_rx(base);
	struct link_end p, c;

	r->prod = 501, r->cons = 0;	/* a stale producer's index in a zeroed ring */
	link_end_reset_producer(&p, r);
	assert_int_equal(p.index, 0);
	assert_int_equal(r->prod, 0);
	assert_int_equal(link_ring_room(&p), 0);
	assert_true(link_end_open_consumer(&c, r));
	assert_int_equal(get_rc(&c), 0);
	assert_int_equal(put_one(&p, 1, 90), 0);
	get_check(&c, 1, 90);

	r->prod = 40, r->cons = 30;	/* frames the consumer has not taken */
	link_end_reset_producer(&p, r);
	assert_int_equal(r->prod, 30);
	assert_true(link_end_open_consumer(&c, r));
	assert_int_equal(get_rc(&c), 0);
	free(base);
}

/* The consumer arms at its index and sleeps only on an empty ring. */
static void arm(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_tx(base);
	struct link_end p, c;

	open_pair(r, 77, &p, &c);
	r->prod_event = 3;
	assert_true(link_ring_arm(&c));
	assert_int_equal(r->prod_event, 77);
	assert_int_equal(put_one(&p, 0, 60), 0);
	assert_false(link_ring_arm(&c));
	get_check(&c, 0, 60);
	assert_true(link_ring_arm(&c));
	assert_int_equal(r->prod_event, 78);
	free(base);
}

/* should_notify after a batch (before, index] is true exactly when the
 * consumer asked for one of the batch's frames: armed at an index in
 * [before, index).  Every offset, every batch size up to 9, near 0 and
 * near 2^32. */
static void notify_rule(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_ring *r = link_tx(base);
	static const uint32_t starts[] = { 0, 100, 0xfffffffau, 0x7ffffffcu };

	for (size_t si = 0; si < 4; si++) {
		for (uint32_t k = 0; k <= 9; k++) {
			for (int d = -300; d <= 300; d++) {
				struct link_end p, c;
				uint32_t before = starts[si];
				open_pair(r, before, &p, &c);
				for (uint32_t i = 0; i < k; i++)
					assert_int_equal(put_one(&p, i, LINK_FRAME_MIN), 0);
				r->prod_event = before + (uint32_t)d;
				bool want = d >= 0 && (uint32_t)d < k;
				assert_int_equal(link_ring_should_notify(&p, before), want);
			}
		}
	}
	free(base);
}

/* The sequence the drivers follow, batch by batch: a consumer that armed
 * gets exactly one doorbell for the next batch, none after it until it
 * arms again. */
static void notify_sequence(void **state)
{
	(void)state;
	char *base = new_region();
	struct link_end p, c;
	uint32_t seq = 0, got = 0;

	open_pair(link_tx(base), 0xfffffff0u, &p, &c);
	assert_true(link_ring_arm(&c));
	for (int round = 0; round < 50; round++) {
		uint32_t before = p.index;
		for (int i = 0; i < 1 + round % 5; i++, seq++)
			assert_int_equal(put_one(&p, seq, len_of(seq)), 0);
		assert_true(link_ring_should_notify(&p, before));
		before = p.index;
		assert_int_equal(put_one(&p, seq, len_of(seq)), 0);
		seq++;
		assert_false(link_ring_should_notify(&p, before));	/* not asked again */
		while (got < seq) {
			get_check(&c, got, len_of(got));
			got++;
		}
		assert_true(link_ring_arm(&c));
	}
	free(base);
}

/* ---- two threads ---------------------------------------------------------- */

#define STRESS_FRAMES	100000u

struct stress {
	struct link_ring *ring;
	sem_t doorbell;
	unsigned long rings, arms;
	int failed;
	bool stop;		/* the consumer gave up: a failed test, not a hang */
};

static void *stress_producer(void *arg)
{
	struct stress *st = arg;
	struct link_end p;
	uint32_t seq = 0;

	link_end_open_producer(&p, st->ring);
	while (seq < STRESS_FRAMES && !__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
		uint32_t before = p.index;
		uint32_t batch = 1 + seq % 7;
		for (uint32_t i = 0; i < batch && seq < STRESS_FRAMES; i++) {
			int r = put_one(&p, seq, len_of(seq));
			if (r == -105)
				break;
			if (r) {
				st->failed = 1;
				return NULL;
			}
			seq++;
		}
		if (link_ring_should_notify(&p, before)) {
			st->rings++;
			sem_post(&st->doorbell);
		}
		if (p.index == before)
			sched_yield();	/* full: the consumer is behind */
	}
	return NULL;
}

/* Returns false on a wrong frame or when a doorbell never came: a lost
 * wake-up (a minute is a hang, not a measurement). */
static bool stress_consume(struct stress *st)
{
	struct link_end c;
	uint8_t *buf = malloc(LINK_FRAME_MAX), want[LINK_FRAME_MAX];
	uint32_t got = 0;
	uint16_t flags;

	link_end_open_consumer(&c, st->ring);
	while (got < STRESS_FRAMES) {
		int n = link_ring_get(&c, buf, &flags);
		if (n == 0) {
			st->arms++;
			if (!link_ring_arm(&c))
				continue;
			struct timespec dl;
			clock_gettime(CLOCK_REALTIME, &dl);
			dl.tv_sec += 60;
			if (sem_timedwait(&st->doorbell, &dl) && errno == ETIMEDOUT)
				break;
			continue;
		}
		fill(want, len_of(got), got);
		if (n != (int)len_of(got) || memcmp(buf, want, (size_t)n) || flags != (uint16_t)got)
			break;
		got++;
	}
	free(buf);
	return got == STRESS_FRAMES;
}

static void two_threads(void **state)
{
	(void)state;
	char *base = new_region();
	struct stress st = { .ring = link_tx(base) };
	pthread_t t;

	st.ring->prod = st.ring->cons = 0xffff0000u;
	sem_init(&st.doorbell, 0, 0);
	assert_int_equal(pthread_create(&t, NULL, stress_producer, &st), 0);
	bool ok = stress_consume(&st);
	__atomic_store_n(&st.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	assert_false(st.failed);
	assert_true(ok);
	assert_true(st.rings <= st.arms + 1);	/* at most one doorbell per request */
	sem_destroy(&st.doorbell);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout),
		cmocka_unit_test(put_get_in_order),
		cmocka_unit_test(segments),
		cmocka_unit_test(bad_lengths),
		cmocka_unit_test(full_ring),
		cmocka_unit_test(indices_wrap),
		cmocka_unit_test(lying_consumer),
		cmocka_unit_test(lying_producer),
		cmocka_unit_test(lying_slot_length),
		cmocka_unit_test(open_ends),
		cmocka_unit_test(reset_producer),
		cmocka_unit_test(arm),
		cmocka_unit_test(notify_rule),
		cmocka_unit_test(notify_sequence),
		cmocka_unit_test(two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
