/* ivshmem-doorbell and ivshmem-plain (QEMU docs/specs/ivshmem-spec.txt):
 * BAR0 holds four registers, BAR1 the MSI-X table, BAR2 the shared memory.
 * This driver only maps and numbers them; what the memory means belongs to
 * whoever takes the device (dev/link_app.c, netserver/). */
#include "dev/ivshmem.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"

#define REG_POSITION	2	/* IVPosition, 32-bit word index */
#define REG_DOORBELL	3	/* peer << 16 | vector */

static struct ivshmem *devices[IVSHMEM_MAX];
static int ndevices;

int ivshmem_count(void) { return ndevices; }

struct ivshmem *ivshmem_get(int index)
{
	return index >= 0 && index < ndevices ? devices[index] : NULL;
}

uint32_t ivshmem_position(const struct ivshmem *d) { return d->regs[REG_POSITION]; }

void ivshmem_ring(const struct ivshmem *d, uint16_t peer, uint16_t vector)
{
	d->regs[REG_DOORBELL] = (uint32_t)peer << 16 | vector;
}

/* One vector for all of the device's entries: its user looks at all its
 * rings on any doorbell anyway, and a server with many devices would run
 * out of vectors with one per entry. */
int ivshmem_listen(struct ivshmem *d, irq_vector_fn *fn, void *arg)
{
	int err = pci_msix_init(d->pci, &d->msix);

	if (err)
		return err;
	int vec = irq_vector_alloc(fn, arg);
	if (vec < 0)
		return vec;
	for (unsigned i = 0; i < d->msix.nentries; i++)
		pci_msix_set(&d->msix, i, vec, irq_target_apic());
	return 0;
}

static int ivshmem_probe(struct pci_dev *pci)
{
	if (ndevices == IVSHMEM_MAX)
		return -ENOSPC;
	if (pci->bar[0].size < 16 || pci->bar[2].size < 4096)
		return -ENODEV;
	struct ivshmem *d = kmalloc(sizeof *d);
	if (!d)
		return -ENOMEM;
	*d = (struct ivshmem){ .pci = pci, .regs = pci_map_bar(pci, 0),
			       .region = pci_map_bar_wb(pci, 2),
			       .region_size = pci->bar[2].size, .index = ndevices };
	if (!d->regs || !d->region) {
		kfree(d);
		return -ENODEV;
	}
	pci_enable(pci);
	devices[ndevices++] = d;
	return 0;
}

const struct pci_driver ivshmem_driver = {
	.name = "ivshmem", .vendor = 0x1af4, .device = 0x1110, .probe = ivshmem_probe,
};
