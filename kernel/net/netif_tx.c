/* eth0's transmit path, and TCP segmentation offload from the sender's
 * side.
 *
 * lwIP cuts a stream into segments of one MSS and sends them one by one,
 * each a trip through the port and, for a virtio-net, through QEMU and
 * the host's stack.  A port that can segment (a virtio-net with HOST_TSO
 * over a tap) takes instead one frame of up to 64 KiB: consecutive full
 * segments of one flow, sent while the core lock is held (one tcp_output
 * call, typically), are gathered into a batch.  The batch leaves as one
 * frame when a frame that does not continue it comes (another flow, a
 * pure ACK, a gap, anything not TCP), when a segment ends it (PSH, or shorter
 * than the rest), when it is full, and when the core lock is let go
 * (net_core_unlock), so nothing waits behind it.  A batch of one leaves
 * as it came.
 *
 * The batch keeps a reference to each segment's pbuf rather than a copy
 * (lwIP keeps them for retransmission anyway; the reference covers an ACK
 * that frees them first), and a copy of the first one's headers, which
 * the port repeats in front of each segment.  A port that can send the
 * payload from where it lies (transmit_in_place) keeps the references
 * until its device has read it, so bulk data is copied once on its way
 * out, from the program into lwIP's segments.  lwIP leaves a segment
 * whose pbuf is still referenced out of a retransmission
 * (tcp_output_segment_busy), which is right: its first copy has not left.
 *
 * Bulk sends give lwIP segments of many MSSes at once (LWIP_TCP_GSO,
 * net/inet_tcp_send.c), so that its per-segment work is done once for
 * each, not for every 1460 bytes.  Such a segment carries the MSS to cut
 * at (pbuf gso_mss); it starts a batch, or continues one with the same
 * MSS, like the segments it stands for.  One the port cannot segment
 * (it was queued before eth0 moved to a port without segmentation, or is
 * too scattered) is cut here, a copy of each piece. */
#include "net/netif_tx.h"

#include "lwip/pbuf.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "csum.h"
#include "net/netif_csum.h"
#include "net/port.h"

#define MAX_SEGS	32	/* pieces of an ordinary frame */
#define MAX_PIECES	128	/* pieces of a batch, its headers included */
#define MAX_HELD	64	/* segments in a batch */
#define IP_LEN_MAX	65535	/* an IP packet's length field */
#define ETH_HLEN	14

#define TCP_FLAGS	13	/* offsets in the TCP header */
#define TCP_SEQ		4
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_FIN		0x01

static struct {
	int held;			/* segments gathered; 0: no batch */
	struct net_port *port;
	struct netif_tcp_frame f;	/* the first segment's layout */
	uint8_t hdr[NETIF_CSUM_HDR_MAX];	/* its headers */
	uint8_t same[NETIF_CSUM_HDR_MAX];	/* 0xff where the rest must equal hdr */
	uint32_t gso_size;		/* the MSS: the first segment's payload, or its cut */
	uint32_t payload;		/* bytes of all of them */
	uint32_t next_seq;		/* where the next segment must start */
	uint8_t last_flags;		/* PSH and FIN of the last segment */
	struct pbuf *pbufs[MAX_HELD];	/* a reference each */
	struct net_seg pieces[MAX_PIECES];	/* [0]: the headers */
	int npieces;
	uint64_t sent_segments, sent_frames;	/* MSSes, and the frames the port cut them from */
} batch;

static uint64_t cut_here;	/* segments send_cut cut, for -v */

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put_be16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put_be32(uint8_t *b, uint32_t v)
{
	put_be16(b, v >> 16);
	put_be16(b + 2, v);
}

static uint32_t payload_of(const struct netif_tcp_frame *f)
{
	return f->ip_len - (uint32_t)(f->hdr_len - f->ip);
}

/* The MSS a TCP segment longer than the link takes is to be cut at: what
 * lwIP marked it with, or for a copy that lost the mark (one ARP queued)
 * what the link's MTU leaves; 0 for a segment that fits. */
static uint32_t cut_size(const struct pbuf *p, const struct netif_tcp_frame *f,
			 const struct net_port *port)
{
	if (p->gso_mss)
		return p->gso_mss;
	if (f->ip_len <= net_port_mtu(port))
		return 0;
	return net_port_mtu(port) - (uint32_t)(f->hdr_len - f->ip);
}

/* The IPv4 header's checksum, over its header as it now is. */
static void ip4_header_sum(uint8_t *ip, size_t len)
{
	put_be16(ip + 10, 0);
	put_be16(ip + 10, (uint16_t)~csum_fold(ip, len, 0));
}

/* segs[] for the bytes of chain p from offset off on; -1 when it takes
 * more than room entries. */
static int chain_segs(struct pbuf *p, size_t off, struct net_seg *segs, int n, int room)
{
	for (; p; p = p->next) {
		if (off >= p->len) {
			off -= p->len;
			continue;
		}
		if (n == room)
			return -1;
		segs[n++] = (struct net_seg){ (const char *)p->payload + off, p->len - off };
		off = 0;
	}
	return n;
}

/* ---- ordinary frames ---------------------------------------------------- */

static int send_chain(struct net_port *port, bool csum, struct pbuf *p)
{
	struct net_seg segs[MAX_SEGS];
	struct net_tx_offload o = { 0 };
	uint8_t hdr[NETIF_CSUM_HDR_MAX];
	struct netif_tcp_frame f;
	size_t hlen = 0;
	int n = 0;

	/* With offload, the headers go from a copy that carries the TCP
	 * pseudo-header sum: lwIP's own pbufs (kept for retransmission) are
	 * left as lwIP wrote them. */
	if (csum) {
		size_t have = pbuf_copy_partial(p, hdr, sizeof hdr, 0);
		if (netif_tcp_frame_parse(hdr, have, &f)) {
			netif_csum_prepare(hdr, &f, &o);
			hlen = f.hdr_len;
			segs[n++] = (struct net_seg){ hdr, hlen };
		}
	}
	n = chain_segs(p, hlen, segs, n, MAX_SEGS);
	if (n < 0)
		return -E2BIG;
	return port->ops->transmit(port, segs, n, &o);
}

static int send_frame(struct net_port *port, bool csum, struct pbuf *p)
{
	int err = send_chain(port, csum, p);

	if (err == -E2BIG) {	/* a long chain: one contiguous copy */
		struct pbuf *q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
		if (!q)
			return -ENOMEM;
		err = send_chain(port, csum, q);
		pbuf_free(q);
	}
	return err;
}

/* ---- batches ------------------------------------------------------------ */

/* batch.same for headers laid out as f: all but the fields that differ
 * between a flow's segments (IP length, ID and checksum, TCP sequence
 * number, flags and checksum). */
static void set_same(const struct netif_tcp_frame *f)
{
	uint8_t *ip = batch.same + f->ip, *tcp = batch.same + f->tcp;

	memset(batch.same, 0xff, sizeof batch.same);
	if (f->v6) {
		memset(ip + 4, 0, 2);
	} else {
		memset(ip + 2, 0, 4);
		memset(ip + 10, 0, 2);
	}
	memset(tcp + TCP_SEQ, 0, 4);
	tcp[TCP_FLAGS] = 0;
	memset(tcp + 16, 0, 2);
}

typedef uint64_t __attribute__((may_alias, aligned(1))) word;

/* hdr equals the batch's headers where batch.same says, 8 bytes a step:
 * every segment of a batch comes through here. */
static bool same_headers(const uint8_t *hdr, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8)
		if ((*(const word *)(hdr + i) ^ *(const word *)(batch.hdr + i)) &
		    *(const word *)(batch.same + i))
			return false;
	for (; i < len; i++)
		if ((hdr[i] ^ batch.hdr[i]) & batch.same[i])
			return false;
	return true;
}

/* A data segment that could share a batch: TCP with data, flags ACK and
 * perhaps PSH or FIN (the port leaves them on the last piece it cuts), of
 * a family the port cuts. */
static bool batchable(const uint8_t *hdr, const struct netif_tcp_frame *f, unsigned offloads,
		      size_t frame_len)
{
	uint8_t flags = hdr[f->tcp + TCP_FLAGS];

	return (flags & ~(TCP_PSH | TCP_FIN)) == TCP_ACK && payload_of(f) &&
	       f->ip + f->ip_len == frame_len &&
	       (offloads & (f->v6 ? NET_PORT_TX_TSO6 : NET_PORT_TX_TSO4));
}

/* Does the segment continue the batch: the same flow and headers, the
 * next sequence number, no more payload than the first (or, cut, the same
 * MSS), and room?  The batch so far ends on an MSS, as every segment but
 * its last is whole (netif_tx_flush follows a short one). */
static bool continues(const uint8_t *hdr, const struct netif_tcp_frame *f, uint32_t cut,
		      struct net_port *port)
{
	uint32_t payload = payload_of(f);

	if (port != batch.port || f->hdr_len != batch.f.hdr_len || f->v6 != batch.f.v6 ||
	    be32(hdr + f->tcp + TCP_SEQ) != batch.next_seq ||
	    (cut ? cut != batch.gso_size : payload > batch.gso_size) ||
	    batch.held == MAX_HELD ||
	    (uint32_t)(batch.f.hdr_len - batch.f.ip) + batch.payload + payload > IP_LEN_MAX)
		return false;
	return same_headers(hdr, f->hdr_len);
}

/* Adds segment p to the batch; false when its pieces do not fit. */
static bool add(struct pbuf *p, const uint8_t *hdr, const struct netif_tcp_frame *f)
{
	uint32_t payload = payload_of(f);
	int n = chain_segs(p, f->hdr_len, batch.pieces, batch.npieces, MAX_PIECES);

	if (n < 0)
		return false;
	batch.npieces = n;
	pbuf_ref(p);
	batch.pbufs[batch.held++] = p;
	batch.payload += payload;
	batch.next_seq = be32(hdr + f->tcp + TCP_SEQ) + payload;
	batch.last_flags = hdr[f->tcp + TCP_FLAGS] & (TCP_PSH | TCP_FIN);
	return true;
}

/* A batch beginning with p, to be cut at its payload or at cut; false
 * when p is too scattered to be one. */
static bool start(struct net_port *port, struct pbuf *p, const uint8_t *hdr,
		  const struct netif_tcp_frame *f, uint32_t cut)
{
	batch.port = port;
	batch.f = *f;
	memcpy(batch.hdr, hdr, f->hdr_len);
	set_same(f);
	batch.gso_size = cut ? cut : payload_of(f);
	batch.payload = 0;
	batch.npieces = 1;
	return add(p, hdr, f);
}

/* The batch's headers as one frame's: its lengths, PSH and FIN if its
 * last segment had them, the IPv4 header checksum; and the port's
 * instructions. */
static void batch_headers(struct net_tx_offload *o)
{
	struct netif_tcp_frame f = batch.f;
	uint8_t *ip = batch.hdr + f.ip;

	f.ip_len = (uint32_t)(f.hdr_len - f.ip) + batch.payload;
	if (f.v6) {
		put_be16(ip + 4, f.ip_len - 40);
	} else {
		put_be16(ip + 2, f.ip_len);
		ip4_header_sum(ip, (size_t)(f.tcp - f.ip));
	}
	batch.hdr[f.tcp + TCP_FLAGS] |= batch.last_flags;
	netif_csum_prepare(batch.hdr, &f, o);
	o->gso_size = (uint16_t)batch.gso_size;
	o->hdr_len = f.hdr_len;
	o->gso_type = f.v6 ? NET_GSO_TCP6 : NET_GSO_TCP4;
}

static void release(void)
{
	for (int i = 0; i < batch.held; i++)
		pbuf_free(batch.pbufs[i]);
	batch.held = 0;
}

/* A batch the port sends in place: its headers and its references, for
 * as long as the device reads the payload. */
struct in_flight {
	int held;
	struct pbuf *pbufs[MAX_HELD];
	uint8_t hdr[NETIF_CSUM_HDR_MAX];
};

/* transmit_in_place's done: the device has read the payload. */
static void in_flight_done(void *ctx)
{
	struct in_flight *t = ctx;

	for (int i = 0; i < t->held; i++)
		pbuf_free(t->pbufs[i]);
	kfree(t);
}

/* The batch's frame sent in place; false when it could not be (no memory
 * for the record), and the batch is as it was. */
static bool send_in_place(const struct net_tx_offload *o)
{
	struct in_flight *t = kmalloc_uninit(sizeof *t);

	if (!t)
		return false;
	t->held = batch.held;
	memcpy(t->pbufs, batch.pbufs, sizeof batch.pbufs[0] * (size_t)batch.held);
	memcpy(t->hdr, batch.hdr, batch.f.hdr_len);
	batch.pieces[0] = (struct net_seg){ t->hdr, batch.f.hdr_len };
	batch.held = 0;		/* the references are t's */
	if (batch.port->ops->transmit_in_place(batch.port, batch.pieces, batch.npieces, o,
					       in_flight_done, t))
		in_flight_done(t);	/* lost, as on a full NIC */
	return true;
}

/* A frame lost here is lost as on a full NIC; TCP sends it again. */
void netif_tx_flush(void)
{
	struct net_tx_offload o = { 0 };

	if (!batch.held)
		return;
	if (batch.held == 1 && batch.payload <= batch.gso_size) {
		netif_csum_prepare(batch.hdr, &batch.f, &o);
	} else {
		batch_headers(&o);
		batch.sent_segments += (batch.payload + batch.gso_size - 1) / batch.gso_size;
		batch.sent_frames++;
		if (batch.port->ops->transmit_in_place && send_in_place(&o))
			return;
	}
	batch.pieces[0] = (struct net_seg){ batch.hdr, batch.f.hdr_len };
	batch.port->ops->transmit(batch.port, batch.pieces, batch.npieces, &o);
	release();
}

/* p's headers, where lwIP builds them (its first pbuf) or else copied
 * into copy; false when p is not TCP. */
static bool read_headers(struct pbuf *p, uint8_t *copy, const uint8_t **hdr,
			 struct netif_tcp_frame *f)
{
	*hdr = p->payload;
	if (netif_tcp_frame_parse(*hdr, p->len, f))
		return true;
	if (!p->next)
		return false;
	*hdr = copy;
	return netif_tcp_frame_parse(copy, pbuf_copy_partial(p, copy, NETIF_CSUM_HDR_MAX, 0), f);
}

/* true when p went into the batch (or began one). */
static bool gather(struct net_port *port, unsigned offloads, struct pbuf *p)
{
	uint8_t copy[NETIF_CSUM_HDR_MAX];
	const uint8_t *hdr;
	struct netif_tcp_frame f;

	if (!read_headers(p, copy, &hdr, &f) || !batchable(hdr, &f, offloads, p->tot_len)) {
		netif_tx_flush();
		return false;
	}
	bool ends = hdr[f.tcp + TCP_FLAGS] & (TCP_PSH | TCP_FIN);
	uint32_t cut = cut_size(p, &f, port);
	if (batch.held && continues(hdr, &f, cut, port) && add(p, hdr, &f)) {
		if (ends || payload_of(&f) % batch.gso_size)
			netif_tx_flush();
		return true;
	}
	netif_tx_flush();
	/* A segment that ends what it begins leaves as it is, unless it is
	 * to be cut. */
	if ((ends && !cut) || !start(port, p, hdr, &f, cut))
		return false;
	if (ends || payload_of(&f) % batch.gso_size)
		netif_tx_flush();
	return true;
}

/* ---- segments cut here -------------------------------------------------- */

/* Turns frame's headers (a copy of segment p's, laid out as f) into those
 * of its piece number k, the n bytes from off: lengths, IPv4 ID, sequence
 * number, PSH and FIN on the last piece only; the frame's layout in *g. */
static void piece_headers(uint8_t *frame, const struct netif_tcp_frame *f, uint32_t k,
			  uint32_t off, uint32_t n, struct netif_tcp_frame *g)
{
	uint8_t *ip = frame + f->ip, *tcp = frame + f->tcp;

	*g = *f;
	g->ip_len = (uint32_t)(f->hdr_len - f->ip) + n;
	if (f->v6) {
		put_be16(ip + 4, g->ip_len - 40);
	} else {
		put_be16(ip + 2, g->ip_len);
		put_be16(ip + 4, (uint32_t)(ip[4] << 8 | ip[5]) + k);
		ip4_header_sum(ip, (size_t)(f->tcp - f->ip));
	}
	put_be32(tcp + TCP_SEQ, be32(tcp + TCP_SEQ) + off);
	if (off + n < payload_of(f))
		tcp[TCP_FLAGS] &= (uint8_t)~(TCP_PSH | TCP_FIN);
}

/* Sends TCP segment p, longer than the link takes, as pieces of at most
 * the MSS it is to be cut at, each a copy with its own headers and
 * checksums. */
static int send_cut(struct net_port *port, unsigned offloads, struct pbuf *p)
{
	uint8_t hdr[NETIF_CSUM_HDR_MAX];
	struct netif_tcp_frame f;

	if (!netif_tcp_frame_parse(hdr, pbuf_copy_partial(p, hdr, sizeof hdr, 0), &f))
		return -EINVAL;	/* not TCP: lwIP fragments anything else */
	uint32_t cut = cut_size(p, &f, port), payload = payload_of(&f);
	if (!cut)
		return -EINVAL;
	uint8_t *frame = kmalloc_uninit(f.hdr_len + cut);
	int err = 0;

	if (!frame)
		return -ENOMEM;
	cut_here++;
	for (uint32_t off = 0, k = 0; off < payload && !err; off += cut, k++) {
		uint32_t n = payload - off < cut ? payload - off : cut;
		struct netif_tcp_frame g;
		struct net_tx_offload o = { 0 };
		memcpy(frame, hdr, f.hdr_len);
		pbuf_copy_partial(p, frame + f.hdr_len, (u16_t)n, (u16_t)(f.hdr_len + off));
		piece_headers(frame, &f, k, off, n, &g);
		netif_csum_prepare(frame, &g, &o);
		if (!(offloads & NET_PORT_TX_CSUM)) {
			csum_complete(frame, f.hdr_len + n, o.start, o.offset);
			o = (struct net_tx_offload){ 0 };
		}
		err = port->ops->transmit(port, &(struct net_seg){ frame, f.hdr_len + n }, 1, &o);
	}
	kfree(frame);
	return err;
}

void netif_tx_report(void)
{
	if (batch.sent_frames)
		printk_info("eth0: %lu TCP segments sent in %lu frames the port segmented\n",
			    batch.sent_segments, batch.sent_frames);
	if (cut_here)
		printk_info("eth0: %lu segments of many MSSes cut here (the port could not)\n",
			    cut_here);
}

int netif_tx_frame(struct net_port *port, unsigned offloads, struct pbuf *p)
{
	if ((offloads & (NET_PORT_TX_TSO4 | NET_PORT_TX_TSO6)) && gather(port, offloads, p))
		return 0;
	if (p->tot_len > ETH_HLEN + net_port_mtu(port))
		return send_cut(port, offloads, p);
	return send_frame(port, offloads & NET_PORT_TX_CSUM, p);
}
