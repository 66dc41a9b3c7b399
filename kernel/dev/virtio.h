/* virtio devices, whatever carries them: the modern PCI transport
 * (virtio_pci.c) or virtio-mmio (virtio_mmio.c).  A device driver sees a
 * struct virtio_dev and its ops, and virtqueues (virtq.h). */
#ifndef AMPHI_DEV_VIRTIO_H
#define AMPHI_DEV_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Device status bits (virtio 1.1, 2.1). */
#define VIRTIO_S_ACKNOWLEDGE	1
#define VIRTIO_S_DRIVER		2
#define VIRTIO_S_DRIVER_OK	4
#define VIRTIO_S_FEATURES_OK	8
#define VIRTIO_S_NEEDS_RESET	64
#define VIRTIO_S_FAILED		128

/* Transport-independent feature bits. */
#define VIRTIO_F_RING_EVENT_IDX	29
#define VIRTIO_F_VERSION_1	32

#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_9P		9

struct virtio_dev;
struct virtq;

struct virtio_ops {
	uint8_t (*get_status)(struct virtio_dev *vd);
	void (*set_status)(struct virtio_dev *vd, uint8_t status);	/* 0: reset */
	uint64_t (*get_features)(struct virtio_dev *vd);
	void (*set_features)(struct virtio_dev *vd, uint64_t features);
	/* Device-specific configuration, read consistently (generation). */
	void (*read_config)(struct virtio_dev *vd, unsigned off, void *buf, size_t len);
	/* The largest size queue `index` may have; 0 if it does not exist. */
	uint16_t (*queue_max)(struct virtio_dev *vd, uint16_t index);
	/* Tells the device where vq's rings are and enables it (after setup_irq). */
	int (*queue_enable)(struct virtio_dev *vd, struct virtq *vq);
	void (*notify)(struct virtio_dev *vd, struct virtq *vq);
	/* Sets up interrupts for nqueues queues (before queue_enable): each
	 * ends in vd->interrupt. */
	int (*setup_irq)(struct virtio_dev *vd, int nqueues);
	/* Optional (transports whose devices can leave): gives back what
	 * setup_irq took, after the device was reset.  An interrupt already
	 * under way may still run for a moment. */
	void (*free_irq)(struct virtio_dev *vd);
};

struct virtio_dev {
	const struct virtio_ops *ops;
	const char *transport;		/* "pci" or "mmio" */
	uint16_t device_id;		/* VIRTIO_ID_* */
	uint64_t features;		/* negotiated */
	bool legacy;			/* virtio-mmio version 1: no VERSION_1 */
	const char *irq_kind;		/* "MSI-X", "MSI", "INTx", "IOAPIC GSI n" */
	volatile bool broken;		/* a fault was seen: the device is dead to us */
	void *transport_priv;

	/* Set by the driver before setup_irq.  Called in interrupt context:
	 * queue >= 0 for used buffers on that queue, -1 for a configuration
	 * change.  A transport that cannot tell calls it for every queue. */
	void (*interrupt)(struct virtio_dev *vd, int queue);
	void *driver_priv;
	struct virtq **queues;		/* the driver's, by index, for the transport */
	int nqueues;			/* with interrupts; queues past them (a
					 * polled control queue) get none */
	/* Optional: the CPU whose local APIC takes queue's interrupt, where
	 * the transport has one per queue (MSI-X); else CPU 0. */
	int (*queue_cpu)(struct virtio_dev *vd, int queue);
};

static inline bool virtio_has(const struct virtio_dev *vd, int bit)
{
	return vd->features & (1ull << bit);
}

/* Reset, ACKNOWLEDGE | DRIVER, then offers `wanted` & the device's
 * features and checks FEATURES_OK.  0, or -EIO if the device refused. */
int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted);
/* Sets DRIVER_OK: the device may now use the queues. */
void virtio_driver_ok(struct virtio_dev *vd);
/* Something went wrong with the device: log once why, mark it broken, and
 * set FAILED so it stops touching our memory. */
void virtio_fail(struct virtio_dev *vd, const char *why);
/* true when the device asks for a reset (DEVICE_NEEDS_RESET): we treat it
 * as broken too, having no state to restore. */
bool virtio_check_status(struct virtio_dev *vd);

/* The device drivers, offered each virtio device found. */
int virtio_net_probe(struct virtio_dev *vd);
/* Lets go of the device (hot-unplug): resets it unless it is gone already,
 * frees everything the driver had; vd itself stays the transport's. */
void virtio_net_remove(struct virtio_dev *vd, bool gone);
int virtio_blk_probe(struct virtio_dev *vd);
void virtio_blk_remove(struct virtio_dev *vd, bool gone);
/* Hands a device to the driver for its type; -ENODEV if there is none. */
int virtio_bind(struct virtio_dev *vd);
/* "virtio-net", "virtio-blk", "virtio-9p", or "virtio device". */
const char *virtio_kind(uint16_t device_id);
void virtio_unbind(struct virtio_dev *vd, bool gone);

#endif
