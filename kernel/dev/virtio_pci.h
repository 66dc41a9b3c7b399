/* The virtio PCI transport's driver entries (for dev/devices.c). */
#ifndef AMPHI_DEV_VIRTIO_PCI_H
#define AMPHI_DEV_VIRTIO_PCI_H

#include "dev/pci.h"

extern const struct pci_driver virtio_pci_net_modern;
extern const struct pci_driver virtio_pci_net_transitional;
extern const struct pci_driver virtio_pci_blk_modern;
extern const struct pci_driver virtio_pci_blk_transitional;

#endif
