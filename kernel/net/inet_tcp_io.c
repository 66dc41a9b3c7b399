/* TCP data received: recvmsg from the pbufs lwIP queued (sending is
 * inet_tcp_send.c).
 *
 * Received chains are fetched without lwIP's automatic window update
 * (NETCONN_NOAUTORCVD).  The bytes fetched are given back to the window
 * in steps of at least WINDOW_STEP, one core-lock round per step rather
 * than per pbuf or per fetch: a server reading small requests would
 * otherwise take the lock once more for each.  The peer sees a window at
 * most a step smaller, which with lwIP's TCP_WND (128 KiB) never stalls
 * it; a step alone is below lwIP's threshold for sending a window
 * update at once, so a step seldom sends a frame of its own.  What a
 * read did not consume stays in rxq (and rx_more: a pbuf chain's length
 * is 16 bits, so one chain holds at most 64 KiB). */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "net/inet_internal.h"

#include "lwip/pbuf.h"
#include "lwip/tcp.h"

#define WINDOW_STEP	(TCP_WND_UPDATE_THRESHOLD - 1)
_Static_assert(WINDOW_STEP < TCP_WND / 4, "a step must leave the window open");

/* Gives the bytes fetched and not yet given back to lwIP's window.
 * Caller holds rx_lock, or is the socket's last user. */
void inet_tcp_give_back(struct inet_sock *sk)
{
	if (sk->rx_ungiven) {
		netconn_tcp_recvd(sk->conn, sk->rx_ungiven);
		sk->rx_ungiven = 0;
	}
}

/* Bytes a read could take now: all that arrived, fetched or still in
 * lwIP's mailbox (which conn->recv_avail counts).  Caller holds rx_lock. */
size_t inet_tcp_rx_bytes(struct inet_sock *sk)
{
	size_t n = (sk->rxq ? sk->rxq->tot_len : 0) + (sk->rx_more ? sk->rx_more->tot_len : 0);

	if (sk->state == INET_CONNECTED)
		n += (size_t)__atomic_load_n(&sk->conn->recv_avail, __ATOMIC_RELAXED);
	return n;
}

/* Moves what lwIP has queued into rxq/rx_more without waiting.  Bytes
 * fetched.  Caller holds rx_lock. */
int inet_tcp_fetch(struct inet_sock *sk)
{
	size_t got = 0;
	struct pbuf *p;

	while (!sk->rx_more && !sk->rx_eof) {
		err_t e = netconn_recv_tcp_pbuf_flags(sk->conn, &p, NETCONN_NOAUTORCVD);
		if (e == ERR_WOULDBLOCK)
			break;
		if (e != ERR_OK || !p) {
			/* FIN (ERR_CLSD), nothing left (ERR_CONN), or a reset or
			 * abort, maybe from before accept registered us. */
			if (e != ERR_CLSD && e != ERR_CONN && e != ERR_OK && !sk->async_err)
				sk->async_err = inet_err(e);
			sk->rx_eof = true;
			break;
		}
		got += p->tot_len;
		sk->rx_held += p->tot_len;
		if (!sk->rxq)
			sk->rxq = p;
		else if ((size_t)sk->rxq->tot_len + p->tot_len <= 0xffff)
			pbuf_cat(sk->rxq, p);
		else
			sk->rx_more = p;
	}
	sk->rx_ungiven += got;
	if (sk->rx_ungiven >= WINDOW_STEP || sk->rx_eof)
		inet_tcp_give_back(sk);		/* the window opens again */
	return (int)got;
}

/* Drops n bytes from the front of rxq. */
static void rx_consume(struct inet_sock *sk, size_t n)
{
	sk->rx_held -= n;
	sk->rxq = pbuf_free_header(sk->rxq, (u16_t)n);
	if (!sk->rxq) {
		sk->rxq = sk->rx_more;
		sk->rx_more = NULL;
	}
}

/* No data now: 0 at end of stream, or the connection's error. */
static long rx_end(struct inet_sock *sk)
{
	return inet_take_async_err(sk);
}

static long recv_unconnected(struct inet_sock *sk)
{
	if (sk->state == INET_CLOSED && sk->so_error) {
		long err = sk->so_error;
		sk->so_error = 0;
		return err;
	}
	return sk->state == INET_CLOSED ? 0 : -ENOTCONN;
}

/* The newest arrival time among the pbufs holding p's first n bytes (the
 * head of a segment has it; 0: none), for SO_TIMESTAMP: Linux gives a
 * read the time of the last segment it took from. */
static int64_t newest_stamp(const struct pbuf *p, size_t n, int64_t stamp)
{
	for (; p && n; p = p->next) {
		if (p->rx_ns > stamp)
			stamp = p->rx_ns;
		n -= n < p->len ? n : p->len;
	}
	return stamp;
}

/* One pass: copies what is there.  Bytes copied (0: none yet), or -errno
 * with *done set when the read is over (end of stream, error, fault). */
static long recv_some(struct inet_sock *sk, struct sock_msg *m, size_t copied, bool *done, int64_t *stamp)
{
	if (!sk->rxq && !sk->rx_eof && !sk->shut_rd)
		inet_tcp_fetch(sk);
	if (!sk->rxq) {
		*done = sk->rx_eof || sk->shut_rd;
		return *done && !copied ? rx_end(sk) : 0;
	}
	size_t n = m->len - copied < sk->rxq->tot_len ? m->len - copied : sk->rxq->tot_len;
	/* MSG_TRUNC on a stream: the bytes are dropped, not copied (Linux). */
	long r = (m->flags & MSG_TRUNC) ? (long)n : inet_msg_fill_pbuf(m, copied, sk->rxq, 0, n);
	if (r < 0) {
		*done = true;
		return r;
	}
	*stamp = newest_stamp(sk->rxq, n, *stamp);
	rx_consume(sk, n);
	return (long)n;
}

/* A peek's pass: what is queued, shown from the front again each time
 * (a peek takes nothing).  Bytes shown, or -errno; *done once no more
 * can come into view: the length is full, the end came, or rx_more is
 * taken (lwIP keeps the rest until a read makes room). */
static long peek_some(struct inet_sock *sk, struct sock_msg *m, bool *done, int64_t *stamp)
{
	if (!sk->rx_eof && !sk->shut_rd)
		inet_tcp_fetch(sk);
	if (!sk->rxq) {
		*done = sk->rx_eof || sk->shut_rd;
		return *done ? rx_end(sk) : 0;
	}
	struct pbuf *chains[2] = { sk->rxq, sk->rx_more };
	size_t shown = 0;
	for (int i = 0; i < 2 && chains[i] && shown < m->len; i++) {
		size_t n = m->len - shown < chains[i]->tot_len ? m->len - shown : chains[i]->tot_len;
		long r = (m->flags & MSG_TRUNC) ? (long)n : inet_msg_fill_pbuf(m, shown, chains[i], 0, n);
		if (r < 0) {
			*done = true;
			return r;
		}
		*stamp = newest_stamp(chains[i], n, *stamp);
		shown += n;
	}
	*done = shown == m->len || sk->rx_more || sk->rx_eof || sk->shut_rd;
	return (long)shown;
}

long inet_tcp_recvmsg(struct socket *s, struct sock_msg *m)
{
	struct inet_sock *sk = inet_sk(s);
	bool peek = m->flags & MSG_PEEK;
	uint64_t deadline = socket_deadline(s->rcvtimeo_ns);
	/* A non-blocking read, a timeout, a signal or the end still give
	 * what came before the target. */
	size_t target = socket_rcvlowat(s, m->flags, m->len);	/* a peek's too */
	size_t copied = 0, room = m->controllen;
	int64_t stamp = 0;
	long err = 0;

	m->namelen = 0;
	m->controllen = 0;
	if (m->flags & MSG_ERRQUEUE)
		return -EAGAIN;	/* TCP's queue holds no ICMP errors: never anything (Linux's ip_recv_error) */
	inet_tcp_settle(sk);
	/* Urgent data is never kept apart (lwIP has none to give): there is
	 * none to read, which Linux says with EINVAL. */
	if (m->flags & MSG_OOB)
		return sk->state == INET_LISTEN ? -ENOTCONN : -EINVAL;
	if (sk->state != INET_CONNECTED && sk->state != INET_CONNECTING)
		return recv_unconnected(sk);
	mutex_lock(&sk->rx_lock);
	for (;;) {
		uint32_t seen = inet_events(sk);
		bool done = false;
		long r = sk->state != INET_CONNECTED ? 0 :
			 peek ? peek_some(sk, m, &done, &stamp) : recv_some(sk, m, copied, &done, &stamp);
		if (r < 0) {
			err = r;
			break;
		}
		copied = peek ? (size_t)r : copied + (size_t)r;	/* a peek shows all again */
		/* A read of 0 bytes ends when there is data (or the end), as on
		 * Linux: 0 is then no end of stream, and EAGAIN says "none". */
		bool full = m->len ? copied == m->len : sk->rxq != NULL;
		if (done || full || (copied && copied >= target))
			break;
		if (r > 0 && !peek)
			continue;	/* more may have come while we copied */
		/* An error told at once (an ICMP error with IP_RECVERR) ends
		 * a read that has nothing, as Linux's tcp_recvmsg. */
		if (!copied && sk->state == INET_CONNECTED && (err = inet_take_async_err(sk)))
			break;
		if (socket_nonblock(s, m->flags)) {
			err = -EAGAIN;
			break;
		}
		mutex_unlock(&sk->rx_lock);
		err = inet_wait(sk, seen, deadline);
		inet_tcp_settle(sk);
		mutex_lock(&sk->rx_lock);
		if (err)
			break;
		/* Closed, or started again by connect(AF_UNSPEC) meanwhile:
		 * Linux tells a reader the disconnect ended EPIPE. */
		if (sk->state != INET_CONNECTED && sk->state != INET_CONNECTING) {
			err = sk->state == INET_IDLE ? -EPIPE : recv_unconnected(sk);
			break;
		}
	}
	mutex_unlock(&sk->rx_lock);
	m->flags = 0;
	if (copied && socket_tstamp_wanted(s)) {
		m->controllen = room;
		room = 0;
		socket_tstamp_put(s, stamp, m, &room);
		m->controllen = room;
	}
	return copied ? (long)copied : err;
}
