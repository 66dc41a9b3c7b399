/* Finding devices and binding their drivers, once at boot. */
#ifndef AMPHI_DEV_DEVICES_H
#define AMPHI_DEV_DEVICES_H

/* Probes PCI and virtio-mmio; each device that works registers itself
 * (a NIC as a net_port).  Without devices it does and prints nothing. */
void dev_init(void);

#endif
