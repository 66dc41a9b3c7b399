/* /.amphi/config: pairs written by config_append read back by config_next;
 * a buffer that ends mid-string or mid-pair is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "config.h"

static const char *const pairs[][2] = {
	{ "exe", "/work/main/build/hello" },
	{ "arg", "build/hello" },
	{ "arg", "" },			/* empty argument */
	{ "arg", "two words" },
	{ "env", "PATH=/usr/local/bin:/usr/bin:/bin" },
	{ "env", "HOME=/" },
};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

static size_t build(char *buf, size_t cap)
{
	size_t len = 0;

	for (size_t i = 0; i < NPAIRS; i++)
		assert_int_equal(config_append(buf, cap, &len, pairs[i][0], pairs[i][1]), 0);
	return len;
}

static void round_trip(void **state)
{
	(void)state;
	char buf[512];
	size_t len = build(buf, sizeof buf), off = 0;
	const char *k, *v;

	for (size_t i = 0; i < NPAIRS; i++) {
		assert_int_equal(config_next(buf, len, &off, &k, &v), 1);
		assert_string_equal(k, pairs[i][0]);
		assert_string_equal(v, pairs[i][1]);
	}
	assert_int_equal(off, len);
	assert_int_equal(config_next(buf, len, &off, &k, &v), 0);
	assert_int_equal(config_next(buf, 0, &(size_t){ 0 }, &k, &v), 0);
}

/* Every cut that is not at a pair boundary leaves a string unterminated or
 * a key without its value.  Each prefix lives in a buffer of its own size. */
static void every_prefix(void **state)
{
	(void)state;
	char full[512];
	size_t len = build(full, sizeof full);

	for (size_t n = 0; n < len; n++) {
		char *cut = malloc(n ? n : 1);
		memcpy(cut, full, n);
		size_t off = 0;
		const char *k, *v;
		int r, pairs_read = 0;
		while ((r = config_next(cut, n, &off, &k, &v)) == 1)
			pairs_read++;
		/* only a cut at the end of a pair reads cleanly */
		size_t boundary = 0;
		for (int i = 0; i < pairs_read; i++)
			boundary += strlen(pairs[i][0]) + strlen(pairs[i][1]) + 2;
		assert_int_equal(r, n == boundary ? 0 : -22);
		free(cut);
	}
}

static void key_without_value(void **state)
{
	(void)state;
	static const char buf[] = "exe\0/x\0arg";	/* sizeof includes one NUL */
	size_t off = 0;
	const char *k, *v;

	assert_int_equal(config_next(buf, sizeof buf, &off, &k, &v), 1);
	assert_int_equal(config_next(buf, sizeof buf, &off, &k, &v), -22);
	off = sizeof buf + 1;
	assert_int_equal(config_next(buf, sizeof buf, &off, &k, &v), -22);
}

static void no_space(void **state)
{
	(void)state;
	char buf[16];
	size_t len = 0;

	memset(buf, 'z', sizeof buf);
	assert_int_equal(config_append(buf, 8, &len, "key", "valu"), -28);	/* needs 9 */
	assert_int_equal(len, 0);
	assert_int_equal(buf[0], 'z');
	assert_int_equal(config_append(buf, 9, &len, "key", "valu"), 0);
	assert_int_equal(len, 9);
	len = 20;
	assert_int_equal(config_append(buf, 16, &len, "", ""), -28);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(every_prefix),
		cmocka_unit_test(key_without_value),
		cmocka_unit_test(no_space),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
