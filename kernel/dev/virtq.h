/* Split virtqueues (virtio 1.1, 2.6): a descriptor table, the available
 * ring we fill and the used ring the device fills, with event-index
 * interrupt and notification suppression.
 *
 * The rings live in one physically contiguous allocation laid out as a
 * legacy (version 1) device expects: descriptors, available ring, then the
 * used ring on the next page boundary, so both transports take it.
 *
 * Calls on one queue are serialised by the caller (the driver holds a lock
 * or uses the queue from one thread).  Whatever the device writes is
 * checked before use, and descriptors are never read back: an id out of
 * range or not in flight, or a length larger than the buffer, fails the
 * device (virtio_fail) and the queue gives nothing more, never a crash. */
#ifndef AMPHI_DEV_VIRTQ_H
#define AMPHI_DEV_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_dev;

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define VQ_DESC_F_NEXT		1
#define VQ_DESC_F_WRITE		2	/* device writes (an "in" buffer) */

struct vq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* then used_event, with EVENT_IDX */
};

#define VQ_AVAIL_F_NO_INTERRUPT	1

struct vq_used_elem {
	uint32_t id;		/* head of the chain the device finished */
	uint32_t len;		/* bytes it wrote into the chain */
};

struct vq_used {
	uint16_t flags;
	uint16_t idx;
	struct vq_used_elem ring[];	/* then avail_event, with EVENT_IDX */
};

#define VQ_USED_F_NO_NOTIFY	1

/* One piece of a buffer, by physical address. */
struct vq_buf {
	uint64_t addr;
	uint32_t len;
};

struct virtq {
	struct virtio_dev *dev;
	uint16_t index, size;		/* size: a power of two */
	bool event_idx;
	volatile struct vq_desc *desc;
	volatile struct vq_avail *avail;
	volatile struct vq_used *used;
	uint64_t desc_pa, avail_pa, used_pa;
	void *rings;			/* the allocation */
	unsigned ring_pages;

	uint16_t free_head, num_free;	/* free descriptors, chained by next */
	uint16_t avail_idx;		/* our copy of avail->idx */
	uint16_t kicked_idx;		/* avail_idx at the last notification */
	uint16_t last_used;		/* next used->ring entry to take */
	void **cookie;			/* per chain head; NULL: not in flight */
	uint32_t *in_len;		/* per head: device-writable bytes */
	uint16_t *chain_len;		/* per head: descriptors in the chain */
	uint16_t *next;			/* the links, free list and chains: our copy
					 * of desc[].next, which the device could
					 * overwrite */

	void *transport_priv;		/* notify address etc. */
	uint16_t msix_vector;		/* virtio-pci: the queue's MSI-X entry */
};

/* Allocates rings for queue `index` of `size` entries (a power of two);
 * -ENOMEM, -EINVAL.  vq_destroy frees them (device reset first). */
int vq_init(struct virtq *vq, struct virtio_dev *dev, uint16_t index, uint16_t size, bool event_idx);
void vq_destroy(struct virtq *vq);

/* Adds a chain of nout device-readable then nin device-writable buffers
 * under `cookie` (not NULL).  -ENOSPC when descriptors run out, -EIO when
 * the device is broken. */
int vq_add(struct virtq *vq, void *cookie, const struct vq_buf *bufs, int nout, int nin);
/* Notifies the device of what vq_add added, unless it asked not to be. */
void vq_kick(struct virtq *vq);

/* The cookie of the next finished chain (and the bytes written into it),
 * or NULL when none is ready or the device is broken. */
void *vq_get_used(struct virtq *vq, uint32_t *len);

/* Interrupt suppression.  vq_enable_cb re-arms and returns false if used
 * buffers arrived meanwhile (the caller must drain again, or it could sleep
 * with work pending: the interrupt for them may never come). */
void vq_disable_cb(struct virtq *vq);
bool vq_enable_cb(struct virtq *vq);

static inline unsigned vq_free_count(const struct virtq *vq) { return vq->num_free; }

#endif
