/* PCI: configuration space (ECAM from the ACPI MCFG, else the 0xcf8/0xcfc
 * ports), enumeration, BARs, capabilities, and the drivers that bind to
 * devices by vendor and device id, or by class code. */
#ifndef AMPHI_DEV_PCI_H
#define AMPHI_DEV_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_VENDOR_ID		0x00
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_CAP_PTR		0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_CMD_IO		0x0001
#define PCI_CMD_MEMORY		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_CMD_INTX_OFF	0x0400
#define PCI_STATUS_CAPS		0x0010

#define PCI_CAP_MSI		0x05
#define PCI_CAP_VENDOR		0x09
#define PCI_CAP_MSIX		0x11
#define PCI_CAP_EXP		0x10

struct pci_bar {
	uint64_t addr, size;	/* size 0: not implemented */
	bool io;		/* an I/O port range, not memory */
	void *mapped;		/* memory BARs once pci_map_bar mapped them */
};

struct pci_driver;

struct pci_dev {
	uint8_t bus, slot, fn;
	uint16_t vendor, device;
	uint8_t class, subclass, prog_if;
	uint8_t irq_line, irq_pin;	/* from the firmware; pin 0: no INTx */
	struct pci_bar bar[6];
	volatile uint8_t *ecam;		/* this function's 4 KiB, or NULL: ports */
	const struct pci_driver *driver;	/* the one that took it */
	void *driver_data;
	struct pci_dev *next;		/* in pci.c's list of taken functions */
};

struct pci_driver {
	const char *name;
	uint16_t vendor, device;
	/* 0 when the driver took the device; -errno otherwise (logged). */
	int (*probe)(struct pci_dev *dev);
	/* Optional: lets go of the device (hot-unplug).  With gone set the
	 * device has vanished already: no more accesses to it. */
	void (*remove)(struct pci_dev *dev, bool gone);
	/* Non-zero: binds by class code instead of ids, every function whose
	 * class << 16 | subclass << 8 | programming interface equals it
	 * (0x010802: NVMe), whatever its vendor and device. */
	uint32_t class_code;
};

/* Enumerates every bus and offers each function to the drivers, in order. */
void pci_init(const struct pci_driver *const *drivers, int ndrivers);

/* One function, its BARs sized (kmalloc'd), or NULL if nothing answers
 * there.  For hot-plug: the function that just arrived. */
struct pci_dev *pci_probe_function(uint8_t bus, uint8_t slot, uint8_t fn);
/* A function a driver took, or NULL. */
struct pci_dev *pci_find(uint8_t bus, uint8_t slot, uint8_t fn);
/* Offers d to the drivers; true if one took it. */
bool pci_offer(struct pci_dev *d);
/* Its driver lets go of d (if it has one), and d is freed. */
void pci_remove(struct pci_dev *d, bool gone);

uint8_t pci_read8(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
void pci_write8(const struct pci_dev *d, unsigned off, uint8_t v);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/* The config offset of the first capability `id` after `after` (0: from
 * the start), or 0 if none.  Loops and bad pointers end the walk. */
unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned after);

/* Memory BAR i mapped uncached (cached per call), or NULL for I/O or
 * missing BARs. */
void *pci_map_bar(struct pci_dev *d, int i);
/* The same, write-back: for RAM behind a BAR (ivshmem's shared memory),
 * where uncached accesses would cost a bus cycle per byte. */
void *pci_map_bar_wb(struct pci_dev *d, int i);

/* Memory decoding and bus mastering on (the device may now DMA). */
void pci_enable(const struct pci_dev *d);

#endif
