/* The NVMe driver's queues and block requests (kernel/dev/nvme_queue.c and
 * nvme_io.c, built unchanged for the host) with the test as the
 * controller: it reads the submission entries up to the tail doorbell,
 * checks each command and its PRPs against the request, and writes
 * completion entries with the phase tag, sometimes lying (command ids out
 * of range, not in flight, answered twice, from another queue), sometimes
 * failing a command, sometimes never answering or reporting a fatal
 * status.  Every request must complete exactly once, with the right
 * status, and a lie must change nothing.
 *
 * Only the CPU header is a stand-in (tests/unit/kshim); what the two files
 * call out to (pages, printk, the timer, blk_complete, nvme_ctrl_fail) is
 * defined here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/timer.h"
#include "dev/blk.h"
#include "dev/nvme_internal.h"

/* ---- the kernel services the driver uses --------------------------------- */

static uint64_t now_ns;
uint64_t arch_clock_ns(void) { return now_ns; }

uint64_t page_alloc(size_t n)
{
	void *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);

	memset(p, 0, n * PAGE_SIZE);
	return (uint64_t)(uintptr_t)p;
}

void page_free(uint64_t pa, size_t n)
{
	(void)n;
	free((void *)(uintptr_t)pa);
}

static int printks;
static char last_printk[256];

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_printk, sizeof last_printk, fmt, ap);
	va_end(ap);
	printks++;
}

void spin_lock_wait(struct spinlock *l)
{
	(void)l;
	fail_msg("a queue lock taken twice: the driver would deadlock");
}

static bool timer_armed;
void timer_arm(struct timer *t, uint64_t deadline)
{
	t->deadline = deadline;
	timer_armed = true;
}

#define MAX_REQS 512

static int completions[MAX_REQS];	/* per request: how often completed */
static int statuses[MAX_REQS];

struct blk_req reqs[MAX_REQS];

void blk_complete(struct blk_req *r, int status)
{
	int i = (int)(r - reqs);

	assert_true(i >= 0 && i < MAX_REQS);
	completions[i]++;
	statuses[i] = status;
}

static int ctrl_fails;

/* As nvme.c's, less the registers and blk_gone. */
void nvme_ctrl_fail(struct nvme_ctrl *c, const char *why)
{
	(void)why;
	ctrl_fails++;
	if (c->dead)
		return;
	c->dead = true;
	for (unsigned i = 0; i < c->nio; i++)
		nvme_io_drain(c->io[i]);
}

/* ---- the controller ------------------------------------------------------ */

static struct nvme_ctrl ctrl;
static struct nvme_ns ns;
static struct nvme_queue *q;
static uint8_t regs[0x2000] __attribute__((aligned(4096)));
static uint16_t dev_sq_head, dev_cq_tail, dev_phase;

#define SECTOR 512u

static void dev_open(uint16_t depth, bool vwc, bool dsm)
{
	memset(&ctrl, 0, sizeof ctrl);
	memset(regs, 0, sizeof regs);
	memset(completions, 0, sizeof completions);
	memset(statuses, 0x55, sizeof statuses);
	memset(reqs, 0, sizeof reqs);
	ctrl.regs = regs;
	ctrl.max_xfer = NVME_MAX_XFER;
	ctrl.vwc = vwc;
	ctrl.dsm = dsm;
	ctrl.timeout_ns = 5000000000ull;
	snprintf(ctrl.name, sizeof ctrl.name, "nvme0");
	q = calloc(1, sizeof *q);
	assert_int_equal(nvme_queue_init(q, &ctrl, 1, depth), 0);
	ctrl.io[0] = q;
	ctrl.nio = 1;
	memset(&ns, 0, sizeof ns);
	ns.ctrl = &ctrl;
	ns.nsid = 1;
	for (unsigned i = 0; i < NVME_MAX_IOQ; i++)
		list_init(&ns.waiting[i]);
	ns.blk = (struct blk_dev){ .name = "nvme0n1", .nsectors = 1u << 20, .sector_size = SECTOR,
				   .max_count = NVME_MAX_XFER / SECTOR, .nqueues = 1,
				   .ops = &nvme_blk_ops, .priv = &ns };
	ctrl.ns = &ns;
	dev_sq_head = dev_cq_tail = 0;
	dev_phase = 1;
	printks = ctrl_fails = 0;
	timer_armed = false;
	now_ns = 1000;
}

static void dev_close(void)
{
	nvme_queue_free(q);
	free(q);
}

static uint32_t sq_doorbell(void) { return *(volatile uint32_t *)(regs + 0x1000 + 8); }
static uint32_t cq_doorbell(void) { return *(volatile uint32_t *)(regs + 0x1000 + 12); }

/* The next command the driver made available, or false. */
static bool dev_fetch(struct nvme_sqe *e)
{
	if (dev_sq_head == sq_doorbell())
		return false;
	*e = q->sq[dev_sq_head];
	dev_sq_head = (uint16_t)((dev_sq_head + 1) % q->size);
	return true;
}

static void dev_post(uint16_t cid, uint16_t sqid, uint16_t status)
{
	struct nvme_cqe *c = &q->cq[dev_cq_tail];

	*c = (struct nvme_cqe){ .cid = cid, .sq_id = sqid, .sq_head = dev_sq_head,
				.status = (uint16_t)(status << 1 | dev_phase) };
	if (++dev_cq_tail == q->size) {
		dev_cq_tail = 0;
		dev_phase ^= 1;
	}
}

static void dev_interrupt(void) { nvme_io_interrupt(q); }

static void submit(struct blk_req *r)
{
	struct list l = LIST_INIT(l);

	list_add_tail(&l, &r->link);
	nvme_blk_ops.submit(&ns.blk, 0, &l);
}

/* Memory for requests: page-aligned, a page apart so no two segments of
 * different pages ever touch. */
static uint8_t *arena;
#define ARENA_PAGES 2048

static uint64_t pa_at(size_t page, size_t off)
{
	return (uint64_t)(uintptr_t)(arena + page * PAGE_SIZE + off);
}

static void set_rw(struct blk_req *r, enum blk_op op, uint64_t sector)
{
	r->op = op;
	r->sector = sector;
	r->nsegs = 0;
	r->count = 0;
}

static void add_seg(struct blk_req *r, uint64_t pa, uint32_t len)
{
	r->segs[r->nsegs++] = (struct blk_seg){ pa, len };
}

static void set_count(struct blk_req *r)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < r->nsegs; i++)
		total += r->segs[i].len;
	r->count = (uint32_t)(total / SECTOR);
}

/* The pages a command's PRPs name, in order, as the controller reads them
 * for `bytes`: PRP1, then PRP2 or the list. */
static unsigned prp_walk(const struct nvme_sqe *e, uint32_t bytes, uint64_t *out, unsigned max)
{
	unsigned n = 0;
	uint64_t first_len = PAGE_SIZE - (e->prp1 & (PAGE_SIZE - 1));

	out[n++] = e->prp1;
	if (bytes <= first_len)
		return n;
	uint64_t left = bytes - first_len;
	unsigned pages = (unsigned)((left + PAGE_SIZE - 1) / PAGE_SIZE);
	if (pages == 1) {
		out[n++] = e->prp2;
		return n;
	}
	assert_int_equal(e->prp2 & (PAGE_SIZE - 1), 0);
	const uint64_t *list = (const uint64_t *)(uintptr_t)e->prp2;
	assert_true(pages <= 512);	/* one page of list */
	for (unsigned i = 0; i < pages && n < max; i++) {
		assert_int_equal(list[i] & (PAGE_SIZE - 1), 0);
		out[n++] = list[i];
	}
	return n;
}

/* The pages segments [a, b) of r cover, as PRPs must name them. */
static unsigned seg_pages(const struct blk_req *r, unsigned a, unsigned b, uint64_t *out)
{
	unsigned n = 0;

	for (unsigned i = a; i < b; i++)
		for (uint64_t p = r->segs[i].pa; p < r->segs[i].pa + r->segs[i].len;
		     p = PAGE_ROUND_DOWN(p) + PAGE_SIZE)
			out[n++] = p;
	return n;
}

static void check_rw(const struct nvme_sqe *e, const struct blk_req *r, unsigned a, unsigned b,
		     uint64_t lba)
{
	static uint64_t want[1024], got[1024];
	uint32_t bytes = 0;

	for (unsigned i = a; i < b; i++)
		bytes += r->segs[i].len;
	assert_int_equal(e->opcode, r->op == BLK_READ ? NVME_CMD_READ : NVME_CMD_WRITE);
	assert_int_equal(e->nsid, 1);
	assert_int_equal((uint64_t)e->cdw11 << 32 | e->cdw10, lba);
	assert_int_equal(e->cdw12 + 1, bytes / SECTOR);
	unsigned nw = seg_pages(r, a, b, want), ng = prp_walk(e, bytes, got, 1024);
	assert_int_equal(ng, nw);
	assert_memory_equal(got, want, nw * sizeof want[0]);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_prps(void **state)
{
	(void)state;
	dev_open(NVME_QDEPTH, true, true);
	/* One page, two pages, a list: offsets at the start, ends short. */
	struct { size_t off; uint32_t len; } cases[] = {
		{ 0, 512 }, { 512, 512 }, { 0, 4096 }, { 3584, 1024 }, { 0, 8192 },
		{ 1024, 8192 }, { 0, 12288 }, { 4092 - 508, 3 * 4096 + 512 },
		{ 0, NVME_MAX_XFER }, { 512, NVME_MAX_XFER },
	};
	for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct blk_req *r = &reqs[k];
		set_rw(r, k & 1 ? BLK_READ : BLK_WRITE, 100 + k);
		/* Physically contiguous, in page-sized segments as the layer cuts. */
		uint64_t pa = pa_at(4 * k, cases[k].off), end = pa + cases[k].len;
		while (pa < end) {
			uint64_t n = PAGE_ROUND_DOWN(pa) + PAGE_SIZE - pa;
			n = n < end - pa ? n : end - pa;
			if (r->nsegs == BLK_MAX_SEGS)	/* merge the rest into the last */
				r->segs[r->nsegs - 1].len += (uint32_t)n;
			else
				add_seg(r, pa, (uint32_t)n);
			pa += n;
		}
		set_count(r);
		submit(r);
		struct nvme_sqe e;
		assert_true(dev_fetch(&e));
		check_rw(&e, r, 0, r->nsegs, 100 + k);
		assert_false(dev_fetch(&e));
		assert_int_equal(completions[k], 0);
		dev_post(e.cid, 1, 0);
		dev_interrupt();
		assert_int_equal(completions[k], 1);
		assert_int_equal(statuses[k], 0);
		assert_int_equal(cq_doorbell(), q->cq_head);
	}
	assert_int_equal(printks, 0);
	dev_close();
}

/* Segments meeting off a page boundary: cut into commands where the cut
 * falls between blocks, refused where it does not. */
static void test_pieces(void **state)
{
	(void)state;
	dev_open(NVME_QDEPTH, true, true);
	struct blk_req *r = &reqs[0];
	set_rw(r, BLK_WRITE, 50);
	add_seg(r, pa_at(0, 0x200), 512);		/* ends mid-page */
	add_seg(r, pa_at(2, 0x600), 1024);		/* starts mid-page, ends mid */
	add_seg(r, pa_at(4, 0), 4096);			/* starts on a page */
	add_seg(r, pa_at(5, 0), 512);
	set_count(r);
	submit(r);
	struct nvme_sqe e[3];
	for (int i = 0; i < 3; i++)
		assert_true(dev_fetch(&e[i]));
	assert_false(dev_fetch(&e[0]));
	check_rw(&e[0], r, 0, 1, 50);
	check_rw(&e[1], r, 1, 2, 51);
	check_rw(&e[2], r, 2, 4, 53);
	/* Out of order, one piece answered twice (ignored, logged); the
	 * request completes with its last piece. */
	dev_post(e[2].cid, 1, 0);
	dev_post(e[2].cid, 1, 0);
	dev_post(e[0].cid, 1, 0);
	dev_interrupt();
	assert_int_equal(completions[0], 0);
	assert_int_equal(printks, 1);
	printks = 0;
	dev_post(e[1].cid, 1, 0);
	dev_interrupt();
	assert_int_equal(completions[0], 1);
	assert_int_equal(statuses[0], 0);

	/* A cut inside a block: refused, nothing sent, the reason logged. */
	r = &reqs[1];
	set_rw(r, BLK_READ, 0);
	add_seg(r, pa_at(8, 0x100), 256);
	add_seg(r, pa_at(10, 0x300), 256);
	set_count(r);
	submit(r);
	assert_false(dev_fetch(&e[0]));
	assert_int_equal(completions[1], 1);
	assert_int_equal(statuses[1], -EINVAL);
	assert_int_equal(printks, 1);
	assert_non_null(strstr(last_printk, "inside a logical block"));

	/* Sizes that do not add up, past the end, too large: refused. */
	r = &reqs[2];
	set_rw(r, BLK_READ, 0);
	add_seg(r, pa_at(12, 0), 4096);
	r->count = 9;
	submit(r);
	r = &reqs[3];
	set_rw(r, BLK_READ, (1u << 20) - 1);
	add_seg(r, pa_at(12, 0), 1024);
	set_count(r);
	submit(r);
	r = &reqs[4];
	set_rw(r, BLK_READ, 0);
	add_seg(r, pa_at(0, 0), NVME_MAX_XFER + 4096);
	set_count(r);
	submit(r);
	for (int i = 2; i <= 4; i++) {
		assert_int_equal(completions[i], 1);
		assert_int_equal(statuses[i], -EINVAL);
	}
	assert_false(dev_fetch(&e[0]));
	dev_close();
}

static void test_flush_discard(void **state)
{
	(void)state;
	struct nvme_sqe e;

	dev_open(NVME_QDEPTH, false, false);
	reqs[0].op = BLK_FLUSH;
	submit(&reqs[0]);
	assert_false(dev_fetch(&e));		/* no cache: nothing to flush */
	assert_int_equal(completions[0], 1);
	assert_int_equal(statuses[0], 0);
	reqs[1] = (struct blk_req){ .op = BLK_DISCARD, .sector = 8, .count = 16 };
	submit(&reqs[1]);
	assert_false(dev_fetch(&e));
	assert_int_equal(statuses[1], -EOPNOTSUPP);
	dev_close();

	dev_open(NVME_QDEPTH, true, true);
	reqs[0].op = BLK_FLUSH;
	submit(&reqs[0]);
	assert_true(dev_fetch(&e));
	assert_int_equal(e.opcode, NVME_CMD_FLUSH);
	assert_int_equal(e.nsid, 1);
	dev_post(e.cid, 1, 0);
	reqs[1] = (struct blk_req){ .op = BLK_DISCARD, .sector = 8, .count = 16 };
	submit(&reqs[1]);
	assert_true(dev_fetch(&e));
	assert_int_equal(e.opcode, NVME_CMD_DSM);
	assert_int_equal(e.cdw10, 0);
	assert_int_equal(e.cdw11, NVME_DSM_DEALLOCATE);
	const struct nvme_dsm_range *range = (const void *)(uintptr_t)e.prp1;
	assert_int_equal(range->slba, 8);
	assert_int_equal(range->nlb, 16);
	dev_post(e.cid, 1, 0);
	dev_interrupt();
	assert_int_equal(completions[0], 1);
	assert_int_equal(completions[1], 1);
	assert_int_equal(statuses[1], 0);
	dev_close();
}

static void one_page_read(int i, uint64_t sector)
{
	set_rw(&reqs[i], BLK_READ, sector);
	add_seg(&reqs[i], pa_at((size_t)i % ARENA_PAGES, 0), 4096);
	set_count(&reqs[i]);
}

/* Lies: ids out of range, not in flight, answered twice, from another
 * queue.  Ignored, logged once; the real answers still count. */
static void test_bogus_cids(void **state)
{
	(void)state;
	dev_open(NVME_QDEPTH, true, true);
	struct nvme_sqe e[2];
	for (int i = 0; i < 2; i++) {
		one_page_read(i, (uint64_t)i * 8);
		submit(&reqs[i]);
		assert_true(dev_fetch(&e[i]));
	}
	uint16_t idle = 0;
	while (idle == e[0].cid || idle == e[1].cid)
		idle++;
	dev_post(0xffff, 1, 0);
	dev_post((uint16_t)q->nslots, 1, 0);
	dev_post(idle, 1, 0);
	dev_post(e[0].cid, 2, 0);		/* right id, wrong queue */
	dev_interrupt();
	assert_int_equal(completions[0] + completions[1], 0);
	assert_int_equal(printks, 1);
	assert_non_null(strstr(last_printk, "not in flight"));
	dev_post(e[0].cid, 1, 0);
	dev_post(e[0].cid, 1, 0);		/* twice */
	dev_interrupt();
	assert_int_equal(completions[0], 1);
	assert_int_equal(completions[1], 0);
	dev_post(e[1].cid, 1, 0);
	dev_interrupt();
	assert_int_equal(completions[1], 1);
	assert_int_equal(printks, 1);		/* once per queue */
	assert_int_equal(ctrl_fails, 0);
	dev_close();
}

/* An error status fails the request with -EIO, once, and logs it once. */
static void test_error_status(void **state)
{
	(void)state;
	dev_open(NVME_QDEPTH, true, true);
	struct blk_req *r = &reqs[0];
	set_rw(r, BLK_WRITE, 0);
	add_seg(r, pa_at(0, 0x200), 512);
	add_seg(r, pa_at(2, 0x200), 512);
	set_count(r);
	submit(r);
	struct nvme_sqe e[2];
	assert_true(dev_fetch(&e[0]));
	assert_true(dev_fetch(&e[1]));
	dev_post(e[0].cid, 1, 0x0281);		/* media error: unrecovered read */
	dev_post(e[1].cid, 1, 0);
	dev_interrupt();
	assert_int_equal(completions[0], 1);
	assert_int_equal(statuses[0], -EIO);
	assert_int_equal(printks, 1);
	dev_close();
}

/* More requests than slots: the rest wait, in order, and go out as
 * completions free slots; each completes once.  The completion ring wraps
 * several times (its phase flips). */
static void test_queue_full(void **state)
{
	(void)state;
	dev_open(16, true, true);
	const int n = 200;
	for (int i = 0; i < n; i++) {
		one_page_read(i, (uint64_t)i * 8);
		submit(&reqs[i]);
	}
	int fetched = 0, out = 0;
	uint16_t cids[16];
	struct nvme_sqe e;
	while (fetched < n) {
		while (dev_fetch(&e)) {
			assert_true(out < 15);
			assert_int_equal(e.cdw10, (uint32_t)fetched * 8);	/* in order */
			cids[out++] = e.cid;
			fetched++;
		}
		assert_int_equal(out, fetched < n ? 15 : out);
		/* Answer half, newest first. */
		for (int k = 0; k < (out + 1) / 2; k++)
			dev_post(cids[--out], 1, 0);
		dev_interrupt();
	}
	while (out)
		dev_post(cids[--out], 1, 0);
	dev_interrupt();
	for (int i = 0; i < n; i++) {
		assert_int_equal(completions[i], 1);
		assert_int_equal(statuses[i], 0);
	}
	assert_int_equal(q->nfree, q->nslots);
	assert_int_equal(printks, 0);
	dev_close();
}

/* A controller that never answers: after the deadline the timer fails it,
 * every request completes with -EIO (those out and those waiting), and a
 * late answer is ignored. */
static void test_timeout(void **state)
{
	(void)state;
	dev_open(4, true, true);
	for (int i = 0; i < 5; i++) {
		one_page_read(i, (uint64_t)i * 8);
		submit(&reqs[i]);
	}
	assert_true(timer_armed);
	struct nvme_sqe e;
	assert_true(dev_fetch(&e));
	now_ns += 1000000000ull;		/* before the deadline */
	timer_armed = false;
	nvme_io_timer(&q->timer);
	assert_int_equal(ctrl_fails, 0);
	assert_true(timer_armed);		/* still watching */
	now_ns += ctrl.timeout_ns;
	timer_armed = false;
	nvme_io_timer(&q->timer);
	assert_int_equal(ctrl_fails, 1);
	assert_false(timer_armed);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(completions[i], 1);
		assert_int_equal(statuses[i], -EIO);
	}
	dev_post(e.cid, 1, 0);
	dev_interrupt();
	one_page_read(5, 0);
	submit(&reqs[5]);			/* a dead controller fails at once */
	assert_int_equal(completions[5], 1);
	assert_int_equal(statuses[5], -EIO);
	for (int i = 0; i < 5; i++)
		assert_int_equal(completions[i], 1);
	dev_close();
}

/* CSTS.CFS, or registers reading all ones: failed at the next check. */
static void test_fatal_status(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		dev_open(NVME_QDEPTH, true, true);
		one_page_read(0, 0);
		submit(&reqs[0]);
		*(uint32_t *)(regs + NVME_REG_CSTS) = k ? 0xffffffff : NVME_CSTS_RDY | NVME_CSTS_CFS;
		now_ns += 1000;
		nvme_io_timer(&q->timer);
		assert_int_equal(ctrl_fails, 1);
		assert_int_equal(completions[0], 1);
		assert_int_equal(statuses[0], -EIO);
		dev_close();
	}
}

/* Nothing out: the timer stops, so an idle CPU is not woken for it. */
static void test_timer_stops(void **state)
{
	(void)state;
	dev_open(NVME_QDEPTH, true, true);
	one_page_read(0, 0);
	submit(&reqs[0]);
	struct nvme_sqe e;
	assert_true(dev_fetch(&e));
	dev_post(e.cid, 1, 0);
	dev_interrupt();
	timer_armed = false;
	nvme_io_timer(&q->timer);
	assert_false(timer_armed);
	assert_false(q->timer_on);
	dev_close();
}

int main(void)
{
	arena = aligned_alloc(PAGE_SIZE, ARENA_PAGES * PAGE_SIZE);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prps),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_flush_discard),
		cmocka_unit_test(test_bogus_cids),
		cmocka_unit_test(test_error_status),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_fatal_status),
		cmocka_unit_test(test_timer_stops),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(arena);
	return rc;
}
