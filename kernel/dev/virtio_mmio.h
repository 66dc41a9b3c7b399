/* virtio-mmio transports (QEMU's microvm). */
#ifndef AMPHI_DEV_VIRTIO_MMIO_H
#define AMPHI_DEV_VIRTIO_MMIO_H

/* Finds the transports (kernel command line, else the ACPI DSDT) and
 * offers each device to its driver. */
void virtio_mmio_init(void);

#endif
