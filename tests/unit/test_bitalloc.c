/* The page allocator's bitmap: runs are found, aligned, never handed out
 * twice, and the free count stays exact through overlapping marks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bitalloc.h"

#define NBITS 1000	/* not a multiple of 64: the tail word is partial */

static uint64_t words[(NBITS + 63) / 64];

static struct bitalloc fresh(void)
{
	struct bitalloc b;

	bitalloc_init(&b, words, NBITS);
	return b;
}

static void starts_all_used(void **state)
{
	(void)state;
	struct bitalloc b = fresh();

	assert_int_equal(b.nfree, 0);
	assert_int_equal(bitalloc_alloc(&b, 1, 1), -1);
}

static void mark_counts_only_changes(void **state)
{
	(void)state;
	struct bitalloc b = fresh();

	assert_int_equal(bitalloc_mark_free(&b, 10, 100), 100);
	assert_int_equal(bitalloc_mark_free(&b, 50, 100), 40);	/* overlaps 50..109 */
	assert_int_equal(b.nfree, 140);
	assert_int_equal(bitalloc_mark_used(&b, 0, 20), 10);
	assert_int_equal(b.nfree, 130);
	assert_int_equal(bitalloc_mark_free(&b, 990, 100), 10);	/* clipped at the end */
	assert_int_equal(b.nfree, 140);
}

static void runs_do_not_overlap(void **state)
{
	(void)state;
	struct bitalloc b = fresh();
	static uint8_t owner[NBITS];

	memset(owner, 0, sizeof owner);
	bitalloc_mark_free(&b, 0, NBITS);
	for (int id = 1;; id++) {
		long at = bitalloc_alloc(&b, (size_t)(id % 7) + 1, 1);
		if (at < 0)
			break;
		for (long i = at; i < at + id % 7 + 1; i++) {
			assert_int_equal(owner[i], 0);
			owner[i] = (uint8_t)id;
		}
	}
	assert_true(b.nfree < 7);
}

static void alignment_is_kept(void **state)
{
	(void)state;
	struct bitalloc b = fresh();

	bitalloc_mark_free(&b, 3, 500);
	for (int i = 0; i < 5; i++) {
		long at = bitalloc_alloc(&b, 4, 16);
		assert_true(at >= 0);
		assert_int_equal(at % 16, 0);
	}
	assert_int_equal(bitalloc_alloc(&b, 1, 3), -1);	/* not a power of two */
}

static void finds_the_only_run_that_fits(void **state)
{
	(void)state;
	struct bitalloc b = fresh();

	bitalloc_mark_free(&b, 100, 5);
	bitalloc_mark_free(&b, 200, 64);
	bitalloc_mark_free(&b, 700, 200);
	assert_int_equal(bitalloc_alloc(&b, 150, 1), 700);
	assert_int_equal(bitalloc_alloc(&b, 64, 1), 200);
	assert_int_equal(bitalloc_alloc(&b, 6, 1), 850);
	assert_int_equal(bitalloc_alloc(&b, 45, 1), -1);	/* 44 left at 856 */
	assert_int_equal(bitalloc_alloc(&b, 5, 1), 100);	/* first fit: the lowest run */
	assert_int_equal(bitalloc_alloc(&b, 39, 1), 856);
	assert_int_equal(bitalloc_alloc(&b, 5, 1), 895);
	assert_int_equal(b.nfree, 0);
}

static void freed_runs_come_back(void **state)
{
	(void)state;
	struct bitalloc b = fresh();

	bitalloc_mark_free(&b, 0, 128);
	long a = bitalloc_alloc(&b, 128, 1);
	assert_int_equal(a, 0);
	assert_int_equal(bitalloc_alloc(&b, 1, 1), -1);
	bitalloc_mark_free(&b, 64, 10);
	assert_int_equal(bitalloc_alloc(&b, 10, 1), 64);
}

/* Single units taken and freed in a churn must not break up the long run
 * above them: the reason for first fit. */
static void churn_leaves_long_runs(void **state)
{
	(void)state;
	struct bitalloc b = fresh();
	long held[100];

	bitalloc_mark_free(&b, 0, NBITS);
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 100; i++)
			held[i] = bitalloc_alloc(&b, 1, 1);
		for (int i = 0; i < 100; i += 2)
			bitalloc_mark_free(&b, (size_t)held[i], 1);
		for (int i = 1; i < 100; i += 2)
			bitalloc_mark_free(&b, (size_t)held[i], 1);
	}
	for (int i = 0; i < 50; i++)
		assert_true(bitalloc_alloc(&b, 1, 1) < 100);
	assert_true(bitalloc_alloc(&b, 800, 1) >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starts_all_used),
		cmocka_unit_test(mark_counts_only_changes),
		cmocka_unit_test(runs_do_not_overlap),
		cmocka_unit_test(alignment_is_kept),
		cmocka_unit_test(finds_the_only_run_that_fits),
		cmocka_unit_test(freed_runs_come_back),
		cmocka_unit_test(churn_leaves_long_runs),
	};
	return cmocka_run_group_tests_name("bitalloc", tests, NULL, NULL);
}
