/* TCP sockets: connection set-up and tear-down (listen, accept, connect,
 * shutdown, close with SO_LINGER) and readiness.  Data moves in
 * inet_tcp_io.c (received) and inet_tcp_send.c (sent). */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/timer.h"
#include "fs/poll.h"
#include "net/inet_internal.h"

#include "lwip/tcp.h"
#include "lwip/tcpip.h"

/* A non-blocking connect that lwIP finished (do_connected, or err_tcp)
 * becomes CONNECTED or CLOSED with its error in so_error.  Under the core
 * lock: lwIP changes conn->state and reports the error under it. */
int inet_tcp_settle(struct inet_sock *sk)
{
	if (sk->state != INET_CONNECTING)
		return 0;
	LOCK_TCPIP_CORE();
	if (sk->state == INET_CONNECTING && sk->conn->state != NETCONN_CONNECT) {
		int err = inet_take_async_err(sk);
		if (sk->conn->pcb.tcp && !err) {
			sk->was_connected = true;
			sk->state = INET_CONNECTED;
		} else {
			/* A reset answering our SYN is a refusal. */
			sk->so_error = !err || err == -ECONNRESET ? -ECONNREFUSED : err;
			sk->state = INET_CLOSED;
		}
	}
	UNLOCK_TCPIP_CORE();
	return 0;
}

/* The outcome of a finished connect, for connect() itself: 0, or the
 * error (taken, as Linux's sock_error takes it). */
static int connect_outcome(struct inet_sock *sk)
{
	if (sk->state == INET_CONNECTED)
		return 0;
	int err = sk->so_error;
	sk->so_error = 0;
	return err ? err : -ECONNABORTED;
}

static int connect_start(struct inet_sock *sk, const ip_addr_t *ip, uint16_t port)
{
	/* An AF_INET6 socket reaching an IPv4 peer needs a pcb bound to
	 * "any family" first; lwIP's is IPv6-only until then. */
	if (sk->sock->family == AF_INET6 && IP_IS_V4(ip)) {
		int err = inet_autobind(sk);
		if (err)
			return err;
	}
	inet_mcast_connecting(sk, ip);
	err_t err = netconn_connect(sk->conn, ip, port);
	if (err != ERR_INPROGRESS && err != ERR_OK)
		return err == ERR_USE ? -EADDRNOTAVAIL : inet_err(err);
	sk->bound = true;
	sk->state = INET_CONNECTING;
	return 0;
}

static int stop_listening(struct inet_sock *sk);

/* connect(AF_UNSPEC): Linux's disconnect.  A connection is reset, a
 * listener stops listening (its queue reset); the socket is as new. */
static int stream_disconnect(struct inet_sock *sk)
{
	int err = 0;

	mutex_lock(&sk->tx_lock);
	inet_tcp_settle(sk);
	if (sk->state == INET_LISTEN)
		err = stop_listening(sk);
	if (!err && sk->state != INET_IDLE)
		err = inet_tcp_renew(sk);
	mutex_unlock(&sk->tx_lock);
	__atomic_add_fetch(&sk->events, 1, __ATOMIC_SEQ_CST);
	waitq_wake_all(&sk->wq);	/* sleepers see the new state */
	return err;
}

/* A connect that never got through, reported: the socket starts again,
 * so that the next connect tries anew, as on Linux.  The error was the
 * connect's (taken from so_error, or ECONNABORTED when SO_ERROR took it). */
static int connect_failed(struct inet_sock *sk, int err)
{
	if (!sk->was_connected)
		inet_tcp_renew(sk);
	return err;
}

static int stream_connect(struct socket *s, const void *addr, uint32_t len)
{
	struct inet_sock *sk = inet_sk(s);
	ip_addr_t ip;
	uint16_t port;

	if (len >= sizeof(uint16_t) && *(const uint16_t *)addr == AF_UNSPEC)
		return stream_disconnect(sk);
	int err = inet_addr_in(sk, addr, len, &ip, &port);
	if (err)
		return err == -EAFNOSUPPORT && s->family == AF_INET6 ? -ENETUNREACH : err;
	mutex_lock(&sk->tx_lock);
	inet_tcp_settle(sk);
	switch (sk->state) {
	case INET_IDLE:
		err = connect_start(sk, &ip, port);
		break;
	case INET_CONNECTING:
		err = socket_nonblock(s, 0) ? -EALREADY : 0;
		break;
	case INET_CLOSED:
		/* A failed connect's error, once; then a fresh start. */
		err = connect_failed(sk, sk->so_error ? connect_outcome(sk) : -ECONNABORTED);
		break;
	case INET_CONNECTED:
		/* Linux: the connect after a non-blocking one completed says 0. */
		err = sk->connect_unreported ? 0 : -EISCONN;
		sk->connect_unreported = false;
		break;
	default:
		err = -EISCONN;
	}
	if (err || sk->state != INET_CONNECTING) {
		mutex_unlock(&sk->tx_lock);
		return err;
	}
	if (socket_nonblock(s, 0)) {
		sk->connect_unreported = true;
		mutex_unlock(&sk->tx_lock);
		return -EINPROGRESS;
	}
	uint64_t deadline = socket_deadline(s->sndtimeo_ns);
	for (;;) {
		uint32_t seen = inet_events(sk);
		inet_tcp_settle(sk);
		if (sk->state != INET_CONNECTING)
			break;
		err = inet_wait(sk, seen, deadline);
		if (err) {
			mutex_unlock(&sk->tx_lock);
			/* Still connecting in the background, as on Linux. */
			return err == -EAGAIN ? -EINPROGRESS : err;
		}
	}
	err = connect_outcome(sk);
	if (err)
		err = connect_failed(sk, err);
	mutex_unlock(&sk->tx_lock);
	return err;
}

static int stream_listen(struct socket *s, int backlog)
{
	struct inet_sock *sk = inet_sk(s);
	int err = 0;

	if ((unsigned)backlog > SOMAXCONN)	/* as Linux: negative means the most */
		backlog = SOMAXCONN;
	mutex_lock(&sk->tx_lock);
	if (sk->state != INET_IDLE && sk->state != INET_LISTEN)
		err = -EINVAL;
	if (!err)
		err = inet_autobind(sk);
	if (!err)
		err = inet_err(netconn_listen_with_backlog(sk->conn, (u16_t)backlog));
	if (!err) {
		sk->state = INET_LISTEN;
		sk->backlog = backlog;
	}
	mutex_unlock(&sk->tx_lock);
	return err;
}

/* The next connection without waiting, into *nc: 0, -EAGAIN if none yet,
 * or -EINVAL once shutdown has stopped the listening.  Caller holds
 * rx_lock, under which stop_listening frees lwIP's accept mailbox. */
static int accept_next(struct inet_sock *sk, struct netconn **nc)
{
	if (sk->state != INET_LISTEN)
		return -EINVAL;
	if (sk->rx_accept) {
		*nc = sk->rx_accept;
		sk->rx_accept = NULL;
		return 0;
	}
	err_t e = netconn_accept(sk->conn, nc);
	if (e == ERR_WOULDBLOCK)
		return -EAGAIN;
	return e == ERR_ABRT ? -ECONNABORTED : inet_err(e);
}

/* The socket for a connection we accepted. */
static int accept_wrap(struct inet_sock *sk, struct netconn *nc, struct socket **out)
{
	struct socket *s = sk->sock;
	struct socket *ns = socket_alloc(s->family, s->type, s->protocol);

	if (!ns) {
		netconn_delete(nc);
		return -ENOBUFS;
	}
	struct inet_sock *nsk = inet_sock_new(ns, nc);
	if (!nsk) {
		kfree(ns);
		netconn_delete(nc);
		return -ENOBUFS;
	}
	nsk->state = INET_CONNECTED;
	nsk->bound = nsk->was_connected = true;
	ns->rcvtimeo_ns = s->rcvtimeo_ns;
	ns->sndtimeo_ns = s->sndtimeo_ns;
	inet_opts_inherit(nsk, sk);
	*out = ns;
	return 0;
}

static int stream_accept(struct socket *s, struct socket **newsock, void *addr, uint32_t *len)
{
	struct inet_sock *sk = inet_sk(s);
	uint64_t deadline = socket_deadline(s->rcvtimeo_ns);
	struct netconn *nc = NULL;
	int err;

	for (;;) {
		uint32_t seen = inet_events(sk);
		mutex_lock(&sk->rx_lock);
		err = accept_next(sk, &nc);
		mutex_unlock(&sk->rx_lock);
		if (err != -EAGAIN)
			break;
		if (socket_nonblock(s, 0))
			return -EAGAIN;
		err = inet_wait(sk, seen, deadline);
		if (err)
			return err;
	}
	if (!err)
		err = accept_wrap(sk, nc, newsock);
	if (err || !addr)
		return err;
	ip_addr_t ip;
	u16_t port = 0;
	ip_addr_set_zero(&ip);
	netconn_peer(nc, &ip, &port);	/* reset already: the zero address */
	inet_addr_out(inet_sk(*newsock), &ip, port, addr, len);
	return 0;
}

/* A connection poll fetched but nobody accepted: reset, as Linux resets
 * every connection a listener that stops leaves unaccepted. */
static void drop_fetched(struct inet_sock *sk)
{
	struct netconn *nc = sk->rx_accept;

	if (!nc)
		return;
	sk->rx_accept = NULL;
	LOCK_TCPIP_CORE();
	if (nc->pcb.tcp)
		tcp_abort(nc->pcb.tcp);
	UNLOCK_TCPIP_CORE();
	netconn_delete(nc);
}

/* Shutdown of a listener.  lwIP's close frees the accept mailbox (aborting
 * the connections queued there) while accept and poll may be reading it:
 * they hold rx_lock and look at the state first, so hold it here too.
 * Caller holds tx_lock. */
static int stop_listening(struct inet_sock *sk)
{
	mutex_lock(&sk->rx_lock);
	int err = inet_err(netconn_close(sk->conn));
	if (!err) {
		sk->state = INET_CLOSED;
		drop_fetched(sk);
	}
	mutex_unlock(&sk->rx_lock);
	return err;
}

static int stream_shutdown(struct socket *s, int how)
{
	struct inet_sock *sk = inet_sk(s);
	int err = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mutex_lock(&sk->tx_lock);
	inet_tcp_settle(sk);
	if (sk->state == INET_LISTEN) {
		/* Linux stops listening; new connections are refused. */
		err = how == SHUT_WR ? 0 : stop_listening(sk);
	} else if (sk->state != INET_CONNECTED) {
		err = -ENOTCONN;
	} else {
		/* SHUT_RD stays ours: lwIP would answer further data with a
		 * reset, Linux keeps the connection. */
		if (how != SHUT_RD && !sk->shut_wr && sk->conn->pcb.tcp)
			err = inet_err(netconn_shutdown(sk->conn, 0, 1));
		if (!err) {
			sk->shut_rd |= how != SHUT_WR;
			sk->shut_wr |= how != SHUT_RD;
		}
	}
	mutex_unlock(&sk->tx_lock);
	__atomic_add_fetch(&sk->events, 1, __ATOMIC_SEQ_CST);
	waitq_wake_all(&sk->wq);	/* readers and pollers see the new state */
	return err;
}

/* ---- readiness ---------------------------------------------------------- */

static unsigned poll_closed(struct inet_sock *sk)
{
	return POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLHUP |
	       (sk->so_error ? POLLERR : 0);
}

/* The state, read before, is looked at again under rx_lock: a shutdown
 * since has freed the accept mailbox (stop_listening). */
static unsigned poll_listen(struct inet_sock *sk)
{
	mutex_lock(&sk->rx_lock);
	if (sk->state != INET_LISTEN) {
		mutex_unlock(&sk->rx_lock);
		return poll_closed(sk);
	}
	if (!sk->rx_accept && netconn_accept(sk->conn, &sk->rx_accept) != ERR_OK)
		sk->rx_accept = NULL;
	unsigned mask = sk->rx_accept ? POLLIN | POLLRDNORM : 0;
	mutex_unlock(&sk->rx_lock);
	return mask;
}

static unsigned poll_connected(struct inet_sock *sk)
{
	unsigned mask = 0;
	bool dead = __atomic_load_n(&sk->conn->pcb.tcp, __ATOMIC_ACQUIRE) == NULL;

	/* lwIP's err_tcp clears the pcb first, then reports the error and
	 * queues the end of stream, all under the core lock.  Seeing the pcb
	 * gone, wait for it to finish, so a reset is never seen half made:
	 * hung up but neither readable nor in error. */
	if (dead) {
		LOCK_TCPIP_CORE();
		UNLOCK_TCPIP_CORE();
	}
	/* Readable from SO_RCVLOWAT's bytes on, as Linux's tcp_poll; or once
	 * rx_more is taken, when no more can come in before a read (Linux's
	 * memory pressure), so a poller is never left waiting for a mark the
	 * queue cannot reach. */
	size_t lowat = (size_t)__atomic_load_n(&sk->sock->common.rcvlowat, __ATOMIC_RELAXED);
	mutex_lock(&sk->rx_lock);
	if ((!sk->rxq || sk->rx_held < lowat) && !sk->rx_eof && !sk->shut_rd)
		inet_tcp_fetch(sk);
	if (sk->rxq && (sk->rx_held >= lowat || sk->rx_more))
		mask |= POLLIN | POLLRDNORM;
	if (sk->rx_eof || sk->shut_rd)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	mutex_unlock(&sk->rx_lock);
	if (sk->async_err)
		mask |= POLLERR;
	/* A reset that came since the first look (the fetch above may have
	 * just taken its error and end of stream): its pcb went first. */
	if (!dead && (sk->async_err || sk->rx_eof))
		dead = __atomic_load_n(&sk->conn->pcb.tcp, __ATOMIC_ACQUIRE) == NULL;
	if (dead || (sk->shut_wr && (sk->rx_eof || sk->shut_rd)))
		mask |= POLLHUP;
	if (dead || sk->shut_wr || !sk->send_full)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static unsigned stream_poll(struct socket *s, struct poll_table *pt)
{
	struct inet_sock *sk = inet_sk(s);

	poll_wait(pt, &sk->wq);
	inet_tcp_settle(sk);
	switch (sk->state) {
	case INET_LISTEN:
		return poll_listen(sk);
	case INET_CONNECTING:
		return 0;
	case INET_CONNECTED:
		return poll_connected(sk);
	case INET_CLOSED:
		return poll_closed(sk);
	default:	/* never connected: Linux says writable and hung up */
		return POLLOUT | POLLWRNORM | POLLHUP;
	}
}

/* ---- close ---------------------------------------------------------------- */

/* SO_LINGER with a time: send FIN, then wait until the peer has
 * acknowledged everything, the time is up, or a signal comes (as Linux's
 * sk_stream_wait_close).  A process that is ending does not wait at all,
 * as on Linux: its end interrupts every sleep.  What is left still goes
 * out after: lwIP keeps the connection. */
static void linger_wait(struct inet_sock *sk)
{
	uint64_t deadline = clock_ns() + (uint64_t)sk->linger_sec * 1000000000ull;

	if (!sk->shut_wr)
		netconn_shutdown(sk->conn, 0, 1);
	while (clock_ns() < deadline) {
		LOCK_TCPIP_CORE();
		struct tcp_pcb *pcb = sk->conn->pcb.tcp;
		bool done = !pcb || (!pcb->unsent && !pcb->unacked);
		UNLOCK_TCPIP_CORE();
		if (done)
			break;
		/* Acks arrive as SENDPLUS only above the low-water mark: look
		 * again every 10 ms as well. */
		uint64_t step = clock_ns() + 10000000ull;
		if (inet_wait(sk, inet_events(sk), step < deadline ? step : deadline) == -ERESTARTSYS)
			break;	/* it would not sleep again while the signal waits */
	}
}

static void stream_release(struct socket *s)
{
	struct inet_sock *sk = inet_sk(s);

	/* A connection poll fetched goes as the ones still queued in lwIP
	 * go with the listener: reset.  Deleted as a netconn of its own, it
	 * would be closed in order, the peer reading an end of stream. */
	drop_fetched(sk);

	if (sk->linger_on && sk->state == INET_CONNECTED && sk->conn->pcb.tcp) {
		if (sk->linger_sec == 0) {
			/* SO_LINGER 0: drop everything and send a reset. */
			LOCK_TCPIP_CORE();
			if (sk->conn->pcb.tcp)
				tcp_abort(sk->conn->pcb.tcp);
			UNLOCK_TCPIP_CORE();
		} else {
			linger_wait(sk);
		}
	}
	inet_sock_free(sk);
	s->priv = NULL;
}

const struct socket_ops inet_tcp_ops = {
	.bind = inet_bind,
	.listen = stream_listen,
	.accept = stream_accept,
	.connect = stream_connect,
	.sendmsg = inet_tcp_sendmsg,
	.sendpages = inet_tcp_sendpages,
	.recvmsg = inet_tcp_recvmsg,
	.shutdown = stream_shutdown,
	.getname = inet_getname,
	.setsockopt = inet_setsockopt,
	.bound_device = inet_bound_device,
	.getsockopt = inet_getsockopt,
	.poll = stream_poll,
	.ioctl = inet_ioctl,
	.release = stream_release,
};
