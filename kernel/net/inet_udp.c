/* UDP sockets, and raw ones (inet_raw.c): one datagram per send and per
 * receive.
 *
 * A send copies the program's bytes straight into a fresh pbuf and hands
 * it to lwIP.  A receive copies from the datagram's pbufs; a datagram seen
 * by a peek (or poll) waits in rx_dgram for the next call. */
#include "core/errno.h"
#include "fs/poll.h"
#include "net/inet_internal.h"

#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"

/* lwIP keeps a packet's length in 16 bits, IPv6 header included, where
 * Linux counts only the payload: the largest IPv6 datagram we can carry is
 * 40 bytes short of Linux's INET_UDP6_MAX.  Bigger ones get EMSGSIZE, as
 * a datagram too big for the path would (lwIP would say ERR_BUF late). */
#define UDP6_LWIP_MAX	(0xffff - 40 - 8)

static bool is_raw(const struct socket *s) { return s->type == SOCK_RAW; }

/* The most one send carries: the IP packet's 16-bit length, less its
 * headers. */
static size_t send_max(const struct socket *s, bool v4)
{
	if (is_raw(s) && ((const struct inet_sock *)s->priv)->hdrincl)
		return 0xffff;	/* the header is the program's */
	if (is_raw(s))
		return v4 ? 0xffff - 20 : 0xffff - 40;
	return v4 ? INET_UDP4_MAX : UDP6_LWIP_MAX;
}

/* A destination's port: UDP sends to none at port 0; a raw IPv6 socket
 * takes 0 or its own protocol there, as Linux's rawv6_sendmsg; a raw IPv4
 * one ignores it. */
static bool port_usable(const struct socket *s, uint16_t port)
{
	if (!is_raw(s))
		return port != 0;
	return s->family == AF_INET || !port || port == s->protocol;
}

/* Whether a datagram is ready, fetching it if lwIP has one.  Caller holds
 * rx_lock. */
int inet_udp_fetch(struct inet_sock *sk)
{
	struct netbuf *nb;

	if (sk->rx_dgram)
		return 1;
	do {
		if (netconn_recv_udp_raw_netbuf_flags(sk->conn, &nb, NETCONN_DONTBLOCK) != ERR_OK)
			return 0;
		if (inet_mcast_wanted(sk, nb))
			break;
		netbuf_delete(nb);	/* a group it did not join, IP_MULTICAST_ALL off */
	} while (true);
	sk->rx_dgram = nb;
	return 1;
}

/* Waits for a datagram; 0 with rx_lock held, or without it 1 (shut down
 * for reading: the read says 0) or -errno. */
static int udp_wait_dgram(struct inet_sock *sk, int flags)
{
	uint64_t deadline = socket_deadline(sk->sock->rcvtimeo_ns);

	mutex_lock(&sk->rx_lock);
	for (;;) {
		uint32_t seen = inet_events(sk);
		int err = inet_take_async_err(sk);	/* before any datagram, as Linux */
		if (err) {
			mutex_unlock(&sk->rx_lock);
			return err;
		}
		if (inet_udp_fetch(sk))
			return 0;
		mutex_unlock(&sk->rx_lock);
		if (socket_nonblock(sk->sock, flags))
			return -EAGAIN;
		/* Linux still delivers datagrams after SHUT_RD, but a read
		 * that would wait returns 0: shutdown is how a thread wakes
		 * another out of recvfrom. */
		if (sk->shut_rd)
			return 1;
		err = inet_wait(sk, seen, deadline);
		if (err)
			return err;
		mutex_lock(&sk->rx_lock);
	}
}

/* The control messages the socket asked for, in m's room bytes, the
 * timestamp first as on Linux: the length they took. */
static size_t control_out(const struct inet_sock *sk, const struct netbuf *nb, struct sock_msg *m,
			  size_t room)
{
	size_t used = 0;

	m->controllen = room;
	socket_tstamp_put(sk->sock, nb->p->rx_ns, m, &used);
	inet_recv_ctl_out(sk, nb, m, &used);
	return used;
}

static long udp_recvmsg(struct socket *s, struct sock_msg *m)
{
	struct inet_sock *sk = inet_sk(s);

	if (m->flags & MSG_ERRQUEUE)
		return inet_errq_recv(sk, m);
	int err = udp_wait_dgram(sk, m->flags);

	/* The caller copies controllen bytes of its buffer back to the
	 * program: none unless a datagram filled them. */
	size_t room = m->controllen;

	m->controllen = 0;
	if (err)
		return err > 0 ? 0 : err;
	struct netbuf *nb = sk->rx_dgram;
	size_t size = nb->p->tot_len;
	size_t n = m->len < size ? m->len : size;
	long r = inet_msg_fill_pbuf(m, 0, nb->p, 0, n);
	if (r < 0) {
		mutex_unlock(&sk->rx_lock);
		return r;	/* the datagram stays for the next call */
	}
	m->namelen = SOCKADDR_MAX;
	inet_addr_out(sk, netbuf_fromaddr(nb), netbuf_fromport(nb), m->name, &m->namelen);
	m->flags &= ~MSG_CTRUNC;	/* an answer only */
	m->controllen = control_out(sk, nb, m, room);
	if (!(m->flags & MSG_PEEK)) {
		netbuf_delete(nb);
		sk->rx_dgram = NULL;
	}
	mutex_unlock(&sk->rx_lock);
	/* MSG_TRUNC asked: the datagram's real length, as on Linux. */
	long ret = (m->flags & MSG_TRUNC) ? (long)size : (long)n;
	m->flags = (size > n ? MSG_TRUNC : 0) | (m->flags & MSG_CTRUNC);
	return ret;
}

static long udp_send_pbuf(struct inet_sock *sk, struct sock_msg *m, const ip_addr_t *ip, uint16_t port,
			  const struct inet_send_ctl *ctl)
{
	struct pbuf *p = pbuf_alloc(is_raw(sk->sock) ? PBUF_IP : PBUF_TRANSPORT, (u16_t)m->len, PBUF_RAM);

	if (!p)
		return -ENOBUFS;
	/* PBUF_RAM is one contiguous buffer: the bytes land where lwIP sends
	 * them from. */
	long r = sock_msg_drain(m, 0, p->payload, m->len);
	if (r >= 0 && is_raw(sk->sock) && sk->hdrincl)
		r = inet_hdrincl_prepare(sk, p, ip);
	if (r < 0) {
		pbuf_free(p);
		return r;
	}
	if (inet_send_ctl_asks(ctl)) {
		r = inet_send_with_ctl(sk, p, ip, port, ctl);
		pbuf_free(p);
		return r ? r : (long)m->len;
	}
	struct netbuf nb = { .p = p, .ptr = p };
	err_t e = ip ? netconn_sendto(sk->conn, &nb, ip, port) : netconn_send(sk->conn, &nb);
	pbuf_free(p);
	if (e == ERR_OK)
		return (long)m->len;
	return e == ERR_VAL ? -EINVAL : inet_err(e);
}

static long udp_sendmsg(struct socket *s, struct sock_msg *m)
{
	struct inet_sock *sk = inet_sk(s);
	bool to = m->namelen > 0;
	ip_addr_t ip;
	uint16_t port = 0;

	/* Linux's IPv4 UDP and raw sockets refuse urgent data; its IPv6 UDP
	 * ignores the flag. */
	if ((m->flags & MSG_OOB) && (s->family == AF_INET || is_raw(s)))
		return -EOPNOTSUPP;
	if (to) {
		int err = inet_addr_in(sk, m->name, m->namelen, &ip, &port);
		if (err)
			return err == -EAFNOSUPPORT && s->family == AF_INET6 ? -ENETUNREACH : err;
		if (!port_usable(s, port))
			return -EINVAL;
	} else if (sk->state != INET_CONNECTED) {
		return -EDESTADDRREQ;
	}
	struct inet_send_ctl ctl;
	int bad = inet_send_ctl_parse(sk, m, to ? &ip : NULL, &ctl);
	if (bad)
		return bad;
	if (sk->shut_wr)
		return -EPIPE;	/* without SIGPIPE: Linux raises it for streams only */
	bool v4 = to ? IP_IS_V4(&ip) : s->family == AF_INET;
	if (m->len > send_max(s, v4))
		return -EMSGSIZE;
	/* An IPv6 socket's pcb has IPv6's TTL and multicast settings: a
	 * datagram to an IPv4-mapped address goes with IPv4's, as on Linux. */
	ctl.ipv4_settings = to && v4 && s->family == AF_INET6 && inet_mcast_v4_differs(sk);
	mutex_lock(&sk->tx_lock);
	/* An ICMP error that came back for an earlier datagram fails this
	 * send, which goes nowhere, as on Linux. */
	int err = inet_take_async_err(sk);
	if (!err && to && s->family == AF_INET6 && v4 && !is_raw(s))
		err = inet_autobind(sk);
	long r = err ? err : udp_send_pbuf(sk, m, to ? &ip : NULL, port, &ctl);
	if (r >= 0 && !is_raw(s))
		sk->bound = true;	/* lwIP bound it to a port if it was not */
	mutex_unlock(&sk->tx_lock);
	return r;
}

/* Linux's ip4_datagram_connect and ip6_datagram_connect pick the source
 * a connected datagram socket sends from and, if its address was any,
 * bind it there: getsockname tells it (mtr computes its probes' UDP sums
 * from it), and datagrams to our other addresses are not the socket's.
 * Under the core lock. */
static void bind_source(struct inet_sock *sk, const ip_addr_t *peer)
{
	struct ip_pcb *pcb = sk->conn->pcb.ip;

	if (!ip_addr_isany(&pcb->local_ip))
		return;
	struct netif *out = ip_route(&pcb->local_ip, peer);
	const ip_addr_t *src = out ? ip_netif_get_local_ip(out, peer) : NULL;
	if (!src)
		return;
	ip_addr_copy(sk->address_before_connect, pcb->local_ip);
	ip_addr_copy(pcb->local_ip, *src);
	sk->source_from_connect = true;
}

/* After a disconnect: the address bind_source chose goes, as on Linux. */
static void unbind_source(struct inet_sock *sk)
{
	if (!sk->source_from_connect)
		return;
	ip_addr_copy(sk->conn->pcb.ip->local_ip, sk->address_before_connect);
	sk->source_from_connect = false;
}

static void bound_by_connect(struct inet_sock *sk, const ip_addr_t *peer)
{
	LOCK_TCPIP_CORE();
	if (sk->conn->pcb.ip) {
		unbind_source(sk);
		if (peer)
			bind_source(sk, peer);
	}
	UNLOCK_TCPIP_CORE();
}

static int udp_connect(struct socket *s, const void *addr, uint32_t len)
{
	struct inet_sock *sk = inet_sk(s);
	ip_addr_t ip;
	uint16_t port;
	int err;

	if (len >= 2 && *(const uint16_t *)addr == AF_UNSPEC) {
		mutex_lock(&sk->tx_lock);
		inet_mcast_connecting(sk, NULL);
		err = inet_err(netconn_disconnect(sk->conn));
		bound_by_connect(sk, NULL);
		sk->state = INET_IDLE;
		mutex_unlock(&sk->tx_lock);
		return err;
	}
	err = inet_addr_in(sk, addr, len, &ip, &port);
	if (err)
		return err == -EAFNOSUPPORT && s->family == AF_INET6 ? -ENETUNREACH : err;
	mutex_lock(&sk->tx_lock);
	if (s->family == AF_INET6 && IP_IS_V4(&ip) && !is_raw(s))
		err = inet_autobind(sk);
	if (!err) {
		inet_mcast_connecting(sk, &ip);
		err = inet_err(netconn_connect(sk->conn, &ip, port));
	}
	if (!err) {
		bound_by_connect(sk, &ip);
		sk->state = INET_CONNECTED;
		sk->bound |= !is_raw(s);
		sk->raw_peer_port = port;
	}
	mutex_unlock(&sk->tx_lock);
	return err;
}

static int udp_shutdown(struct socket *s, int how)
{
	struct inet_sock *sk = inet_sk(s);

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	/* As on Linux, an unconnected socket says ENOTCONN but is shut down
	 * all the same (and its sleepers woken); the flags outlive any later
	 * connect. */
	sk->shut_rd |= how != SHUT_WR;
	sk->shut_wr |= how != SHUT_RD;
	__atomic_add_fetch(&sk->events, 1, __ATOMIC_SEQ_CST);
	waitq_wake_all(&sk->wq);
	return sk->state == INET_CONNECTED ? 0 : -ENOTCONN;
}

static unsigned udp_poll(struct socket *s, struct poll_table *pt)
{
	struct inet_sock *sk = inet_sk(s);
	unsigned mask = POLLOUT | POLLWRNORM;

	poll_wait(pt, &sk->wq);
	mutex_lock(&sk->rx_lock);
	if (inet_udp_fetch(sk))
		mask |= POLLIN | POLLRDNORM;
	mutex_unlock(&sk->rx_lock);
	if (sk->shut_rd)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (sk->shut_rd && sk->shut_wr)
		mask |= POLLHUP;
	if (sk->async_err || inet_errq_pending(sk))
		mask |= POLLERR;
	return mask;
}

static void udp_release(struct socket *s)
{
	inet_sock_free(inet_sk(s));
	s->priv = NULL;
}

static int udp_listen(struct socket *s, int backlog)
{
	(void)s, (void)backlog;
	return -EOPNOTSUPP;
}

static int udp_accept(struct socket *s, struct socket **ns, void *addr, uint32_t *len)
{
	(void)s, (void)ns, (void)addr, (void)len;
	return -EOPNOTSUPP;
}

const struct socket_ops inet_udp_ops = {
	.bind = inet_bind,
	.listen = udp_listen,
	.accept = udp_accept,
	.connect = udp_connect,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
	.shutdown = udp_shutdown,
	.getname = inet_getname,
	.setsockopt = inet_setsockopt,
	.bound_device = inet_bound_device,
	.getsockopt = inet_getsockopt,
	.poll = udp_poll,
	.ioctl = inet_ioctl,
	.release = udp_release,
};
