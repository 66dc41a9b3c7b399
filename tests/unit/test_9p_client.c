/* The 9P2000.L client (kernel/fs/9p_client.c) against replies made here:
 * good ones decode, and every malformed one (short, long, wrong size, tag
 * or type, counts past the message, a NUL inside a name, a bad Rlerror)
 * is -EIO, never a read past the buffer (AddressSanitizer watches). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/errno.h"
#include "fs/9p.h"
#include "fs/file.h"

/* The fake channel: the next reply, as bytes after the header, or the
 * reply a directory server makes for a Treaddir at an offset. */
static uint8_t reply[P9_MSIZE];
static size_t reply_len;
static int reply_tag_delta, reply_type_delta, reply_size_delta;
static void (*readdir_server)(uint64_t offset);

void *kmalloc(size_t n) { return calloc(1, n); }
void kfree(void *p) { free(p); }

long iobuf_fill(const struct iobuf *b, size_t off, const void *src, size_t n)
{
	memcpy(b->kernel + off, src, n);
	return 0;
}

long iobuf_drain(const struct iobuf *b, size_t off, void *dst, size_t n)
{
	memcpy(dst, b->kernel + off, n);
	return 0;
}

/* Replies with header type+1 (or the type set in reply[-]) and the
 * request's tag. */
long p9_chan_rpc(struct p9_chan *c, const void *req, size_t len, void *resp, size_t cap)
{
	const uint8_t *q = req;
	uint8_t *r = resp;
	uint16_t tag;

	(void)c;
	if (q[4] == 40 && readdir_server) {	/* Treaddir: fid[4] offset[8] count[4] */
		uint64_t offset;
		memcpy(&offset, q + 11, 8);
		readdir_server(offset);
	}
	uint32_t size = (uint32_t)(7 + reply_len) + (uint32_t)reply_size_delta;
	assert_true(len >= 7 && 7 + reply_len <= cap);
	memcpy(&tag, q + 5, 2);
	tag = (uint16_t)(tag + reply_tag_delta);
	memcpy(r, &size, 4);
	r[4] = (uint8_t)(q[4] + 1 + reply_type_delta);
	memcpy(r + 5, &tag, 2);
	memcpy(r + 7, reply, reply_len);
	return (long)(7 + reply_len);
}

static void set_reply(const void *p, size_t n)
{
	memcpy(reply, p, n);
	reply_len = n;
	reply_tag_delta = reply_type_delta = reply_size_delta = 0;
}

/* Builders for reply bodies. */
static size_t put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); return 4; }
static size_t put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); return 8; }

static size_t put_str(uint8_t *p, const char *s, size_t n)
{
	uint16_t l = (uint16_t)n;
	memcpy(p, &l, 2);
	memcpy(p + 2, s, n);
	return 2 + n;
}

static size_t put_qid(uint8_t *p, uint64_t path)
{
	p[0] = 0;
	put32(p + 1, 7);
	put64(p + 5, path);
	return 13;
}

static struct p9_client client;

static int connect_ok(void **state)
{
	uint8_t b[64];
	size_t n = put32(b, 8192);

	(void)state;
	n += put_str(b + n, "9P2000.L", 8);
	set_reply(b, n);
	assert_int_equal(p9_connect(&client, NULL), 0);
	assert_int_equal(client.msize, 8192);
	return 0;
}

static int disconnect(void **state)
{
	(void)state;
	p9_disconnect(&client);
	return 0;
}

static void test_version_refused(void **state)
{
	struct p9_client c;
	uint8_t b[64];
	size_t n = put32(b, 8192);

	(void)state;
	n += put_str(b + n, "9P2000.u", 8);
	set_reply(b, n);
	assert_int_equal(p9_connect(&c, NULL), -EIO);
	n = put32(b, 100);	/* an msize too small for anything */
	n += put_str(b + n, "9P2000.L", 8);
	set_reply(b, n);
	assert_int_equal(p9_connect(&c, NULL), -EIO);
}

static size_t getattr_body(uint8_t *b)
{
	size_t n = put64(b, 0x7ff);
	n += put_qid(b + n, 42);
	n += put32(b + n, 0100644);
	n += put32(b + n, 1000);
	n += put32(b + n, 100);
	n += put64(b + n, 1);		/* nlink */
	n += put64(b + n, 0);		/* rdev */
	n += put64(b + n, 12345);	/* size */
	n += put64(b + n, 4096);	/* blksize */
	n += put64(b + n, 24);		/* blocks */
	for (int k = 0; k < 8; k++)
		n += put64(b + n, k == 2 ? 1700000000 : 5);	/* times, btime */
	n += put64(b + n, 0);		/* gen */
	n += put64(b + n, 0);		/* data_version */
	return n;
}

static void test_getattr(void **state)
{
	uint8_t b[256];
	size_t n = getattr_body(b);
	struct p9_attr a;

	(void)state;
	set_reply(b, n);
	assert_int_equal(p9_getattr(&client, 1, &a), 0);
	assert_int_equal(a.qid.path, 42);
	assert_int_equal(a.mode, 0100644);
	assert_int_equal(a.size, 12345);
	assert_int_equal(a.blocks, 24);
	assert_int_equal(a.mtime_ns, 1700000000ll * 1000000000 + 5);
	set_reply(b, n - 1);		/* one byte short */
	assert_int_equal(p9_getattr(&client, 1, &a), -EIO);
	set_reply(b, n + 1);		/* one byte too many */
	assert_int_equal(p9_getattr(&client, 1, &a), -EIO);
	set_reply(b, n);
	reply_tag_delta = 1;
	assert_int_equal(p9_getattr(&client, 1, &a), -EIO);
	set_reply(b, n);
	reply_type_delta = 2;
	assert_int_equal(p9_getattr(&client, 1, &a), -EIO);
	set_reply(b, n);
	reply_size_delta = 1;		/* says more than the device wrote */
	assert_int_equal(p9_getattr(&client, 1, &a), -EIO);
	assert_int_equal(client.lock.held, 0);
}

static void test_lerror(void **state)
{
	uint8_t b[8];
	struct p9_attr a;

	(void)state;
	put32(b, ENOENT);
	set_reply(b, 4);
	reply_type_delta = 7 - 25;	/* Rlerror for Tgetattr (24) */
	assert_int_equal(p9_getattr(&client, 1, &a), -ENOENT);
	put32(b, 0);
	set_reply(b, 4);
	reply_type_delta = 7 - 25;
	assert_int_equal(p9_getattr(&client, 1, &a), -EIO);
	put32(b, 99999);
	set_reply(b, 4);
	reply_type_delta = 7 - 25;
	assert_int_equal(p9_getattr(&client, 1, &a), -EIO);
}

static void test_walk(void **state)
{
	uint8_t b[64];
	struct p9_qid q;
	uint16_t one = 1, zero = 0;

	(void)state;
	memcpy(b, &one, 2);
	size_t n = 2 + put_qid(b + 2, 77);
	set_reply(b, n);
	assert_int_equal(p9_walk(&client, 0, "name", 5, &q), 0);
	assert_int_equal(q.path, 77);
	memcpy(b, &zero, 2);
	set_reply(b, 2);
	assert_int_equal(p9_walk(&client, 0, "name", 5, &q), -ENOENT);
	uint16_t two = 2;
	memcpy(b, &two, 2);		/* two qids for one name */
	n = 2 + put_qid(b + 2, 1);
	n += put_qid(b + n, 2);
	set_reply(b, n);
	assert_int_equal(p9_walk(&client, 0, "name", 5, &q), -EIO);
}

static void test_read(void **state)
{
	uint8_t b[64], out[16];
	struct iobuf io = iobuf_kernel(out, sizeof out);

	(void)state;
	size_t n = put32(b, 5);
	memcpy(b + n, "hello", 5);
	set_reply(b, n + 5);
	assert_int_equal(p9_read(&client, 3, &io, 0), 5);
	assert_memory_equal(out, "hello", 5);
	put32(b, 6);			/* says 6, carries 5 */
	set_reply(b, n + 5);
	assert_int_equal(p9_read(&client, 3, &io, 0), -EIO);
	put32(b, 20);			/* more than was asked for */
	memset(b + 4, 'x', 20);
	set_reply(b, 24);
	assert_int_equal(p9_read(&client, 3, &io, 0), -EIO);
}

static void test_readlink_nul(void **state)
{
	uint8_t b[64];
	char *t;

	(void)state;
	set_reply(b, put_str(b, "ab\0c", 4));
	assert_int_equal(p9_readlink(&client, 3, &t), -EIO);
	set_reply(b, put_str(b, "target", 6));
	assert_int_equal(p9_readlink(&client, 3, &t), 0);
	assert_string_equal(t, "target");
	free(t);
}

static int count_entry(void *arg, const struct p9_dirent *d)
{
	(*(int *)arg)++;
	assert_true(strlen(d->name) < sizeof d->name);
	return 0;
}

static void test_readdir(void **state)
{
	uint8_t b[256];
	int seen = 0;

	(void)state;
	/* an entry whose name runs past the data: one chunk, then the end */
	size_t n = 4 + put_qid(b + 4, 9);
	n += put64(b + n, 1);
	b[n++] = 8;
	n += put_str(b + n, "abc", 3);
	b[n - 4] = 200;			/* name length 200, 3 bytes there */
	put32(b, (uint32_t)(n - 4));
	set_reply(b, n);
	assert_int_equal(p9_readdir(&client, 3, 100, count_entry, &seen), -EIO);
	assert_int_equal(seen, 0);
	/* a count past the message */
	put32(b, 1000);
	set_reply(b, n);
	assert_int_equal(p9_readdir(&client, 3, 100, count_entry, &seen), -EIO);
}

/* Servers going round in circles: each call answers one entry named "a"
 * whose offset next_offset() gives, and, so that a client that never
 * notices ends the test rather than hanging it, the end of the directory
 * after 100,000 calls. */
static uint64_t (*next_offset)(uint64_t offset);
static unsigned readdir_calls;

static void one_entry(uint64_t offset)
{
	uint8_t b[64];
	size_t n = 4;

	if (++readdir_calls <= 100000) {
		n += put_qid(b + n, 9);
		n += put64(b + n, next_offset(offset));
		b[n++] = 8;
		n += put_str(b + n, "a", 1);
	}
	put32(b, (uint32_t)(n - 4));
	set_reply(b, n);
}

static uint64_t two_cycle(uint64_t offset) { return offset == 5 ? 9 : 5; }	/* 0, 5, 9, 5, 9... */
static uint64_t long_cycle(uint64_t offset) { return offset == 1000 ? 17 : offset + 1; }
static uint64_t never_repeats(uint64_t offset) { return offset + 1; }

static int listing(uint64_t (*server)(uint64_t), uint64_t max_entries, int *seen)
{
	next_offset = server;
	readdir_calls = 0;
	*seen = 0;
	readdir_server = one_entry;
	int err = p9_readdir(&client, 3, max_entries, count_entry, seen);
	readdir_server = NULL;
	return err;
}

static void test_readdir_circles(void **state)
{
	int seen;

	(void)state;
	/* Before, only a chunk ending where it began was caught: these went
	 * on until the server gave up */
	assert_int_equal(listing(two_cycle, 1000000, &seen), -EIO);
	assert_true(seen <= 8);
	assert_int_equal(listing(long_cycle, 1000000, &seen), -EIO);
	assert_true(seen <= 2 * 1000 + 2 * 1000);
	assert_int_equal(listing(never_repeats, 500, &seen), -EIO);
	assert_int_equal(seen, 500);
	/* an honest directory of 2000 entries */
	next_offset = never_repeats;
	readdir_calls = 100000 - 2000;
	readdir_server = one_entry;
	seen = 0;
	assert_int_equal(p9_readdir(&client, 3, 5000, count_entry, &seen), 0);
	readdir_server = NULL;
	assert_int_equal(seen, 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_refused),
		cmocka_unit_test_setup_teardown(test_getattr, connect_ok, disconnect),
		cmocka_unit_test_setup_teardown(test_lerror, connect_ok, disconnect),
		cmocka_unit_test_setup_teardown(test_walk, connect_ok, disconnect),
		cmocka_unit_test_setup_teardown(test_read, connect_ok, disconnect),
		cmocka_unit_test_setup_teardown(test_readlink_nul, connect_ok, disconnect),
		cmocka_unit_test_setup_teardown(test_readdir, connect_ok, disconnect),
		cmocka_unit_test_setup_teardown(test_readdir_circles, connect_ok, disconnect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
