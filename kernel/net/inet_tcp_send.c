/* TCP data sent: sendmsg, and sendfile's file pages (sendpages).
 *
 * A bulk send (two segments' worth or more) is copied straight from the
 * program's buffer into segments, outside lwIP's core lock; sendfile's
 * segments are not copied at all but point into the file's pages
 * (net/page_segments.c).  The lock is taken only to see how much room
 * the connection has and to link the filled segments into its queue
 * (tcp_write_filled, our lwIP patch 12).  tcp_write would copy under the
 * lock, from a bounce buffer the bytes had to reach first: two copies,
 * one of them holding up every other CPU's sockets.
 *
 * A small send keeps to netconn_write, through the bounce buffer (user
 * bytes may fault, and tcp_write's memcpy must not): tcp_write may add it
 * to the last segment queued, so small writes still make few segments.
 * So do the room left in that segment and a bulk send's tail shorter than
 * a segment, so that the segments in the middle of a stream stay full.
 *
 * When eth0's port segments (net_netif_cuts_tcp), a bulk send's segments
 * hold up to GSO_BYTES each, many MSSes (lwIP patch 14): lwIP's work per
 * segment, under the core lock, and its allocations are then done once
 * for every 22 MSSes rather than for each, and the port cuts them as it
 * cut the batches of single MSSes it was given before. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/timer.h"
#include "net/inet_internal.h"
#include "net/netif.h"
#include "net/page_segments.h"

#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#define BULK_MIN	(2 * TCP_MSS)	/* sends this long go by filled segments */
#define BATCH_SEGS	44		/* full segments per batch: under 64 KiB */
#define GSO_BYTES	(32 * 1024)	/* the most one segment of many MSSes holds */
#define NOMEM_RETRY_NS	(10ull * 1000000)

/* Why nothing can be sent now: a pending error (once), or EPIPE. */
static long send_refusal(struct inet_sock *sk)
{
	int err = inet_take_async_err(sk);
	if (err)
		return err;
	if (sk->state == INET_CLOSED && sk->so_error) {
		err = sk->so_error;
		sk->so_error = 0;
		return err;
	}
	return -EPIPE;
}

/* ---- where a send's bytes come from --------------------------------------- */

struct send_src {
	const struct sock_msg *msg;		/* the program's buffers, or */
	const struct page_source *pages;	/* a file's pages */
	size_t len;
};

/* n bytes of src from off copied to dst: 0 or -errno. */
static long src_copy(const struct send_src *src, size_t off, void *dst, size_t n)
{
	if (src->pages)
		return page_source_copy(src->pages, off, dst, n);
	long r = sock_msg_drain(src->msg, off, dst, n);
	return r < 0 ? r : 0;
}

/* ---- small sends: netconn_write ------------------------------------------- */

/* Writes n bytes of data (kernel memory), waiting for room as needed.
 * Bytes written; *err set when it stopped early. */
static size_t send_chunk(struct inet_sock *sk, const char *data, size_t n, u8_t flags,
			 uint64_t deadline, bool nonblock, long *err)
{
	size_t off = 0;

	while (off < n) {
		uint32_t seen = inet_events(sk);
		size_t written = 0;
		err_t e = netconn_write_partly(sk->conn, data + off, n - off, flags, &written);
		off += written;
		if (off == n)
			break;
		if (e != ERR_OK && e != ERR_WOULDBLOCK && e != ERR_MEM) {
			*err = e == ERR_RTE ? -ENETUNREACH : send_refusal(sk);
			break;
		}
		if (nonblock) {
			*err = -EAGAIN;
			break;
		}
		*err = inet_wait(sk, seen, deadline);
		if (*err)
			break;
	}
	return off;
}

/* Sends n bytes of src from off (at most BULK_MIN) through the bounce
 * buffer and netconn_write. */
static size_t send_copied(struct inet_sock *sk, const struct send_src *src, size_t off, size_t n,
			  bool more, uint64_t deadline, bool nonblock, long *err)
{
	if (!sk->tx_bounce && !(sk->tx_bounce = kmalloc(BULK_MIN))) {
		*err = -ENOBUFS;
		return 0;
	}
	long r = src_copy(src, off, sk->tx_bounce, n);
	if (r < 0) {
		*err = r;
		return 0;
	}
	u8_t flags = NETCONN_COPY | (more ? NETCONN_MORE : 0);
	return send_chunk(sk, sk->tx_bounce, n, flags, deadline, nonblock, err);
}

/* ---- bulk sends: segments filled outside the core lock -------------------- */

_Static_assert(BATCH_SEGS * TCP_MSS <= 0xffff, "tcp_write_filled takes under 64 KiB");
_Static_assert(!LWIP_TCP_TIMESTAMPS, "filled segments have no room for TCP options");

struct room {
	bool open;		/* the connection still takes data */
	size_t bytes;		/* what it takes now, in whole segments */
	u16_t seg;		/* of this size */
	u16_t per;		/* of which one lwIP segment may hold this many */
	u16_t top_up;		/* room left in the last queued segment */
};

/* Whether pcb's peer is one of out's own addresses: lwIP loops such
 * segments back whole, and the receiving side may want their checksum. */
static bool to_own_address(struct tcp_pcb *pcb, struct netif *out)
{
	if (IP_IS_V6(&pcb->remote_ip))
		return netif_get_ip6_addr_match(out, ip_2_ip6(&pcb->remote_ip)) >= 0;
	return ip4_addr_cmp(ip_2_ip4(&pcb->remote_ip), netif_ip4_addr(out));
}

/* How many MSSes one of pcb's segments may hold: many when the port cuts
 * them (and the peer's window does not keep segments below an MSS). */
static u16_t mss_per_segment(struct tcp_pcb *pcb, u16_t seg)
{
	struct netif *out = ip_route(&pcb->local_ip, &pcb->remote_ip);

	if (seg != pcb->mss || !net_netif_cuts_tcp(out, IP_IS_V6(&pcb->remote_ip)) ||
	    to_own_address(pcb, out))
		return 1;
	return GSO_BYTES / seg ? GSO_BYTES / seg : 1;
}

/* At most `segs` segments' worth, each of up to `pbufs` pbufs (lwIP
 * counts its queue in pbufs). */
static struct room room_now(struct inet_sock *sk, size_t segs, size_t pbufs)
{
	struct room r = { 0 };

	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = sk->conn->pcb.tcp;
	if (pcb && (pcb->state == ESTABLISHED || pcb->state == CLOSE_WAIT)) {
		size_t queue_room = TCP_SND_QUEUELEN > pcb->snd_queuelen ?
				    (TCP_SND_QUEUELEN - pcb->snd_queuelen) / pbufs : 0;
		r.open = true;
		r.seg = tcp_write_seg_size(pcb);
		r.per = mss_per_segment(pcb, r.seg);
		size_t n = tcp_sndbuf(pcb) / r.seg;
		if (n > queue_room)
			n = queue_room;
		r.bytes = (n < segs ? n : segs) * r.seg;
		r.top_up = pcb->unsent ? pcb->unsent_oversize : 0;
	}
	UNLOCK_TCPIP_CORE();
	return r;
}

/* n bytes of src from off as segments of seg bytes (the last perhaps
 * shorter), no lock held: the program's bytes copied in, a file's pages
 * by reference.  How many were made; fewer, with *err set, on a fault, a
 * file's end or when lwIP's memory runs out. */
static u16_t fill(const struct send_src *src, size_t off, size_t n, u16_t seg, struct pbuf **p,
		  long *err)
{
	if (src->pages)
		return page_source_segments(src->pages, off, n, seg, p, err);
	const struct sock_msg *m = src->msg;
	u16_t k = 0;

	for (size_t done = 0; done < n; done += seg) {
		u16_t len = n - done < seg ? (u16_t)(n - done) : seg;
		p[k] = pbuf_alloc(PBUF_TRANSPORT, len, PBUF_RAM);
		long r = p[k] ? sock_msg_drain(m, off + done, p[k]->payload, len) : -ENOBUFS;
		if (r < 0) {
			if (p[k])
				pbuf_free(p[k]);
			*err = r;
			break;
		}
		k++;
	}
	return k;
}

/* Links k filled segments into the connection's queue (they are lwIP's
 * from here, queued or freed) and sends what the windows allow.  As
 * netconn_write does, a queue above the low-water marks reports the
 * socket not writable. */
static err_t queue(struct inet_sock *sk, struct pbuf **p, u16_t k, bool more)
{
	err_t e = ERR_CLSD;

	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = sk->conn->pcb.tcp;
	if (pcb)
		e = tcp_write_filled(pcb, p, k, more ? TCP_WRITE_FLAG_MORE : 0);
	else
		for (u16_t i = 0; i < k; i++)
			pbuf_free(p[i]);
	if (e == ERR_OK) {
		tcp_output(pcb);
		if (tcp_sndbuf(pcb) <= TCP_SNDLOWAT || tcp_sndqueuelen(pcb) >= TCP_SNDQUEUELOWAT)
			sk->conn->callback(sk->conn, NETCONN_EVT_SENDMINUS, 0);
	}
	UNLOCK_TCPIP_CORE();
	return e;
}

/* lwIP's memory ran out: the socket is not writable until lwIP's poll
 * finds room again (NETCONN_FLAG_CHECK_WRITESPACE), as after a netconn
 * write that hit ERR_MEM, so that poll and epoll do not report it
 * writable in the meantime. */
static void report_no_memory(struct inet_sock *sk)
{
	LOCK_TCPIP_CORE();
	if (sk->conn->pcb.tcp) {
		netconn_set_flags(sk->conn, NETCONN_FLAG_CHECK_WRITESPACE);
		sk->conn->callback(sk->conn, NETCONN_EVT_SENDMINUS, 0);
	}
	UNLOCK_TCPIP_CORE();
}

/* Waits for the connection to take more: room (an ACK) or lwIP's memory
 * (no event says it came back, so look again after a while). */
static long wait_room(struct inet_sock *sk, uint32_t seen, uint64_t deadline, bool nonblock,
		      bool nomem)
{
	if (nonblock)
		return -EAGAIN;
	if (!nomem)
		return inet_wait(sk, seen, deadline);
	uint64_t soon = clock_ns() + NOMEM_RETRY_NS;
	return inet_wait(sk, seen, deadline && deadline < soon ? deadline : soon);
}

/* Whole segments go filled; the room left in the last queued segment and
 * a tail shorter than a segment go through tcp_write, as its own writes
 * would, so that segments in the middle of the stream stay full.  When
 * lwIP's memory runs short, batches halve until one fits. */
static size_t send_bulk(struct inet_sock *sk, const struct send_src *src, bool more,
			uint64_t deadline, bool nonblock, long *err)
{
	struct pbuf *p[BATCH_SEGS];
	size_t sent = 0, batch = BATCH_SEGS;
	size_t pbufs = src->pages ? 3 : 1;	/* a segment of pages: head and two pieces */

	while (sent < src->len && !*err) {
		uint32_t seen = inet_events(sk);
		struct room r = room_now(sk, batch, pbufs);
		size_t left = src->len - sent;
		if (!r.open) {
			*err = send_refusal(sk);
			break;
		}
		if (r.top_up || left < r.seg) {
			size_t n = r.top_up && r.top_up < left ? r.top_up : left;
			sent += send_copied(sk, src, sent, n, more || n < left, deadline, nonblock, err);
			continue;
		}
		size_t n = left < r.bytes ? left - left % r.seg : r.bytes;
		if (!n) {	/* not a whole segment's room */
			*err = wait_room(sk, seen, deadline, nonblock, false);
			continue;
		}
		long fill_err = 0;
		u16_t seg = (u16_t)(r.seg * r.per);
		u16_t k = fill(src, sent, n, seg, p, &fill_err);
		size_t made = (size_t)k * seg < n ? (size_t)k * seg : n;
		err_t e = k ? queue(sk, p, k, more || sent + made < src->len) : ERR_MEM;
		if (e == ERR_OK) {
			sent += made;
			batch = BATCH_SEGS;
		}
		if (e == ERR_MEM && (k || fill_err == -ENOBUFS)) {
			batch = batch > 1 ? batch / 2 : 1;
			report_no_memory(sk);
			*err = wait_room(sk, seen, deadline, nonblock, true);
		} else if (e != ERR_OK && e != ERR_MEM) {
			*err = send_refusal(sk);
		} else if (fill_err && fill_err != -ENOBUFS) {
			*err = fill_err;
		}
	}
	return sent;
}

/* ---- sendmsg -------------------------------------------------------------- */

static long send_check(struct inet_sock *sk)
{
	inet_tcp_settle(sk);
	if (sk->state == INET_CONNECTED && !sk->shut_wr && !sk->async_err && sk->conn->pcb.tcp)
		return 0;
	if (sk->state == INET_IDLE || sk->state == INET_LISTEN)
		return -EPIPE;	/* Linux: never connected is a broken pipe too */
	if (sk->state == INET_CONNECTING)
		return -EAGAIN;
	return send_refusal(sk);
}

static long tcp_send(struct socket *s, const struct send_src *src, int flags)
{
	struct inet_sock *sk = inet_sk(s);
	bool nonblock = socket_nonblock(s, flags);
	bool more = (flags & MSG_MORE) || sk->cork;
	uint64_t deadline = socket_deadline(s->sndtimeo_ns);
	long err = send_check(sk);

	if (err == -EAGAIN && !nonblock) {
		/* Connecting: a blocking send waits for the outcome. */
		while (err == -EAGAIN) {
			uint32_t seen = inet_events(sk);
			if ((err = send_check(sk)) != -EAGAIN || (err = inet_wait(sk, seen, deadline)))
				break;
			err = -EAGAIN;
		}
	}
	if (err)
		return err;
	mutex_lock(&sk->tx_lock);
	size_t sent = src->len >= BULK_MIN ? send_bulk(sk, src, more, deadline, nonblock, &err)
					   : send_copied(sk, src, 0, src->len, more, deadline, nonblock, &err);
	mutex_unlock(&sk->tx_lock);
	return sent ? (long)sent : err;
}

long inet_tcp_sendmsg(struct socket *s, struct sock_msg *m)
{
	struct send_src src = { .msg = m, .len = m->len };

	return tcp_send(s, &src, m->flags);
}

long inet_tcp_sendpages(struct socket *s, const struct page_source *pages, size_t len, int flags)
{
	struct send_src src = { .pages = pages, .len = len };

	return tcp_send(s, &src, flags);
}
