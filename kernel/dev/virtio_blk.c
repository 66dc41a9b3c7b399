/* virtio-blk (virtio 1.1, 5.2): a struct blk_dev over one request queue,
 * or one per CPU with MQ (queue i's interrupt on CPU i, so a request
 * completes where it was submitted), on either transport.
 *
 * A request is a chain: the 16-byte header (device-readable), the data
 * segments (readable for a write, writable for a read), then the status
 * byte the device writes.  Each in-flight request holds a slot of its
 * queue for the header and status; a request that finds no slot or no
 * descriptors waits on the queue's list until a completion frees some.
 * The interrupt handler only completes requests (and sends those that
 * waited).
 *
 * Time-out: a timer watches the oldest request in flight; one older than
 * virtio_blk.timeout= seconds (default 30) fails the device (reset, so it
 * stops touching our memory) and with it every request. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/devices.h"
#include "dev/blk.h"
#include "dev/virtio.h"
#include "dev/virtq.h"

#define F_SIZE_MAX	1
#define F_SEG_MAX	2
#define F_RO		5
#define F_BLK_SIZE	6
#define F_FLUSH		9
#define F_MQ		12
#define F_DISCARD	13

/* Configuration offsets (5.2.4). */
#define CFG_CAPACITY	0	/* u64, 512-byte sectors whatever blk_size says */
#define CFG_SIZE_MAX	8
#define CFG_SEG_MAX	12
#define CFG_BLK_SIZE	20
#define CFG_NUM_QUEUES	34
#define CFG_MAX_DISCARD	36

#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define T_DISCARD	11
#define S_OK		0

#define QUEUE_MAX	256
#define MAX_QUEUES	8
#define MAX_DESCS	(BLK_MAX_SEGS * 2 + 2)	/* segments split at size_max, at worst in two */

struct slot {
	struct { uint32_t type, reserved; uint64_t sector; } hdr;
	struct { uint64_t sector; uint32_t count, flags; } discard;
	uint8_t status;
	struct blk_req *req;
	uint64_t started;		/* clock_ns() when sent */
} __attribute__((aligned(64)));

struct vblk_queue {
	struct virtq vq;
	struct spinlock lock;		/* guards vq, slots' use, free, waiting */
	struct slot *slots;		/* QUEUE_MAX / 2 of them, in one page set */
	uint16_t *free;
	int nfree;
	struct list waiting;		/* requests with no slot or descriptors yet */
	struct vq_buf bufs[MAX_DESCS];	/* scratch for one chain */
};

struct vblk {
	struct blk_dev blk;
	struct virtio_dev *vd;
	uint32_t size_max;		/* bytes per descriptor */
	unsigned shift;			/* log2(sector_size / 512) */
	unsigned nqueues;
	struct vblk_queue q[MAX_QUEUES];
	struct virtq *vqs[MAX_QUEUES];
	uint64_t timeout_ns;
	struct spinlock watch_lock;	/* guards watching */
	bool watching;			/* watch is armed */
	struct timer watch;
};

#define NSLOTS		(QUEUE_MAX / 2)
#define SLOT_PAGES	(PAGE_ROUND_UP(NSLOTS * sizeof(struct slot)) / PAGE_SIZE)

/* ---- requests ------------------------------------------------------------------ */

/* The chain for r in q->bufs; returns how many are device-readable in
 * *nout and the total. */
static int chain(struct vblk *v, struct vblk_queue *q, struct slot *s, struct blk_req *r, int *nout)
{
	static const uint32_t types[] = { [BLK_READ] = T_IN, [BLK_WRITE] = T_OUT,
					  [BLK_FLUSH] = T_FLUSH, [BLK_DISCARD] = T_DISCARD };
	int n = 0;

	s->hdr.type = types[r->op];
	s->hdr.reserved = 0;
	s->hdr.sector = r->op == BLK_FLUSH ? 0 : r->sector << v->shift;
	q->bufs[n++] = (struct vq_buf){ virt_to_phys(&s->hdr), sizeof s->hdr };
	if (r->op == BLK_DISCARD) {
		s->discard.sector = r->sector << v->shift;
		s->discard.count = r->count << v->shift;
		s->discard.flags = 0;
		q->bufs[n++] = (struct vq_buf){ virt_to_phys(&s->discard), sizeof s->discard };
	}
	for (unsigned i = 0; i < r->nsegs; i++)
		for (uint32_t off = 0; off < r->segs[i].len; off += v->size_max) {
			uint32_t len = r->segs[i].len - off;
			q->bufs[n++] = (struct vq_buf){ r->segs[i].pa + off,
							len < v->size_max ? len : v->size_max };
		}
	*nout = r->op == BLK_READ ? 1 : n;
	s->status = 0xff;
	q->bufs[n++] = (struct vq_buf){ virt_to_phys(&s->status), 1 };
	return n;
}

/* Sends r; false when the queue has no room for it now.  Caller holds
 * q->lock. */
static bool send(struct vblk *v, struct vblk_queue *q, struct blk_req *r)
{
	int nout;

	if (!q->nfree)
		return false;
	uint16_t idx = q->free[q->nfree - 1];
	struct slot *s = &q->slots[idx];
	int n = chain(v, q, s, r, &nout);
	if (vq_add(&q->vq, s, q->bufs, nout, n - nout))
		return false;
	q->nfree--;
	s->req = r;
	s->started = clock_ns();
	return true;
}

/* Caller holds q->lock.  Sends what waited, in order, while there is room. */
static void send_waiting(struct vblk *v, struct vblk_queue *q)
{
	while (!list_empty(&q->waiting)) {
		struct blk_req *r = list_entry(q->waiting.next, struct blk_req, link);
		if (!send(v, q, r))
			break;
		list_del(&r->link);
	}
}

/* Descriptors r takes: header, discard range, data split at size_max,
 * status. */
static unsigned descs_needed(const struct vblk *v, const struct blk_req *r)
{
	unsigned n = 2 + (r->op == BLK_DISCARD);

	for (unsigned i = 0; i < r->nsegs; i++)
		n += (r->segs[i].len + v->size_max - 1) / v->size_max;
	return n;
}

/* Requests of a broken device fail; completions run outside q->lock. */
static void fail_all(struct list *reqs)
{
	while (!list_empty(reqs)) {
		struct blk_req *r = list_entry(reqs->next, struct blk_req, link);
		list_del(&r->link);
		blk_complete(r, -EIO);
	}
}

/* A broken device completes nothing more: what it holds and what waits
 * fails. */
static void fail_queue(struct vblk_queue *q)
{
	struct list reqs;

	list_init(&reqs);
	uint64_t f = spin_lock_irqsave(&q->lock);
	for (int i = 0; i < NSLOTS; i++) {
		struct slot *s = &q->slots[i];
		if (s->req) {
			list_add_tail(&reqs, &s->req->link);
			s->req = NULL;
		}
	}
	while (!list_empty(&q->waiting)) {
		struct list *e = q->waiting.next;
		list_del(e);
		list_add_tail(&reqs, e);
	}
	spin_unlock_irqrestore(&q->lock, f);
	fail_all(&reqs);
}

/* Arms the watch unless it is armed: one timer per device. */
static void watch_arm(struct vblk *v, uint64_t deadline)
{
	uint64_t f = spin_lock_irqsave(&v->watch_lock);

	if (!v->watching) {
		v->watching = true;
		timer_arm(&v->watch, deadline);
	}
	spin_unlock_irqrestore(&v->watch_lock, f);
}

/* When the oldest request in flight was sent; 0 when none is. */
static uint64_t oldest(struct vblk *v)
{
	uint64_t first = 0;

	for (unsigned i = 0; i < v->nqueues; i++) {
		struct vblk_queue *q = &v->q[i];
		uint64_t f = spin_lock_irqsave(&q->lock);
		for (int k = 0; k < NSLOTS; k++)
			if (q->slots[k].req && (!first || q->slots[k].started < first))
				first = q->slots[k].started;
		spin_unlock_irqrestore(&q->lock, f);
	}
	return first;
}

/* The timer (interrupt context).  watching drops first, so a request sent
 * meanwhile arms the timer itself if this finds nothing. */
static void watch_fire(struct timer *t)
{
	struct vblk *v = container_of(t, struct vblk, watch);
	uint64_t f = spin_lock_irqsave(&v->watch_lock);

	v->watching = false;
	spin_unlock_irqrestore(&v->watch_lock, f);
	uint64_t first = oldest(v);
	if (!first || v->vd->broken)
		return;
	if (clock_ns() - first < v->timeout_ns) {
		watch_arm(v, first + v->timeout_ns);
		return;
	}
	printk("%s: a request got no answer in %lu s: the device is reset and no longer used\n",
	       v->blk.name, v->timeout_ns / 1000000000);
	virtio_fail(v->vd, "request time-out");
	v->vd->ops->set_status(v->vd, 0);	/* no more DMA into what we free */
	for (unsigned i = 0; i < v->nqueues; i++)
		fail_queue(&v->q[i]);
}

static void vblk_submit(struct blk_dev *d, unsigned queue, struct list *reqs)
{
	struct vblk *v = d->priv;
	struct vblk_queue *q = &v->q[queue % v->nqueues];

	if (v->vd->broken) {
		fail_all(reqs);
		fail_queue(q);
		return;
	}
	struct list too_big;
	list_init(&too_big);
	uint64_t f = spin_lock_irqsave(&q->lock);
	/* behind those already waiting, so requests leave in order; one that
	 * could never fit the ring fails (the limits in read_limits keep the
	 * layer's requests within it) */
	while (!list_empty(reqs)) {
		struct list *e = reqs->next;
		list_del(e);
		struct blk_req *r = list_entry(e, struct blk_req, link);
		unsigned n = descs_needed(v, r);
		list_add_tail(n > q->vq.size || n > MAX_DESCS ? &too_big : &q->waiting, e);
	}
	send_waiting(v, q);
	vq_kick(&q->vq);
	spin_unlock_irqrestore(&q->lock, f);
	fail_all(&too_big);
	watch_arm(v, clock_ns() + v->timeout_ns);
}

/* Takes the finished chains off q into done (requests, by link). */
static void reap(struct vblk_queue *q, struct list *done)
{
	struct slot *s;
	uint32_t len;

	do {
		while ((s = vq_get_used(&q->vq, &len))) {
			struct blk_req *r = s->req;
			r->status = len >= 1 && s->status == S_OK ? 0 : -EIO;
			s->req = NULL;
			q->free[q->nfree++] = (uint16_t)(s - q->slots);
			list_add_tail(done, &r->link);
		}
	} while (!q->vq.dev->broken && !vq_enable_cb(&q->vq));
}

static void vblk_interrupt(struct virtio_dev *vd, int queue)
{
	struct vblk *v = vd->driver_priv;
	struct list done;

	if (queue < 0 || queue >= (int)v->nqueues)
		return;		/* configuration changes (a resize) are not followed */
	struct vblk_queue *q = &v->q[queue];
	list_init(&done);
	spin_lock(&q->lock);
	reap(q, &done);
	send_waiting(v, q);
	vq_kick(&q->vq);
	spin_unlock(&q->lock);
	while (!list_empty(&done)) {
		struct blk_req *r = list_entry(done.next, struct blk_req, link);
		list_del(&r->link);
		blk_complete(r, r->status);
	}
	if (vd->broken)
		fail_queue(q);
}

/* ---- setup ------------------------------------------------------------------------ */

static const struct blk_ops vblk_ops = { .submit = vblk_submit };
static int nblks;

static int queue_cpu(struct virtio_dev *vd, int queue)
{
	(void)vd;
	return queue % ncpus;
}

static uint32_t cfg32(struct vblk *v, unsigned off)
{
	uint32_t x;

	v->vd->ops->read_config(v->vd, off, &x, 4);
	return x;
}

static int setup_queue(struct vblk *v, unsigned i)
{
	struct vblk_queue *q = &v->q[i];
	uint16_t max = v->vd->ops->queue_max(v->vd, (uint16_t)i), size = QUEUE_MAX;

	if (!max)
		return -ENODEV;
	while (size > max)
		size >>= 1;
	list_init(&q->waiting);
	q->slots = page_alloc_virt(SLOT_PAGES);
	q->free = kmalloc(sizeof(uint16_t) * NSLOTS);
	if (!q->slots || !q->free)
		return -ENOMEM;
	for (int k = NSLOTS - 1; k >= 0; k--)
		q->free[q->nfree++] = (uint16_t)k;
	int err = vq_init(&q->vq, v->vd, (uint16_t)i, size, virtio_has(v->vd, VIRTIO_F_RING_EVENT_IDX));
	return err ? err : v->vd->ops->queue_enable(v->vd, &q->vq);
}

/* What the configuration says about sizes and limits. */
static void read_limits(struct vblk *v)
{
	struct blk_dev *d = &v->blk;
	uint64_t cap;
	uint32_t bs = virtio_has(v->vd, F_BLK_SIZE) ? cfg32(v, CFG_BLK_SIZE) : 512;

	if (bs < 512 || bs > 4096 || (bs & (bs - 1)))
		bs = 512;
	v->vd->ops->read_config(v->vd, CFG_CAPACITY, &cap, 8);
	d->sector_size = bs;
	for (v->shift = 0; (512u << v->shift) < bs; v->shift++)
		;
	d->nsectors = cap >> v->shift;
	v->size_max = virtio_has(v->vd, F_SIZE_MAX) ? cfg32(v, CFG_SIZE_MAX) : 0;
	if (!v->size_max)
		v->size_max = 1u << 30;
	if (v->size_max < 512)
		v->size_max = 512;
	uint32_t seg_max = virtio_has(v->vd, F_SEG_MAX) ? cfg32(v, CFG_SEG_MAX) : BLK_MAX_SEGS;
	if (seg_max < 2)
		seg_max = 2;
	/* Pages a request may span so its segments fit seg_max, and bytes so
	 * that splitting them at size_max stays within MAX_DESCS: at most
	 * BLK_MAX_SEGS + bytes / size_max pieces. */
	uint64_t bytes = (uint64_t)(seg_max - 1 < BLK_MAX_SEGS - 1 ? seg_max - 1 : BLK_MAX_SEGS - 1) * PAGE_SIZE;
	if (bytes > (uint64_t)(BLK_MAX_SEGS - 1) * v->size_max)
		bytes = (uint64_t)(BLK_MAX_SEGS - 1) * v->size_max;
	d->max_count = (uint32_t)(bytes / bs) ? (uint32_t)(bytes / bs) : 1;
	d->read_only = virtio_has(v->vd, F_RO);
	d->volatile_cache = virtio_has(v->vd, F_FLUSH);
	d->discard = virtio_has(v->vd, F_DISCARD) && !d->read_only;
	if (d->discard) {
		uint32_t m = cfg32(v, CFG_MAX_DISCARD) >> v->shift;
		d->max_discard = m ? m : 1;
	}
}

static unsigned count_queues(struct vblk *v)
{
	uint16_t n = 1;

	if (virtio_has(v->vd, F_MQ))
		v->vd->ops->read_config(v->vd, CFG_NUM_QUEUES, &n, 2);
	if (!n)
		n = 1;
	unsigned want = (unsigned)ncpus < MAX_QUEUES ? (unsigned)ncpus : MAX_QUEUES;
	return n < want ? n : want;
}

static int vblk_start(struct vblk *v)
{
	struct virtio_dev *vd = v->vd;
	uint64_t want = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_RING_EVENT_IDX |
			1ull << F_SIZE_MAX | 1ull << F_SEG_MAX | 1ull << F_BLK_SIZE | 1ull << F_RO |
			1ull << F_FLUSH | 1ull << F_DISCARD | 1ull << F_MQ;
	int err = virtio_negotiate(vd, want);

	if (err)
		return err;
	read_limits(v);
	v->nqueues = count_queues(v);
	for (unsigned i = 0; i < v->nqueues; i++)
		v->vqs[i] = &v->q[i].vq;
	vd->driver_priv = v;
	vd->interrupt = vblk_interrupt;
	vd->queues = v->vqs;
	vd->nqueues = (int)v->nqueues;
	vd->queue_cpu = queue_cpu;
	if ((err = vd->ops->setup_irq(vd, (int)v->nqueues)))
		return err;
	for (unsigned i = 0; i < v->nqueues && !err; i++)
		err = setup_queue(v, i);
	if (!err)
		virtio_driver_ok(vd);
	return err;
}

int virtio_blk_probe(struct virtio_dev *vd)
{
	struct vblk *v = kmalloc(sizeof *v);

	if (!v)
		return -ENOMEM;
	memset(v, 0, sizeof *v);
	v->vd = vd;
	v->watch.fn = watch_fire;
	v->timeout_ns = dev_cmdline_num("virtio_blk.timeout=", 30) * 1000000000ull;
	if (!v->timeout_ns)
		v->timeout_ns = 30 * 1000000000ull;
	int err = vblk_start(v);
	if (err) {
		vd->ops->set_status(vd, 0);
		printk("virtio-blk%d: the device did not start (%d)\n", nblks, err);
		return err;	/* v stays: interrupt vectors may point at it */
	}
	v->blk.nqueues = v->nqueues;
	v->blk.ops = &vblk_ops;
	v->blk.priv = v;
	nblks++;
	if ((err = blk_register(&v->blk, "vd")))
		return err;
	printk_info("%s: %lu sectors of %u bytes on virtio-%s%s%s%s, %u queue%s, irq %s\n", v->blk.name,
		    v->blk.nsectors, v->blk.sector_size, vd->transport, v->blk.read_only ? ", read-only" : "",
		    v->blk.volatile_cache ? ", write cache" : "", v->blk.discard ? ", discard" : "",
		    v->nqueues, v->nqueues == 1 ? "" : "s", vd->irq_kind);
	return 0;
}

/* Hot-unplug: the disk stays registered (the layer fails its requests
 * from now on); what the device held fails too. */
void virtio_blk_remove(struct virtio_dev *vd, bool gone)
{
	struct vblk *v = vd->driver_priv;

	blk_gone(&v->blk);
	if (gone)
		vd->broken = true;
	else
		vd->ops->set_status(vd, 0);
	vd->broken = true;
	for (unsigned i = 0; i < v->nqueues; i++)
		fail_queue(&v->q[i]);
	if (vd->ops->free_irq)
		vd->ops->free_irq(vd);
}
