/* virtio-9p devices (virtio 1.1, 5.5): one request queue; the
 * configuration space holds the mount tag (feature MOUNT_TAG).  Each
 * request is a chain of the request's pages (device-readable) and the
 * reply buffer's (device-writable); the interrupt marks the request done
 * and wakes its caller.  Channels are never removed (9p devices are not
 * hot-unplugged here). */
#include "dev/virtio_9p.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mutex.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/waitq.h"
#include "dev/virtio.h"
#include "dev/virtq.h"

#define F_MOUNT_TAG	0
#define QUEUE_SIZE	128
#define TAG_MAX		64
#define MAX_BUFS	(QUEUE_SIZE / 2)
#define MAX_CHANNELS	16
/* QEMU answers a local folder at once; a device silent this long is dead. */
#define REPLY_WAIT_NS	(60ull * 1000000000ull)

struct p9_chan {
	struct virtio_dev *vd;
	struct virtq vq;
	struct virtq *queues[1];
	char tag[TAG_MAX + 1];
	struct mutex rpc_lock;		/* one request in flight */
	struct spinlock lock;		/* guards vq and done, against the interrupt */
	struct waitq wq;
	bool done;
	uint32_t reply_len;
};

static struct p9_chan *channels[MAX_CHANNELS];
static int nchannels;

struct p9_chan *p9_chan_find(const char *tag)
{
	for (int k = 0; k < nchannels; k++)
		if (!strcmp(channels[k]->tag, tag))
			return channels[k];
	return NULL;
}

static void p9_interrupt(struct virtio_dev *vd, int queue)
{
	struct p9_chan *c = vd->driver_priv;
	uint32_t len;

	if (queue > 0)
		return;
	spin_lock(&c->lock);
	if (vq_get_used(&c->vq, &len)) {
		c->done = true;
		c->reply_len = len;
	}
	spin_unlock(&c->lock);
	waitq_wake_all(&c->wq);
}

/* Splits [p, p + len) at page boundaries into bufs; the count, or -1 if
 * more than room. */
static int add_pieces(struct vq_buf *bufs, int room, const void *p, size_t len)
{
	int n = 0;

	for (uintptr_t a = (uintptr_t)p, end = a + len; a < end; n++) {
		size_t piece = PAGE_SIZE - (a & (PAGE_SIZE - 1));
		if (piece > end - a)
			piece = end - a;
		if (n == room)
			return -1;
		bufs[n] = (struct vq_buf){ virt_to_phys((const void *)a), (uint32_t)piece };
		a += piece;
	}
	return n;
}

/* Waits for the interrupt's mark.  Caller holds rpc_lock. */
static long wait_reply(struct p9_chan *c)
{
	uint64_t deadline = clock_ns() + REPLY_WAIT_NS;

	for (;;) {
		struct waiter w = { 0 };
		uint64_t f = spin_lock_irqsave(&c->lock);
		bool done = c->done, broken = c->vd->broken;
		if (!done && !broken)
			waitq_prepare(&c->wq, &w);
		spin_unlock_irqrestore(&c->lock, f);
		if (done)
			return c->reply_len;
		if (broken)
			return -EIO;
		if (clock_ns() >= deadline) {
			waitq_wake_all(&c->wq);	/* takes w off the queue */
			virtio_fail(c->vd, "no 9P reply in 60 s");
			return -EIO;
		}
		waitq_sleep_until(&c->wq, &w, deadline);
	}
}

long p9_chan_rpc(struct p9_chan *c, const void *req, size_t len, void *resp, size_t cap)
{
	struct vq_buf bufs[MAX_BUFS];
	int nout = add_pieces(bufs, MAX_BUFS, req, len);
	int nin = nout < 0 ? -1 : add_pieces(bufs + nout, MAX_BUFS - nout, resp, cap);

	if (nin < 0)
		return -EINVAL;
	mutex_lock(&c->rpc_lock);
	uint64_t f = spin_lock_irqsave(&c->lock);
	c->done = false;
	int err = vq_add(&c->vq, c, bufs, nout, nin);
	if (!err)
		vq_kick(&c->vq);
	spin_unlock_irqrestore(&c->lock, f);
	long n = err ? -EIO : wait_reply(c);
	mutex_unlock(&c->rpc_lock);
	return n;
}

static int read_tag(struct p9_chan *c)
{
	uint16_t len = 0;

	c->vd->ops->read_config(c->vd, 0, &len, 2);
	if (!len || len > TAG_MAX)
		return -EIO;
	c->vd->ops->read_config(c->vd, 2, c->tag, len);
	c->tag[len] = 0;
	return strlen(c->tag) == len ? 0 : -EIO;
}

static int setup_queue(struct p9_chan *c)
{
	uint16_t max = c->vd->ops->queue_max(c->vd, 0), size = QUEUE_SIZE;

	if (!max)
		return -ENODEV;
	while (size > max)
		size >>= 1;
	c->queues[0] = &c->vq;
	c->vd->queues = c->queues;
	c->vd->nqueues = 1;
	int err = c->vd->ops->setup_irq(c->vd, 1);
	if (!err)
		err = vq_init(&c->vq, c->vd, 0, size, false);
	return err ? err : c->vd->ops->queue_enable(c->vd, &c->vq);
}

int virtio_9p_probe(struct virtio_dev *vd)
{
	if (nchannels == MAX_CHANNELS)
		return -ENOSPC;
	struct p9_chan *c = kmalloc(sizeof *c);
	if (!c)
		return -ENOMEM;
	c->vd = vd;
	mutex_init(&c->rpc_lock);
	waitq_init(&c->wq);
	int err = virtio_negotiate(vd, 1ull << F_MOUNT_TAG | 1ull << VIRTIO_F_VERSION_1);
	if (!err && !virtio_has(vd, F_MOUNT_TAG))
		err = -ENODEV;
	if (!err)
		err = read_tag(c);
	vd->driver_priv = c;
	vd->interrupt = p9_interrupt;
	if (!err)
		err = setup_queue(c);
	if (err) {
		printk("virtio-9p: a device could not be set up (%d)\n", err);
		return err;	/* c stays: an interrupt vector may point at it */
	}
	virtio_driver_ok(vd);
	channels[nchannels++] = c;
	return 0;
}
