/* Split virtqueues (kernel/dev/virtq.c, built unchanged for the host) with
 * the test as the device: it reads the descriptors and available ring that
 * vq_add wrote and writes the used ring itself, sometimes lying.  A lie (an
 * id out of range or not in flight, a length past the chain's writable
 * bytes) must fail the device once, after which the queue gives nothing.
 *
 * Only the CPU header is a stand-in (tests/unit/kshim); the other headers
 * virtq.c includes are the kernel's own, and what it calls out to (the
 * heap, pages, virtio_fail) is defined here. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "dev/virtio.h"
#include "dev/virtq.h"

/* ---- the kernel services virtq.c uses ----------------------------------- */

static int allocs_left = INT_MAX;	/* that many more allocations succeed */

static bool alloc_ok(void)
{
	if (allocs_left <= 0)
		return false;
	allocs_left--;
	return true;
}

void *kmalloc(size_t size)
{
	return alloc_ok() ? calloc(1, size) : NULL;	/* zeroed, as the kernel's */
}

void kfree(void *p)
{
	free(p);
}

void *page_alloc_virt(size_t n)
{
	void *p = alloc_ok() ? aligned_alloc(PAGE_SIZE, n * PAGE_SIZE) : NULL;

	if (p)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

void page_free_virt(void *va, size_t n)
{
	(void)n;
	free(va);
}

static int fails;		/* virtio_fail calls since dev_open */
static const char *fail_why;

/* Marks the device broken, as the kernel's does (less the log line and the
 * FAILED status), but counts every call: virtq.c should make just one. */
void virtio_fail(struct virtio_dev *vd, const char *why)
{
	fails++;
	fail_why = why;
	vd->broken = true;
}

/* ---- the device --------------------------------------------------------- */

#define MAX_SIZE 256

struct device {
	struct virtio_dev vd;	/* first: count_notify finds the rest from it */
	struct virtq vq;
	int notifies;
	uint16_t next_avail;	/* the next available-ring entry to take */
	uint16_t used_idx;	/* our copy of used->idx */
	bool busy[MAX_SIZE];	/* descriptors in chains we have taken */
};

static char cookies[16];
#define COOKIE(k) ((void *)&cookies[k])

static void count_notify(struct virtio_dev *vd, struct virtq *vq)
{
	struct device *d = (struct device *)vd;

	assert_ptr_equal(vq, &d->vq);
	d->notifies++;
}

static const struct virtio_ops ops = { .notify = count_notify };

static void dev_open(struct device *d, uint16_t size, bool event_idx)
{
	memset(d, 0, sizeof *d);
	d->vd.ops = &ops;
	d->vd.transport = "test";
	fails = 0;
	fail_why = NULL;
	assert_int_equal(vq_init(&d->vq, &d->vd, 0, size, event_idx), 0);
}

static void dev_close(struct device *d)
{
	vq_destroy(&d->vq);
}

/* The head of the next chain made available, or -1 if there is none. */
static int dev_take(struct device *d)
{
	if (d->next_avail == d->vq.avail->idx)
		return -1;
	return d->vq.avail->ring[d->next_avail++ & (d->vq.size - 1)];
}

/* Checks that the chain at head holds bufs, nout device-readable then nin
 * device-writable, linked by NEXT through descriptors no other chain we
 * hold uses.  Returns its writable bytes. */
static uint32_t dev_check_chain(struct device *d, int head, const struct vq_buf *bufs,
				int nout, int nin)
{
	uint32_t in = 0;
	int i = head;

	for (int k = 0; k < nout + nin; k++) {
		assert_in_range(i, 0, d->vq.size - 1);
		volatile struct vq_desc *desc = &d->vq.desc[i];
		assert_false(d->busy[i]);
		d->busy[i] = true;
		assert_int_equal(desc->addr, bufs[k].addr);
		assert_int_equal(desc->len, bufs[k].len);
		assert_int_equal(desc->flags, (k >= nout ? VQ_DESC_F_WRITE : 0) |
					      (k + 1 < nout + nin ? VQ_DESC_F_NEXT : 0));
		if (k >= nout)
			in += bufs[k].len;
		i = desc->next;
	}
	return in;
}

/* Writes a used-ring entry, whatever it says: the entry, then used->idx. */
static void dev_put(struct device *d, uint32_t id, uint32_t len)
{
	volatile struct vq_used_elem *e = &d->vq.used->ring[d->used_idx & (d->vq.size - 1)];

	e->id = id;
	e->len = len;
	d->vq.used->idx = ++d->used_idx;
}

/* Hands back the chain at head, taken and checked, with len bytes written. */
static void dev_return(struct device *d, int head, uint32_t len)
{
	for (int i = head;; i = d->vq.desc[i].next) {
		d->busy[i] = false;
		if (!(d->vq.desc[i].flags & VQ_DESC_F_NEXT))
			break;
	}
	dev_put(d, (uint32_t)head, len);
}

/* The event-index fields past each ring (virtio 1.1, 2.6.6 and 2.6.8):
 * avail_event at byte 4 + 8 * size of the used ring. */
static void dev_set_avail_event(struct device *d, uint16_t idx)
{
	volatile char *at = (volatile char *)d->vq.used + 4 + 8 * d->vq.size;

	*(volatile uint16_t *)at = idx;
}

static uint16_t used_event(struct device *d)
{
	return d->vq.avail->ring[d->vq.size];
}

/* Four buffers, their addresses and lengths different every round. */
static void make_bufs(struct vq_buf *b, unsigned round)
{
	for (unsigned k = 0; k < 4; k++) {
		b[k].addr = 0x100000ull * (round + 1) + 0x1000 * k;
		b[k].len = 1 + (round * 7 + k * 13) % 2048;
	}
}

/* ---- a device that follows the rules ------------------------------------ */

static void round_trip_out_of_order(void **state)
{
	(void)state;
	struct device d;
	const struct vq_buf a[] = { { 0x1000, 10 }, { 0x2000, 100 } };
	const struct vq_buf b[] = { { 0x3000, 20 }, { 0x4000, 30 } };
	const struct vq_buf c[] = { { 0x5000, 8 }, { 0x6000, 16 }, { 0x7000, 40 } };
	uint32_t len;

	dev_open(&d, 8, false);
	assert_int_equal(vq_add(&d.vq, COOKIE(0), a, 1, 1), 0);
	assert_int_equal(vq_add(&d.vq, COOKIE(1), b, 2, 0), 0);
	assert_int_equal(vq_add(&d.vq, COOKIE(2), c, 0, 3), 0);
	assert_int_equal(vq_free_count(&d.vq), 1);
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 1);

	int ha = dev_take(&d), hb = dev_take(&d), hc = dev_take(&d);
	assert_int_equal(dev_take(&d), -1);
	assert_int_equal(dev_check_chain(&d, ha, a, 1, 1), 100);
	assert_int_equal(dev_check_chain(&d, hb, b, 2, 0), 0);
	assert_int_equal(dev_check_chain(&d, hc, c, 0, 3), 64);

	dev_return(&d, hc, 64);		/* all of it: the limit is inclusive */
	dev_return(&d, ha, 50);
	dev_return(&d, hb, 0);
	assert_ptr_equal(vq_get_used(&d.vq, &len), COOKIE(2));
	assert_int_equal(len, 64);
	assert_ptr_equal(vq_get_used(&d.vq, &len), COOKIE(0));
	assert_int_equal(len, 50);
	assert_ptr_equal(vq_get_used(&d.vq, NULL), COOKIE(1));
	assert_null(vq_get_used(&d.vq, &len));
	assert_int_equal(vq_free_count(&d.vq), 8);
	assert_int_equal(fails, 0);
	dev_close(&d);
}

/* Over 65536 round trips on a queue of 4, so both 16-bit indices wrap:
 * two chains of every shape fill it, and come back in either order. */
static void indices_wrap(void **state)
{
	(void)state;
	const unsigned rounds = 70000;
	struct device d;
	struct vq_buf bufs[4];
	uint32_t len;

	dev_open(&d, 4, false);
	for (unsigned r = 0; r < rounds; r++) {
		int n[2] = { 1 + r % 3, 3 - r % 3 };
		int nout[2] = { r % (n[0] + 1), (r / 3) % (n[1] + 1) };
		int head[2], first = r & 1;
		uint32_t in[2];

		make_bufs(bufs, r);
		assert_int_equal(vq_add(&d.vq, COOKIE(0), bufs, nout[0], n[0] - nout[0]), 0);
		assert_int_equal(vq_add(&d.vq, COOKIE(1), bufs + n[0], nout[1], n[1] - nout[1]), 0);
		assert_int_equal(vq_free_count(&d.vq), 0);
		vq_kick(&d.vq);
		for (int c = 0; c < 2; c++) {
			head[c] = dev_take(&d);
			in[c] = dev_check_chain(&d, head[c], bufs + c * n[0], nout[c], n[c] - nout[c]);
		}
		dev_return(&d, head[first], in[first]);
		dev_return(&d, head[!first], in[!first] / 2);
		assert_ptr_equal(vq_get_used(&d.vq, &len), COOKIE(first));
		assert_int_equal(len, in[first]);
		assert_ptr_equal(vq_get_used(&d.vq, &len), COOKIE(!first));
		assert_int_equal(len, in[!first] / 2);
		assert_null(vq_get_used(&d.vq, &len));
		assert_int_equal(vq_free_count(&d.vq), 4);
	}
	assert_int_equal(d.vq.avail->idx, (uint16_t)(2 * rounds));
	assert_int_equal(d.notifies, rounds);
	assert_int_equal(fails, 0);
	dev_close(&d);
}

/* ---- a device that lies ------------------------------------------------- */

/* A queue of 4: chain A (1 out, then 100 writable bytes) taken by the device,
 * chain B (1 out) added but not kicked.  Returns A's head. */
static int lie_setup(struct device *d)
{
	const struct vq_buf a[] = { { 0x1000, 10 }, { 0x2000, 100 } };
	const struct vq_buf b = { 0x3000, 20 };

	dev_open(d, 4, false);
	assert_int_equal(vq_add(&d->vq, COOKIE(0), a, 1, 1), 0);
	vq_kick(&d->vq);
	int head = dev_take(d);
	assert_int_equal(dev_check_chain(d, head, a, 1, 1), 100);
	assert_int_equal(vq_add(&d->vq, COOKIE(1), &b, 1, 0), 0);
	assert_int_equal(d->notifies, 1);
	return head;
}

/* The device has just lied: it is failed once, and the queue gives nothing
 * more, not even a true entry written after the lie. */
static void assert_contained(struct device *d, int head)
{
	const struct vq_buf b = { 0x9000, 64 };

	assert_null(vq_get_used(&d->vq, NULL));
	assert_int_equal(fails, 1);
	assert_non_null(fail_why);
	assert_true(d->vd.broken);
	dev_put(d, (uint32_t)head, 0);
	assert_null(vq_get_used(&d->vq, NULL));
	assert_int_equal(vq_add(&d->vq, COOKIE(9), &b, 0, 1), -EIO);
	vq_kick(&d->vq);	/* chain B is still unannounced */
	assert_int_equal(d->notifies, 1);
	assert_int_equal(fails, 1);
	dev_close(d);
}

/* 0x10000: in range if cut to 16 bits. */
static void id_out_of_range(void **state)
{
	(void)state;
	const uint32_t ids[] = { 4, 5, 0x10000, 0xffffffff };

	for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
		struct device d;
		int head = lie_setup(&d);

		dev_put(&d, ids[k], 0);
		assert_contained(&d, head);
	}
}

static void id_never_added(void **state)
{
	(void)state;
	struct device d;
	int head = lie_setup(&d);

	dev_put(&d, 3, 0);	/* chain A is 0-1, chain B 2 */
	assert_contained(&d, head);
}

static void id_inside_a_chain(void **state)
{
	(void)state;
	struct device d;
	int head = lie_setup(&d);

	dev_put(&d, (uint32_t)d.vq.desc[head].next, 0);
	assert_contained(&d, head);
}

static void id_returned_twice(void **state)
{
	(void)state;
	struct device d;
	int head = lie_setup(&d);

	dev_return(&d, head, 100);
	assert_ptr_equal(vq_get_used(&d.vq, NULL), COOKIE(0));
	dev_put(&d, (uint32_t)head, 0);
	assert_contained(&d, head);
}

/* used->idx jumps ahead over slots the device never wrote. */
static void idx_runs_ahead(void **state)
{
	(void)state;
	struct device d;
	int head = lie_setup(&d);

	dev_return(&d, head, 1);
	d.used_idx += 2;
	d.vq.used->idx = d.used_idx;
	assert_ptr_equal(vq_get_used(&d.vq, NULL), COOKIE(0));
	assert_contained(&d, head);
}

static void length_too_long(void **state)
{
	(void)state;
	const uint32_t lens[] = { 101, 0x80000000, 0xffffffff };

	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		struct device d;
		int head = lie_setup(&d);

		dev_put(&d, (uint32_t)head, lens[k]);
		assert_contained(&d, head);
	}
}

/* Chain B has no writable bytes: A's 100 are no limit for it. */
static void length_into_readable_chain(void **state)
{
	(void)state;
	struct device d;
	int head = lie_setup(&d);
	int hb = dev_take(&d);

	assert_int_equal(dev_check_chain(&d, hb, &(struct vq_buf){ 0x3000, 20 }, 1, 0), 0);
	dev_put(&d, (uint32_t)hb, 1);
	assert_contained(&d, head);
}

/* The spec lets a device only read descriptors, but one that writes them
 * (links pointing far outside the table, flags, lengths) must not steer the
 * free list: the queue keeps its own links.  Chains come back whole, every
 * descriptor is free again, and the next chains are laid out right. */
static void descriptors_scribbled(void **state)
{
	(void)state;
	struct device d;
	struct vq_buf bufs[4];
	uint32_t len;

	dev_open(&d, 4, false);
	for (unsigned r = 0; r < 3; r++) {
		make_bufs(bufs, r);
		assert_int_equal(vq_add(&d.vq, COOKIE(0), bufs, 1, 1), 0);
		assert_int_equal(vq_add(&d.vq, COOKIE(1), bufs + 2, 0, 2), 0);
		int h0 = dev_take(&d), h1 = dev_take(&d);
		uint32_t in0 = dev_check_chain(&d, h0, bufs, 1, 1);
		uint32_t in1 = dev_check_chain(&d, h1, bufs + 2, 0, 2);
		dev_return(&d, h1, in1);
		dev_return(&d, h0, in0);
		for (unsigned i = 0; i < d.vq.size; i++) {
			d.vq.desc[i].next = (uint16_t)(1000 + i);
			d.vq.desc[i].flags = VQ_DESC_F_NEXT;
			d.vq.desc[i].len = 0xffffffffu;
		}
		assert_ptr_equal(vq_get_used(&d.vq, &len), COOKIE(1));
		assert_int_equal(len, in1);
		assert_ptr_equal(vq_get_used(&d.vq, &len), COOKIE(0));
		assert_int_equal(len, in0);
		assert_int_equal(vq_free_count(&d.vq), 4);
	}
	assert_int_equal(fails, 0);
	dev_close(&d);
}

/* ---- what the driver gets wrong ----------------------------------------- */

static void runs_out_of_descriptors(void **state)
{
	(void)state;
	struct device d;
	struct vq_buf bufs[5];

	make_bufs(bufs, 0);
	bufs[4] = bufs[0];
	dev_open(&d, 4, false);
	assert_int_equal(vq_add(&d.vq, COOKIE(0), bufs, 2, 3), -ENOSPC);
	assert_int_equal(vq_add(&d.vq, COOKIE(0), bufs, 1, 2), 0);
	assert_int_equal(vq_add(&d.vq, COOKIE(1), bufs, 2, 0), -ENOSPC);
	assert_int_equal(vq_add(&d.vq, COOKIE(1), bufs, 0, 1), 0);
	assert_int_equal(vq_add(&d.vq, COOKIE(2), bufs, 1, 0), -ENOSPC);
	assert_int_equal(vq_free_count(&d.vq), 0);
	assert_int_equal(d.vq.avail->idx, 2);
	int h0 = dev_take(&d), h1 = dev_take(&d);
	assert_int_equal(dev_check_chain(&d, h0, bufs, 1, 2), bufs[1].len + bufs[2].len);
	assert_int_equal(dev_check_chain(&d, h1, bufs, 0, 1), bufs[0].len);
	assert_int_equal(dev_take(&d), -1);
	assert_int_equal(fails, 0);
	dev_close(&d);
}

static void bad_arguments(void **state)
{
	(void)state;
	struct device d;
	struct vq_buf b[2] = { { 0x1000, 1 }, { 0x2000, 1 } };

	dev_open(&d, 4, false);
	assert_int_equal(vq_add(&d.vq, COOKIE(0), b, 0, 0), -EINVAL);
	assert_int_equal(vq_add(&d.vq, COOKIE(0), b, -1, 1), -EINVAL);
	assert_int_equal(vq_add(&d.vq, NULL, b, 1, 1), -EINVAL);
	assert_int_equal(vq_free_count(&d.vq), 4);
	assert_int_equal(d.vq.avail->idx, 0);
	dev_close(&d);

	struct virtq vq;
	const uint16_t bad[] = { 0, 3, 6, 100, 0x8001, 0xffff };
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		assert_int_equal(vq_init(&vq, &d.vd, 0, bad[k], false), -EINVAL);
}

/* Legacy layout: descriptors, available ring (and used_event), then the
 * used ring (and avail_event) on the next page, all in the allocation. */
static void ring_layout(void **state)
{
	(void)state;
	const uint16_t sizes[] = { 1, 2, 256, 32768 };

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct device d;
		uint64_t n = sizes[k];

		dev_open(&d, sizes[k], true);
		assert_int_equal(vq_free_count(&d.vq), n);
		assert_int_equal(d.vq.desc_pa, virt_to_phys(d.vq.rings));
		assert_int_equal(d.vq.avail_pa, d.vq.desc_pa + 16 * n);
		assert_int_equal(d.vq.used_pa, d.vq.desc_pa + PAGE_ROUND_UP(18 * n + 6));
		assert_int_equal(d.vq.used_pa % PAGE_SIZE, 0);
		assert_true(d.vq.used_pa + 6 + 8 * n <= d.vq.desc_pa + d.vq.ring_pages * PAGE_SIZE);
		assert_ptr_equal(d.vq.desc, d.vq.rings);
		assert_int_equal(virt_to_phys((void *)d.vq.avail), d.vq.avail_pa);
		assert_int_equal(virt_to_phys((void *)d.vq.used), d.vq.used_pa);
		dev_close(&d);
	}
}

/* Whichever allocation fails, -ENOMEM and nothing leaks (LeakSanitizer). */
static void out_of_memory(void **state)
{
	(void)state;
	struct virtio_dev vd = { .ops = &ops };
	struct virtq vq;

	for (int ok = 0; ok < 5; ok++) {
		allocs_left = ok;
		assert_int_equal(vq_init(&vq, &vd, 0, 8, false), -ENOMEM);
	}
}

static int allow_allocs(void **state)
{
	(void)state;
	allocs_left = INT_MAX;
	return 0;
}

/* ---- notifications and interrupts --------------------------------------- */

static void add_one(struct device *d, int k)
{
	const struct vq_buf b = { 0x1000ull * (k + 1), 64 };

	assert_int_equal(vq_add(&d->vq, COOKIE(k % 16), &b, 0, 1), 0);
}

/* n round trips without a kick. */
static void cycle(struct device *d, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		add_one(d, 0);
		dev_return(d, dev_take(d), 0);
		assert_ptr_equal(vq_get_used(&d->vq, NULL), COOKIE(0));
	}
}

static void kick_event_idx(void **state)
{
	(void)state;
	struct device d;

	dev_open(&d, 8, true);
	vq_kick(&d.vq);			/* nothing added */
	assert_int_equal(d.notifies, 0);
	add_one(&d, 0);			/* avail_event 0: entry 0 crosses it */
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 1);
	dev_set_avail_event(&d, 3);	/* wake me when entry 3 is made available */
	d.vq.used->flags = VQ_USED_F_NO_NOTIFY;	/* ignored with event indices */
	for (int k = 1; k < 3; k++) {
		add_one(&d, k);
		vq_kick(&d.vq);
		assert_int_equal(d.notifies, 1);
	}
	add_one(&d, 3);
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 2);
	dev_set_avail_event(&d, 5);	/* crossed inside one batch of two */
	add_one(&d, 4);
	add_one(&d, 5);
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 3);
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 3);
	dev_close(&d);
}

/* avail_event 0xffff, crossed as avail->idx wraps from 65534 to 1. */
static void kick_event_idx_wraps(void **state)
{
	(void)state;
	struct device d;

	dev_open(&d, 2, true);
	dev_set_avail_event(&d, 0xffff);
	cycle(&d, 65534);
	vq_kick(&d.vq);			/* 0 .. 65533: not yet */
	assert_int_equal(d.notifies, 0);
	cycle(&d, 2);
	add_one(&d, 1);
	assert_int_equal(d.vq.avail->idx, 1);
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 1);
	dev_close(&d);
}

static void kick_no_notify_flag(void **state)
{
	(void)state;
	struct device d;

	dev_open(&d, 8, false);
	dev_set_avail_event(&d, 100);	/* ignored without event indices */
	add_one(&d, 0);
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 1);
	d.vq.used->flags = VQ_USED_F_NO_NOTIFY;
	add_one(&d, 1);
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 1);
	d.vq.used->flags = 0;
	add_one(&d, 2);
	vq_kick(&d.vq);
	assert_int_equal(d.notifies, 2);
	dev_close(&d);
}

static void enable_cb_flag(void **state)
{
	(void)state;
	struct device d;

	dev_open(&d, 4, false);
	vq_disable_cb(&d.vq);
	assert_int_equal(d.vq.avail->flags, VQ_AVAIL_F_NO_INTERRUPT);
	assert_true(vq_enable_cb(&d.vq));
	assert_int_equal(d.vq.avail->flags, 0);
	add_one(&d, 0);
	vq_disable_cb(&d.vq);
	dev_return(&d, dev_take(&d), 0);
	assert_false(vq_enable_cb(&d.vq));	/* arrived while disabled */
	assert_int_equal(d.vq.avail->flags, 0);
	assert_ptr_equal(vq_get_used(&d.vq, NULL), COOKIE(0));
	assert_true(vq_enable_cb(&d.vq));
	dev_close(&d);
}

static void enable_cb_event_idx(void **state)
{
	(void)state;
	struct device d;

	dev_open(&d, 4, true);
	vq_disable_cb(&d.vq);
	assert_int_equal(d.vq.avail->flags, 0);
	for (int k = 0; k < 3; k++)
		add_one(&d, k);
	for (int k = 0; k < 3; k++)
		assert_int_equal(dev_take(&d), k);
	dev_return(&d, 0, 0);
	dev_return(&d, 1, 0);
	assert_ptr_equal(vq_get_used(&d.vq, NULL), COOKIE(0));
	assert_false(vq_enable_cb(&d.vq));
	assert_int_equal(used_event(&d), 1);
	assert_ptr_equal(vq_get_used(&d.vq, NULL), COOKIE(1));
	assert_true(vq_enable_cb(&d.vq));
	assert_int_equal(used_event(&d), 2);
	dev_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_out_of_order),
		cmocka_unit_test(indices_wrap),
		cmocka_unit_test(id_out_of_range),
		cmocka_unit_test(id_never_added),
		cmocka_unit_test(id_inside_a_chain),
		cmocka_unit_test(id_returned_twice),
		cmocka_unit_test(idx_runs_ahead),
		cmocka_unit_test(length_too_long),
		cmocka_unit_test(length_into_readable_chain),
		cmocka_unit_test(descriptors_scribbled),
		cmocka_unit_test(runs_out_of_descriptors),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(ring_layout),
		cmocka_unit_test_teardown(out_of_memory, allow_allocs),
		cmocka_unit_test(kick_event_idx),
		cmocka_unit_test(kick_event_idx_wraps),
		cmocka_unit_test(kick_no_notify_flag),
		cmocka_unit_test(enable_cb_flag),
		cmocka_unit_test(enable_cb_event_idx),
	};
	return cmocka_run_group_tests_name("virtq", tests, NULL, NULL);
}
