/* Intel 82574 (QEMU's e1000e, amphi run --nic e1000e): a struct net_port
 * like virtio-net, over one receive and one transmit ring.
 *
 * Interrupts are MSI-X: the receive queue's cause on vector 0, "other"
 * (link changes) on vector 1.  EIAC clears a cause as its message goes
 * and, without CTRL_EXT.IAME, masks it in IMS too: after an interrupt the
 * cause stays quiet until the "e1000e" thread has drained the ring and
 * set it in IMS again, when a frame that came meanwhile raises it at
 * once.  EITR throttles the receive vector (interrupt moderation).
 *
 * Receive: 256 legacy descriptors, each a 2 KiB buffer (a whole frame:
 * long packets are off, the CRC stripped).  The device checks TCP and UDP
 * checksums (RXCSUM) and says so per frame.  Transmit (e1000e_tx.c):
 * frames copied or sent in place, checksums and TCP/IPv4 segmentation
 * left to the device.  IPv6 sums are finished by the driver: QEMU sums in
 * software for backends without vnet headers (user networking), where
 * older versions added an IPv4 pseudo-header whatever the frame, and
 * 7.2's could not be checked (docs/status.md). */
#include "arch/x86_64/arch.h"
#include "arch/x86_64/msi.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/devices.h"
#include "dev/e1000e.h"
#include "dev/e1000e_internal.h"

#define VEC_RX		0
#define VEC_OTHER	1
/* 128 us between receive interrupts at most, in 256 ns units: QEMU's
 * floor for EITR, and ~7800 interrupts/s under load; the first one after
 * a quiet spell is not delayed. */
#define RX_EITR		500
#define RESET_WAIT_NS	(10ull * 1000000)

static int nnics;

/* ---- receive ---------------------------------------------------------------------- */

static void rx_give(struct e1000e *e, unsigned i)
{
	e->rx[i] = (struct e1000e_rxd){ .addr = virt_to_phys(e->rx_bufs + (size_t)i * BUF_SIZE) };
}

static void rx_one(struct e1000e *e, const struct e1000e_rxd *d, const uint8_t *buf)
{
	unsigned flags = 0;

	/* Frames cut over several buffers cannot happen with long packets
	 * off; one that claims to, or carries errors, is dropped. */
	if (!(d->status & RXD_STAT_EOP) || (d->errors & RXD_ERR_MASK & ~RXD_ERR_TCPE) ||
	    d->length < 14 || d->length > BUF_SIZE)
		return;
	if (e->offload && (d->status & RXD_STAT_TCPCS) && !(d->status & RXD_STAT_IXSM) &&
	    !(d->errors & RXD_ERR_TCPE))
		flags |= NET_RX_CSUM_VALID;
	net_port_deliver(&e->port, buf, d->length, flags);
}

/* Takes every written-back descriptor, hands its frame up and gives the
 * descriptor back; true if there were any. */
static bool rx_drain_once(struct e1000e *e)
{
	bool any = false;

	e->counts.rx_passes++;
	for (;;) {
		unsigned i = e->rx_next;
		volatile struct e1000e_rxd *d = &e->rx[i];
		if (!(d->status & RXD_STAT_DD))
			break;
		barrier();	/* the status before the rest of the descriptor and the data */
		struct e1000e_rxd copy = *(struct e1000e_rxd *)d;
		rx_one(e, &copy, e->rx_bufs + (size_t)i * BUF_SIZE);
		rx_give(e, i);
		e->counts.rx_frames++;
		e->rx_next = (i + 1) % NDESC;
		barrier();	/* the descriptor before the tail that hands it over */
		e1000e_wr(e, REG_RDT, i);	/* i is withheld; the one before it goes back */
		any = true;
	}
	return any;
}

/* Drains for as long as frames keep coming, letting what each pass woke
 * run in between (thread_set_handoff), with the receive cause masked:
 * under load that takes no interrupt at all.  Then unmasks it and drains
 * again: a frame that came after the last look either is seen here or
 * raises the interrupt the unmasking allows. */
static void rx_drain(struct e1000e *e)
{
	e->counts.rx_wakeups++;
	while (rx_drain_once(e))
		sched_yield_if_queued();
	e1000e_wr(e, REG_IMS, INT_RXQ0);
	while (rx_drain_once(e))
		;
}

static int rx_setup(struct e1000e *e)
{
	e->rx = page_alloc_virt(1);
	e->rx_bufs = page_alloc_virt(NDESC * BUF_SIZE / PAGE_SIZE);
	if (!e->rx || !e->rx_bufs)
		return -ENOMEM;
	for (unsigned i = 0; i < NDESC; i++)
		rx_give(e, i);
	uint64_t pa = virt_to_phys(e->rx);
	e1000e_wr(e, REG_RDBAL, (uint32_t)pa);
	e1000e_wr(e, REG_RDBAH, (uint32_t)(pa >> 32));
	e1000e_wr(e, REG_RDLEN, NDESC * sizeof(struct e1000e_rxd));
	e1000e_wr(e, REG_RDH, 0);
	e1000e_wr(e, REG_RDT, NDESC - 1);	/* all but one: head == tail means empty */
	e1000e_wr(e, REG_RDTR, 0);		/* no receive delay: EITR moderates */
	e1000e_wr(e, REG_RADV, 0);
	e1000e_wr(e, REG_RFCTL, 0);		/* legacy descriptors */
	e1000e_wr(e, REG_RXCSUM, e->offload ? RXCSUM_IPOFL | RXCSUM_TUOFL : 0);
	for (unsigned i = 0; i < 128; i++)
		e1000e_wr(e, REG_MTA + 4 * i, 0);
	e1000e_wr(e, REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_MPE | RCTL_SECRC);
	return 0;
}

/* ---- the port --------------------------------------------------------------------- */

static void e1000e_counts(struct net_port *port, struct net_port_counts *c)
{
	*c = ((struct e1000e *)port->driver)->counts;
}

static const struct net_port_ops e1000e_ops = {
	.transmit = e1000e_transmit,
	.transmit_in_place = e1000e_transmit_in_place,
	.counts = e1000e_counts,
};

/* ---- interrupts and the thread ---------------------------------------------------- */

/* Interrupt context: note the work, wake the thread. */
static void wake(struct e1000e *e, bool rx)
{
	spin_lock(&e->wake_lock);
	if (rx) {
		e->rx_work = true;
		e->counts.rx_interrupts++;
	} else
		e->other_work = true;
	spin_unlock(&e->wake_lock);
	waitq_wake_all(&e->wq);
}

static void irq_rx(void *arg) { wake(arg, true); }
static void irq_other(void *arg) { wake(arg, false); }

/* A link change (the only "other" cause unmasked): acknowledge it, then
 * let it interrupt again. */
static void other_work(struct e1000e *e)
{
	e1000e_wr(e, REG_ICR, INT_LSC | INT_OTHER);
	bool up = e1000e_rd(e, REG_STATUS) & STATUS_LU;
	if (up != e->port.link_up)
		net_port_set_link(&e->port, up);
	e1000e_wr(e, REG_IMS, INT_OTHER | INT_LSC);
}

static void e1000e_thread(void *arg)
{
	struct e1000e *e = arg;

	for (;;) {
		struct waiter w;
		uint64_t f = spin_lock_irqsave(&e->wake_lock);
		while (!e->rx_work && !e->other_work) {
			waitq_prepare(&e->wq, &w);
			spin_unlock_irqrestore(&e->wake_lock, f);
			waitq_sleep(&e->wq, &w);
			f = spin_lock_irqsave(&e->wake_lock);
		}
		bool rx = e->rx_work, other = e->other_work;
		e->rx_work = e->other_work = false;
		spin_unlock_irqrestore(&e->wake_lock, f);
		if (other)
			other_work(e);
		if (rx)
			rx_drain(e);
		sched_yield_if_queued();	/* what it woke runs (thread_set_handoff) */
	}
}

static int irq_setup(struct e1000e *e)
{
	int err = pci_msix_init(e->pci, &e->msix);

	if (err)
		return err;
	if (e->msix.nentries < 2)
		return -ENODEV;
	int vrx = irq_vector_alloc(irq_rx, e), vother = irq_vector_alloc(irq_other, e);
	if (vrx < 0 || vother < 0)
		return -ENOSPC;
	pci_msix_set(&e->msix, VEC_RX, vrx, irq_target_apic());
	pci_msix_set(&e->msix, VEC_OTHER, vother, irq_target_apic());
	e1000e_wr(e, REG_IVAR, (IVAR_VALID | VEC_RX) << IVAR_RXQ0_SHIFT |
			(IVAR_VALID | VEC_OTHER) << IVAR_OTHER_SHIFT);
	e1000e_wr(e, REG_CTRL_EXT, e1000e_rd(e, REG_CTRL_EXT) | CTRL_EXT_PBA_SUPPORT);
	e1000e_wr(e, REG_EIAC, INT_RXQ0 | INT_OTHER);
	e1000e_wr(e, REG_EITR(VEC_RX), RX_EITR);
	return 0;
}

/* ---- bring-up --------------------------------------------------------------------- */

static void reset(struct e1000e *e)
{
	e1000e_wr(e, REG_IMC, ~0u);
	e1000e_wr(e, REG_CTRL, e1000e_rd(e, REG_CTRL) | CTRL_RST);
	uint64_t end = clock_ns() + RESET_WAIT_NS;
	while ((e1000e_rd(e, REG_CTRL) & CTRL_RST) && clock_ns() < end)
		__asm__ volatile("pause");
	e1000e_wr(e, REG_IMC, ~0u);
	e1000e_wr(e, REG_ICR, ~0u);
}

/* The MAC the device loaded from its EEPROM into receive address 0. */
static int read_mac(struct e1000e *e)
{
	uint32_t lo = e1000e_rd(e, REG_RAL0), hi = e1000e_rd(e, REG_RAH0);

	if (!(hi & RAH_AV))
		return -ENODEV;
	for (int i = 0; i < 4; i++)
		e->port.mac[i] = (uint8_t)(lo >> (8 * i));
	e->port.mac[4] = (uint8_t)hi;
	e->port.mac[5] = (uint8_t)(hi >> 8);
	return 0;
}

static int start(struct e1000e *e)
{
	reset(e);
	int err = read_mac(e);
	if (err || (err = irq_setup(e)) || (err = rx_setup(e)) || (err = e1000e_tx_setup(e)))
		return err;
	e1000e_wr(e, REG_CTRL, e1000e_rd(e, REG_CTRL) | CTRL_SLU);
	e->port.link_up = e1000e_rd(e, REG_STATUS) & STATUS_LU;
	e1000e_wr(e, REG_IMS, INT_RXQ0 | INT_OTHER | INT_LSC);
	return 0;
}

static void log_device(const struct e1000e *e)
{
	const uint8_t *m = e->port.mac;

	printk_info("%s: %02x:%02x:%02x:%02x:%02x:%02x on e1000e (82574), rings %u, msi-x, "
		    "interrupt moderation: adaptive (eitr %u, masked while passes find frames), "
		    "link %s, offloads %s\n", e->name, m[0], m[1], m[2], m[3], m[4], m[5], NDESC,
		    RX_EITR, e->port.link_up ? "up" : "down",
		    e->offload ? "tx and rx checksums, tx segmentation (IPv4)"
			       : "off (net.offload=off)");
}

static int e1000e_probe(struct pci_dev *pci)
{
	struct e1000e *e = kmalloc(sizeof *e);

	if (!e)
		return -ENOMEM;
	memset(e, 0, sizeof *e);	/* locks unlocked, rings empty */
	e->pci = pci;
	e->regs = pci_map_bar(pci, 0);
	if (!e->regs || pci->bar[0].size < 0x10000) {
		kfree(e);
		return -ENODEV;
	}
	waitq_init(&e->wq);
	snprintf(e->name, sizeof e->name, "e1000e%d", nnics);
	e->offload = dev_net_offload();
	e->port = (struct net_port){ .name = e->name, .mtu = 1500, .ops = &e1000e_ops, .driver = e };
	if (e->offload)
		e->port.features = NET_PORT_TX_CSUM | NET_PORT_TX_TSO4;
	pci_enable(pci);
	int err = start(e);
	if (err) {	/* quiet again; e stays, as vectors may point at it */
		e1000e_wr(e, REG_IMC, ~0u);
		e1000e_wr(e, REG_RCTL, 0);
		e1000e_wr(e, REG_TCTL, 0);
		return err;
	}
	struct thread *t = thread_create("e1000e", e1000e_thread, e);
	if (!t)
		return -ENOMEM;
	thread_set_handoff(t);
	nnics++;
	log_device(e);
	net_port_register(&e->port);
	thread_start(t);
	return 0;
}

const struct pci_driver e1000e_driver = {
	.name = "e1000e", .vendor = E1000E_VENDOR, .device = E1000E_DEVICE, .probe = e1000e_probe,
};
