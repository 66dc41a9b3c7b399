/* lib/crc32c.c against known vectors: the check value of the CRC
 * catalogue ("123456789") and RFC 3720's (iSCSI) appendix B.4; and
 * against the bitwise definition at every length and alignment that
 * takes the four-byte steps and the byte tail. */
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

static uint32_t bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (crc & 1 ? 0x82f63b78u : 0);
	}
	return crc;
}

static void matches_bitwise(void **state)
{
	uint8_t b[80];

	(void)state;
	for (size_t i = 0; i < sizeof b; i++)
		b[i] = (uint8_t)(i * 151 + 17);
	for (size_t at = 0; at < 8; at++)
		for (size_t n = 0; at + n <= sizeof b; n++)
			assert_int_equal(crc32c(0x12345678u, b + at, n), bitwise(0x12345678u, b + at, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_value),
		cmocka_unit_test(rfc3720_vectors),
		cmocka_unit_test(chained),
		cmocka_unit_test(matches_bitwise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
