/* ivshmem (QEMU's inter-VM shared memory, 1af4:1110, revision 1): a
 * region of host memory in BAR2, shared with other VMs, and doorbells
 * (MSI-X vectors) to ring them and be rung.  The devices are numbered in
 * the order PCI enumeration found them; their users (the network-server
 * link, either end) take them by number. */
#ifndef AMPHI_DEV_IVSHMEM_H
#define AMPHI_DEV_IVSHMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/msi.h"
#include "dev/pci.h"
#include "dev/pci_msi.h"

#define IVSHMEM_MAX	256

struct ivshmem {
	struct pci_dev *pci;
	volatile uint32_t *regs;	/* BAR0 */
	void *region;			/* BAR2, write-back */
	uint64_t region_size;
	struct pci_msix msix;
	int index;			/* in discovery order */
};

extern const struct pci_driver ivshmem_driver;

int ivshmem_count(void);
struct ivshmem *ivshmem_get(int index);	/* NULL past the end */

/* Our peer id on the doorbell server (IVPosition). */
uint32_t ivshmem_position(const struct ivshmem *d);
/* Interrupts peer `peer` on its vector `vector` (ignored by QEMU when no
 * such peer is connected). */
void ivshmem_ring(const struct ivshmem *d, uint16_t peer, uint16_t vector);
/* Routes every doorbell vector of d to fn(arg), on the boot CPU. */
int ivshmem_listen(struct ivshmem *d, irq_vector_fn *fn, void *arg);

#endif
