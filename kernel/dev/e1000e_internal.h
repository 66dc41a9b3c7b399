/* The 82574 driver's private parts, shared by the device side (e1000e.c:
 * bring-up, interrupts, the receive thread) and the transmit side
 * (e1000e_tx.c). */
#ifndef AMPHI_DEV_E1000E_INTERNAL_H
#define AMPHI_DEV_E1000E_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/timer.h"
#include "core/waitq.h"
#include "dev/e1000e_regs.h"
#include "dev/pci.h"
#include "dev/pci_msi.h"
#include "dev/tx_done.h"
#include "net/port.h"

#define NDESC		256	/* per ring: 4 KiB of descriptors */
#define BUF_SIZE	2048	/* a buffer per descriptor */

struct e1000e {
	struct net_port port;
	struct pci_dev *pci;
	volatile uint32_t *regs;
	struct pci_msix msix;
	bool offload;			/* checksums both ways, TSO (net.offload=off: none) */

	struct e1000e_rxd *rx;		/* the receive thread's alone */
	uint8_t *rx_bufs;
	unsigned rx_next;		/* the next descriptor the device fills */

	struct spinlock tx_lock;	/* guards the tx_ fields */
	volatile struct e1000e_txd *tx;
	uint8_t *tx_bufs;
	unsigned tx_tail, tx_clean, tx_used;
	/* At a frame's first descriptor: how many descriptors it took (its
	 * context descriptor included), and whom to tell if sent in place. */
	uint8_t tx_descs[NDESC];
	struct tx_done tx_done[NDESC];
	unsigned tx_in_place;		/* frames sent in place not yet taken back */
	bool tx_timer_set;
	struct timer tx_timer;

	/* The tx_ fields under tx_lock, rx_interrupts under wake_lock, the
	 * other rx_ fields the thread's. */
	struct net_port_counts counts;

	struct spinlock wake_lock;	/* guards rx_work, other_work */
	bool rx_work, other_work;
	struct waitq wq;
	char name[16];
};

static inline uint32_t e1000e_rd(const struct e1000e *e, unsigned reg)
{
	return e->regs[reg / 4];
}

static inline void e1000e_wr(const struct e1000e *e, unsigned reg, uint32_t v)
{
	e->regs[reg / 4] = v;
}

/* e1000e_tx.c */
int e1000e_tx_setup(struct e1000e *e);
int e1000e_transmit(struct net_port *port, const struct net_seg *segs, int nsegs,
		    const struct net_tx_offload *o);
int e1000e_transmit_in_place(struct net_port *port, const struct net_seg *segs, int nsegs,
			     const struct net_tx_offload *o, void (*done)(void *ctx), void *ctx);

#endif
