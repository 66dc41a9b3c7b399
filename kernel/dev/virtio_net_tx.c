/* virtio-net's transmit side: frames copied into the pair's 2 KiB slots,
 * or sent in place (transmit_in_place), and the slots taken back.
 *
 * A frame is copied into a free slot behind its header, or into a chain
 * of them for a frame the device is to segment (HOST_TSO, up to 64 KiB).
 * Bulk data goes in place: only its headers are copied, and a descriptor
 * points at each piece of payload where it lies, the sender's references
 * kept until the device has read it.  Finished slots are taken back by
 * the next transmit, so TX needs no interrupt; frames sent in place are
 * also taken back by a timer when no transmit comes.  A full ring is
 * waited for (dev/tx_room.h). */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/tx_room.h"
#include "dev/virtio_net_internal.h"
#include "csum.h"

#define TX_SLOTS_MAX	((sizeof(struct net_hdr) + FRAME_MAX + BUF_SIZE - 1) / BUF_SIZE)
#define TX_PIECES_MAX	66	/* a frame sent in place: headers, 64 payload pieces, a spare */
#define TX_RECLAIM_NS	(1000ull * 1000)

/* Caller holds p->tx_lock.  The frame whose first slot is s, if sent in
 * place, is done with: its sender's references go. */
static void tx_release(struct vnet_pair *p, uint16_t s)
{
	if (tx_done_fire(&p->tx_done[s]))
		p->tx_in_place--;
}

/* Caller holds p->tx_lock.  A finished frame's slots go back; the first
 * is the chain's cookie, tx_next links the rest. */
static void tx_free_chain(struct vnet_pair *p, const uint8_t *first)
{
	uint16_t s = (uint16_t)((first - p->tx_bufs) / BUF_SIZE);

	tx_release(p, s);
	for (; s != TX_SLOT_NONE; s = p->tx_next[s])
		p->tx_free[p->ntx_free++] = s;
}

static void tx_reclaim(struct vnet_pair *p)
{
	uint8_t *buf;

	while ((buf = vq_get_used(&p->txq, NULL)))
		tx_free_chain(p, buf);
}

struct tx_want {
	struct vnet_pair *pair;
	int slots, descs;
};

/* tx_wait_room's check, under p->tx_lock. */
static enum tx_room tx_check(void *arg)
{
	struct tx_want *w = arg;

	tx_reclaim(w->pair);
	if (w->pair->ntx_free >= w->slots && (int)vq_free_count(&w->pair->txq) >= w->descs)
		return TX_ROOM_FREE;
	return w->pair->n->vd->broken ? TX_ROOM_NEVER : TX_ROOM_NOT_YET;
}

/* Caller holds p->tx_lock and knows a slot is free: it joins the chain
 * ending at *last, with a descriptor in *b. */
static uint8_t *tx_take_slot(struct vnet_pair *p, uint16_t *last, struct vq_buf *b)
{
	uint16_t s = p->tx_free[--p->ntx_free];
	uint8_t *buf = p->tx_bufs + (size_t)s * BUF_SIZE;

	p->tx_next[s] = TX_SLOT_NONE;
	if (*last != TX_SLOT_NONE)
		p->tx_next[*last] = s;
	*last = s;
	*b = (struct vq_buf){ virt_to_phys(buf), 0 };
	return buf;
}

/* Caller holds p->tx_lock and knows enough slots are free.  Copies the
 * frame into a chain of slots behind room for its header, a descriptor
 * per slot in b[]; returns the first slot, *nbufs the descriptors. */
static uint8_t *tx_copy(struct vnet_pair *p, const struct net_seg *segs, int nsegs,
			struct vq_buf *b, int *nbufs)
{
	uint16_t last = TX_SLOT_NONE;
	uint8_t *first = tx_take_slot(p, &last, &b[0]);
	uint8_t *dst = first + p->n->hdr_len;
	size_t room = BUF_SIZE - p->n->hdr_len;
	int nb = 1;

	b[0].len = p->n->hdr_len;
	for (int i = 0; i < nsegs; i++) {
		const uint8_t *src = segs[i].data;
		for (size_t left = segs[i].len; left;) {
			if (!room) {
				dst = tx_take_slot(p, &last, &b[nb++]);
				room = BUF_SIZE;
			}
			size_t k = left < room ? left : room;
			memcpy(dst, src, k);
			dst += k, src += k, left -= k, room -= k;
			b[nb - 1].len += (uint32_t)k;
		}
	}
	*nbufs = nb;
	return first;
}

/* The virtio header at buf, in front of a frame of len bytes: the
 * checksum and segmentation left to the device, or the checksum done here
 * when the device takes none (a frame in one slot: segmentation needs
 * F_CSUM, so only small frames get here). */
static void tx_header(struct vnet *n, uint8_t *buf, size_t len, const struct net_tx_offload *o)
{
	struct net_hdr *h = (struct net_hdr *)buf;

	memset(h, 0, n->hdr_len);
	if (!o || !o->start)
		return;
	if (!virtio_has(n->vd, F_CSUM)) {
		csum_complete(buf + n->hdr_len, len, o->start, o->offset);
		return;
	}
	h->flags = HDR_F_NEEDS_CSUM;
	h->csum_start = o->start;
	h->csum_offset = o->offset;
	if (o->gso_size) {
		h->gso_type = o->gso_type == NET_GSO_TCP6 ? HDR_GSO_TCPV6 : HDR_GSO_TCPV4;
		h->gso_size = o->gso_size;
		h->hdr_len = o->hdr_len;
	}
}

/* The sending CPU's pair (moving on meanwhile is harmless); no division
 * with one pair, the common case. */
static struct vnet_pair *tx_pair(struct vnet *n)
{
	return n->npairs > 1 ? &n->pairs[this_cpu()->id % n->npairs] : n->pairs;
}

/* Caller holds p->tx_lock: the frame in buf goes to the device, whose
 * reading of the pieces sent in place ends with done(ctx). */
static void tx_track_in_place(struct vnet_pair *p, const uint8_t *buf, void (*done)(void *ctx),
			      void *ctx)
{
	p->tx_done[(buf - p->tx_bufs) / BUF_SIZE] = (struct tx_done){ done, ctx };
	p->tx_in_place++;
	if (!p->tx_timer_set) {
		p->tx_timer_set = true;
		timer_arm(&p->tx_timer, clock_ns() + TX_RECLAIM_NS);
	}
}

/* Sends a frame of total bytes on the sending CPU's pair, once the room
 * in want is free: all of it copied, or, with done, only segs[0] (the
 * headers) and the rest in place. */
static int tx_frame(struct vnet *n, const struct net_seg *segs, int nsegs, size_t total,
		    const struct net_tx_offload *o, struct tx_want want, void (*done)(void *ctx),
		    void *ctx)
{
	struct vnet_pair *p = want.pair;
	struct vq_buf b[TX_PIECES_MAX > TX_SLOTS_MAX ? TX_PIECES_MAX : TX_SLOTS_MAX];
	int nb;

	if (n->vd->broken)
		return -EIO;
	uint64_t f = spin_lock_irqsave(&p->tx_lock);
	if (!tx_wait_room(&p->tx_lock, &f, tx_check, &want)) {
		p->counts.tx_dropped++;
		spin_unlock_irqrestore(&p->tx_lock, f);
		return n->vd->broken ? -EIO : -ENOBUFS;
	}
	uint8_t *buf = tx_copy(p, segs, done ? 1 : nsegs, b, &nb);
	tx_header(n, buf, total, o);
	for (int i = 1; done && i < nsegs; i++)
		b[nb++] = (struct vq_buf){ virt_to_phys(segs[i].data), (uint32_t)segs[i].len };
	int err = vq_add(&p->txq, buf, b, nb, 0);
	if (err) {
		tx_free_chain(p, buf);
		p->counts.tx_dropped++;
	} else {
		if (done)
			tx_track_in_place(p, buf, done, ctx);
		vq_kick(&p->txq);
		p->counts.tx_frames++;
		p->counts.tx_segmented += o && o->gso_size;
	}
	spin_unlock_irqrestore(&p->tx_lock, f);
	return err == -ENOSPC ? -ENOBUFS : err;
}

static size_t frame_len(const struct net_seg *segs, int nsegs)
{
	size_t total = 0;

	for (int i = 0; i < nsegs; i++)
		total += segs[i].len;
	return total;
}

int vnet_transmit(struct net_port *port, const struct net_seg *segs, int nsegs,
		  const struct net_tx_offload *o)
{
	struct vnet *n = port->driver;
	size_t total = frame_len(segs, nsegs);
	size_t max = o && o->gso_size ? FRAME_MAX : BUF_SIZE - n->hdr_len;

	if (total > max || total < 14)
		return -EINVAL;
	int slots = (int)((n->hdr_len + total + BUF_SIZE - 1) / BUF_SIZE);
	return tx_frame(n, segs, nsegs, total, o, (struct tx_want){ tx_pair(n), slots, slots },
			NULL, NULL);
}

void vnet_tx_abandon_in_place(struct vnet_pair *p)
{
	for (uint16_t s = 0; p->tx_done && s < p->txq.size; s++)
		tx_release(p, s);
}

/* The references of frames sent in place hold up lwIP's retransmission
 * of their segments (tcp_output_segment_busy), and only a transmit takes
 * them back: when none comes, this does, in interrupt context. */
void vnet_tx_timer_fired(struct timer *t)
{
	struct vnet_pair *p = container_of(t, struct vnet_pair, tx_timer);

	spin_lock(&p->tx_lock);
	tx_reclaim(p);
	if (p->n->vd->broken)
		vnet_tx_abandon_in_place(p);
	p->tx_timer_set = p->tx_in_place > 0;
	if (p->tx_timer_set)
		timer_arm(&p->tx_timer, clock_ns() + TX_RECLAIM_NS);
	spin_unlock(&p->tx_lock);
}

/* segs[0], the headers, is copied into a slot behind the virtio header;
 * a descriptor points at each other piece where it lies, and done(ctx)
 * runs when the device has finished with them (tx_free_chain). */
int vnet_transmit_in_place(struct net_port *port, const struct net_seg *segs, int nsegs,
			   const struct net_tx_offload *o, void (*done)(void *ctx), void *ctx)
{
	struct vnet *n = port->driver;
	size_t total = frame_len(segs, nsegs);

	/* A checksum done here needs the frame in one place. */
	if (nsegs > TX_PIECES_MAX || segs[0].len > BUF_SIZE - n->hdr_len ||
	    !virtio_has(n->vd, F_CSUM)) {
		int err = vnet_transmit(port, segs, nsegs, o);	/* copied after all */
		if (!err)
			done(ctx);
		return err;
	}
	if (total > FRAME_MAX || total < 14)
		return -EINVAL;
	return tx_frame(n, segs, nsegs, total, o, (struct tx_want){ tx_pair(n), 1, nsegs }, done,
			ctx);
}
