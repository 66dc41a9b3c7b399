/* PCIe native hot-plug (PCI Express Base 4.0, 6.7 and 7.5.3.9-11), as
 * QEMU's pcie-root-port implements it.
 *
 * device_add: the slot reports Presence Detect Changed (and the attention
 * button) with the slot powered off; we power it on, wait for the link,
 * give the new function addresses in the port's memory windows and offer
 * it to the drivers.  device_del: the attention button is pressed on an
 * occupied, powered slot; the driver lets go of the device, then we power
 * the slot off with its indicator off, and only that makes QEMU complete
 * the removal.  A device whose presence vanishes (surprise removal) is
 * handed to its driver as already gone.
 *
 * The port's interrupt (MSI) only wakes the "pcie hotplug" thread, which
 * does all of that in thread context: drivers may sleep as they let go. */
#include "dev/pcie_hotplug.h"

#include "arch/x86_64/msi.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/waitq.h"
#include "dev/pci.h"
#include "dev/pci_msi.h"

/* The PCI Express capability's registers, from the capability. */
#define EXP_FLAGS	0x02
#define EXP_LNKSTA	0x12
#define EXP_SLTCAP	0x14
#define EXP_SLTCTL	0x18
#define EXP_SLTSTA	0x1a

#define FLAGS_SLOT	0x0100
#define TYPE_ROOT_PORT	4
#define TYPE_DOWNSTREAM	6
#define SLTCAP_HPC	0x0040		/* hot-plug capable */
#define LNKSTA_DLLLA	0x2000		/* data link layer link active */

#define SLTCTL_ABPE	0x0001		/* attention button pressed enable */
#define SLTCTL_PDCE	0x0008		/* presence detect changed enable */
#define SLTCTL_HPIE	0x0020		/* hot-plug interrupt enable */
#define SLTCTL_PIC	0x0300		/* power indicator control */
#define SLTCTL_PIC_ON	0x0100
#define SLTCTL_PIC_OFF	0x0300
#define SLTCTL_PCC	0x0400		/* power controller control: 1 = off */
#define SLTCTL_DLLSCE	0x1000		/* data link layer state changed enable */

#define SLTSTA_ABP	0x0001
#define SLTSTA_PDC	0x0008
#define SLTSTA_PDS	0x0040		/* presence detect state */
#define SLTSTA_DLLSC	0x0100
#define SLTSTA_EVENTS	0x011f		/* the RW1C change bits */

#define LINK_WAIT_NS	(1000ull * 1000000)
#define MAX_PORTS	32

/* A bridge memory window and the next free address in it. */
struct window {
	uint64_t base, limit, next;	/* limit inclusive; base > limit: none */
};

struct hp_port {
	struct pci_dev *bridge;
	unsigned cap;
	uint8_t bus;			/* the slot's (secondary) bus */
	struct window mem, pref;
	struct pci_dev *child;		/* function 0 in the slot, if driven */
	struct pci_msix msix;
	volatile bool event;		/* the interrupt came */
};

static struct hp_port *ports[MAX_PORTS];
static int nports;
static struct spinlock wake_lock = SPINLOCK_INIT;	/* guards work */
static bool work;
static struct waitq wq = WAITQ_INIT(wq);
static struct thread *worker;

static uint16_t slot_ctl(const struct hp_port *p) { return pci_read16(p->bridge, p->cap + EXP_SLTCTL); }

static void set_slot_ctl(const struct hp_port *p, uint16_t clear, uint16_t set)
{
	pci_write16(p->bridge, p->cap + EXP_SLTCTL, (uint16_t)((slot_ctl(p) & ~clear) | set));
}

/* ---- addresses for a function that arrived ----------------------------------- */

static void read_windows(struct hp_port *p)
{
	struct pci_dev *b = p->bridge;
	uint16_t mb = pci_read16(b, 0x20), ml = pci_read16(b, 0x22);
	uint16_t pb = pci_read16(b, 0x24), pl = pci_read16(b, 0x26);

	p->mem = (struct window){ (uint64_t)(mb & 0xfff0) << 16,
				  ((uint64_t)(ml & 0xfff0) << 16) | 0xfffff, 0 };
	p->pref = (struct window){ (uint64_t)(pb & 0xfff0) << 16,
				   ((uint64_t)(pl & 0xfff0) << 16) | 0xfffff, 0 };
	if ((pb & 0xf) == 1) {	/* 64-bit prefetchable window */
		p->pref.base |= (uint64_t)pci_read32(b, 0x28) << 32;
		p->pref.limit |= (uint64_t)pci_read32(b, 0x2c) << 32;
	}
}

/* An address for size bytes (a power of two, naturally aligned); 0 if the
 * window is absent or full. */
static uint64_t take(struct window *w, uint64_t size)
{
	if (w->base > w->limit)
		return 0;
	uint64_t at = ((w->next ? w->next : w->base) + size - 1) & ~(size - 1);
	if (at + size - 1 > w->limit || at + size - 1 < at)
		return 0;
	w->next = at + size;
	return at;
}

/* Gives each memory BAR of d an address (decoding off meanwhile); a BAR
 * that fits nowhere stays unassigned and its driver will find it so.
 * Prefetchable 64-bit BARs go to the prefetchable window when there is
 * one, else to the other window, below 4 GiB. */
static void assign_bars(struct hp_port *p, struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	p->mem.next = p->pref.next = 0;
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	for (int i = 0; i < 6; i++) {
		struct pci_bar *b = &d->bar[i];
		if (!b->size || b->io)
			continue;
		unsigned off = PCI_BAR0 + 4 * i;
		uint32_t lo = pci_read32(d, off);
		bool is64 = ((lo >> 1) & 3) == 2, pref = lo & 8;
		uint64_t at = pref ? take(&p->pref, b->size) : 0;
		if (!at)
			at = take(&p->mem, b->size);
		b->addr = at;
		b->mapped = NULL;
		pci_write32(d, off, (uint32_t)at | (lo & 0xf));
		if (is64)
			pci_write32(d, off + 4, (uint32_t)(at >> 32));
		if (!at)
			printk("pcie hotplug: %02x:%02x.%x BAR%d (%lu bytes) fits no window\n",
			       d->bus, d->slot, d->fn, i, b->size);
		if (is64)
			i++;
	}
	pci_write16(d, PCI_COMMAND, cmd);
}

/* ---- the slot's life ---------------------------------------------------------- */

static bool link_active(const struct hp_port *p)
{
	return pci_read16(p->bridge, p->cap + EXP_LNKSTA) & LNKSTA_DLLLA;
}

static void power_on(struct hp_port *p)
{
	uint64_t end = clock_ns() + LINK_WAIT_NS;

	set_slot_ctl(p, SLTCTL_PCC | SLTCTL_PIC, SLTCTL_PIC_ON);
	while (!link_active(p) && clock_ns() < end)
		sched_sleep_until(clock_ns() + 10000000);
}

/* Power and indicator off: QEMU's cue to finish a device_del. */
static void power_off(struct hp_port *p)
{
	set_slot_ctl(p, SLTCTL_PIC, SLTCTL_PCC | SLTCTL_PIC_OFF);
}

static void arrive(struct hp_port *p)
{
	power_on(p);
	struct pci_dev *d = pci_probe_function(p->bus, 0, 0);
	if (!d) {
		printk("pcie hotplug: bus %02x: a device is present but does not answer\n", p->bus);
		return;
	}
	assign_bars(p, d);
	printk("pcie hotplug: %04x:%04x arrived on bus %02x\n", d->vendor, d->device, p->bus);
	if (pci_offer(d))
		p->child = d;
	else
		kfree(d);
}

static void leave(struct hp_port *p, bool gone)
{
	if (p->child) {
		printk("pcie hotplug: %04x:%04x %s bus %02x\n", p->child->vendor, p->child->device,
		       gone ? "vanished from" : "leaves", p->bus);
		pci_remove(p->child, gone);
		p->child = NULL;
	}
	power_off(p);
}

/* What the slot's status asks for.  device_add shows as a presence change
 * (and the button) on an unpowered slot; device_del as the button on a
 * powered one, whether a driver took the device or not. */
static void handle(struct hp_port *p)
{
	uint16_t st = pci_read16(p->bridge, p->cap + EXP_SLTSTA);

	pci_write16(p->bridge, p->cap + EXP_SLTSTA, st & SLTSTA_EVENTS);	/* RW1C */
	bool present = st & SLTSTA_PDS, powered = !(slot_ctl(p) & SLTCTL_PCC);
	if (!present) {
		if (p->child || powered)
			leave(p, true);
	} else if (powered && (st & SLTSTA_ABP)) {
		leave(p, false);
	} else if (!p->child && (!powered || (st & (SLTSTA_PDC | SLTSTA_DLLSC)))) {
		arrive(p);
	}
}

/* The port interrupts only when its "event pending" turns on, so an event
 * that came while another was still pending (an unplug completing as we
 * power the slot off) brings no interrupt of its own: look until quiet. */
static void handle_all(struct hp_port *p)
{
	for (int n = 0; n < 8; n++) {
		handle(p);
		if (!(pci_read16(p->bridge, p->cap + EXP_SLTSTA) & (SLTSTA_ABP | SLTSTA_PDC | SLTSTA_DLLSC)))
			return;
	}
}

static void hotplug_thread(void *unused)
{
	(void)unused;
	for (;;) {
		struct waiter w;
		uint64_t f = spin_lock_irqsave(&wake_lock);
		while (!work) {
			waitq_prepare(&wq, &w);
			spin_unlock_irqrestore(&wake_lock, f);
			waitq_sleep(&wq, &w);
			f = spin_lock_irqsave(&wake_lock);
		}
		work = false;
		spin_unlock_irqrestore(&wake_lock, f);
		for (int i = 0; i < nports; i++)
			if (__atomic_exchange_n(&ports[i]->event, false, __ATOMIC_ACQ_REL))
				handle_all(ports[i]);
	}
}

/* Interrupt context. */
static void port_interrupt(void *arg)
{
	struct hp_port *p = arg;

	p->event = true;
	spin_lock(&wake_lock);
	work = true;
	spin_unlock(&wake_lock);
	waitq_wake_all(&wq);
}

/* ---- finding the slots ----------------------------------------------------------- */

static unsigned hotplug_cap(struct pci_dev *b)
{
	unsigned cap = pci_find_cap(b, PCI_CAP_EXP, 0);

	if (!cap)
		return 0;
	uint16_t flags = pci_read16(b, cap + EXP_FLAGS);
	unsigned type = (flags >> 4) & 0xf;
	if (!(flags & FLAGS_SLOT) || (type != TYPE_ROOT_PORT && type != TYPE_DOWNSTREAM))
		return 0;
	return pci_read32(b, cap + EXP_SLTCAP) & SLTCAP_HPC ? cap : 0;
}

static int watch(struct hp_port *p)
{
	if (!worker) {
		worker = thread_create("pcie hotplug", hotplug_thread, NULL);
		if (!worker)
			return -ENOMEM;
		thread_start(worker);
	}
	int vec = irq_vector_alloc(port_interrupt, p);
	if (vec < 0)
		return vec;
	/* QEMU's root port has one MSI-X entry (the capability's interrupt
	 * message number, 0); other ports may have plain MSI. */
	int err = pci_msix_init(p->bridge, &p->msix);
	if (!err)
		err = pci_msix_set(&p->msix, 0, vec, irq_target_apic());
	else
		err = pci_msi_enable(p->bridge, vec, irq_target_apic());
	if (err) {
		irq_vector_free(vec);
		return err;
	}
	pci_enable(p->bridge);
	pci_write16(p->bridge, p->cap + EXP_SLTSTA, SLTSTA_EVENTS);
	set_slot_ctl(p, 0, SLTCTL_ABPE | SLTCTL_PDCE | SLTCTL_HPIE | SLTCTL_DLLSCE);
	return 0;
}

void pcie_hotplug_bridge(struct pci_dev *b)
{
	unsigned cap = hotplug_cap(b);
	struct hp_port *p = cap && nports < MAX_PORTS ? kmalloc(sizeof *p) : NULL;

	if (!p) {
		kfree(b);
		return;
	}
	*p = (struct hp_port){ .bridge = b, .cap = cap, .bus = pci_read8(b, 0x19) };
	read_windows(p);
	p->child = pci_find(p->bus, 0, 0);	/* present at boot, driven already */
	if (p->child && !(pci_read16(b, cap + EXP_SLTSTA) & SLTSTA_PDS)) {
		/* A device the slot does not see: the firmware's ACPI hot-plug
		 * owns the slot (QEMU's q35 default), and its presence bit is
		 * not kept.  Watching it would take the device away. */
		printk("pcie hotplug: bus %02x: the slot does not report its device (ACPI hot-plug): "
		       "not watched\n", p->bus);
		kfree(p);
		kfree(b);
		return;
	}
	int err = watch(p);
	if (err) {
		printk("pcie hotplug: bus %02x: no interrupt for its slot (%d)\n", p->bus, err);
		kfree(p);
		kfree(b);
		return;
	}
	ports[nports++] = p;
	p->event = true;	/* look once: a device may wait, unpowered */
	port_interrupt(p);
}
