/* virtio-net's private parts, shared by the device side (virtio_net.c:
 * features, queues, removal), the transmit side (virtio_net_tx.c) and the
 * receive side (virtio_net_rx.c: the per-queue threads). */
#ifndef AMPHI_DEV_VIRTIO_NET_INTERNAL_H
#define AMPHI_DEV_VIRTIO_NET_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/timer.h"
#include "core/waitq.h"
#include "dev/tx_done.h"
#include "dev/virtio.h"
#include "dev/virtq.h"
#include "net/port.h"

#define F_CSUM		0	/* device fills TX checksums */
#define F_GUEST_CSUM	1	/* device may leave RX checksums partial */
#define F_MAC		5
#define F_GUEST_TSO4	7	/* device may hand us TCP/IPv4 frames of many segments */
#define F_GUEST_TSO6	8	/* and TCP/IPv6 ones */
#define F_HOST_TSO4	11	/* device cuts large TCP/IPv4 frames we send */
#define F_HOST_TSO6	12	/* and TCP/IPv6 ones */
#define F_MRG_RXBUF	15	/* a frame may span several RX buffers */
#define F_STATUS	16
#define F_CTRL_VQ	17	/* a control queue */
#define F_MQ		22	/* several queue pairs (needs F_CTRL_VQ) */
#define F_ANY_LAYOUT	27	/* legacy: header and frame may share a buffer */

#define BUF_SIZE	2048
#define FRAME_MAX	(14 + 65535)	/* an IP packet's length is 16 bits */
#define TX_SLOT_NONE	0xffff
#define MAX_PAIRS	8	/* queue pairs used, at most (one per CPU) */

struct net_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
	uint16_t num_buffers;	/* VERSION_1 (or MRG_RXBUF) only */
} __attribute__((packed));

/* net_hdr's flags and gso_type. */
#define HDR_F_NEEDS_CSUM	1	/* csum_start, csum_offset: a sum left to finish */
#define HDR_F_DATA_VALID	2	/* the device checked the sums */
#define HDR_GSO_TCPV4		1
#define HDR_GSO_TCPV6		4

struct vnet;

/* Queue pair i: receive queue 2i, transmit queue 2i + 1, both with their
 * interrupt on CPU i, and a receive thread pinned there. */
struct vnet_pair {
	struct vnet *n;
	int index;
	struct virtq rxq, txq;
	uint8_t *rx_bufs, *tx_bufs;	/* queue size * BUF_SIZE each */

	/* A frame arriving in several buffers (MRG_RXBUF); rx thread only. */
	uint8_t *gather;		/* gather_pages, with MRG_RXBUF */
	uint32_t gather_len;
	uint16_t gather_left;		/* buffers still to come */
	bool gather_drop;		/* too large: dropped once all came */

	struct spinlock tx_lock;	/* guards txq, tx_free, ntx_free, tx_next */
	uint16_t *tx_free;
	int ntx_free;
	uint16_t *tx_next;		/* a frame's next slot, or TX_SLOT_NONE */
	struct tx_done *tx_done;	/* by a frame's first slot: pieces sent in place */
	int tx_in_place;		/* such frames the device may not have read yet */
	bool tx_timer_set;
	struct timer tx_timer;		/* takes them back when no transmit does */

	/* The tx_ fields under tx_lock, rx_interrupts under wake_lock, the
	 * other rx_ fields the receive thread's. */
	struct net_port_counts counts;

	struct spinlock wake_lock;	/* guards rx_work, config_work, stopping, stopped */
	bool rx_work, config_work;	/* config_work: pair 0 only */
	bool stopping, stopped;		/* the device leaves: the thread ends */
	struct waitq wq;
};

struct vnet {
	struct net_port port;
	struct virtio_dev *vd;
	unsigned hdr_len;		/* 12 with VERSION_1 or MRG_RXBUF, 10 for legacy */
	uint32_t rx_buf;		/* bytes of each RX buffer given to the device */
	unsigned gather_pages;		/* of each pair's side buffer for a frame in pieces */
	int npairs;			/* in use: 1, or with MQ up to one per CPU */
	int max_pairs;			/* the device's (its control queue is 2 * this) */
	struct vnet_pair pairs[MAX_PAIRS];
	struct virtq ctrlq;		/* with MQ: polled, no interrupt */
	struct virtq *queues[2 * MAX_PAIRS + 1];
	char name[16];
};

/* virtio_net_tx.c: the port's transmit and transmit_in_place. */
int vnet_transmit(struct net_port *port, const struct net_seg *segs, int nsegs,
		  const struct net_tx_offload *o);
int vnet_transmit_in_place(struct net_port *port, const struct net_seg *segs, int nsegs,
			   const struct net_tx_offload *o, void (*done)(void *ctx), void *ctx);
/* A pair's tx_timer.fn. */
void vnet_tx_timer_fired(struct timer *t);
/* Caller holds p->tx_lock.  Lets go of every frame sent in place: the
 * device will not finish them (broken, or reset). */
void vnet_tx_abandon_in_place(struct vnet_pair *p);

/* virtio_net_rx.c */
int vnet_rx_post(struct vnet_pair *p, uint8_t *buf);
void vnet_rx_thread(void *arg);
void vnet_interrupt(struct virtio_dev *vd, int queue);
/* Ends pair p's receive thread and waits until it has. */
void vnet_rx_stop(struct vnet_pair *p);
/* Reads the link status into the port (pair 0's thread, and the probe). */
void vnet_update_link(struct vnet *n);

#endif
