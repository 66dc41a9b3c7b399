/* The 82574's transmit side: frames copied into the ring's buffers or
 * sent in place, checksummed and segmented by the device, and their
 * descriptors taken back.
 *
 * A frame takes consecutive descriptors: a context descriptor when the
 * device is to fill its checksum or cut it into segments, then data
 * descriptors, the last with EOP and RS (report status).  Copied, a frame
 * fills the 2 KiB buffers of its own data descriptors in turn.  Sent in
 * place (transmit_in_place: netif_tx's batches of TCP segments), only its
 * headers are copied, a data descriptor points at each other piece where
 * it lies, and the sender is told (done) once the device has set DD on
 * the frame's last descriptor.
 *
 * Finished descriptors are taken back right after the tail moves (QEMU's
 * model reads the ring while the guest writes the tail, so that is
 * usually all of them) and by the next transmit, so transmit needs no
 * interrupt.  A timer does it when no transmit comes while frames sent in
 * place are out: their references hold up lwIP's retransmissions.
 *
 * Segmentation (TSO) is offered for TCP over IPv4 only, as the checksums
 * it needs are (e1000e.c says why IPv6's are finished here).  The frame's
 * headers are those of its first segment with the IPv4 length and header
 * checksum zero and the pseudo-header sum without the TCP length: the
 * device adds each segment's own.  QEMU 7.2's model hands such a frame to
 * a tap whole, with a vnet header the host's stack segments; to a backend
 * without one (user networking) it sends it as IPv4 fragments, which
 * slirp reassembles. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/string.h"
#include "dev/e1000e_internal.h"
#include "dev/tx_room.h"
#include "csum.h"

#define ETH_HLEN	14
#define IP4_CSUM_OFF	10
#define TCP_CSUM_OFF	16
/* Data descriptors of one frame: QEMU's model drops a frame of more
 * (E1000E_MAX_TX_FRAGS). */
#define FRAME_DESCS_MAX	64
#define TSO_FRAME_MAX	(ETH_HLEN + 65535)	/* the largest IP packet, framed */
#define RECLAIM_NS	(1000ull * 1000)

/* How one frame goes out. */
struct tx_frame {
	const struct net_seg *segs;
	int nsegs;
	size_t len;
	const struct net_tx_offload *o;
	bool partial;		/* its TCP/UDP checksum is to be finished */
	bool sum;		/* by the device (IPv4), not here */
	bool tso;		/* the device cuts it into segments */
	bool in_place;		/* segs[1..] sent where they lie */
	unsigned descs;		/* descriptors it takes */
};

static void put_be16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Caller holds tx_lock.  The frame beginning at descriptor i is done
 * with; if it was sent in place, its sender is told. */
static void tx_release(struct e1000e *e, unsigned i)
{
	if (tx_done_fire(&e->tx_done[i]))
		e->tx_in_place--;
}

/* Caller holds tx_lock.  Takes back each frame whose last descriptor has
 * DD: the device finishes frames in order. */
static void tx_reclaim(struct e1000e *e)
{
	while (e->tx_used) {
		unsigned i = e->tx_clean, n = e->tx_descs[i];
		if (!(e->tx[(i + n - 1) % NDESC].upper & TXD_STA_DD))
			break;
		tx_release(e, i);
		e->tx_clean = (i + n) % NDESC;
		e->tx_used -= n;
	}
}

struct tx_want {
	struct e1000e *nic;
	unsigned descs;
};

/* tx_wait_room's check, under tx_lock.  One descriptor stays empty: a
 * full ring would have head == tail, which reads as empty. */
static enum tx_room tx_check(void *arg)
{
	struct tx_want *w = arg;

	tx_reclaim(w->nic);
	return w->nic->tx_used + w->descs <= NDESC - 1 ? TX_ROOM_FREE : TX_ROOM_NOT_YET;
}

/* How the frame in segs goes out; false when it cannot (a length the
 * device does not take, segmentation of anything but TCP/IPv4, more
 * descriptors than a frame may have). */
static bool plan(struct tx_frame *fr, const struct net_seg *segs, int nsegs,
		 const struct net_tx_offload *o, bool in_place)
{
	size_t len = 0;

	for (int i = 0; i < nsegs; i++)
		len += segs[i].len;
	const uint8_t *eth = segs[0].data;
	bool ip4 = segs[0].len >= ETH_HLEN && eth[12] == 0x08 && eth[13] == 0;
	*fr = (struct tx_frame){ .segs = segs, .nsegs = nsegs, .len = len, .o = o,
				 .in_place = in_place };
	fr->partial = o && o->start && o->start + o->offset + 2u <= len;
	fr->sum = fr->partial && o->start < 256 && ip4;
	fr->tso = o && o->gso_size;
	if (len < ETH_HLEN || len > (fr->tso ? TSO_FRAME_MAX : BUF_SIZE))
		return false;
	if (fr->tso && (!fr->sum || o->offset != TCP_CSUM_OFF || o->hdr_len <= o->start ||
			o->hdr_len > segs[0].len || o->gso_size + o->hdr_len > TSO_FRAME_MAX))
		return false;
	size_t copied = in_place ? segs[0].len : len;
	size_t data = (copied + BUF_SIZE - 1) / BUF_SIZE + (in_place ? (size_t)nsegs - 1 : 0);
	fr->descs = (unsigned)data + fr->sum;
	return data <= FRAME_DESCS_MAX;
}

/* Caller holds tx_lock and has room. */
static void put(struct e1000e *e, struct e1000e_txd d)
{
	e->tx[e->tx_tail] = d;
	e->tx_tail = (e->tx_tail + 1) % NDESC;
	e->tx_used++;
}

/* The context descriptor: where the TCP/UDP checksum goes, and for a
 * frame to segment where the IPv4 one goes, its TCP payload, headers and
 * the payload of each segment. */
static void put_context(struct e1000e *e, const struct tx_frame *fr)
{
	const struct net_tx_offload *o = fr->o;
	bool tcp = o->offset == TCP_CSUM_OFF;	/* UDP's sum sits at 6 */
	struct e1000e_txd d = { .lower = TXD_CMD_DEXT | TXD_TUCMD_IP | (tcp ? TXD_TUCMD_TCP : 0) };

	d.ctx.tucss = (uint8_t)o->start;
	d.ctx.tucso = (uint8_t)(o->start + o->offset);
	d.ctx.tucse = 0;	/* to the end of the frame */
	if (fr->tso) {
		d.ctx.ipcss = ETH_HLEN;
		d.ctx.ipcso = ETH_HLEN + IP4_CSUM_OFF;
		d.ctx.ipcse = (uint16_t)(o->start - 1);
		d.lower |= TXD_TUCMD_TSE | ((uint32_t)(fr->len - o->hdr_len) & TXD_PAYLEN_MASK);
		d.upper = (uint32_t)o->hdr_len << TXD_CTX_HDRLEN_SHIFT |
			  (uint32_t)o->gso_size << TXD_CTX_MSS_SHIFT;
	}
	put(e, d);
}

/* A data descriptor for len bytes at physical address pa.  Every one of a
 * frame says the same (QEMU's model takes the last's options, the
 * hardware the first's). */
static void put_data(struct e1000e *e, uint64_t pa, size_t len, const struct tx_frame *fr)
{
	put(e, (struct e1000e_txd){
		.addr = pa,
		.lower = (uint32_t)len | TXD_DTYP_DATA | TXD_CMD_DEXT | TXD_CMD_IFCS |
			 (fr->tso ? TXD_CMD_TSE : 0),
		.upper = (fr->sum ? TXD_POPTS_TXSM : 0) | (fr->tso ? TXD_POPTS_IXSM : 0),
	});
}

/* Copies segs[0..n) into the buffers of the next descriptors, filling
 * each before the next. */
static void put_copied(struct e1000e *e, const struct tx_frame *fr, int n)
{
	uint8_t *buf = e->tx_bufs + (size_t)e->tx_tail * BUF_SIZE;
	size_t fill = 0;

	for (int s = 0; s < n; s++) {
		const uint8_t *src = fr->segs[s].data;
		for (size_t left = fr->segs[s].len; left;) {
			if (fill == BUF_SIZE) {
				put_data(e, virt_to_phys(buf), fill, fr);
				buf = e->tx_bufs + (size_t)e->tx_tail * BUF_SIZE;
				fill = 0;
			}
			size_t k = left < BUF_SIZE - fill ? left : BUF_SIZE - fill;
			memcpy(buf + fill, src, k);
			fill += k, src += k, left -= k;
		}
	}
	put_data(e, virt_to_phys(buf), fill, fr);
}

/* The headers of a frame to segment, as the device wants them: the IPv4
 * length and header checksum zero, the pseudo-header sum (which
 * netif_csum_prepare gave with the frame's TCP length) without the
 * length. */
static void tso_headers(uint8_t *frame, const struct tx_frame *fr)
{
	uint8_t *ip = frame + ETH_HLEN, *sum = frame + fr->o->start + TCP_CSUM_OFF;
	uint32_t tcp_len = (uint32_t)(fr->len - fr->o->start);
	uint32_t pseudo = (uint32_t)sum[0] << 8 | sum[1];

	put_be16(ip + 2, 0);
	put_be16(ip + IP4_CSUM_OFF, 0);
	put_be16(sum, csum_fold(NULL, 0, pseudo + (uint16_t)~tcp_len));
}

/* Caller holds tx_lock. */
static void track_in_place(struct e1000e *e, unsigned first, void (*done)(void *ctx), void *ctx)
{
	e->tx_done[first] = (struct tx_done){ done, ctx };
	e->tx_in_place++;
	if (!e->tx_timer_set) {
		e->tx_timer_set = true;
		timer_arm(&e->tx_timer, clock_ns() + RECLAIM_NS);
	}
}

/* Queues the planned frame once its descriptors are free; with done, it
 * was planned in place and done(ctx) follows the device's reading. */
static int tx_send(struct e1000e *e, const struct tx_frame *fr, void (*done)(void *ctx),
		   void *ctx)
{
	struct tx_want want = { e, fr->descs };
	uint64_t f = spin_lock_irqsave(&e->tx_lock);

	if (!tx_wait_room(&e->tx_lock, &f, tx_check, &want)) {
		e->counts.tx_dropped++;
		spin_unlock_irqrestore(&e->tx_lock, f);
		return -ENOBUFS;
	}
	unsigned first = e->tx_tail;
	uint8_t *frame = e->tx_bufs + (size_t)((first + fr->sum) % NDESC) * BUF_SIZE;
	if (fr->sum)
		put_context(e, fr);
	put_copied(e, fr, fr->in_place ? 1 : fr->nsegs);
	for (int i = 1; fr->in_place && i < fr->nsegs; i++)
		put_data(e, virt_to_phys(fr->segs[i].data), fr->segs[i].len, fr);
	e->tx[(e->tx_tail + NDESC - 1) % NDESC].lower |= TXD_CMD_EOP | TXD_CMD_RS;
	if (fr->tso)
		tso_headers(frame, fr);
	else if (fr->partial && !fr->sum)
		csum_complete(frame, fr->len, fr->o->start, fr->o->offset);
	e->tx_descs[first] = (uint8_t)fr->descs;
	if (done)
		track_in_place(e, first, done, ctx);
	barrier();	/* the descriptors and the frame before the tail that hands them over */
	e1000e_wr(e, REG_TDT, e->tx_tail);
	e->counts.tx_frames++;
	e->counts.tx_segmented += fr->tso;
	tx_reclaim(e);
	spin_unlock_irqrestore(&e->tx_lock, f);
	return 0;
}

int e1000e_transmit(struct net_port *port, const struct net_seg *segs, int nsegs,
		    const struct net_tx_offload *o)
{
	struct tx_frame fr;

	if (!plan(&fr, segs, nsegs, o, false))
		return -EINVAL;
	return tx_send(port->driver, &fr, NULL, NULL);
}

/* segs[0], the headers, is copied; the rest is read where it lies.  A
 * frame the device is not to segment, or of more pieces than a frame's
 * descriptors, is copied whole instead, and done at once. */
int e1000e_transmit_in_place(struct net_port *port, const struct net_seg *segs, int nsegs,
			     const struct net_tx_offload *o, void (*done)(void *ctx), void *ctx)
{
	struct tx_frame fr;

	if (!plan(&fr, segs, nsegs, o, true) || !fr.tso) {
		int err = e1000e_transmit(port, segs, nsegs, o);
		if (!err)
			done(ctx);
		return err;
	}
	return tx_send(port->driver, &fr, done, ctx);
}

/* Frames sent in place, and no transmit since to take them back: this
 * does, in interrupt context. */
static void tx_timer_fired(struct timer *t)
{
	struct e1000e *e = container_of(t, struct e1000e, tx_timer);

	spin_lock(&e->tx_lock);
	tx_reclaim(e);
	e->tx_timer_set = e->tx_in_place > 0;
	if (e->tx_timer_set)
		timer_arm(&e->tx_timer, clock_ns() + RECLAIM_NS);
	spin_unlock(&e->tx_lock);
}

int e1000e_tx_setup(struct e1000e *e)
{
	e->tx = page_alloc_virt(1);
	e->tx_bufs = page_alloc_virt(NDESC * BUF_SIZE / PAGE_SIZE);
	if (!e->tx || !e->tx_bufs)
		return -ENOMEM;
	memset((void *)e->tx, 0, PAGE_SIZE);
	e->tx_timer.fn = tx_timer_fired;
	uint64_t pa = virt_to_phys((const void *)e->tx);
	e1000e_wr(e, REG_TDBAL, (uint32_t)pa);
	e1000e_wr(e, REG_TDBAH, (uint32_t)(pa >> 32));
	e1000e_wr(e, REG_TDLEN, NDESC * sizeof(struct e1000e_txd));
	e1000e_wr(e, REG_TDH, 0);
	e1000e_wr(e, REG_TDT, 0);
	e1000e_wr(e, REG_TARC0, e1000e_rd(e, REG_TARC0) | TARC_ENABLE);
	e1000e_wr(e, REG_TIPG, TIPG_DEFAULT);
	e1000e_wr(e, REG_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD_FD);
	return 0;
}
