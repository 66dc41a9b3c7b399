/* lib/parttable.c against tables made by util-linux's sfdisk (real GPT
 * and MBR layouts) and against broken ones: bad CRCs, overlapping or
 * out-of-disk entries, huge counts, random bytes.  A bad table must give
 * -1 and a reason, never partitions, never a crash (the test runs under
 * ASan and UBSan). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "parttable.h"

#define SECT		512u
#define NSECT		16384u	/* 8 MiB */

struct img {
	uint8_t *b;
	uint64_t nsect;
};

static int img_read(void *ctx, uint64_t lba, uint8_t *buf)
{
	struct img *im = ctx;

	if (lba >= im->nsect)
		return -1;
	memcpy(buf, im->b + lba * SECT, SECT);
	return 0;
}

/* An 8 MiB image partitioned by sfdisk from script. */
static struct img make(const char *script)
{
	char path[] = "/tmp/parttable-XXXXXX", cmd[512];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)NSECT * SECT), 0);
	close(fd);
	snprintf(cmd, sizeof cmd, "printf '%s' | sfdisk -q --no-reread %s >/dev/null 2>&1", script, path);
	assert_int_equal(system(cmd), 0);
	struct img im = { malloc((size_t)NSECT * SECT), NSECT };
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(im.b, SECT, NSECT, f), NSECT);
	fclose(f);
	unlink(path);
	return im;
}

static const char gpt_script[] = "label: gpt\\nstart=2048, size=4096\\nstart=6144, size=8192\\n";
static const char mbr_script[] = "label: dos\\nstart=2048, size=4096, type=83\\nstart=6144, size=8192, type=83\\n";

static int parse(struct img *im, struct pt_part *p, const char **kind, const char **why)
{
	static uint8_t scratch[SECT];

	return pt_parse(img_read, im, SECT, im->nsect, scratch, p, kind, why);
}

static void expect_two(struct img *im, const char *want_kind)
{
	struct pt_part p[PT_MAX_PARTS];
	const char *kind, *why;

	assert_int_equal(parse(im, p, &kind, &why), 2);
	assert_string_equal(kind, want_kind);
	assert_int_equal(p[0].number, 1);
	assert_int_equal(p[0].start, 2048);
	assert_int_equal(p[0].count, 4096);
	assert_int_equal(p[1].number, 2);
	assert_int_equal(p[1].start, 6144);
	assert_int_equal(p[1].count, 8192);
}

static void expect_bad(struct img *im, const char *want_why)
{
	struct pt_part p[PT_MAX_PARTS];
	const char *kind, *why;

	assert_int_equal(parse(im, p, &kind, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, want_why);
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24); }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/* Both GPT copies: their headers' sectors. */
static uint8_t *hdr(struct img *im, int backup) { return im->b + (backup ? NSECT - 1 : 1) * SECT; }
static uint8_t *entry(struct img *im, int backup, int i)
{
	return im->b + le64(hdr(im, backup) + 72) * SECT + 128 * i;
}

/* Recomputes the entry array's CRC and then the header's, as a tool that
 * wrote a bad table on purpose would. */
static void reseal(struct img *im, int backup)
{
	uint8_t *h = hdr(im, backup);
	uint64_t len = (uint64_t)le32(h + 80) * le32(h + 84);

	uint64_t lba = le64(h + 72);
	if (len <= 128 * 128 && lba < NSECT && len <= (NSECT - lba) * SECT)
		put32(h + 88, pt_crc32(0, entry(im, backup, 0), len));
	put32(h + 16, 0);
	uint32_t hsize = le32(h + 12);
	put32(h + 16, pt_crc32(0, h, hsize <= SECT ? hsize : 92));
}

static void gpt_from_sfdisk(void **state)
{
	(void)state;
	struct img im = make(gpt_script);
	expect_two(&im, "gpt");
	free(im.b);
}

static void mbr_from_sfdisk(void **state)
{
	(void)state;
	struct img im = make(mbr_script);
	expect_two(&im, "mbr");
	free(im.b);
}

/* No signature, no table: 0, and no complaint. */
static void blank_disk(void **state)
{
	(void)state;
	struct img im = { calloc(NSECT, SECT), NSECT };
	struct pt_part p[PT_MAX_PARTS];
	const char *kind, *why;

	assert_int_equal(parse(&im, p, &kind, &why), 0);
	assert_string_equal(kind, "");
	assert_null(why);
	free(im.b);
}

/* A damaged primary header is replaced by the backup; both damaged: no
 * partitions, and the primary's fault named. */
static void gpt_header_crc(void **state)
{
	(void)state;
	struct img im = make(gpt_script);
	hdr(&im, 0)[60] ^= 1;	/* in the disk GUID */
	expect_two(&im, "gpt");
	hdr(&im, 1)[60] ^= 1;
	expect_bad(&im, "GPT header CRC mismatch");
	free(im.b);
}

static void gpt_entries_crc(void **state)
{
	(void)state;
	struct img im = make(gpt_script);
	entry(&im, 0, 0)[56] ^= 1;	/* a byte of the name */
	expect_two(&im, "gpt");
	entry(&im, 1, 0)[56] ^= 1;
	expect_bad(&im, "GPT entries CRC mismatch");
	free(im.b);
}

static void gpt_overlap(void **state)
{
	(void)state;
	struct img im = make(gpt_script);
	for (int b = 0; b < 2; b++) {
		put64(entry(&im, b, 1) + 32, 4000);	/* partition 2 starts inside 1 */
		reseal(&im, b);
	}
	expect_bad(&im, "two partitions overlap");
	free(im.b);
}

static void gpt_outside(void **state)
{
	(void)state;
	struct img im = make(gpt_script);
	for (int b = 0; b < 2; b++) {
		put64(entry(&im, b, 1) + 40, NSECT + 100);
		reseal(&im, b);
	}
	expect_bad(&im, "a partition lies outside the disk");
	for (int b = 0; b < 2; b++) {
		put64(entry(&im, b, 1) + 40, 6000);	/* ends before it starts */
		reseal(&im, b);
	}
	expect_bad(&im, "a GPT partition ends before it starts");
	free(im.b);
}

static void gpt_huge_count(void **state)
{
	(void)state;
	struct img im = make(gpt_script);
	for (int b = 0; b < 2; b++) {
		put32(hdr(&im, b) + 80, 0xffffffffu);
		reseal(&im, b);
	}
	expect_bad(&im, "too many GPT entries");
	for (int b = 0; b < 2; b++) {
		put32(hdr(&im, b) + 80, 128);
		put32(hdr(&im, b) + 84, 0x80000000u);	/* entry size */
		reseal(&im, b);
	}
	expect_bad(&im, "bad GPT entry size");
	for (int b = 0; b < 2; b++) {
		put32(hdr(&im, b) + 84, 128);
		put64(hdr(&im, b) + 72, ~0ull - 3);	/* entries LBA */
		reseal(&im, b);
	}
	expect_bad(&im, "GPT entries outside the disk");
	free(im.b);
}

static void mbr_bad_entries(void **state)
{
	(void)state;
	struct img im = make(mbr_script);
	uint8_t *e2 = im.b + 446 + 16;
	put32(e2 + 8, 4000);
	expect_bad(&im, "two partitions overlap");
	put32(e2 + 8, 6144);
	put32(e2 + 12, 0xffffffffu);
	expect_bad(&im, "a partition lies outside the disk");
	free(im.b);
}

/* A primary, an extended partition, and three logical partitions in it:
 * numbered 1, 2 (two sectors, as Linux lists an extended partition), 5,
 * 6, 7. */
static const char logical_script[] = "label: dos\\nstart=2048, size=2048, type=83\\n"
				     "start=4096, size=12288, type=5\\nstart=6144, size=2048, type=83\\n"
				     "start=10240, size=2048, type=83\\nstart=14336, size=1024, type=83\\n";

static void mbr_logicals_from_sfdisk(void **state)
{
	(void)state;
	struct img im = make(logical_script);
	struct pt_part p[PT_MAX_PARTS];
	const char *kind, *why;
	const struct pt_part want[] = { { 1, 2048, 2048 }, { 2, 4096, 2 }, { 5, 6144, 2048 },
					{ 6, 10240, 2048 }, { 7, 14336, 1024 } };

	assert_int_equal(parse(&im, p, &kind, &why), 5);
	assert_string_equal(kind, "mbr");
	for (int i = 0; i < 5; i++) {
		assert_int_equal(p[i].number, want[i].number);
		assert_int_equal(p[i].start, want[i].start);
		assert_int_equal(p[i].count, want[i].count);
	}
	free(im.b);
}

/* The extended boot records' link entries, in chain order. */
static uint8_t *ebr_link(struct img *im, uint64_t ebr) { return im->b + ebr * SECT + 446 + 16; }

static void mbr_bad_logicals(void **state)
{
	(void)state;
	struct img im = make(logical_script);
	uint64_t second = 4096 + le32(ebr_link(&im, 4096) + 8);
	uint32_t saved = le32(ebr_link(&im, second) + 8);

	put32(ebr_link(&im, second) + 8, 0x7fffffff);
	expect_bad(&im, "an extended boot record lies outside its extended partition");
	put32(ebr_link(&im, second) + 8, (uint32_t)(second - 4096));	/* links to itself */
	expect_bad(&im, "two partitions overlap");
	put32(ebr_link(&im, second) + 8, saved);
	put32(im.b + 4096 * SECT + 446 + 12, 100000);	/* the first logical's size */
	expect_bad(&im, "a partition lies outside the disk");
	free(im.b);
}

/* A chain of records with no data partitions that links back to its
 * start: it must end, not spin. */
static void mbr_empty_loop(void **state)
{
	(void)state;
	struct img im = make(logical_script);
	uint8_t *first = im.b + 4096 * SECT + 446;
	struct pt_part p[PT_MAX_PARTS];
	const char *kind, *why;

	uint32_t saved = le32(first + 16 + 8);

	memset(first, 0, 16);				/* no data partition */
	put32(first + 16 + 8, 0);			/* link: would be ext itself */
	expect_bad(&im, "an extended boot record lies outside its extended partition");
	put32(first + 16 + 8, saved);			/* to the second record again */
	uint8_t *second = im.b + (4096 + saved) * SECT + 446;
	memset(second, 0, 16);
	put32(second + 16 + 8, saved);			/* back to itself */
	assert_int_equal(parse(&im, p, &kind, &why), -1);
	assert_string_equal(why, "the extended boot records loop");
	free(im.b);
}

/* 2000 copies of im, each scrambled by fn, parsed: any answer but a
 * crash, and no partition outside the disk. */
static void fuzz_parse(const struct img *im, unsigned seed, void (*scramble)(struct img *t, int round, void *arg),
		       void *arg)
{
	struct pt_part p[PT_MAX_PARTS];
	const char *kind, *why;

	srand(seed);
	for (int round = 0; round < 2000; round++) {
		struct img t = { malloc((size_t)NSECT * SECT), NSECT };
		memcpy(t.b, im->b, (size_t)NSECT * SECT);
		scramble(&t, round, arg);
		int n = parse(&t, p, &kind, &why);
		assert_true(n >= -1 && n <= PT_MAX_PARTS);
		for (int i = 0; i < n; i++)
			assert_true(p[i].count && p[i].start + p[i].count <= NSECT);
		free(t.b);
	}
}

/* Random bytes where the GPT tables are, resealed every other time. */
static void scramble_gpt(struct img *t, int round, void *arg)
{
	(void)arg;
	for (int k = 0; k < 1 + round % 16; k++)
		t->b[rand() % (34 * SECT)] = (uint8_t)rand();
	if (round % 2)
		reseal(t, 0);
}

static void random_tables(void **state)
{
	(void)state;
	struct img im = make(gpt_script);
	fuzz_parse(&im, 12, scramble_gpt, NULL);
	free(im.b);
}

/* Random bytes in the tables of the MBR and the extended boot records
 * (the three sectors in arg). */
static void scramble_records(struct img *t, int round, void *arg)
{
	const uint64_t *records = arg;
	for (int k = 0; k < 1 + round % 8; k++)
		t->b[records[rand() % 3] * SECT + 446 + rand() % 66] = (uint8_t)rand();
}

static void random_logicals(void **state)
{
	(void)state;
	struct img im = make(logical_script);
	uint64_t records[3] = { 0, 4096, 4096 + le32(ebr_link(&im, 4096) + 8) };
	fuzz_parse(&im, 13, scramble_records, records);
	free(im.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gpt_from_sfdisk),
		cmocka_unit_test(mbr_from_sfdisk),
		cmocka_unit_test(blank_disk),
		cmocka_unit_test(gpt_header_crc),
		cmocka_unit_test(gpt_entries_crc),
		cmocka_unit_test(gpt_overlap),
		cmocka_unit_test(gpt_outside),
		cmocka_unit_test(gpt_huge_count),
		cmocka_unit_test(mbr_bad_entries),
		cmocka_unit_test(mbr_logicals_from_sfdisk),
		cmocka_unit_test(mbr_bad_logicals),
		cmocka_unit_test(mbr_empty_loop),
		cmocka_unit_test(random_logicals),
		cmocka_unit_test(random_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
