/* lib/crc32c.c against known vectors: the check value of the CRC
 * catalogue ("123456789") and RFC 3720's (iSCSI) appendix B.4. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "crc32c.h"

static uint32_t crc_of(const void *p, size_t n) { return ~crc32c(~0u, p, n); }

static void check_value(void **state)
{
	(void)state;
	assert_int_equal(crc_of("123456789", 9), 0xe3069283u);
	assert_int_equal(crc_of("", 0), 0);
}

static void rfc3720_vectors(void **state)
{
	uint8_t b[32];

	(void)state;
	memset(b, 0, sizeof b);
	assert_int_equal(crc_of(b, 32), 0x8a9136aau);
	memset(b, 0xff, sizeof b);
	assert_int_equal(crc_of(b, 32), 0x62a8ab43u);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	assert_int_equal(crc_of(b, 32), 0x46dd794eu);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	assert_int_equal(crc_of(b, 32), 0x113fdb5cu);
}

/* Chained updates give the same register as one pass (ext4 checksums a
 * structure in pieces). */
static void chained(void **state)
{
	const char *s = "the quick brown fox jumps over the lazy dog";
	size_t n = strlen(s);

	(void)state;
	for (size_t cut = 0; cut <= n; cut++)
		assert_int_equal(crc32c(crc32c(~0u, s, cut), s + cut, n - cut), crc32c(~0u, s, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_value),
		cmocka_unit_test(rfc3720_vectors),
		cmocka_unit_test(chained),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
