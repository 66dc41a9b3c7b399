/* Message-signalled interrupts of PCI functions: MSI-X (a table of
 * address/data entries in a BAR) and plain MSI (one vector here). */
#ifndef AMPHI_DEV_PCI_MSI_H
#define AMPHI_DEV_PCI_MSI_H

#include <stdint.h>

struct pci_dev;

struct pci_msix {
	unsigned cap;			/* config offset of the capability */
	unsigned nentries;
	volatile uint32_t *table;	/* 16 bytes per entry, uncached */
};

/* Finds and maps the MSI-X table; every entry masked, MSI-X enabled (INTx
 * is then off).  -ENODEV without the capability, -EINVAL if it is bad. */
int pci_msix_init(struct pci_dev *d, struct pci_msix *mx);
/* Points entry i at `vector` on CPU apic_id and unmasks it. */
int pci_msix_set(struct pci_msix *mx, unsigned i, int vector, uint32_t apic_id);
/* MSI-X off again (the device falls back to INTx). */
void pci_msix_disable(struct pci_dev *d, struct pci_msix *mx);

/* One MSI vector to CPU apic_id; -ENODEV without the capability. */
int pci_msi_enable(struct pci_dev *d, int vector, uint32_t apic_id);

#endif
