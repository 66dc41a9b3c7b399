/* Intel 82574 (QEMU's e1000e): a NIC as a struct net_port. */
#ifndef AMPHI_DEV_E1000E_H
#define AMPHI_DEV_E1000E_H

#include "dev/pci.h"

extern const struct pci_driver e1000e_driver;

#endif
