/* TCP data: recvmsg from the pbufs lwIP queued, sendmsg through
 * netconn_write_partly.
 *
 * Received chains are fetched without lwIP's automatic window update
 * (NETCONN_NOAUTORCVD) and the window is reopened once per fetch for all
 * bytes taken, one core-lock round instead of one per pbuf.  What a read
 * did not consume stays in rxq (and rx_more: a pbuf chain's length is 16
 * bits, so one chain holds at most 64 KiB). */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "net/inet_internal.h"

#include "lwip/pbuf.h"
#include "lwip/tcp.h"

/* User bytes go through a kernel copy: tcp_write copies with memcpy,
 * which must not fault on a bad user pointer.  Kernel bytes (sendfile's)
 * cannot fault and go to tcp_write as they are. */
#define TX_BOUNCE (16 * 1024)

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
		if (!sk->rxq)
			sk->rxq = p;
		else if ((size_t)sk->rxq->tot_len + p->tot_len <= 0xffff)
			pbuf_cat(sk->rxq, p);
		else
			sk->rx_more = p;
	}
	if (got)
		netconn_tcp_recvd(sk->conn, got);	/* the window opens again */
	return (int)got;
}

/* Drops n bytes from the front of rxq. */
static void rx_consume(struct inet_sock *sk, size_t n)
{
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

/* One pass: copies what is there.  Bytes copied (0: none yet), or -errno
 * with *done set when the read is over (end of stream, error, fault). */
static long recv_some(struct inet_sock *sk, struct sock_msg *m, size_t copied, bool *done)
{
	if (!sk->rxq && !sk->rx_eof && !sk->shut_rd)
		inet_tcp_fetch(sk);
	if (!sk->rxq) {
		*done = sk->rx_eof || sk->shut_rd;
		return *done && !copied ? rx_end(sk) : 0;
	}
	size_t n = m->len - copied < sk->rxq->tot_len ? m->len - copied : sk->rxq->tot_len;
	long r = inet_msg_fill_pbuf(m, copied, sk->rxq, 0, n);
	if (r < 0) {
		*done = true;
		return r;
	}
	if (m->flags & MSG_PEEK)
		*done = true;	/* a peek shows what is queued, once */
	else
		rx_consume(sk, n);
	return (long)n;
}

long inet_tcp_recvmsg(struct socket *s, struct sock_msg *m)
{
	struct inet_sock *sk = inet_sk(s);
	bool waitall = (m->flags & (MSG_WAITALL | MSG_PEEK)) == MSG_WAITALL;
	uint64_t deadline = socket_deadline(s->rcvtimeo_ns);
	size_t copied = 0;
	long err = 0;

	m->namelen = 0;
	m->controllen = 0;
	inet_tcp_settle(sk);
	if (sk->state != INET_CONNECTED && sk->state != INET_CONNECTING)
		return recv_unconnected(sk);
	if (m->len == 0)
		return 0;
	mutex_lock(&sk->rx_lock);
	for (;;) {
		uint32_t seen = inet_events(sk);
		bool done = false;
		long r = sk->state == INET_CONNECTED ? recv_some(sk, m, copied, &done) : 0;
		if (r < 0) {
			err = r;
			break;
		}
		copied += (size_t)r;
		if (done || copied == m->len || (copied && !waitall))
			break;
		if (r > 0)
			continue;	/* more may have come while we copied */
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
		if (sk->state == INET_CLOSED) {
			err = recv_unconnected(sk);
			break;
		}
	}
	mutex_unlock(&sk->rx_lock);
	m->flags = 0;
	return copied ? (long)copied : err;
}

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
	uint64_t deadline = socket_deadline(s->sndtimeo_ns);
	size_t sent = 0;
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
	if (m->iovlen == 1 && m->iov[0].kernel) {
		u8_t flags = NETCONN_COPY | ((m->flags & MSG_MORE) || sk->cork ? NETCONN_MORE : 0);
		sent = send_chunk(sk, m->iov[0].kernel, m->len, flags, deadline, nonblock, &err);
		mutex_unlock(&sk->tx_lock);
		return sent ? (long)sent : err;
	}
	if (!sk->tx_bounce && !(sk->tx_bounce = kmalloc(TX_BOUNCE))) {
		mutex_unlock(&sk->tx_lock);
		return -ENOBUFS;
	}
	while (sent < m->len && !err) {
		size_t n = m->len - sent < TX_BOUNCE ? m->len - sent : TX_BOUNCE;
		long r = sock_msg_drain(m, sent, sk->tx_bounce, n);
		if (r < 0) {
			err = r;
			break;
		}
		u8_t flags = NETCONN_COPY;
		if (sent + n < m->len || (m->flags & MSG_MORE) || sk->cork)
			flags |= NETCONN_MORE;
		sent += send_chunk(sk, sk->tx_bounce, n, flags, deadline, nonblock, &err);
	}
	mutex_unlock(&sk->tx_lock);
	return sent ? (long)sent : err;
}
