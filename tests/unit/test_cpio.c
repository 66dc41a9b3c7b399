/* cpio newc: what the writer makes, the reader gives back; what a hostile
 * archive holds, the reader refuses without reading past its end (ASan
 * watches: every archive under test sits in a buffer of exactly its size). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cpio.h"

#define S_DIR	0040755u
#define S_EXE	0100755u
#define S_FILE	0100644u

struct sample {
	const char *name;
	uint32_t mode;
	const char *data;
};

static const struct sample samples[] = {
	{ "work", S_DIR, "" },
	{ "work/main", S_DIR, "" },
	{ "work/main/hello", S_EXE, "\x7f" "ELF and then some bytes" },
	{ "work/main/empty", S_FILE, "" },
	{ "a", S_FILE, "12345" },			/* odd sizes: padding both sides */
	{ ".amphi/config", S_FILE, "exe\0/x\0" },
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

/* Data lengths: strlen, except the config, which holds NULs. */
static size_t sample_size(const struct sample *s)
{
	return strcmp(s->name, ".amphi/config") == 0 ? 7 : strlen(s->data);
}

/* Builds the sample archive in a buffer of exactly its size. */
static uint8_t *build(size_t *len)
{
	size_t cap = cpio_entry_size(10, 0);
	for (size_t i = 0; i < NSAMPLES; i++)
		cap += cpio_entry_size(strlen(samples[i].name), sample_size(&samples[i]));
	uint8_t *buf = malloc(cap);
	*len = 0;
	for (size_t i = 0; i < NSAMPLES; i++) {
		size_t before = *len;
		assert_int_equal(cpio_append(buf, cap, len, samples[i].name, samples[i].mode,
					     1700000000 + i, samples[i].data, sample_size(&samples[i])), 0);
		assert_int_equal(*len - before,
				 cpio_entry_size(strlen(samples[i].name), sample_size(&samples[i])));
		assert_int_equal(*len % 4, 0);
	}
	assert_int_equal(cpio_trailer(buf, cap, len), 0);
	assert_int_equal(*len, cap);
	return buf;
}

static void round_trip(void **state)
{
	(void)state;
	size_t len, off = 0;
	uint8_t *buf = build(&len);
	struct cpio_entry e;

	for (size_t i = 0; i < NSAMPLES; i++) {
		assert_int_equal(cpio_next(buf, len, &off, &e), 1);
		assert_int_equal(e.name_len, strlen(samples[i].name));
		assert_memory_equal(e.name, samples[i].name, e.name_len);
		assert_int_equal(e.mode, samples[i].mode);
		assert_int_equal(e.mtime, 1700000000 + i);
		assert_int_equal(e.size, sample_size(&samples[i]));
		assert_memory_equal(e.data, samples[i].data, e.size);
		assert_int_equal(off % 4, 0);
	}
	assert_int_equal(cpio_next(buf, len, &off, &e), 0);
	assert_int_equal(e.name_len, 10);
	assert_memory_equal(e.name, "TRAILER!!!", 10);
	assert_int_equal(off, len);
	free(buf);
}

/* The header is plain text a person can check: magic, mode, sizes. */
static void header_layout(void **state)
{
	(void)state;
	uint8_t buf[256];
	size_t len = 0;

	assert_int_equal(cpio_append(buf, sizeof buf, &len, "ab", S_EXE, 0x10, "xyz", 3), 0);
	assert_memory_equal(buf, "070701", 6);
	assert_memory_equal(buf + 6 + 8, "000081ed", 8);	/* mode */
	assert_memory_equal(buf + 6 + 5 * 8, "00000010", 8);	/* mtime */
	assert_memory_equal(buf + 6 + 6 * 8, "00000003", 8);	/* filesize */
	assert_memory_equal(buf + 6 + 11 * 8, "00000003", 8);	/* namesize with NUL */
	assert_memory_equal(buf + 110, "ab\0", 3);
	assert_memory_equal(buf + 116, "xyz\0", 4);	/* name padded to 116, data to 120 */
	assert_int_equal(len, 120);
}

static void no_space(void **state)
{
	(void)state;
	uint8_t buf[200];
	size_t len = 0;

	memset(buf, 0xaa, sizeof buf);
	assert_int_equal(cpio_append(buf, 115, &len, "ab", S_FILE, 0, "xyz", 3), -28);
	assert_int_equal(len, 0);
	assert_int_equal(buf[0], 0xaa);
	len = 100;
	assert_int_equal(cpio_trailer(buf, 200, &len), -28);
	assert_int_equal(len, 100);
	len = 300;	/* *len past cap must not wrap */
	assert_int_equal(cpio_trailer(buf, 200, &len), -28);
	assert_int_equal(cpio_entry_size(SIZE_MAX - 1, 0), SIZE_MAX);
	assert_int_equal(cpio_entry_size(1, SIZE_MAX), SIZE_MAX);
}

/* Reads entries until the reader stops; returns its last answer. */
static int read_all(const uint8_t *a, size_t size, int *entries)
{
	size_t off = 0;
	struct cpio_entry e;
	int r;

	*entries = 0;
	while ((r = cpio_next(a, size, &off, &e)) == 1) {
		assert_true(off <= size);
		assert_true((const uint8_t *)e.data + e.size <= a + size);
		(*entries)++;
	}
	return r;
}

/* Cut the archive at every length: each prefix is refused, except those
 * that only lose the padding after the trailer's name. */
static void truncated(void **state)
{
	(void)state;
	size_t len;
	uint8_t *full = build(&len);
	size_t trailer_end = len - cpio_entry_size(10, 0) + 110 + 11;

	for (size_t n = 0; n < len; n++) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, full, n);
		int entries, r = read_all(cut, n, &entries);
		if (n >= trailer_end) {
			assert_int_equal(r, 0);
			assert_int_equal(entries, NSAMPLES);
		} else {
			assert_int_equal(r, -22);
		}
		free(cut);
	}
	free(full);
}

static int first_entry(const uint8_t *a, size_t size)
{
	size_t off = 0;
	struct cpio_entry e;
	uint8_t *copy = malloc(size);
	memcpy(copy, a, size);
	int r = cpio_next(copy, size, &off, &e);
	free(copy);
	return r;
}

/* A copy of the archive with `str` written over it at `at`. */
static uint8_t *patched(const uint8_t *good, size_t len, size_t at, const char *str)
{
	size_t n = strlen(str);
	uint8_t *bad = malloc(len);

	assert_true(at + n <= len);
	memcpy(bad, good, len);
	memcpy(bad + at, str, n);
	return bad;
}

static int first_entry_patched(const uint8_t *good, size_t len, size_t at, const char *str)
{
	uint8_t *bad = patched(good, len, at, str);
	int r = first_entry(bad, len);
	free(bad);
	return r;
}

static void malformed(void **state)
{
	(void)state;
	size_t len;
	uint8_t *good = build(&len);
	size_t off;
	struct cpio_entry e;

	assert_int_equal(first_entry(good, len), 1);

	/* 070707 is the old portable format, not newc */
	assert_int_equal(first_entry_patched(good, len, 5, "7"), -22);
	/* mode: not hex */
	assert_int_equal(first_entry_patched(good, len, 6 + 8 + 3, "g"), -22);
	/* filesize far past the end */
	assert_int_equal(first_entry_patched(good, len, 6 + 6 * 8, "ffffffff"), -22);
	/* namesize far past the end */
	assert_int_equal(first_entry_patched(good, len, 6 + 11 * 8, "7fffffff"), -22);
	/* namesize 0: no room even for the NUL */
	assert_int_equal(first_entry_patched(good, len, 6 + 11 * 8, "00000000"), -22);
	/* "work" loses its NUL */
	assert_int_equal(first_entry_patched(good, len, 110 + 4, "x"), -22);
	/* a NUL inside the name ("w\0rk") */
	uint8_t *bad = patched(good, len, 0, "");
	bad[110 + 1] = 0;
	assert_int_equal(first_entry(bad, len), -22);
	free(bad);

	off = len + 1;				/* offset past the end */
	assert_int_equal(cpio_next(good, len, &off, &e), -22);
	off = SIZE_MAX;
	assert_int_equal(cpio_next(good, len, &off, &e), -22);

	free(good);
}

/* Upper-case hex (as Linux's gen_init_cpio writes) and the 070702 magic. */
static void foreign_writers(void **state)
{
	(void)state;
	static const char hdr[] = "070702" "00000001" "000041ED" "00000000" "00000000"
		"00000002" "0000000A" "00000000" "00000000" "00000000" "00000000"
		"00000000" "00000002" "00000000" "d\0";
	size_t off = 0;
	struct cpio_entry e;

	assert_int_equal(sizeof hdr - 1, 112);
	assert_int_equal(first_entry((const uint8_t *)hdr, 112), 1);
	assert_int_equal(cpio_next(hdr, 112, &off, &e), 1);
	assert_int_equal(e.mode, 040755);
	assert_int_equal(e.mtime, 10);
	assert_int_equal(e.name_len, 1);
	assert_int_equal(off, 112);		/* padding to 112 */
	assert_int_equal(cpio_next(hdr, 112, &off, &e), -22);	/* no trailer */
}

/* A padding entry of the size cpio_padding_for gives puts the next entry's
 * data on the boundary, from any offset and for any name length. */
static void padding_aligns_the_next_data(void **state)
{
	static char buf[3 * 4096 + 1024];
	static const char zeros[4096];

	(void)state;
	for (size_t start = 0; start < 4096; start += 4 * 37)
		for (size_t name_len = 1; name_len < 300; name_len += 23) {
			char name[300];
			size_t len = start;
			struct cpio_entry e;
			memset(name, 'n', name_len);
			name[name_len] = 0;
			size_t pad = cpio_padding_for(len, 10, name_len, 4096);
			assert_true(pad < 4096);
			assert_int_equal(cpio_append(buf, sizeof buf, &len, ".amphi/pad", S_FILE, 0, zeros, pad), 0);
			assert_int_equal(cpio_append(buf, sizeof buf, &len, name, S_FILE, 0, "x", 1), 0);
			size_t off = start;
			assert_int_equal(cpio_next(buf, len, &off, &e), 1);
			assert_int_equal(e.size, pad);
			assert_int_equal(cpio_next(buf, len, &off, &e), 1);
			assert_int_equal((size_t)((const char *)e.data - buf) % 4096, 0);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(header_layout),
		cmocka_unit_test(no_space),
		cmocka_unit_test(truncated),
		cmocka_unit_test(malformed),
		cmocka_unit_test(foreign_writers),
		cmocka_unit_test(padding_aligns_the_next_data),
	};
	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
