/* MSI and MSI-X (PCI Local Bus 3.0, 6.8).  The message addresses a local
 * APIC directly (arch/x86_64/msi.h), so no interrupt controller is involved
 * and each queue of a device can have its own vector. */
#include "dev/pci_msi.h"

#include "arch/x86_64/msi.h"
#include "core/errno.h"
#include "dev/pci.h"

#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_MASKALL	0x4000
#define MSIX_ENTRY_MASKED	1u

int pci_msix_init(struct pci_dev *d, struct pci_msix *mx)
{
	unsigned cap = pci_find_cap(d, PCI_CAP_MSIX, 0);

	if (!cap)
		return -ENODEV;
	uint16_t ctrl = pci_read16(d, cap + 2);
	uint32_t where = pci_read32(d, cap + 4);
	unsigned n = (ctrl & 0x7ff) + 1, bir = where & 7;
	uint64_t off = where & ~7u;

	if (bir > 5 || off + 16ull * n > d->bar[bir].size)
		return -EINVAL;
	uint8_t *bar = pci_map_bar(d, (int)bir);
	if (!bar)
		return -EINVAL;
	mx->cap = cap;
	mx->nentries = n;
	mx->table = (volatile uint32_t *)(bar + off);
	/* Mask all while the entries are still garbage, enable, mask each. */
	pci_write16(d, cap + 2, ctrl | MSIX_CTRL_MASKALL | MSIX_CTRL_ENABLE);
	for (unsigned i = 0; i < n; i++)
		mx->table[i * 4 + 3] |= MSIX_ENTRY_MASKED;
	pci_write16(d, cap + 2, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_CMD_INTX_OFF);
	return 0;
}

int pci_msix_set(struct pci_msix *mx, unsigned i, int vector, uint32_t apic_id)
{
	uint64_t addr;
	uint32_t data;

	if (i >= mx->nentries)
		return -EINVAL;
	msi_message(vector, apic_id, &addr, &data);
	volatile uint32_t *e = mx->table + i * 4;
	e[3] |= MSIX_ENTRY_MASKED;	/* never half-written while live */
	e[0] = (uint32_t)addr;
	e[1] = (uint32_t)(addr >> 32);
	e[2] = data;
	e[3] &= ~MSIX_ENTRY_MASKED;
	return 0;
}

void pci_msix_disable(struct pci_dev *d, struct pci_msix *mx)
{
	pci_write16(d, mx->cap + 2, pci_read16(d, mx->cap + 2) & ~MSIX_CTRL_ENABLE);
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) & ~PCI_CMD_INTX_OFF);
}

int pci_msi_enable(struct pci_dev *d, int vector, uint32_t apic_id)
{
	unsigned cap = pci_find_cap(d, PCI_CAP_MSI, 0);

	if (!cap)
		return -ENODEV;
	uint16_t ctrl = pci_read16(d, cap + 2);
	uint64_t addr;
	uint32_t data;
	msi_message(vector, apic_id, &addr, &data);
	pci_write32(d, cap + 4, (uint32_t)addr);
	unsigned data_off = 8;
	if (ctrl & 0x80) {		/* 64-bit address capable */
		pci_write32(d, cap + 8, (uint32_t)(addr >> 32));
		data_off = 12;
	}
	pci_write16(d, cap + data_off, (uint16_t)data);
	/* One message (multiple message enable = 0), then enable. */
	pci_write16(d, cap + 2, (ctrl & ~0x70) | 1);
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_CMD_INTX_OFF);
	return 0;
}
