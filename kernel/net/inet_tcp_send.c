/* TCP data sent: sendmsg, and sendfile's pages through it.
 *
 * A bulk send (two segments' worth or more) is copied straight from the
 * program's buffer, or from sendfile's page, into segments, outside lwIP's
 * core lock.  The lock is taken only to see how much room the connection
 * has and to link the filled segments into its queue (tcp_write_filled,
 * our lwIP patch 12).  tcp_write would copy under the lock, from a bounce
 * buffer the bytes had to reach first: two copies, one of them holding up
 * every other CPU's sockets.
 *
 * A small send keeps to netconn_write, through the bounce buffer (user
 * bytes may fault, and tcp_write's memcpy must not): tcp_write may add it
 * to the last segment queued, so small writes still make few segments. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/timer.h"
#include "net/inet_internal.h"

#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#define BULK_MIN	(2 * TCP_MSS)	/* sends this long go by filled segments */
#define BATCH_SEGS	44		/* full segments per batch: under 64 KiB */
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

static size_t send_small(struct inet_sock *sk, const struct sock_msg *m, bool more,
			 uint64_t deadline, bool nonblock, long *err)
{
	if (!sk->tx_bounce && !(sk->tx_bounce = kmalloc(BULK_MIN))) {
		*err = -ENOBUFS;
		return 0;
	}
	long r = sock_msg_drain(m, 0, sk->tx_bounce, m->len);
	if (r < 0) {
		*err = r;
		return 0;
	}
	u8_t flags = NETCONN_COPY | (more ? NETCONN_MORE : 0);
	return send_chunk(sk, sk->tx_bounce, m->len, flags, deadline, nonblock, err);
}

/* ---- bulk sends: segments filled outside the core lock -------------------- */

struct room {
	size_t bytes;		/* what the connection takes now */
	u16_t seg;		/* in segments of this size */
	err_t err;		/* ERR_OK, or why it takes nothing */
};

static struct room room_now(struct inet_sock *sk)
{
	struct room r = { 0, 0, ERR_CLSD };

	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = sk->conn->pcb.tcp;
	if (pcb && pcb->state != ESTABLISHED && pcb->state != CLOSE_WAIT)
		r.err = ERR_CONN;
	else if (pcb) {
		size_t segs = TCP_SND_QUEUELEN > pcb->snd_queuelen ?
			      TCP_SND_QUEUELEN - pcb->snd_queuelen : 0;
		r.seg = tcp_write_seg_size(pcb);
		r.bytes = tcp_sndbuf(pcb);
		if (r.bytes > (segs < BATCH_SEGS ? segs : BATCH_SEGS) * r.seg)
			r.bytes = (segs < BATCH_SEGS ? segs : BATCH_SEGS) * r.seg;
		r.err = ERR_OK;
	}
	UNLOCK_TCPIP_CORE();
	return r;
}

/* Copies n bytes of m from off into segments of seg bytes (the last may
 * be shorter), no lock held.  How many were filled; fewer, with *err set,
 * on a fault or when lwIP's memory runs out. */
static u16_t fill(const struct sock_msg *m, size_t off, size_t n, u16_t seg, struct pbuf **p,
		  long *err)
{
	u16_t k = 0;

	for (size_t done = 0; done < n; done += p[k++]->len) {
		u16_t len = n - done < seg ? (u16_t)(n - done) : seg;
		p[k] = pbuf_alloc(PBUF_TRANSPORT, len, PBUF_RAM);
		long r = p[k] ? sock_msg_drain(m, off + done, p[k]->payload, len) : -ENOBUFS;
		if (r < 0) {
			if (p[k])
				pbuf_free(p[k]);
			*err = r;
			break;
		}
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
	long err = inet_wait(sk, seen, deadline && deadline < soon ? deadline : soon);
	return err == -EAGAIN && (!deadline || clock_ns() < deadline) ? 0 : err;
}

static size_t send_bulk(struct inet_sock *sk, const struct sock_msg *m, bool more,
			uint64_t deadline, bool nonblock, long *err)
{
	struct pbuf *p[BATCH_SEGS];
	size_t sent = 0;

	while (sent < m->len && !*err) {
		uint32_t seen = inet_events(sk);
		struct room r = room_now(sk);
		size_t n = m->len - sent < r.bytes ? m->len - sent : r.bytes;
		if (r.err != ERR_OK) {
			*err = send_refusal(sk);
			break;
		}
		if (n < r.seg && n < m->len - sent) {	/* not a full segment's room */
			*err = wait_room(sk, seen, deadline, nonblock, false);
			continue;
		}
		long fill_err = 0;
		u16_t k = fill(m, sent, n, r.seg, p, &fill_err);
		size_t filled = k ? (size_t)(k - 1) * r.seg + p[k - 1]->len : 0;
		err_t e = k ? queue(sk, p, k, more || sent + filled < m->len) : ERR_OK;
		if (e == ERR_OK)
			sent += filled;
		bool nomem = e == ERR_MEM || (!k && fill_err == -ENOBUFS);
		if (nomem)
			*err = wait_room(sk, seen, deadline, nonblock, true);
		else if (e != ERR_OK)
			*err = send_refusal(sk);
		else if (fill_err && fill_err != -ENOBUFS)
			*err = fill_err;
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

long inet_tcp_sendmsg(struct socket *s, struct sock_msg *m)
{
	struct inet_sock *sk = inet_sk(s);
	bool nonblock = socket_nonblock(s, m->flags);
	bool more = (m->flags & MSG_MORE) || sk->cork;
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
	size_t sent = m->len >= BULK_MIN ? send_bulk(sk, m, more, deadline, nonblock, &err)
					 : send_small(sk, m, more, deadline, nonblock, &err);
	mutex_unlock(&sk->tx_lock);
	return sent ? (long)sent : err;
}
