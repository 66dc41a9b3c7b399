/* virtio-net (virtio 1.1, 5.1): a struct net_port over queue pairs (a
 * receive queue 2i and a transmit queue 2i + 1), on either transport.
 *
 * With MQ (and its control queue) there is a pair per CPU, up to
 * MAX_PAIRS: pair i's interrupts go to CPU i, where its receive thread
 * is pinned (virtio_net_rx.c), and a frame leaves on the sending CPU's
 * pair.  The device spreads incoming flows over the pairs (a tap's own
 * steering keeps a flow on one queue); a flow's frames sent from one CPU
 * stay on one queue, in order.  Without MQ, one pair.
 *
 * Transmit is virtio_net_tx.c. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/devices.h"
#include "dev/virtio_net_internal.h"

#define RX_BUF_MIN	256	/* the smallest virtio_net.rx_buf= taken */
#define QUEUE_MAX	256
#define CTRL_MQ		4	/* class: multiqueue */
#define CTRL_MQ_PAIRS_SET 0	/* its command: how many pairs to use */
#define CTRL_OK		0
#define CTRL_WAIT_NS	(1000ull * 1000000)

static int nnets;

/* The pairs' counts, summed. */
static void vnet_counts(struct net_port *port, struct net_port_counts *c)
{
	struct vnet *n = port->driver;

	for (int i = 0; i < n->vd->nqueues / 2; i++) {
		const struct net_port_counts *p = &n->pairs[i].counts;
		c->rx_frames += p->rx_frames, c->rx_passes += p->rx_passes;
		c->rx_wakeups += p->rx_wakeups, c->rx_interrupts += p->rx_interrupts;
		c->tx_frames += p->tx_frames, c->tx_segmented += p->tx_segmented;
		c->tx_dropped += p->tx_dropped;
	}
}

static const struct net_port_ops vnet_ops = { .transmit = vnet_transmit,
					      .transmit_in_place = vnet_transmit_in_place,
					      .counts = vnet_counts };

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

static size_t ring_pages(const struct virtq *vq)
{
	return PAGE_ROUND_UP((size_t)vq->size * BUF_SIZE) / PAGE_SIZE;
}

static int alloc_buffers(struct vnet *n, struct vnet_pair *p)
{
	p->rx_bufs = page_alloc_virt(ring_pages(&p->rxq));
	p->tx_bufs = page_alloc_virt(ring_pages(&p->txq));
	p->tx_free = kmalloc(sizeof(uint16_t) * p->txq.size);
	p->tx_next = kmalloc(sizeof(uint16_t) * p->txq.size);
	p->tx_done = kmalloc(sizeof(struct tx_done) * p->txq.size);
	if (virtio_has(n->vd, F_MRG_RXBUF) && !(p->gather = page_alloc_virt_uninit(n->gather_pages)))
		return -ENOMEM;
	if (!p->rx_bufs || !p->tx_bufs || !p->tx_free || !p->tx_next || !p->tx_done)
		return -ENOMEM;	/* the probe failed: the device stays reset */
	for (uint16_t i = 0; i < p->txq.size; i++)
		p->tx_free[p->ntx_free++] = i;
	for (uint16_t i = 0; i < p->rxq.size; i++)
		vnet_rx_post(p, p->rx_bufs + (size_t)i * BUF_SIZE);
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

#define GUEST_TSO	(1ull << F_GUEST_TSO4 | 1ull << F_GUEST_TSO6)

/* Offloads (net.offload=off asks for none): checksums both ways,
 * segmentation both ways, merged receive buffers, and a queue pair per
 * CPU. */
static uint64_t offloads_wanted(void)
{
	if (!dev_net_offload())
		return 0;
	return 1ull << F_CSUM | 1ull << F_GUEST_CSUM | 1ull << F_HOST_TSO4 | 1ull << F_HOST_TSO6 |
	       (dev_net_large_rx() ? GUEST_TSO : 0) | 1ull << F_MRG_RXBUF | 1ull << F_CTRL_VQ |
	       1ull << F_MQ;
}

/* Frames of many segments come only into buffers that can be merged
 * (ours are 2 KiB), with their checksum left partial (virtio 1.1,
 * 5.1.3.1): without those, negotiating again without GUEST_TSO. */
static int negotiate(struct virtio_dev *vd, uint64_t want)
{
	int err = virtio_negotiate(vd, want);

	if (!err && (vd->features & GUEST_TSO) &&
	    !(virtio_has(vd, F_MRG_RXBUF) && virtio_has(vd, F_GUEST_CSUM)))
		err = virtio_negotiate(vd, want & ~GUEST_TSO);
	return err;
}

/* What the port does for the netif.  Segmentation comes with checksums
 * only (virtio 1.1, 5.1.3.1: HOST_TSO4 requires CSUM). */
static unsigned port_features(struct virtio_dev *vd)
{
	if (!virtio_has(vd, F_CSUM))
		return 0;
	return NET_PORT_TX_CSUM | (virtio_has(vd, F_HOST_TSO4) ? NET_PORT_TX_TSO4 : 0) |
	       (virtio_has(vd, F_HOST_TSO6) ? NET_PORT_TX_TSO6 : 0);
}

/* RX buffers are BUF_SIZE unless MRG_RXBUF lets a frame span several and
 * the command line asks for smaller ones (virtio_net.rx_buf=N, 256 to
 * 2048: frames then take several buffers, which the tests need). */
static uint32_t rx_buf_size(struct vnet *n)
{
	unsigned long size = dev_cmdline_num("virtio_net.rx_buf=", BUF_SIZE);

	if (!virtio_has(n->vd, F_MRG_RXBUF) || size < RX_BUF_MIN || size > BUF_SIZE)
		return BUF_SIZE;
	return (uint32_t)size;
}

/* A pair per CPU, as far as the device and MAX_PAIRS go. */
static void count_pairs(struct vnet *n)
{
	uint16_t max = 1;

	if (virtio_has(n->vd, F_MQ) && virtio_has(n->vd, F_CTRL_VQ))
		n->vd->ops->read_config(n->vd, 8, &max, 2);
	n->max_pairs = max ? max : 1;
	n->npairs = n->max_pairs < ncpus ? n->max_pairs : ncpus;
	if (n->npairs > MAX_PAIRS)
		n->npairs = MAX_PAIRS;
}

static int queue_cpu(struct virtio_dev *vd, int queue)
{
	(void)vd;
	return queue / 2 % ncpus;
}

static int setup_pairs(struct vnet *n)
{
	int err = 0;

	for (int i = 0; i < n->npairs && !err; i++) {
		struct vnet_pair *p = &n->pairs[i];
		p->n = n;
		p->index = i;
		p->tx_timer.fn = vnet_tx_timer_fired;
		waitq_init(&p->wq);
		n->queues[2 * i] = &p->rxq;
		n->queues[2 * i + 1] = &p->txq;
	}
	n->vd->queues = n->queues;
	n->vd->nqueues = 2 * n->npairs;
	n->vd->queue_cpu = queue_cpu;
	if ((err = n->vd->ops->setup_irq(n->vd, 2 * n->npairs)))
		return err;
	for (int i = 0; i < n->npairs && !err; i++) {
		struct vnet_pair *p = &n->pairs[i];
		if (!(err = setup_queue(n, &p->rxq, (uint16_t)(2 * i))) &&
		    !(err = setup_queue(n, &p->txq, (uint16_t)(2 * i + 1))) && !(err = alloc_buffers(n, p)))
			vq_disable_cb(&p->txq);
	}
	if (!err && virtio_has(n->vd, F_CTRL_VQ))
		err = setup_queue(n, &n->ctrlq, (uint16_t)(2 * n->max_pairs));
	return err;
}

/* Tells the device how many pairs to use (it starts with one), waiting
 * for its answer: 0, or -EIO (then only pair 0 is used).  A buffer the
 * device never gave back stays allocated: it may still write the ack. */
static int set_pairs(struct vnet *n)
{
	struct ctrl { uint8_t class, cmd; uint16_t pairs; uint8_t ack; } __attribute__((packed));
	if (n->npairs == 1)
		return 0;
	struct ctrl *c = kmalloc(sizeof *c);
	if (!c)
		return -ENOMEM;
	*c = (struct ctrl){ CTRL_MQ, CTRL_MQ_PAIRS_SET, (uint16_t)n->npairs, 0xff };
	struct vq_buf b[2] = { { virt_to_phys(c), 4 }, { virt_to_phys(&c->ack), 1 } };
	if (vq_add(&n->ctrlq, c, b, 1, 1))
		return -EIO;
	vq_kick(&n->ctrlq);
	uint64_t deadline = clock_ns() + CTRL_WAIT_NS;
	void *done;
	while (!(done = vq_get_used(&n->ctrlq, NULL)) && !n->vd->broken && clock_ns() < deadline)
		cpu_relax();
	if (!done)
		return -EIO;
	int err = c->ack == CTRL_OK ? 0 : -EIO;
	kfree(c);
	return err;
}

static int vnet_start(struct vnet *n)
{
	struct virtio_dev *vd = n->vd;
	uint64_t want = offloads_wanted() | 1ull << F_MAC | 1ull << F_STATUS |
			1ull << VIRTIO_F_RING_EVENT_IDX | 1ull << VIRTIO_F_VERSION_1 | 1ull << F_ANY_LAYOUT;
	int err = negotiate(vd, want);

	if (err)
		return err;
	n->hdr_len = virtio_has(vd, VIRTIO_F_VERSION_1) || virtio_has(vd, F_MRG_RXBUF) ? 12 : 10;
	/* A whole frame of many segments and its header, or four pages:
	 * more than a frame of one MTU needs, in pieces of any size. */
	n->gather_pages = vd->features & GUEST_TSO ? PAGE_ROUND_UP(sizeof(struct net_hdr) + FRAME_MAX) / PAGE_SIZE : 4;
	n->rx_buf = rx_buf_size(n);
	count_pairs(n);
	vd->driver_priv = n;
	vd->interrupt = vnet_interrupt;
	if ((err = setup_pairs(n)))
		return err;
	read_mac(n);
	virtio_driver_ok(vd);
	for (int i = 0; i < n->npairs; i++)
		vq_kick(&n->pairs[i].rxq);
	if (set_pairs(n)) {
		printk("%s: the device refused %d queue pairs: one is used\n", n->name, n->npairs);
		n->npairs = 1;
	}
	return 0;
}

static const char *tso_words(unsigned features)
{
	switch (features & (NET_PORT_TX_TSO4 | NET_PORT_TX_TSO6)) {
	case NET_PORT_TX_TSO4 | NET_PORT_TX_TSO6:
		return "on (IPv4, IPv6)";
	case NET_PORT_TX_TSO4:
		return "on (IPv4)";
	case NET_PORT_TX_TSO6:
		return "on (IPv6)";
	}
	return "not offered";
}

static void log_device(struct vnet *n)
{
	const uint8_t *m = n->port.mac;

	printk_info("%s: %02x:%02x:%02x:%02x:%02x:%02x on virtio-%s, features 0x%lx, "
		    "queues rx %u tx %u, irq %s, link %s\n", n->name, m[0], m[1], m[2], m[3], m[4],
		    m[5], n->vd->transport, n->vd->features, n->pairs[0].rxq.size,
		    n->pairs[0].txq.size, n->vd->irq_kind, n->port.link_up ? "up" : "down");
	printk_info("%s: interrupt moderation: adaptive (receive interrupts masked while passes "
		    "find frames)\n", n->name);
	if (!dev_net_offload()) {
		printk_info("%s: offloads off (net.offload=off): 1 queue pair\n", n->name);
		return;
	}
	printk_info("%s: offloads: tx checksum %s, rx checksum %s, tx segmentation %s, "
		    "rx segmentation %s, merged rx buffers %s (%u bytes), %d queue pair%s (device %d)\n",
		    n->name, virtio_has(n->vd, F_CSUM) ? "on" : "not offered",
		    virtio_has(n->vd, F_GUEST_CSUM) ? "on" : "not offered",
		    tso_words(n->port.features),
		    n->vd->features & GUEST_TSO ? "on" : dev_net_large_rx() ? "not offered" : "off (network server)",
		    virtio_has(n->vd, F_MRG_RXBUF) ? "on" : "not offered", n->rx_buf, n->npairs,
		    n->npairs == 1 ? "" : "s", n->max_pairs);
}

/* A receive thread per pair set up (even if the device refused to use
 * them all), pinned beside its interrupt when there are several; started
 * once the port is registered. */
static int create_threads(struct vnet *n, struct thread **t)
{
	for (int i = 0; i < n->vd->nqueues / 2; i++) {
		if (!(t[i] = thread_create("virtio-net rx", vnet_rx_thread, &n->pairs[i]))) {
			while (i--)
				thread_destroy(t[i]);
			return -ENOMEM;
		}
		if (n->vd->nqueues > 2)
			thread_pin(t[i], i);
		thread_set_handoff(t[i]);
	}
	return 0;
}

int virtio_net_probe(struct virtio_dev *vd)
{
	struct vnet *n = kmalloc(sizeof *n);
	struct thread *threads[MAX_PAIRS];

	if (!n)
		return -ENOMEM;
	n->vd = vd;
	snprintf(n->name, sizeof n->name, "virtio-net%d", nnets);
	int err = vnet_start(n);
	if (err) {
		vd->ops->set_status(vd, 0);
		return err;	/* n stays: interrupt vectors may point at it */
	}
	n->port = (struct net_port){ .name = n->name, .mtu = 1500, .ops = &vnet_ops, .driver = n,
				     .features = port_features(vd) };
	read_mac(n);
	vnet_update_link(n);
	if (create_threads(n, threads)) {
		virtio_fail(vd, "out of memory for the receive threads");
		return -ENOMEM;
	}
	nnets++;
	log_device(n);
	net_port_register(&n->port);
	for (int i = 0; i < vd->nqueues / 2; i++)
		thread_start(threads[i]);
	return 0;
}

/* ---- hot-unplug ------------------------------------------------------------------ */

#define IRQ_GRACE_NS	(10ull * 1000000)	/* for a handler that began before free_irq */

static void free_pair(struct vnet_pair *p)
{
	uint64_t f = spin_lock_irqsave(&p->tx_lock);
	vnet_tx_abandon_in_place(p);	/* the device is reset */
	spin_unlock_irqrestore(&p->tx_lock, f);
	timer_cancel(&p->tx_timer);	/* which, with none left, re-arms no more */
	kfree(p->tx_done);
	page_free_virt(p->rx_bufs, ring_pages(&p->rxq));
	page_free_virt(p->tx_bufs, ring_pages(&p->txq));
	vq_destroy(&p->rxq);
	vq_destroy(&p->txq);
	kfree(p->tx_free);
	kfree(p->tx_next);
	if (p->gather)
		page_free_virt(p->gather, p->n->gather_pages);
}

/* The netif lets go of the port first (nothing transmits after that), the
 * receive threads end, the device is reset (no more DMA into our buffers),
 * and only then do the buffers, rings and vectors go. */
void virtio_net_remove(struct virtio_dev *vd, bool gone)
{
	struct vnet *n = vd->driver_priv;
	int set_up = vd->nqueues / 2;	/* pairs with threads, even if fewer are used */

	net_port_unregister(&n->port);
	for (int i = 0; i < set_up; i++)
		vnet_rx_stop(&n->pairs[i]);
	if (gone)
		vd->broken = true;
	else
		vd->ops->set_status(vd, 0);
	if (vd->ops->free_irq)
		vd->ops->free_irq(vd);
	sched_sleep_until(clock_ns() + IRQ_GRACE_NS);
	for (int i = 0; i < set_up; i++)
		free_pair(&n->pairs[i]);
	if (virtio_has(vd, F_CTRL_VQ))
		vq_destroy(&n->ctrlq);
	printk("%s: removed\n", n->name);
	kfree(n);
}
