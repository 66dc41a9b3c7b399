/* virtio-net receive: one thread per queue pair, pinned to the CPU that
 * takes the pair's interrupt.
 *
 * Every RX descriptor holds one buffer of rx_buf bytes (2 KiB: header + a
 * whole frame of one MTU).  With MRG_RXBUF the header says how many
 * buffers a frame took; one that took several (a frame of many segments
 * with GUEST_TSO, up to 64 KiB, or any frame in buffers made smaller with
 * virtio_net.rx_buf=N on the command line, for the tests) is gathered
 * into the pair's side buffer first.
 * The interrupt only wakes the pair's thread, which drains the used ring,
 * hands each frame to the netif (it may sleep), puts the buffer back, and
 * re-arms the interrupt, draining again if frames slipped in. */
#include "arch/x86_64/arch.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/watchdog.h"
#include "dev/virtio_net_internal.h"

#define S_LINK_UP		1

int vnet_rx_post(struct vnet_pair *p, uint8_t *buf)
{
	struct vq_buf b = { virt_to_phys(buf), p->n->rx_buf };

	return vq_add(&p->rxq, buf, &b, 0, 1);
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
		/* From the host's own stack, whole, its checksum left
		 * unfinished.  It is not finished here, as Linux does not
		 * finish such frames (CHECKSUM_PARTIAL): no one checks it, and
		 * a frame from the wire never goes back out of the VM (a
		 * network server hands it only to its stack and its apps, the
		 * flag with it).  Finishing it took 18 to 40 % of the CPU of
		 * a download into the guest. */
		if (h->csum_start + h->csum_offset + 2u > flen)
			return;
		flags |= NET_RX_CSUM_VALID;
	} else if (h->flags & HDR_F_DATA_VALID) {
		flags |= NET_RX_CSUM_VALID;
	}
	net_port_deliver(&n->port, frame, flen, flags);
}

/* One more buffer of a frame being gathered. */
static void rx_gather(struct vnet_pair *p, const uint8_t *buf, uint32_t len)
{
	if (p->gather_len + len > (size_t)p->n->gather_pages * PAGE_SIZE)
		p->gather_drop = true;
	else
		memcpy(p->gather + p->gather_len, buf, len);
	p->gather_len += len;
	if (--p->gather_left == 0 && !p->gather_drop)
		rx_one(p->n, p->gather, p->gather_len);
}

/* A used RX buffer: a frame, its start, or the next piece of one.  A
 * count of buffers past the queue's size is a lie that fails the device,
 * as virtq.c treats every other. */
static void rx_used(struct vnet_pair *p, uint8_t *buf, uint32_t len)
{
	const struct net_hdr *h = (const struct net_hdr *)buf;
	uint16_t nbufs = 1;

	if (p->gather_left) {
		rx_gather(p, buf, len);
		return;
	}
	if (p->gather && len >= p->n->hdr_len)
		nbufs = h->num_buffers;
	if (nbufs <= 1) {
		rx_one(p->n, buf, len);
		return;
	}
	if (nbufs > p->rxq.size) {
		virtio_fail(p->n->vd, "a frame in more buffers than the queue holds");
		return;
	}
	p->gather_len = 0;
	p->gather_left = nbufs;
	p->gather_drop = false;
	rx_gather(p, buf, len);
}

/* Drains the RX used ring, refills, re-arms; loops if frames raced in,
 * after letting the threads a pass woke run (thread_set_handoff). */
static void rx_drain(struct vnet_pair *p)
{
	p->counts.rx_wakeups++;
	do {
		vq_disable_cb(&p->rxq);
		uint8_t *buf;
		uint32_t len;
		p->counts.rx_passes++;
		while ((buf = vq_get_used(&p->rxq, &len))) {
			rx_used(p, buf, len);
			vnet_rx_post(p, buf);
			p->counts.rx_frames++;
		}
		vq_kick(&p->rxq);
		sched_yield_if_queued();
	} while (!p->n->vd->broken && !vq_enable_cb(&p->rxq));
}

void vnet_update_link(struct vnet *n)
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

/* Sleeps until there is work or the device leaves; which work.  Ends the
 * thread when it leaves. */
static void wait_work(struct vnet_pair *p, bool *rx, bool *config)
{
	struct waiter w;
	uint64_t f = spin_lock_irqsave(&p->wake_lock);

	while (!p->rx_work && !p->config_work && !p->stopping) {
		waitq_prepare(&p->wq, &w);
		spin_unlock_irqrestore(&p->wake_lock, f);
		waitq_sleep(&p->wq, &w);
		f = spin_lock_irqsave(&p->wake_lock);
	}
	if (p->stopping) {
		p->stopped = true;
		spin_unlock_irqrestore(&p->wake_lock, f);
		waitq_wake_all(&p->wq);
		thread_exit();
	}
	*rx = p->rx_work;
	*config = p->config_work;
	p->rx_work = p->config_work = false;
	spin_unlock_irqrestore(&p->wake_lock, f);
}

void vnet_rx_thread(void *arg)
{
	struct vnet_pair *p = arg;
	struct vnet *n = p->n;

	for (;;) {
		bool rx, config;
		wait_work(p, &rx, &config);
		if (config)
			vnet_update_link(n);
		if (rx && !n->vd->broken)
			rx_drain(p);
		watchdog_progress();	/* busy with frames for as long as they come */
		if (n->vd->broken && n->port.link_up)
			net_port_set_link(&n->port, false);	/* contained: the netif sees a dead link */
	}
}

/* Interrupt context: note the work, wake the pair's thread.  Transmit
 * queues' interrupts are off (slots are reclaimed by the next transmit);
 * configuration changes go to pair 0. */
void vnet_interrupt(struct virtio_dev *vd, int queue)
{
	struct vnet *n = vd->driver_priv;

	if (queue >= vd->nqueues || (queue >= 0 && (queue & 1)))
		return;
	struct vnet_pair *p = &n->pairs[queue < 0 ? 0 : queue / 2];
	spin_lock(&p->wake_lock);
	if (queue < 0) {
		p->config_work = true;
	} else {
		p->rx_work = true;
		p->counts.rx_interrupts++;
	}
	spin_unlock(&p->wake_lock);
	waitq_wake_all(&p->wq);
}

void vnet_rx_stop(struct vnet_pair *p)
{
	struct waiter w;
	uint64_t f = spin_lock_irqsave(&p->wake_lock);

	p->stopping = true;
	spin_unlock_irqrestore(&p->wake_lock, f);
	waitq_wake_all(&p->wq);
	f = spin_lock_irqsave(&p->wake_lock);
	while (!p->stopped) {
		waitq_prepare(&p->wq, &w);
		spin_unlock_irqrestore(&p->wake_lock, f);
		waitq_sleep(&p->wq, &w);
		f = spin_lock_irqsave(&p->wake_lock);
	}
	spin_unlock_irqrestore(&p->wake_lock, f);
}
