/* virtio-net (virtio 1.1, 5.1): a struct net_port over a receive queue
 * (0) and a transmit queue (1), on either transport.
 *
 * Receive: every RX descriptor holds one 2 KiB buffer (header + a whole
 * frame, as without MRG_RXBUF or GUEST_TSO the device never sends more).
 * The interrupt only wakes the "virtio-net rx" thread, which drains the
 * used ring, hands each frame to the netif (it may sleep), puts the buffer
 * back, and re-arms the interrupt, draining again if frames slipped in.
 * Transmit: the frame is copied into a free 2 KiB slot behind its header;
 * finished slots are taken back on the next transmit, so TX needs no
 * interrupt at all. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/waitq.h"
#include "core/watchdog.h"
#include "dev/virtio.h"
#include "dev/virtq.h"
#include "csum.h"
#include "net/port.h"

#define F_CSUM		0	/* device fills TX checksums */
#define F_GUEST_CSUM	1	/* device may leave RX checksums partial */
#define F_MAC		5
#define F_STATUS	16
#define F_ANY_LAYOUT	27	/* legacy: header and frame may share a buffer */

#define HDR_F_NEEDS_CSUM	1
#define HDR_F_DATA_VALID	2
#define S_LINK_UP		1

#define BUF_SIZE	2048
#define QUEUE_MAX	256
#define RXQ		0
#define TXQ		1

struct net_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
	uint16_t num_buffers;	/* VERSION_1 (or MRG_RXBUF) only */
} __attribute__((packed));

struct vnet {
	struct net_port port;
	struct virtio_dev *vd;
	struct virtq rxq, txq;
	struct virtq *queues[2];
	unsigned hdr_len;		/* 12 with VERSION_1, 10 for legacy */
	uint8_t *rx_bufs, *tx_bufs;	/* queue size * BUF_SIZE each */

	struct spinlock tx_lock;	/* guards txq, tx_free, ntx_free */
	uint16_t *tx_free;
	int ntx_free;

	struct spinlock wake_lock;	/* guards rx_work, config_work, stopping, stopped */
	bool rx_work, config_work;
	bool stopping, stopped;		/* the device leaves: the thread ends */
	struct waitq wq;
	char name[16];
};

static int nnets;

static int rx_post(struct vnet *n, uint8_t *buf)
{
	struct vq_buf b = { virt_to_phys(buf), BUF_SIZE };

	return vq_add(&n->rxq, buf, &b, 0, 1);
}

static void rx_one(struct vnet *n, uint8_t *buf, uint32_t len)
{
	const struct net_hdr *h = (const struct net_hdr *)buf;
	uint8_t *frame = buf + n->hdr_len;
	size_t flen = len - n->hdr_len;
	unsigned flags = 0;

	if (len < n->hdr_len + 14)
		return;		/* runt: not even an Ethernet header */
	if (h->flags & HDR_F_NEEDS_CSUM) {
		if (!csum_complete(frame, flen, h->csum_start, h->csum_offset))
			return;
		flags |= NET_RX_CSUM_VALID;	/* the host sent it: only unfinished */
	} else if (h->flags & HDR_F_DATA_VALID) {
		flags |= NET_RX_CSUM_VALID;
	}
	net_port_deliver(&n->port, frame, flen, flags);
}

/* Drains the RX used ring, refills, re-arms; loops if frames raced in. */
static void rx_drain(struct vnet *n)
{
	do {
		vq_disable_cb(&n->rxq);
		uint8_t *buf;
		uint32_t len;
		while ((buf = vq_get_used(&n->rxq, &len))) {
			rx_one(n, buf, len);
			rx_post(n, buf);
		}
		vq_kick(&n->rxq);
	} while (!n->vd->broken && !vq_enable_cb(&n->rxq));
}

static void update_link(struct vnet *n)
{
	if (virtio_check_status(n->vd)) {
		net_port_set_link(&n->port, false);
		return;
	}
	uint16_t status = S_LINK_UP;

	if (virtio_has(n->vd, F_STATUS))
		n->vd->ops->read_config(n->vd, 6, &status, 2);
	bool up = status & S_LINK_UP;
	if (up != n->port.link_up)
		net_port_set_link(&n->port, up);
}

static void rx_thread(void *arg)
{
	struct vnet *n = arg;

	for (;;) {
		struct waiter w;
		uint64_t f = spin_lock_irqsave(&n->wake_lock);
		while (!n->rx_work && !n->config_work && !n->stopping) {
			waitq_prepare(&n->wq, &w);
			spin_unlock_irqrestore(&n->wake_lock, f);
			waitq_sleep(&n->wq, &w);
			f = spin_lock_irqsave(&n->wake_lock);
		}
		if (n->stopping) {
			n->stopped = true;
			spin_unlock_irqrestore(&n->wake_lock, f);
			waitq_wake_all(&n->wq);
			thread_exit();
		}
		bool rx = n->rx_work, config = n->config_work;
		n->rx_work = n->config_work = false;
		spin_unlock_irqrestore(&n->wake_lock, f);
		if (config)
			update_link(n);
		if (rx && !n->vd->broken)
			rx_drain(n);
		watchdog_progress();	/* busy with frames for as long as they come */
		if (n->vd->broken && n->port.link_up)
			net_port_set_link(&n->port, false);	/* contained: the netif sees a dead link */
	}
}

/* Interrupt context: note the work, wake the thread. */
static void vnet_interrupt(struct virtio_dev *vd, int queue)
{
	struct vnet *n = vd->driver_priv;

	if (queue == TXQ)
		return;		/* TX slots are reclaimed by the next transmit */
	spin_lock(&n->wake_lock);
	if (queue < 0)
		n->config_work = true;
	else
		n->rx_work = true;
	spin_unlock(&n->wake_lock);
	waitq_wake_all(&n->wq);
}

/* Caller holds tx_lock. */
static void tx_reclaim(struct vnet *n)
{
	uint8_t *buf;

	while ((buf = vq_get_used(&n->txq, NULL)))
		n->tx_free[n->ntx_free++] = (uint16_t)((buf - n->tx_bufs) / BUF_SIZE);
}

static size_t tx_fill(struct vnet *n, uint8_t *buf, const struct net_seg *segs, int nsegs,
		      const struct net_tx_csum *csum)
{
	struct net_hdr *h = (struct net_hdr *)buf;
	size_t len = 0;

	memset(h, 0, n->hdr_len);
	for (int i = 0; i < nsegs; i++) {
		memcpy(buf + n->hdr_len + len, segs[i].data, segs[i].len);
		len += segs[i].len;
	}
	if (csum && csum->start) {
		if (virtio_has(n->vd, F_CSUM)) {
			h->flags = HDR_F_NEEDS_CSUM;
			h->csum_start = csum->start;
			h->csum_offset = csum->offset;
		} else {
			csum_complete(buf + n->hdr_len, len, csum->start, csum->offset);
		}
	}
	return len;
}

static int vnet_transmit(struct net_port *port, const struct net_seg *segs, int nsegs,
			 const struct net_tx_csum *csum)
{
	struct vnet *n = port->driver;
	size_t total = 0;

	for (int i = 0; i < nsegs; i++)
		total += segs[i].len;
	if (total > BUF_SIZE - n->hdr_len || total < 14)
		return -EINVAL;
	if (n->vd->broken)
		return -EIO;
	uint64_t f = spin_lock_irqsave(&n->tx_lock);
	tx_reclaim(n);
	if (!n->ntx_free) {
		spin_unlock_irqrestore(&n->tx_lock, f);
		return n->vd->broken ? -EIO : -ENOBUFS;
	}
	uint16_t slot = n->tx_free[--n->ntx_free];
	uint8_t *buf = n->tx_bufs + (size_t)slot * BUF_SIZE;
	size_t len = tx_fill(n, buf, segs, nsegs, csum);
	struct vq_buf b = { virt_to_phys(buf), (uint32_t)(n->hdr_len + len) };
	int err = vq_add(&n->txq, buf, &b, 1, 0);
	if (err)
		n->tx_free[n->ntx_free++] = slot;
	else
		vq_kick(&n->txq);
	spin_unlock_irqrestore(&n->tx_lock, f);
	return err == -ENOSPC ? -ENOBUFS : err;
}

static const struct net_port_ops vnet_ops = { .transmit = vnet_transmit };

static int setup_queue(struct vnet *n, struct virtq *vq, uint16_t index)
{
	uint16_t max = n->vd->ops->queue_max(n->vd, index);
	uint16_t size = QUEUE_MAX;

	if (!max)
		return -ENODEV;
	while (size > max)
		size >>= 1;	/* legacy devices may offer a size not a power of two */
	int err = vq_init(vq, n->vd, index, size, virtio_has(n->vd, VIRTIO_F_RING_EVENT_IDX));
	return err ? err : n->vd->ops->queue_enable(n->vd, vq);
}

static int alloc_buffers(struct vnet *n)
{
	size_t rx_pages = PAGE_ROUND_UP((size_t)n->rxq.size * BUF_SIZE) / PAGE_SIZE;
	size_t tx_pages = PAGE_ROUND_UP((size_t)n->txq.size * BUF_SIZE) / PAGE_SIZE;

	n->rx_bufs = page_alloc_virt(rx_pages);
	n->tx_bufs = page_alloc_virt(tx_pages);
	n->tx_free = kmalloc(sizeof(uint16_t) * n->txq.size);
	if (!n->rx_bufs || !n->tx_bufs || !n->tx_free)
		return -ENOMEM;	/* the probe failed: the device stays reset */
	for (uint16_t i = 0; i < n->txq.size; i++)
		n->tx_free[n->ntx_free++] = i;
	for (uint16_t i = 0; i < n->rxq.size; i++)
		rx_post(n, n->rx_bufs + (size_t)i * BUF_SIZE);
	return 0;
}

static void read_mac(struct vnet *n)
{
	if (virtio_has(n->vd, F_MAC)) {
		n->vd->ops->read_config(n->vd, 0, n->port.mac, 6);
		return;
	}
	random_fill(n->port.mac, 6);
	n->port.mac[0] = (uint8_t)((n->port.mac[0] & 0xfe) | 0x02);	/* unicast, local */
}

static int vnet_start(struct vnet *n)
{
	struct virtio_dev *vd = n->vd;
	uint64_t want = 1ull << F_CSUM | 1ull << F_GUEST_CSUM | 1ull << F_MAC | 1ull << F_STATUS |
			1ull << VIRTIO_F_RING_EVENT_IDX | 1ull << VIRTIO_F_VERSION_1 | 1ull << F_ANY_LAYOUT;
	int err = virtio_negotiate(vd, want);

	if (err)
		return err;
	n->hdr_len = virtio_has(vd, VIRTIO_F_VERSION_1) ? 12 : 10;
	vd->queues = n->queues;
	vd->nqueues = 2;
	n->queues[RXQ] = &n->rxq;
	n->queues[TXQ] = &n->txq;
	vd->driver_priv = n;
	vd->interrupt = vnet_interrupt;
	if ((err = vd->ops->setup_irq(vd, 2)) || (err = setup_queue(n, &n->rxq, RXQ)) ||
	    (err = setup_queue(n, &n->txq, TXQ)) || (err = alloc_buffers(n)))
		return err;
	vq_disable_cb(&n->txq);
	read_mac(n);
	virtio_driver_ok(vd);
	vq_kick(&n->rxq);
	return 0;
}

static void log_device(struct vnet *n)
{
	const uint8_t *m = n->port.mac;

	printk("%s: %02x:%02x:%02x:%02x:%02x:%02x on virtio-%s, features 0x%lx, "
	       "queues rx %u tx %u, irq %s, link %s\n", n->name, m[0], m[1], m[2], m[3], m[4],
	       m[5], n->vd->transport, n->vd->features, n->rxq.size, n->txq.size,
	       n->vd->irq_kind, n->port.link_up ? "up" : "down");
}

int virtio_net_probe(struct virtio_dev *vd)
{
	struct vnet *n = kmalloc(sizeof *n);

	if (!n)
		return -ENOMEM;
	n->vd = vd;
	waitq_init(&n->wq);
	snprintf(n->name, sizeof n->name, "virtio-net%d", nnets);
	int err = vnet_start(n);
	if (err) {
		vd->ops->set_status(vd, 0);
		return err;	/* n stays: interrupt vectors may point at it */
	}
	n->port = (struct net_port){ .name = n->name, .mtu = 1500, .ops = &vnet_ops, .driver = n,
				     .features = virtio_has(vd, F_CSUM) ? NET_PORT_TX_CSUM : 0 };
	read_mac(n);
	update_link(n);
	struct thread *t = thread_create("virtio-net rx", rx_thread, n);
	if (!t) {
		virtio_fail(vd, "out of memory for the receive thread");
		return -ENOMEM;
	}
	nnets++;
	log_device(n);
	net_port_register(&n->port);
	thread_start(t);
	return 0;
}

/* ---- hot-unplug ------------------------------------------------------------------ */

#define IRQ_GRACE_NS	(10ull * 1000000)	/* for a handler that began before free_irq */

static void stop_rx_thread(struct vnet *n)
{
	struct waiter w;
	uint64_t f = spin_lock_irqsave(&n->wake_lock);

	n->stopping = true;
	spin_unlock_irqrestore(&n->wake_lock, f);
	waitq_wake_all(&n->wq);
	f = spin_lock_irqsave(&n->wake_lock);
	while (!n->stopped) {
		waitq_prepare(&n->wq, &w);
		spin_unlock_irqrestore(&n->wake_lock, f);
		waitq_sleep(&n->wq, &w);
		f = spin_lock_irqsave(&n->wake_lock);
	}
	spin_unlock_irqrestore(&n->wake_lock, f);
}

/* The netif lets go of the port first (nothing transmits after that), the
 * receive thread ends, the device is reset (no more DMA into our buffers),
 * and only then do the buffers, rings and vectors go. */
void virtio_net_remove(struct virtio_dev *vd, bool gone)
{
	struct vnet *n = vd->driver_priv;

	net_port_unregister(&n->port);
	stop_rx_thread(n);
	if (gone)
		vd->broken = true;
	else
		vd->ops->set_status(vd, 0);
	if (vd->ops->free_irq)
		vd->ops->free_irq(vd);
	sched_sleep_until(clock_ns() + IRQ_GRACE_NS);
	page_free_virt(n->rx_bufs, PAGE_ROUND_UP((size_t)n->rxq.size * BUF_SIZE) / PAGE_SIZE);
	page_free_virt(n->tx_bufs, PAGE_ROUND_UP((size_t)n->txq.size * BUF_SIZE) / PAGE_SIZE);
	vq_destroy(&n->rxq);
	vq_destroy(&n->txq);
	kfree(n->tx_free);
	printk("%s: removed\n", n->name);
	kfree(n);
}
