/* lib/siphash.c against the vectors of SipHash's specification: key 00..0f
 * and messages 00..(n-1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "siphash.h"

static uint8_t key[16], msg[64];

static void setup_bytes(void)
{
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
}

/* The paper's worked example (appendix A): 15 bytes. */
static void paper_example(void **state)
{
	(void)state;
	setup_bytes();
	assert_int_equal(siphash24(key, msg, 15), 0xa129ca6149be45e5ull);
}

/* The reference implementation's first vector: the empty message. */
static void empty_message(void **state)
{
	(void)state;
	setup_bytes();
	assert_int_equal(siphash24(key, msg, 0), 0x726fdb47dd0e0e31ull);
}

/* Every length from 0 to 63 gives a different hash, and one changed bit in
 * the key or the message changes it. */
static void lengths_and_bits(void **state)
{
	(void)state;
	uint64_t seen[64];

	setup_bytes();
	for (int n = 0; n < 64; n++) {
		seen[n] = siphash24(key, msg, (size_t)n);
		for (int m = 0; m < n; m++)
			assert_true(seen[m] != seen[n]);
	}
	key[7] ^= 1;
	assert_true(siphash24(key, msg, 15) != 0xa129ca6149be45e5ull);
	key[7] ^= 1;
	msg[14] ^= 0x80;
	assert_true(siphash24(key, msg, 15) != 0xa129ca6149be45e5ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_example),
		cmocka_unit_test(empty_message),
		cmocka_unit_test(lengths_and_bits),
	};
	return cmocka_run_group_tests_name("siphash", tests, NULL, NULL);
}
