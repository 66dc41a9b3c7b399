/* Block requests as NVMe commands: read and write with PRPs, flush,
 * Dataset Management (deallocate) for discard; their completions in the
 * queue's interrupt handler; a timer per queue, armed only while commands
 * are out, that finds a controller which stopped answering.
 *
 * PRPs (NVMe 1.4, 4.3) describe a transfer as memory pages: PRP1 the first
 * (it may start inside its page), then every further page from its start.
 * So the segments of one command must meet at page boundaries: a request
 * whose segments meet elsewhere is cut there into several commands (its
 * pieces), which works when the cut falls between logical blocks; where
 * it would not, the request is refused with -EINVAL and the reason
 * logged. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/nvme_internal.h"

/* How often a queue with commands out looks at its deadlines. */
#define CHECK_NS	1000000000ull

/* A request cut into pieces at segments cut[0] = 0 < cut[1] < ... <
 * cut[npieces] = nsegs. */
struct plan {
	unsigned npieces;
	uint8_t cut[BLK_MAX_SEGS + 1];
};

static bool page_aligned(uint64_t a) { return !(a & (PAGE_SIZE - 1)); }

/* Where r must be cut so each piece is one PRP transfer; NULL, or why r
 * cannot be sent. */
static const char *plan_pieces(const struct blk_req *r, uint32_t ssize, uint32_t max_xfer,
			       struct plan *p)
{
	uint64_t total = 0;

	if (!r->nsegs || r->nsegs > BLK_MAX_SEGS)
		return "no segments, or too many";
	p->npieces = 0;
	p->cut[0] = 0;
	for (unsigned i = 0; i < r->nsegs; i++) {
		const struct blk_seg *s = &r->segs[i], *prev = s - 1;
		if (!s->len || (s->pa & 3))
			return "a segment is empty or not 4-byte aligned";
		if (i && !(page_aligned(prev->pa + prev->len) && page_aligned(s->pa))) {
			if (total % ssize)
				return "two segments meet inside a logical block and off a page boundary";
			p->cut[++p->npieces] = (uint8_t)i;
		}
		total += s->len;
	}
	p->cut[++p->npieces] = (uint8_t)r->nsegs;
	if (total != (uint64_t)r->count * ssize)
		return "the segments do not add up to the request's size";
	if (total > max_xfer)
		return "larger than the controller's largest transfer";
	return NULL;
}

/* PRP1 and PRP2 for segments [a, b) of r, the list (if it needs one) in
 * the slot's page.  plan_pieces bounds a piece to NVME_MAX_XFER, so the
 * list has at most 512 entries: one page. */
static void fill_prps(struct nvme_sqe *e, const struct blk_req *r, unsigned a, unsigned b,
		      const struct nvme_slot *s)
{
	unsigned n = 0;

	for (unsigned i = a; i < b; i++) {
		uint64_t addr = r->segs[i].pa, end = addr + r->segs[i].len;
		for (; addr < end; addr = PAGE_ROUND_DOWN(addr) + PAGE_SIZE, n++) {
			if (n == 0)
				e->prp1 = addr;
			else
				s->page[n - 1] = addr;
		}
	}
	e->prp2 = n == 1 ? 0 : n == 2 ? s->page[0] : s->page_pa;
}

static uint32_t piece_bytes(const struct blk_req *r, unsigned a, unsigned b)
{
	uint32_t n = 0;

	for (unsigned i = a; i < b; i++)
		n += r->segs[i].len;
	return n;
}

/* Caller holds q->lock: the next n free slots each have their page. */
static int slot_pages(struct nvme_queue *q, unsigned n)
{
	for (unsigned k = 1; k <= n; k++) {
		struct nvme_slot *s = &q->slots[q->free[q->nfree - k]];
		if (s->page_pa)
			continue;
		s->page_pa = page_alloc(1);
		if (!s->page_pa)
			return -ENOMEM;
		s->page = phys_to_virt(s->page_pa);
	}
	return 0;
}

static void slot_put(struct nvme_queue *q, int i)
{
	q->slots[i].req = NULL;
	q->free[q->nfree++] = (int16_t)i;
}

/* The command of piece k of r (or of the whole request for flush and
 * discard) into e, with its data pointers in slot s. */
static void build(struct nvme_sqe *e, const struct nvme_ns *ns, const struct blk_req *r,
		  const struct plan *p, unsigned k, uint64_t lba, const struct nvme_slot *s)
{
	e->nsid = ns->nsid;
	if (r->op == BLK_FLUSH) {
		e->opcode = NVME_CMD_FLUSH;
	} else if (r->op == BLK_DISCARD) {
		struct nvme_dsm_range *range = (void *)s->page;
		*range = (struct nvme_dsm_range){ .nlb = r->count, .slba = r->sector };
		e->opcode = NVME_CMD_DSM;
		e->prp1 = s->page_pa;
		e->cdw10 = 0;	/* one range */
		e->cdw11 = NVME_DSM_DEALLOCATE;
	} else {
		uint32_t nlb = piece_bytes(r, p->cut[k], p->cut[k + 1]) / ns->blk.sector_size;
		e->opcode = r->op == BLK_READ ? NVME_CMD_READ : NVME_CMD_WRITE;
		fill_prps(e, r, p->cut[k], p->cut[k + 1], s);
		e->cdw10 = (uint32_t)lba;
		e->cdw11 = (uint32_t)(lba >> 32);
		e->cdw12 = nlb - 1;
	}
}

/* Why r cannot be sent to ns through q, or NULL; its pieces in *p. */
static const char *check(const struct nvme_queue *q, const struct nvme_ns *ns,
			 const struct blk_req *r, struct plan *p)
{
	const char *why = NULL;

	p->npieces = 1;
	if (r->op == BLK_READ || r->op == BLK_WRITE)
		why = plan_pieces(r, ns->blk.sector_size, ns->ctrl->max_xfer, p);
	if (!why && r->op != BLK_FLUSH && (r->sector >= ns->blk.nsectors ||
					   r->count > ns->blk.nsectors - r->sector))
		why = "past the end of the namespace";
	if (!why && p->npieces > q->nslots)
		why = "more commands than the queue holds";
	return why;
}

/* Caller holds q->lock.  Puts r's commands on the ring (the pieces chained
 * from the first slot): 0, 1 when the queue lacks free slots for it now,
 * or -errno when it cannot be sent. */
static int issue(struct nvme_queue *q, struct nvme_ns *ns, struct blk_req *r)
{
	struct plan p;

	if (r->op == BLK_DISCARD && !ns->ctrl->dsm)
		return -EOPNOTSUPP;
	const char *why = check(q, ns, r, &p);
	if (why) {
		if (!ns->ctrl->error_logged)
			printk("%s: request refused: %s\n", ns->blk.name, why);
		ns->ctrl->error_logged = true;
		return -EINVAL;
	}
	if (p.npieces > q->nfree)
		return 1;
	if (slot_pages(q, p.npieces))
		return -ENOMEM;
	int first = q->free[q->nfree - 1], prev = -1;
	uint64_t lba = r->sector, deadline = clock_ns() + ns->ctrl->timeout_ns;
	for (unsigned k = 0; k < p.npieces; k++) {
		int i = q->free[--q->nfree];
		struct nvme_slot *s = &q->slots[i];
		struct nvme_sqe e = { .cid = (uint16_t)i };
		*s = (struct nvme_slot){ .req = r, .deadline = deadline, .page = s->page,
					 .page_pa = s->page_pa, .first = (int16_t)first, .next = -1 };
		build(&e, ns, r, &p, k, lba, s);
		lba += e.cdw12 + 1;
		if (prev >= 0)
			q->slots[prev].next = (int16_t)i;
		prev = i;
		nvme_queue_push(q, &e);
	}
	q->slots[first].left = (uint16_t)p.npieces;
	return 0;
}

static struct list *waiting(struct nvme_ns *ns, const struct nvme_queue *q)
{
	return &ns->waiting[q->qid - 1];
}

static void finish_to(struct list *done, struct blk_req *r, int status)
{
	list_del(&r->link);
	r->status = status;
	list_add_tail(done, &r->link);
}

/* Caller holds q->lock.  Issues what waits, in order per namespace, as far
 * as the slots go; what cannot be sent moves to done. */
static void issue_waiting(struct nvme_queue *q, struct list *done)
{
	bool pushed = false;

	for (struct nvme_ns *ns = q->ctrl->ns; ns; ns = ns->next) {
		struct list *w = waiting(ns, q);
		while (!list_empty(w)) {
			struct blk_req *r = list_entry(w->next, struct blk_req, link);
			bool nothing = r->op == BLK_FLUSH && !q->ctrl->vwc;	/* no cache */
			int err = q->ctrl->dead ? -EIO : nothing ? 0 : issue(q, ns, r);
			if (err == 1)
				break;
			if (err || nothing) {
				finish_to(done, r, err);
				continue;
			}
			list_del(&r->link);
			pushed = true;
		}
	}
	if (pushed)
		nvme_queue_ring(q);
	if (q->nfree < q->nslots && !q->timer_on) {
		q->timer_on = true;
		timer_arm(&q->timer, clock_ns() + CHECK_NS);
	}
}

/* Outside every queue lock: the done callbacks may submit again. */
static void complete_all(struct list *done)
{
	while (!list_empty(done)) {
		struct blk_req *r = list_entry(done->next, struct blk_req, link);
		list_del(&r->link);
		blk_complete(r, r->status);
	}
}

static void bad_cqe(struct nvme_queue *q, const struct nvme_cqe *e)
{
	if (q->bad_cid_logged)
		return;
	q->bad_cid_logged = true;
	printk("%s: queue %u: completion for command %u (queue %u), which is not in flight: "
	       "ignored (logged once)\n", q->ctrl->name, q->qid, e->cid, e->sq_id);
}

/* Caller holds q->lock.  A piece finished; the request with its last. */
static void io_cqe(struct nvme_queue *q, const struct nvme_cqe *e, void *arg)
{
	struct nvme_slot *s = e->cid < q->nslots ? &q->slots[e->cid] : NULL;

	if (!s || !s->req || s->done || e->sq_id != q->qid) {
		bad_cqe(q, e);
		return;
	}
	s->done = true;
	struct nvme_slot *f = &q->slots[s->first];
	uint16_t status = e->status >> 1;
	if (status && !f->status) {
		f->status = -EIO;
		if (!q->ctrl->error_logged)
			printk("%s: command failed: status type %u code 0x%x (further errors not logged)\n",
			       q->ctrl->name, (status >> 8) & 7, status & 0xff);
		q->ctrl->error_logged = true;
	}
	if (--f->left)
		return;
	struct blk_req *r = f->req;
	r->status = f->status;
	for (int i = s->first, next; i >= 0; i = next) {
		next = q->slots[i].next;
		slot_put(q, i);
	}
	list_add_tail(arg, &r->link);
}

void nvme_io_interrupt(void *arg)
{
	struct nvme_queue *q = arg;
	struct list done = LIST_INIT(done);

	spin_lock(&q->lock);	/* interrupts are off */
	if (!q->ctrl->dead) {
		nvme_queue_reap(q, io_cqe, &done);
		issue_waiting(q, &done);
	}
	spin_unlock(&q->lock);
	complete_all(&done);
}

static void nvme_submit(struct blk_dev *d, unsigned queue, struct list *reqs)
{
	struct nvme_ns *ns = d->priv;
	struct nvme_queue *q = ns->ctrl->io[queue % ns->ctrl->nio];
	struct list done = LIST_INIT(done), *pos, *n;
	uint64_t flags = spin_lock_irqsave(&q->lock);

	list_for_each_safe(pos, n, reqs) {
		list_del(pos);
		list_add_tail(waiting(ns, q), pos);
	}
	issue_waiting(q, &done);
	spin_unlock_irqrestore(&q->lock, flags);
	complete_all(&done);
}

const struct blk_ops nvme_blk_ops = { .submit = nvme_submit };

void nvme_io_drain(struct nvme_queue *q)
{
	struct list done = LIST_INIT(done);
	uint64_t flags = spin_lock_irqsave(&q->lock);

	for (unsigned i = 0; i < q->nslots; i++) {
		struct nvme_slot *s = &q->slots[i];
		if (s->req && s->first == (int)i) {
			s->req->status = -EIO;
			list_add_tail(&done, &s->req->link);
		}
	}
	for (unsigned i = 0; i < q->nslots; i++)
		if (q->slots[i].req)
			slot_put(q, (int)i);
	for (struct nvme_ns *ns = q->ctrl->ns; ns; ns = ns->next)
		while (!list_empty(waiting(ns, q)))
			finish_to(&done, list_entry(waiting(ns, q)->next, struct blk_req, link), -EIO);
	spin_unlock_irqrestore(&q->lock, flags);
	complete_all(&done);
}

/* Caller holds q->lock. */
static bool overdue(const struct nvme_queue *q, uint64_t now)
{
	for (unsigned i = 0; i < q->nslots; i++)
		if (q->slots[i].req && !q->slots[i].done && q->slots[i].deadline <= now)
			return true;
	return false;
}

/* Interrupt context, on the CPU that armed it. */
void nvme_io_timer(struct timer *t)
{
	struct nvme_queue *q = container_of(t, struct nvme_queue, timer);
	uint32_t csts = nvme_read32(q->ctrl, NVME_REG_CSTS);
	const char *why = NULL;

	if (csts == 0xffffffff)
		why = "its registers read all ones";
	else if (csts & NVME_CSTS_CFS)
		why = "it reports a fatal error (CSTS.CFS)";
	spin_lock(&q->lock);
	if (!why && overdue(q, clock_ns()))
		why = "a command got no answer in time";
	q->timer_on = !why && !q->ctrl->dead && q->nfree < q->nslots;
	if (q->timer_on)
		timer_arm(t, clock_ns() + CHECK_NS);
	spin_unlock(&q->lock);
	if (why)
		nvme_ctrl_fail(q->ctrl, why);
}
