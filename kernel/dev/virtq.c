/* Split virtqueues.  See virtq.h for the contract.
 *
 * Barriers: on x86 (TSO) stores are not reordered with other stores nor
 * loads with other loads, so "write barrier" and "read barrier" below only
 * stop the compiler; the one reordering the CPU does, a later load passing
 * an earlier store, needs a real fence (mb). */
#include "dev/virtq.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "dev/virtio.h"

static inline void vq_wmb(void) { barrier(); }
static inline void vq_rmb(void) { barrier(); }
static inline void vq_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* The event-index fields sit just past each ring. */
static volatile uint16_t *used_event(struct virtq *vq) { return &vq->avail->ring[vq->size]; }
static volatile uint16_t *avail_event(struct virtq *vq)
{
	return (volatile uint16_t *)&vq->used->ring[vq->size];
}

int vq_init(struct virtq *vq, struct virtio_dev *dev, uint16_t index, uint16_t size, bool event_idx)
{
	if (!size || (size & (size - 1)))
		return -EINVAL;
	size_t first = 16ul * size + 6 + 2ul * size;	/* descriptors, available ring */
	size_t second = 6 + 8ul * size;			/* used ring */
	unsigned pages = (unsigned)(PAGE_ROUND_UP(first) / PAGE_SIZE + PAGE_ROUND_UP(second) / PAGE_SIZE);

	vq->rings = page_alloc_virt(pages);
	vq->cookie = kmalloc(sizeof(void *) * size);
	vq->in_len = kmalloc(sizeof(uint32_t) * size);
	vq->chain_len = kmalloc(sizeof(uint16_t) * size);
	vq->next = kmalloc(sizeof(uint16_t) * size);
	if (!vq->rings || !vq->cookie || !vq->in_len || !vq->chain_len || !vq->next) {
		vq->ring_pages = vq->rings ? pages : 0;
		vq_destroy(vq);
		return -ENOMEM;
	}
	vq->dev = dev;
	vq->index = index;
	vq->size = size;
	vq->event_idx = event_idx;
	vq->ring_pages = pages;
	vq->desc = vq->rings;
	vq->avail = (void *)((char *)vq->rings + 16ul * size);
	vq->used = (void *)((char *)vq->rings + PAGE_ROUND_UP(first));
	vq->desc_pa = virt_to_phys(vq->rings);
	vq->avail_pa = vq->desc_pa + 16ul * size;
	vq->used_pa = vq->desc_pa + PAGE_ROUND_UP(first);
	for (uint16_t i = 0; i < size; i++)
		vq->next[i] = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = size;
	vq->avail_idx = vq->kicked_idx = vq->last_used = 0;
	return 0;
}

void vq_destroy(struct virtq *vq)
{
	if (vq->rings)
		page_free_virt(vq->rings, vq->ring_pages);
	kfree(vq->cookie);
	kfree(vq->in_len);
	kfree(vq->chain_len);
	kfree(vq->next);
	vq->rings = NULL;
	vq->cookie = NULL;
	vq->in_len = NULL;
	vq->chain_len = NULL;
	vq->next = NULL;
}

int vq_add(struct virtq *vq, void *cookie, const struct vq_buf *bufs, int nout, int nin)
{
	int n = nout + nin;

	if (vq->dev->broken)
		return -EIO;
	if (n <= 0 || !cookie)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;
	uint16_t head = vq->free_head, i = head, last = head;
	uint32_t in = 0;
	for (int k = 0; k < n; k++) {
		volatile struct vq_desc *d = &vq->desc[i];
		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (k >= nout ? VQ_DESC_F_WRITE : 0) | (k + 1 < n ? VQ_DESC_F_NEXT : 0);
		d->next = vq->next[i];	/* the free list's link becomes the chain's */
		if (k >= nout)
			in += bufs[k].len;
		last = i;
		i = vq->next[i];
	}
	vq->free_head = vq->next[last];
	vq->num_free -= (uint16_t)n;
	vq->cookie[head] = cookie;
	vq->in_len[head] = in;
	vq->chain_len[head] = (uint16_t)n;
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	vq_wmb();	/* descriptors and ring entry before avail->idx */
	vq->avail->idx = ++vq->avail_idx;
	return 0;
}

/* virtio 1.1, 2.6.7.1: notify when the new entries step over the index the
 * device published. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

void vq_kick(struct virtq *vq)
{
	uint16_t old = vq->kicked_idx, new_idx = vq->avail_idx;

	if (old == new_idx || vq->dev->broken)
		return;
	vq_mb();	/* our avail->idx store before reading the device's suppression */
	bool notify = vq->event_idx ? need_event(*avail_event(vq), new_idx, old)
				    : !(vq->used->flags & VQ_USED_F_NO_NOTIFY);
	vq->kicked_idx = new_idx;
	if (notify)
		vq->dev->ops->notify(vq->dev, vq);
}

static void free_chain(struct virtq *vq, uint16_t head)
{
	uint16_t i = head;

	for (uint16_t k = 1; k < vq->chain_len[head]; k++)
		i = vq->next[i];
	vq->next[i] = vq->free_head;
	vq->free_head = head;
	vq->num_free += vq->chain_len[head];
	vq->cookie[head] = NULL;
}

void *vq_get_used(struct virtq *vq, uint32_t *len)
{
	if (vq->dev->broken || vq->last_used == vq->used->idx)
		return NULL;
	vq_rmb();	/* used->idx before the ring entry it covers */
	struct vq_used_elem e = vq->used->ring[vq->last_used & (vq->size - 1)];

	if (e.id >= vq->size || !vq->cookie[e.id]) {
		virtio_fail(vq->dev, "used ring names a buffer not in flight");
		return NULL;
	}
	if (e.len > vq->in_len[e.id]) {
		virtio_fail(vq->dev, "used length larger than the buffer");
		return NULL;
	}
	void *cookie = vq->cookie[e.id];
	vq->last_used++;
	free_chain(vq, (uint16_t)e.id);
	if (len)
		*len = e.len;
	return cookie;
}

void vq_disable_cb(struct virtq *vq)
{
	/* With event indices the device interrupts only on crossing
	 * used_event: leaving it behind is enough.  The flag is for the rest. */
	if (!vq->event_idx)
		vq->avail->flags = VQ_AVAIL_F_NO_INTERRUPT;
}

bool vq_enable_cb(struct virtq *vq)
{
	if (vq->event_idx)
		*used_event(vq) = vq->last_used;
	else
		vq->avail->flags = 0;
	vq_mb();	/* the re-arm store before looking at used->idx again */
	return vq->used->idx == vq->last_used;
}
