/* PCIe native hot-plug: slots of root ports and downstream ports that
 * announce devices arriving and asking to leave (QEMU's pcie-root-port
 * with device_add/device_del).  A device that arrives is powered, given
 * addresses in the port's windows and offered to the drivers; one asked to
 * leave is handed back by its driver, then its slot is powered off, which
 * is what lets the hypervisor finish removing it. */
#ifndef AMPHI_DEV_PCIE_HOTPLUG_H
#define AMPHI_DEV_PCIE_HOTPLUG_H

struct pci_dev;

/* A bridge enumeration found: kept (and watched) if it has a hot-plug
 * slot, freed otherwise. */
void pcie_hotplug_bridge(struct pci_dev *bridge);

#endif
