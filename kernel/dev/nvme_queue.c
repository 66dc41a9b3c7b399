/* NVMe queue pairs (NVMe 1.4, 4.1): a submission ring the driver fills
 * and rings a tail doorbell for, a completion ring the controller fills,
 * each new entry carrying a phase tag that flips on every pass over the
 * ring, so an entry is new while its tag equals the one expected.
 *
 * Barriers: on x86 (TSO) stores are not reordered with other stores nor
 * loads with other loads, and uncached MMIO stores are not passed by
 * earlier write-back stores, so the barriers below only stop the
 * compiler. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/nvme_internal.h"

uint32_t nvme_read32(const struct nvme_ctrl *c, unsigned off)
{
	return *(volatile uint32_t *)(c->regs + off);
}

void nvme_write32(const struct nvme_ctrl *c, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + off) = v;
}

uint64_t nvme_read64(const struct nvme_ctrl *c, unsigned off)
{
	uint64_t lo = nvme_read32(c, off);

	return lo | (uint64_t)nvme_read32(c, off + 4) << 32;
}

void nvme_write64(const struct nvme_ctrl *c, unsigned off, uint64_t v)
{
	nvme_write32(c, off, (uint32_t)v);
	nvme_write32(c, off + 4, (uint32_t)(v >> 32));
}

static size_t ring_pages(size_t bytes) { return PAGE_ROUND_UP(bytes) / PAGE_SIZE; }

int nvme_queue_init(struct nvme_queue *q, struct nvme_ctrl *c, uint16_t qid, uint16_t size)
{
	q->ctrl = c;
	q->qid = qid;
	q->size = size;
	q->sq_pa = page_alloc(ring_pages(size * sizeof(struct nvme_sqe)));
	q->cq_pa = page_alloc(ring_pages(size * sizeof(struct nvme_cqe)));
	if (!q->sq_pa || !q->cq_pa) {
		nvme_queue_free(q);
		return -ENOMEM;
	}
	q->sq = phys_to_virt(q->sq_pa);
	q->cq = phys_to_virt(q->cq_pa);	/* zeroed: no entry has phase 1 yet */
	unsigned stride = 4u << c->dstrd;
	q->sq_doorbell = (volatile uint32_t *)(c->regs + NVME_REG_DOORBELLS + 2u * qid * stride);
	q->cq_doorbell = (volatile uint32_t *)(c->regs + NVME_REG_DOORBELLS + (2u * qid + 1) * stride);
	q->sq_tail = q->cq_head = 0;
	q->phase = 1;
	/* One submission entry stays empty (a full ring would look empty),
	 * and at most size - 1 commands are out, so neither ring overflows. */
	q->nslots = q->nfree = size - 1u;
	for (unsigned i = 0; i < q->nslots; i++)
		q->free[i] = (int16_t)(q->nslots - 1 - i);
	q->timer.fn = nvme_io_timer;
	return 0;
}

/* Only for a queue the controller no longer uses (never created, or the
 * controller disabled). */
void nvme_queue_free(struct nvme_queue *q)
{
	if (q->sq_pa)
		page_free(q->sq_pa, ring_pages(q->size * sizeof(struct nvme_sqe)));
	if (q->cq_pa)
		page_free(q->cq_pa, ring_pages(q->size * sizeof(struct nvme_cqe)));
	for (unsigned i = 0; i < q->nslots; i++)
		if (q->slots[i].page_pa)
			page_free(q->slots[i].page_pa, 1);
	q->sq_pa = q->cq_pa = 0;
}

void nvme_queue_push(struct nvme_queue *q, const struct nvme_sqe *e)
{
	memcpy(&q->sq[q->sq_tail], e, sizeof *e);
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->size);
}

void nvme_queue_ring(struct nvme_queue *q)
{
	barrier();	/* submission entries before the tail doorbell */
	*q->sq_doorbell = q->sq_tail;
}

unsigned nvme_queue_reap(struct nvme_queue *q, nvme_cqe_fn *fn, void *arg)
{
	unsigned n = 0;

	/* One pass at most: a controller writing entries without end must
	 * not keep this CPU in its interrupt handler. */
	while (n < q->size) {
		volatile struct nvme_cqe *v = &q->cq[q->cq_head];
		if ((v->status & NVME_CQE_PHASE) != q->phase)
			break;
		barrier();	/* the phase tag before the rest of the entry */
		struct nvme_cqe e = *(struct nvme_cqe *)&q->cq[q->cq_head];
		if (++q->cq_head == q->size) {
			q->cq_head = 0;
			q->phase ^= 1;
		}
		fn(q, &e, arg);
		n++;
	}
	if (n)
		*q->cq_doorbell = q->cq_head;	/* the entries may be reused */
	return n;
}

struct admin_wait {
	uint16_t cid;
	bool done;
	uint16_t status;
	uint32_t result;
};

static void admin_cqe(struct nvme_queue *q, const struct nvme_cqe *e, void *arg)
{
	struct admin_wait *w = arg;

	(void)q;
	if (e->cid != w->cid)
		return;		/* a stale answer to a command that timed out */
	w->done = true;
	w->status = e->status >> 1;
	w->result = e->result;
}

/* The set-up runs before interrupts from the controller matter, so admin
 * commands are polled: the admin completion queue's MSI-X entry stays
 * masked. */
int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *e, uint32_t *result)
{
	static uint16_t next_cid;
	struct nvme_queue *q = &c->admin;
	struct admin_wait w = { .cid = next_cid++ };
	uint64_t deadline = clock_ns() + c->timeout_ns;

	e->cid = w.cid;
	nvme_queue_push(q, e);
	nvme_queue_ring(q);
	while (!w.done && clock_ns() < deadline) {
		if (!nvme_queue_reap(q, admin_cqe, &w))
			cpu_relax();
		if (nvme_read32(c, NVME_REG_CSTS) & NVME_CSTS_CFS)
			break;
	}
	if (!w.done) {
		printk("%s: admin command 0x%x got no answer\n", c->name, e->opcode);
		return -ETIMEDOUT;
	}
	if (w.status) {
		printk("%s: admin command 0x%x failed: status type %u code 0x%x\n", c->name,
		       e->opcode, (w.status >> 8) & 7, w.status & 0xff);
		return -EIO;
	}
	if (result)
		*result = w.result;
	return 0;
}
