/* NVM Express controllers on PCI: each active namespace becomes a block
 * device (nvme0n1, ...).  See nvme.c. */
#ifndef AMPHI_DEV_NVME_H
#define AMPHI_DEV_NVME_H

#include "dev/pci.h"

extern const struct pci_driver nvme_driver;

#endif
