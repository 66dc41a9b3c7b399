/* The drivers amphi has, and the order buses are searched for them. */
#include "dev/devices.h"

#include "dev/e1000e.h"
#include "dev/ivshmem.h"
#include "dev/pci.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_pci.h"

static const struct pci_driver *const pci_drivers[] = {
	&virtio_pci_net_modern,
	&virtio_pci_net_transitional,
	&e1000e_driver,
	&ivshmem_driver,
};

void dev_init(void)
{
	pci_init(pci_drivers, sizeof pci_drivers / sizeof pci_drivers[0]);
	virtio_mmio_init();
}
