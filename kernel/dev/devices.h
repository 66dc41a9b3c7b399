/* Finding devices and binding their drivers, once at boot. */
#ifndef AMPHI_DEV_DEVICES_H
#define AMPHI_DEV_DEVICES_H

#include <stdbool.h>

/* Probes PCI and virtio-mmio; each device that works registers itself
 * (a NIC as a net_port).  Without devices it does and prints nothing. */
void dev_init(void);

/* A device the VM was given whose driver could not start it for lack of
 * memory (a NIC, a disk): the buses note the first (dev_note_no_memory,
 * "pci 00:02.0 virtio-net"), and the layer above ends the run with one
 * line, the VM lacking what it was given.  NULL when there was none. */
void dev_note_no_memory(const char *device);
const char *dev_no_memory(void);

/* False when "net.offload=off" is on the kernel command line: NIC drivers
 * then ask their devices for no offload at all (checksums, merged receive
 * buffers, segmentation, several queues), as a device offering none would
 * behave, so every path of the stack's own is what runs. */
bool dev_net_offload(void);
/* Whether NICs may hand the stack frames longer than the MTU, which the
 * host made of several segments (virtio-net's GUEST_TSO): yes, unless
 * this VM is a network server, whose switch passes on frames of one MTU.
 * Set before dev_init. */
void dev_net_set_large_rx(bool on);
bool dev_net_large_rx(void);
/* The number N of "KEY=N" on the kernel command line, or def when absent
 * or not a number. */
unsigned long dev_cmdline_num(const char *key, unsigned long def);
/* Whether some "KEY" on the command line is followed by exactly name
 * ("blk.ro=nvme0n1"). */
bool dev_cmdline_names(const char *key, const char *name);

#endif
