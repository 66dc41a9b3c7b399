/* kernel/core/string.c's copies and fills, built for the host under other
 * names (the Makefile renames them), against byte-by-byte references: every
 * length to 300 and a few long ones, every alignment of source and
 * destination within a word, memmove's overlaps in both directions, and
 * both ways of working (the word loops, and rep movsb/stosb where
 * string_rep_fast says they are fast); and memcmp's sign wherever the
 * first difference lies, in the word loop or after it. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/string.h"	/* k_memcpy, k_memmove, k_memset, k_memcmp */

#define AREA	(144 * 1024)	/* two of the longest copy, apart */
#define SHORT_SPAN	(12 * 1024)	/* what the short cases touch */

static uint8_t area[AREA], want[AREA];
static const size_t long_lengths[] = { 1023, 1024, 1025, 4096, 4099, 65536 + 5 };

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed * 7 + (i >> 8));
}

/* Copies n bytes from src to dst offsets in area (overlapping only for
 * memmove) and checks the first span bytes of area, all that the case
 * touches and more, against the same move done a byte at a time through a
 * temporary buffer. */
static void check_move(size_t dst, size_t src, size_t n, bool use_memmove, size_t span)
{
	static uint8_t tmp[AREA];

	fill_pattern(area, span, (unsigned)(dst + src + n));
	for (size_t i = 0; i < span; i++)
		want[i] = area[i];
	for (size_t i = 0; i < n; i++)
		tmp[i] = area[src + i];
	for (size_t i = 0; i < n; i++)
		want[dst + i] = tmp[i];
	void *r = use_memmove ? k_memmove(area + dst, area + src, n) : k_memcpy(area + dst, area + src, n);
	assert_ptr_equal(r, area + dst);
	assert_memory_equal(area, want, span);
}

static void check_fill(size_t dst, size_t n, int c, size_t span)
{
	fill_pattern(area, span, (unsigned)n);
	for (size_t i = 0; i < span; i++)
		want[i] = area[i];
	for (size_t i = 0; i < n; i++)
		want[dst + i] = (uint8_t)c;
	assert_ptr_equal(k_memset(area + dst, c, n), area + dst);
	assert_memory_equal(area, want, span);
}

static void copies_and_fills(void)
{
	for (size_t n = 0; n <= 300; n++)
		for (size_t a = 0; a < 8; a++)
			for (size_t b = 0; b < 8; b++) {
				check_move(8192 + a, 100 + b, n, false, SHORT_SPAN);
				check_fill(64 + a, n, (int)(0x80 + b), SHORT_SPAN);
			}
	for (size_t i = 0; i < sizeof long_lengths / sizeof long_lengths[0]; i++)
		for (size_t a = 0; a < 8; a += 3) {
			check_move(AREA - long_lengths[i] - a, a, long_lengths[i], false, AREA);
			check_fill(a, long_lengths[i], 0, AREA);
		}
}

/* Overlaps at every distance up to a few blocks, both ways, short and long. */
static void overlapping_moves(void)
{
	const size_t lengths[] = { 1, 7, 8, 31, 32, 33, 100, 257, 4099 };

	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++)
		for (size_t d = 0; d <= 80; d++) {
			check_move(1000 + d, 1000, lengths[i], true, SHORT_SPAN);	/* dst above src */
			check_move(1000, 1000 + d, lengths[i], true, SHORT_SPAN);	/* dst below src */
		}
}

static void with_loops(void **state)
{
	(void)state;
	string_rep_fast = false;
	copies_and_fills();
	overlapping_moves();
}

static void with_rep_strings(void **state)
{
	(void)state;
	string_rep_fast = true;
	copies_and_fills();
	overlapping_moves();
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Two equal buffers at every alignment, then one byte changed up or down
 * at every position: memcmp's sign is that byte's, and equal is 0. */
static void comparisons(void **state)
{
	static uint8_t a[80], b[80];

	(void)state;
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n + off <= 64; n++) {
			fill_pattern(a, sizeof a, 3);
			memcpy(b, a, sizeof b);
			assert_int_equal(k_memcmp(a + off, b + off, n), 0);
			for (size_t i = 0; i < n; i++) {
				b[off + i] = (uint8_t)(a[off + i] + 1);
				assert_int_equal(sign(k_memcmp(a + off, b + off, n)), a[off + i] == 0xff ? 1 : -1);
				b[off + i] = (uint8_t)(a[off + i] - 1);
				assert_int_equal(sign(k_memcmp(a + off, b + off, n)), a[off + i] == 0 ? -1 : 1);
				b[off + i] = a[off + i];
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(with_loops),
		cmocka_unit_test(with_rep_strings),
		cmocka_unit_test(comparisons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
