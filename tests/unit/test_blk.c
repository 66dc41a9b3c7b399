/* kernel/dev/blk.c built for the host (tests/unit/kshim stands in for the
 * CPU, locks and the scheduler; the heap and printk are defined here),
 * with the test as the driver: what reaches the driver after merging,
 * partition remapping, refusals, which queue a batch goes to, and that
 * every submitter's request completes once with the driver's status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "dev/blk.h"
#include "dev/blk_internal.h"

static struct cpu cpu_list[2] = { { 0 }, { 1 } };
struct cpu *test_cpu = &cpu_list[0];
int ncpus = 2;

void *kmalloc(size_t size) { return malloc(size); }
void kfree(void *p) { free(p); }

static int printks;
void printk(const char *fmt, ...)
{
	(void)fmt;
	printks++;
}

/* ---- the driver --------------------------------------------------------------- */

#define MAX_SEEN	16

static struct blk_req *seen[MAX_SEEN];
static unsigned seen_queue[MAX_SEEN];
static int nseen;

static void drv_submit(struct blk_dev *d, unsigned queue, struct list *reqs)
{
	(void)d;
	while (!list_empty(reqs)) {
		struct blk_req *r = list_entry(reqs->next, struct blk_req, link);
		list_del(&r->link);
		assert_true(nseen < MAX_SEEN);
		seen_queue[nseen] = queue;
		seen[nseen++] = r;
	}
}

static const struct blk_ops ops = { .submit = drv_submit };
static struct blk_dev disk, part;

/* ---- the submitters ------------------------------------------------------------- */

struct sub {
	struct blk_req r;
	int done, status;
};

static void sub_done(struct blk_req *r)
{
	struct sub *s = (struct sub *)r;

	s->done++;
	s->status = r->status;
}

/* Backing "memory": physical addresses are virtual ones on the host. */
static uint8_t mem[64 * 4096] __attribute__((aligned(4096)));

static void make(struct sub *s, enum blk_op op, uint64_t sector, uint32_t count, size_t memoff)
{
	memset(s, 0, sizeof *s);
	s->r.op = op;
	s->r.sector = sector;
	s->r.count = count;
	s->r.nsegs = count ? 1 : 0;
	s->r.segs[0] = (struct blk_seg){ (uint64_t)(uintptr_t)(mem + memoff), count * 512 };
	s->r.done = sub_done;
}

static int setup(void **state)
{
	(void)state;
	blk_batches_init();
	disk = (struct blk_dev){ .name = "vda", .nsectors = 1000, .sector_size = 512, .max_count = 64,
				 .nqueues = 2, .ops = &ops, .discard = true };
	part = disk;
	strcpy(part.name, "vda1");
	part.parent = &disk;
	part.start = 100;
	part.nsectors = 50;
	nseen = printks = 0;
	test_cpu = &cpu_list[0];
	return 0;
}

/* Three writes, each the next sectors in the next page: one request of
 * 24 sectors in one segment; each submitter sees the driver's status. */
static void adjacent_writes_merge(void **state)
{
	(void)state;
	struct sub s[3];

	for (int i = 0; i < 3; i++) {
		make(&s[i], BLK_WRITE, 10 + 8 * i, 8, 4096 * i);
		blk_submit(&disk, &s[i].r);
	}
	assert_int_equal(nseen, 0);	/* held until the batch is handed over */
	blk_unplug();
	assert_int_equal(nseen, 1);
	struct blk_req *m = seen[0];
	assert_int_equal(m->sector, 10);
	assert_int_equal(m->count, 24);
	assert_int_equal(m->nsegs, 1);
	assert_int_equal(m->segs[0].len, 24 * 512);
	assert_ptr_equal(m->dev, &disk);
	blk_complete(m, -EIO);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(s[i].done, 1);
		assert_int_equal(s[i].status, -EIO);
	}
	assert_int_equal(printks, 1);
}

/* Pieces that are apart on the disk, of another kind, would break the page
 * rule, or would pass max_count stay apart. */
static void what_does_not_merge(void **state)
{
	(void)state;
	struct sub s[6];

	make(&s[0], BLK_READ, 0, 8, 0);
	make(&s[1], BLK_READ, 9, 8, 4096);		/* a gap of one sector */
	make(&s[2], BLK_WRITE, 17, 8, 8192);		/* a write after a read */
	make(&s[3], BLK_WRITE, 25, 1, 3 * 4096 + 512);	/* mid-page, not adjacent in memory */
	make(&s[4], BLK_WRITE, 26, 56, 8 * 4096);	/* seven pages, and the next */
	make(&s[5], BLK_WRITE, 82, 16, 15 * 4096);	/* two: 56 + 16 > max_count 64 */
	for (int i = 0; i < 6; i++)
		blk_submit(&disk, &s[i].r);
	blk_unplug();
	assert_int_equal(nseen, 6);
	for (int i = 0; i < 6; i++) {
		assert_ptr_equal(seen[i], &s[i].r);
		blk_complete(seen[i], 0);
		assert_int_equal(s[i].done, 1);
		assert_int_equal(s[i].status, 0);
	}
	assert_int_equal(printks, 0);
}

/* A partition's request is shifted onto its disk; one outside it, a
 * write to a read-only device, or anything on a device that left fails
 * at once without reaching the driver (only the last is the device's
 * failure, and logged). */
static void partitions_and_refusals(void **state)
{
	(void)state;
	struct sub s[4];

	make(&s[0], BLK_READ, 40, 10, 0);
	blk_submit(&part, &s[0].r);
	make(&s[1], BLK_READ, 45, 10, 0);	/* past the partition's 50 sectors */
	blk_submit(&part, &s[1].r);
	assert_int_equal(s[1].status, -EINVAL);
	part.read_only = true;
	make(&s[2], BLK_WRITE, 0, 1, 0);
	blk_submit(&part, &s[2].r);
	assert_int_equal(s[2].status, -EROFS);
	blk_unplug();
	assert_int_equal(nseen, 1);
	assert_int_equal(seen[0]->sector, 140);
	assert_ptr_equal(seen[0]->dev, &disk);
	blk_complete(seen[0], 0);
	assert_int_equal(s[0].done, 1);
	assert_int_equal(printks, 0);
	blk_gone(&disk);
	make(&s[3], BLK_READ, 0, 1, 0);
	blk_submit(&part, &s[3].r);
	assert_int_equal(s[3].done, 1);
	assert_int_equal(s[3].status, -EIO);
	assert_int_equal(nseen, 1);
}

/* A batch goes to its CPU's queue, even when the thread that unplugs
 * moved to another CPU meanwhile. */
static void queue_of_the_cpu(void **state)
{
	(void)state;
	struct sub a, b;

	test_cpu = &cpu_list[1];
	make(&a, BLK_READ, 0, 8, 0);
	blk_submit(&disk, &a.r);
	test_cpu = &cpu_list[0];
	make(&b, BLK_READ, 100, 8, 0);
	blk_submit(&disk, &b.r);
	blk_unplug();
	assert_int_equal(nseen, 2);
	assert_ptr_equal(seen[0], &b.r);
	assert_int_equal(seen_queue[0], 0);
	assert_ptr_equal(seen[1], &a.r);
	assert_int_equal(seen_queue[1], 1);
	blk_complete(seen[0], 5);	/* a driver's bad value is still a failure */
	assert_int_equal(b.status, -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(adjacent_writes_merge, setup),
		cmocka_unit_test_setup(what_does_not_merge, setup),
		cmocka_unit_test_setup(partitions_and_refusals, setup),
		cmocka_unit_test_setup(queue_of_the_cpu, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
