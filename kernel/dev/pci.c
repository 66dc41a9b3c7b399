/* PCI configuration space and enumeration.
 *
 * Config space is reached through ECAM when the ACPI MCFG describes it (q35,
 * microvm with pcie=on): 4 KiB per function, mapped uncached one bus (1 MiB)
 * at a time as buses are found.  Without an MCFG (pc) the legacy mechanism:
 * an address written to port 0xcf8, the data at 0xcfc.  With neither (microvm
 * by default) every read gives all ones and enumeration finds nothing. */
#include "dev/pci.h"

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/x86.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "dev/devices.h"
#include "dev/pcie_hotplug.h"

struct mcfg_entry {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
	uint32_t reserved;
} __attribute__((packed));

static uint64_t ecam_base;		/* physical; 0: use the ports */
static uint8_t ecam_bus_start, ecam_bus_end;
static volatile uint8_t *ecam_bus[256];	/* mapped buses */

/* The 0xcf8 address and 0xcfc data accesses must not interleave. */
static struct spinlock port_lock = SPINLOCK_INIT;

static void ecam_from_mcfg(void)
{
	uint32_t len;
	const uint8_t *t = acpi_table("MCFG", &len);

	/* 36-byte header, 8 reserved bytes, then 16-byte entries. */
	for (uint32_t off = 44; t && off + sizeof(struct mcfg_entry) <= len; off += 16) {
		struct mcfg_entry e;
		memcpy(&e, t + off, sizeof e);
		if (e.segment == 0 && e.bus_start <= e.bus_end) {
			ecam_base = e.base;
			ecam_bus_start = e.bus_start;
			ecam_bus_end = e.bus_end;
			return;
		}
	}
}

static volatile uint8_t *ecam_function(uint8_t bus, uint8_t slot, uint8_t fn)
{
	if (!ecam_base || bus < ecam_bus_start || bus > ecam_bus_end)
		return NULL;
	if (!ecam_bus[bus])
		ecam_bus[bus] = mmu_map_phys(ecam_base + ((uint64_t)(bus - ecam_bus_start) << 20),
					     1 << 20, true);
	return ecam_bus[bus] + ((unsigned)slot << 15) + ((unsigned)fn << 12);
}

static uint32_t port_addr(const struct pci_dev *d, unsigned off)
{
	return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->slot << 11 |
	       (uint32_t)d->fn << 8 | (off & 0xfc);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
	if (d->ecam)
		return *(volatile uint32_t *)(d->ecam + (off & 0xffc));
	uint64_t flags = spin_lock_irqsave(&port_lock);
	outl(0xcf8, port_addr(d, off));
	uint32_t v = inl(0xcfc);
	spin_unlock_irqrestore(&port_lock, flags);
	return v;
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	if (d->ecam) {
		*(volatile uint32_t *)(d->ecam + (off & 0xffc)) = v;
		return;
	}
	uint64_t flags = spin_lock_irqsave(&port_lock);
	outl(0xcf8, port_addr(d, off));
	outl(0xcfc, v);
	spin_unlock_irqrestore(&port_lock, flags);
}

/* Narrow accesses as read-modify-write of the dword: the only write-one-
 * to-clear bits are in the status register, which no caller writes. */
uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
	unsigned shift = (off & 2) * 8;
	uint32_t old = pci_read32(d, off);

	if ((off & ~3u) == PCI_COMMAND)
		old &= 0x0000ffff;	/* never write status bits back */
	pci_write32(d, off, (old & ~(0xffffu << shift)) | (uint32_t)v << shift);
}

void pci_write8(const struct pci_dev *d, unsigned off, uint8_t v)
{
	unsigned shift = (off & 3) * 8;
	uint32_t old = pci_read32(d, off);

	if ((off & ~3u) == PCI_COMMAND)
		old &= 0x0000ffff;
	pci_write32(d, off, (old & ~(0xffu << shift)) | (uint32_t)v << shift);
}

unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned after)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	unsigned off = after ? pci_read8(d, after + 1) : pci_read8(d, PCI_CAP_PTR);

	/* At most 48 capabilities fit in 256 bytes: more means a loop. */
	for (int n = 0; n < 48 && off >= 0x40 && off < 0x100; n++) {
		off &= 0xfc;
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1);
	}
	return 0;
}

static void *map_bar(struct pci_dev *d, int i, bool uncached)
{
	if (i < 0 || i > 5)
		return NULL;
	struct pci_bar *b = &d->bar[i];
	if (b->io || !b->size || !b->addr)
		return NULL;
	if (!b->mapped)
		b->mapped = mmu_map_phys(b->addr, b->size, uncached);
	return b->mapped;
}

void *pci_map_bar(struct pci_dev *d, int i) { return map_bar(d, i, true); }
void *pci_map_bar_wb(struct pci_dev *d, int i) { return map_bar(d, i, false); }

void pci_enable(const struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, cmd | PCI_CMD_MEMORY | PCI_CMD_IO | PCI_CMD_MASTER);
}

/* Sizes BAR i; returns how many BAR slots it used: 2 for a 64-bit BAR.
 * Caller turned decoding off, so the all-ones probe never claims addresses. */
static int size_bar(struct pci_dev *d, int i)
{
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_read32(d, off);
	bool is64 = !(lo & 1) && ((lo >> 1) & 3) == 2 && i < 5;
	uint32_t hi = is64 ? pci_read32(d, off + 4) : 0;

	pci_write32(d, off, 0xffffffff);
	uint64_t mask = pci_read32(d, off);
	pci_write32(d, off, lo);
	bool none = !(mask & (lo & 1 ? ~3u : ~15u));	/* no writable address bits */
	if (is64) {
		pci_write32(d, off + 4, 0xffffffff);
		mask |= (uint64_t)pci_read32(d, off + 4) << 32;
		pci_write32(d, off + 4, hi);
	} else {
		mask |= lo & 1 ? 0xffff0000ull : 0xffffffff00000000ull;
	}
	struct pci_bar *b = &d->bar[i];
	b->io = lo & 1;
	mask &= b->io ? ~3ull : ~15ull;
	b->size = mask && !(none && !is64) ? ~mask + 1 : 0;
	b->addr = b->io ? (lo & ~3u) : ((uint64_t)hi << 32 | (lo & ~15u));
	return is64 ? 2 : 1;
}

static void read_function(struct pci_dev *d)
{
	uint32_t class = pci_read32(d, 0x08);
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	d->class = class >> 24;
	d->subclass = class >> 16;
	d->prog_if = class >> 8;
	d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
	d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
	/* Bridges (header type 1) have two BARs (a PCIe port's MSI-X table). */
	uint8_t type = pci_read8(d, PCI_HEADER_TYPE) & 0x7f;
	int nbars = type == 0 ? 6 : type == 1 ? 2 : 0;
	/* Decoding off once for all BARs: every change of it makes a
	 * hypervisor remap all of the device's BARs (QEMU rebuilds its memory
	 * map, seconds for a server with many ivshmem regions). */
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	for (int i = 0; i < nbars;)
		i += size_bar(d, i);
	pci_write16(d, PCI_COMMAND, cmd);
}

static const struct pci_driver *const *drv_table;
static int drv_count;

/* The functions drivers took, for hot-plug to find them again. */
static struct spinlock taken_lock = SPINLOCK_INIT;	/* guards taken, ->next */
static struct pci_dev *taken;

struct pci_dev *pci_find(uint8_t bus, uint8_t slot, uint8_t fn)
{
	uint64_t f = spin_lock_irqsave(&taken_lock);
	struct pci_dev *d = taken;

	while (d && (d->bus != bus || d->slot != slot || d->fn != fn))
		d = d->next;
	spin_unlock_irqrestore(&taken_lock, f);
	return d;
}

static bool driver_matches(const struct pci_driver *drv, const struct pci_dev *d)
{
	if (drv->class_code)
		return drv->class_code == ((uint32_t)d->class << 16 | (uint32_t)d->subclass << 8 | d->prog_if);
	return drv->vendor == d->vendor && drv->device == d->device;
}

static void note_no_memory(const struct pci_dev *d, const struct pci_driver *drv)
{
	char name[40];

	snprintf(name, sizeof name, "pci %02x:%02x.%x %s", d->bus, d->slot, d->fn, drv->name);
	dev_note_no_memory(name);
}

bool pci_offer(struct pci_dev *d)
{
	for (int i = 0; i < drv_count; i++) {
		const struct pci_driver *drv = drv_table[i];
		if (!driver_matches(drv, d))
			continue;
		d->driver = drv;
		int err = drv->probe(d);
		if (!err) {
			uint64_t f = spin_lock_irqsave(&taken_lock);
			d->next = taken;
			taken = d;
			spin_unlock_irqrestore(&taken_lock, f);
			return true;
		}
		d->driver = NULL;
		printk("pci %02x:%02x.%x: %s: failed (%d)\n", d->bus, d->slot, d->fn, drv->name, err);
		if (err == -ENOMEM)
			note_no_memory(d, drv);
	}
	return false;
}

void pci_remove(struct pci_dev *d, bool gone)
{
	uint64_t f = spin_lock_irqsave(&taken_lock);
	for (struct pci_dev **p = &taken; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	spin_unlock_irqrestore(&taken_lock, f);
	if (d->driver && d->driver->remove)
		d->driver->remove(d, gone);
	kfree(d);
}

struct pci_dev *pci_probe_function(uint8_t bus, uint8_t slot, uint8_t fn)
{
	struct pci_dev probe = { .bus = bus, .slot = slot, .fn = fn,
				 .ecam = ecam_function(bus, slot, fn) };
	uint32_t id = pci_read32(&probe, PCI_VENDOR_ID);

	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return NULL;
	probe.vendor = id & 0xffff;
	probe.device = id >> 16;
	read_function(&probe);
	struct pci_dev *d = kmalloc(sizeof *d);
	if (d)
		*d = probe;
	return d;
}

static void scan_bus(uint8_t bus, int depth);

static void scan_function(uint8_t bus, uint8_t slot, uint8_t fn, int depth)
{
	struct pci_dev *d = pci_probe_function(bus, slot, fn);

	if (!d)
		return;
	if (d->class == 0x06 && d->subclass == 0x04) {	/* PCI-to-PCI bridge */
		uint8_t secondary = pci_read8(d, 0x19);
		if (secondary > bus)
			scan_bus(secondary, depth + 1);
		pcie_hotplug_bridge(d);		/* keeps d if it has a hot-plug slot */
		return;
	}
	if (!pci_offer(d))
		kfree(d);
}

static void scan_bus(uint8_t bus, int depth)
{
	if (depth > 8)
		return;
	for (uint8_t slot = 0; slot < 32; slot++) {
		struct pci_dev d = { .bus = bus, .slot = slot, .ecam = ecam_function(bus, slot, 0) };
		if ((pci_read32(&d, PCI_VENDOR_ID) & 0xffff) == 0xffff)
			continue;
		int nfn = pci_read8(&d, PCI_HEADER_TYPE) & 0x80 ? 8 : 1;
		for (uint8_t fn = 0; fn < nfn; fn++)
			scan_function(bus, slot, fn, depth);
	}
}

void pci_init(const struct pci_driver *const *drivers, int ndrivers)
{
	drv_table = drivers;
	drv_count = ndrivers;
	ecam_from_mcfg();
	scan_bus(ecam_base ? ecam_bus_start : 0, 0);
}
