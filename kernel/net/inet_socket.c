/* Internet sockets (AF_INET, AF_INET6): creation, lwIP's events, sleeping,
 * and release.  The TCP and UDP operations live in inet_tcp*.c and
 * inet_udp.c; see inet_internal.h for how readiness works. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/wait.h"
#include "net/inet_internal.h"
#include "net/netif_claims.h"

#include "lwip/raw.h"
#include "lwip/tcpip.h"

/* ---- the registry: netconn -> inet_sock, for inet_event ---------------- */

/* lwIP hands the event callback a netconn and no cookie (netconn->socket
 * exists only with LWIP_SOCKET), so we look the socket up.  Entries come and
 * go under registry_lock; inet_event holds it while it touches the socket,
 * so once a socket is out of the table no event can reach it. */
#define REGISTRY_BUCKETS 1024
static struct inet_sock *registry[REGISTRY_BUCKETS];
static struct spinlock registry_lock = SPINLOCK_INIT;

static unsigned registry_hash(const struct netconn *conn)
{
	uint64_t v = (uint64_t)(uintptr_t)conn;
	return (unsigned)((v >> 4) ^ (v >> 14)) % REGISTRY_BUCKETS;
}

static void registry_add(struct inet_sock *sk)
{
	unsigned h = registry_hash(sk->conn);

	spin_lock(&registry_lock);
	sk->hash_next = registry[h];
	registry[h] = sk;
	spin_unlock(&registry_lock);
}

static void registry_remove(struct inet_sock *sk)
{
	unsigned h = registry_hash(sk->conn);

	spin_lock(&registry_lock);
	for (struct inet_sock **pp = &registry[h]; *pp; pp = &(*pp)->hash_next)
		if (*pp == sk) {
			*pp = sk->hash_next;
			break;
		}
	spin_unlock(&registry_lock);
}

/* Caller holds registry_lock. */
static struct inet_sock *registry_find(const struct netconn *conn)
{
	struct inet_sock *sk = registry[registry_hash(conn)];

	while (sk && sk->conn != conn)
		sk = sk->hash_next;
	return sk;
}

/* lwIP's callback, for every netconn we make and every one accepted from
 * them.  Runs under the core lock (RCVMINUS aside, which our own receive
 * calls report and which changes nothing we track), maybe in the receive
 * thread: it must not sleep.  Only news a sleeper waits for (data, room,
 * a connection, an error) bumps events.  ERR_CLSD is no error: lwIP says
 * so when the ACK of our FIN ends a connection whose peer had closed
 * first, and a read there finds the end of the stream, as on Linux. */
static void inet_event(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
	(void)len;
	if (evt == NETCONN_EVT_RCVMINUS)
		return;
	spin_lock(&registry_lock);
	struct inet_sock *sk = registry_find(conn);
	if (sk && evt == NETCONN_EVT_SENDMINUS) {
		/* Reported by our own write that found no room: nothing for
		 * anyone to wake for, and a bump would send that writer
		 * straight back to try again instead of sleeping. */
		sk->send_full = true;
	} else if (sk) {
		if (evt == NETCONN_EVT_SENDPLUS) {
			sk->send_full = false;
			sk->soft_err = 0;	/* acknowledged: the path works */
		} else if (evt == NETCONN_EVT_ERROR && conn->pending_err != ERR_OK &&
			   conn->pending_err != ERR_CLSD) {
			/* A connection lwIP gave up on (ERR_ABRT: timed out, or
			 * aborted for an ICMP error) fails with the ICMP error
			 * heard, if any, as on Linux. */
			sk->async_err = conn->pending_err == ERR_ABRT && sk->soft_err ? -sk->soft_err
										 : inet_err(conn->pending_err);
		}
		/* The bump is seen by any sleeper that missed this wake-up. */
		__atomic_add_fetch(&sk->events, 1, __ATOMIC_SEQ_CST);
		waitq_wake_all(&sk->wq);
	}
	spin_unlock(&registry_lock);
}

/* registry_lock held: e to sk, as inet_report_icmp says. */
static void deliver_icmp(struct inet_sock *sk, const struct inet_err *e, bool hard)
{
	bool asked = IP_IS_V4(&e->dst) ? sk->recverr4 : sk->recverr6;

	if (!asked && !(hard && sk->state == INET_CONNECTED))
		return;
	if (asked) {
		struct inet_err *copy = inet_err_copy(e);
		if (copy)
			inet_errq_add(sk, copy);
	}
	sk->async_err = -e->err;	/* the latest wins, as on Linux */
	__atomic_add_fetch(&sk->events, 1, __ATOMIC_SEQ_CST);
	waitq_wake_all(&sk->wq);
}

void inet_report_icmp_tcp(struct netconn *conn, int err, bool v6, bool connecting)
{
	spin_lock(&registry_lock);
	struct inet_sock *sk = registry_find(conn);
	if (sk && !connecting && (v6 ? sk->recverr6 : sk->recverr4)) {
		sk->async_err = -err;
		__atomic_add_fetch(&sk->events, 1, __ATOMIC_SEQ_CST);
		waitq_wake_all(&sk->wq);
	} else if (sk) {
		sk->soft_err = err;
	}
	spin_unlock(&registry_lock);
}

void inet_report_icmp(struct netconn *conn, const struct inet_err *e, bool hard)
{
	spin_lock(&registry_lock);
	struct inet_sock *sk = registry_find(conn);
	if (sk)
		deliver_icmp(sk, e, hard);
	spin_unlock(&registry_lock);
}

/* Linux's raw_v4_match and raw_v6_match: the protocol, and the bound and
 * connected addresses where the socket has them. */
static bool raw_could_send(const struct inet_sock *sk, uint8_t proto, const ip_addr_t *local,
			   const ip_addr_t *remote)
{
	const struct raw_pcb *pcb = sk->conn->pcb.raw;

	if (pcb->protocol != proto || (sk->sock->family == AF_INET6) != IP_IS_V6(local))
		return false;
	if (!ip_addr_isany(&pcb->local_ip) && !ip_addr_cmp_zoneless(&pcb->local_ip, local))
		return false;
	return !(pcb->flags & RAW_FLAGS_CONNECTED) || ip_addr_cmp_zoneless(&pcb->remote_ip, remote);
}

void inet_report_icmp_raw(uint8_t proto, const ip_addr_t *local, const ip_addr_t *remote,
			  const struct inet_err *e, bool hard)
{
	spin_lock(&registry_lock);
	for (unsigned h = 0; h < REGISTRY_BUCKETS; h++)
		for (struct inet_sock *sk = registry[h]; sk; sk = sk->hash_next)
			if (sk->sock->type == SOCK_RAW && raw_could_send(sk, proto, local, remote))
				deliver_icmp(sk, e, hard);
	spin_unlock(&registry_lock);
}

static void owner_of(const struct inet_sock *sk, struct inet_owner *o)
{
	o->ino = __atomic_load_n(&sk->sock->ino, __ATOMIC_RELAXED);
	o->uid = sk->sock->uid;
	o->family = sk->sock->family;
	o->unread = (uint32_t)(__atomic_load_n(&sk->rx_held, __ATOMIC_RELAXED) +
			       (size_t)__atomic_load_n(&sk->conn->recv_avail, __ATOMIC_RELAXED));
	o->shutdown = (uint8_t)((sk->shut_rd || sk->rx_eof) | sk->shut_wr << 1);
	o->v6only = sk->v6only;
	o->port_locked = sk->bind_explicit && sk->bind_port;
	o->backlog = sk->backlog;
	o->rcvbuf = inet_rcvbuf(sk);
	o->sndbuf = inet_sndbuf(sk);
	o->tos = sk->tos;
	o->bound_if = sk->sock->common.bound_if;
}

/* The socket cannot go while we hold registry_lock: it leaves the
 * registry before it is freed, and its struct socket after that. */
bool inet_sock_owner(const struct netconn *conn, struct inet_owner *o)
{
	spin_lock(&registry_lock);
	struct inet_sock *sk = conn ? registry_find(conn) : NULL;
	if (sk)
		owner_of(sk, o);
	spin_unlock(&registry_lock);
	return sk != NULL;
}

/* lwIP keeps its raw PCBs to itself: the registry is where they are
 * found, each with its socket's identity. */
void inet_raw_each(void (*fn)(const struct netconn *conn, const struct inet_owner *o, void *arg), void *arg)
{
	struct inet_owner o;

	spin_lock(&registry_lock);
	for (unsigned h = 0; h < REGISTRY_BUCKETS; h++)
		for (struct inet_sock *sk = registry[h]; sk; sk = sk->hash_next)
			if (sk->sock->type == SOCK_RAW) {
				owner_of(sk, &o);
				fn(sk->conn, &o, arg);
			}
	spin_unlock(&registry_lock);
}

/* ---- sleeping ------------------------------------------------------------ */

/* Sleeps until an event newer than seen (inet_events() read before the
 * attempt that found nothing), the deadline or a signal.  0: try again;
 * -EAGAIN: the deadline passed; -ERESTARTSYS: a signal. */
int inet_wait(struct inet_sock *sk, uint32_t seen, uint64_t deadline)
{
	struct waiter w;

	if (thread_signalled())
		return -ERESTARTSYS;
	if (deadline && clock_ns() >= deadline)
		return -EAGAIN;
	waitq_prepare(&sk->wq, &w);
	/* Our entry on the queue before the events load: inet_event bumps
	 * events, then takes the queue's lock to wake; one of us sees the
	 * other.  A bump already seen: wake ourselves, the sleep ends at once. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (inet_events(sk) != seen)
		sched_wake(current());
	wait_sleep(&sk->wq, &w, deadline);
	return 0;
}

/* ---- errors --------------------------------------------------------------- */

int inet_err(err_t err)
{
	switch (err) {
	case ERR_OK:		return 0;
	case ERR_MEM:		return -ENOBUFS;
	case ERR_BUF:		return -ENOBUFS;
	case ERR_TIMEOUT:	return -ETIMEDOUT;
	case ERR_RTE:		return -ENETUNREACH;
	case ERR_INPROGRESS:	return -EINPROGRESS;
	case ERR_VAL:		return -EINVAL;
	case ERR_WOULDBLOCK:	return -EAGAIN;
	case ERR_USE:		return -EADDRINUSE;
	case ERR_ALREADY:	return -EALREADY;
	case ERR_ISCONN:	return -EISCONN;
	case ERR_CONN:		return -ENOTCONN;
	case ERR_IF:		return -ENETDOWN;
	/* lwIP aborts a connection when retransmissions or keep-alives
	 * run out: Linux says ETIMEDOUT then. */
	case ERR_ABRT:		return -ETIMEDOUT;
	case ERR_RST:		return -ECONNRESET;
	case ERR_CLSD:		return -ENOTCONN;
	default:		return -EINVAL;
	}
}

/* ---- creation and release ------------------------------------------------- */

/* The state for s around conn (registered, non-blocking), or NULL. */
struct inet_sock *inet_sock_new(struct socket *s, struct netconn *conn)
{
	struct inet_sock *sk = kmalloc(sizeof *sk);

	if (!sk)
		return NULL;
	sk->sock = s;
	sk->conn = conn;
	waitq_init(&sk->wq);
	sk->errq_lock = (struct spinlock)SPINLOCK_INIT;
	mutex_init(&sk->rx_lock);
	mutex_init(&sk->tx_lock);
	sk->ttl = IP_DEFAULT_TTL;
	inet_mcast_init(sk);
	netconn_set_nonblocking(conn, 1);
	s->priv = sk;
	s->ops = s->type == SOCK_STREAM ? &inet_tcp_ops : &inet_udp_ops;
	registry_add(sk);
	return sk;
}

static enum netconn_type inet_conn_type(int family, int type)
{
	enum netconn_type t = type == SOCK_STREAM ? NETCONN_TCP : type == SOCK_RAW ? NETCONN_RAW : NETCONN_UDP;

	return family == AF_INET6 ? (enum netconn_type)(t | NETCONN_TYPE_IPV6) : t;
}

/* The protocol a socket of this type runs, as Linux's inet_create and
 * inet6_create choose it (0: its type's own), or -errno.  A raw socket
 * names one and needs CAP_NET_RAW (IPPROTO_RAW: whole packets, built by
 * the program); the numbers past 255 Linux takes (no protocol has them)
 * are not supported. */
static int inet_protocol(int type, int protocol)
{
	struct sock_cred me;

	if (type != SOCK_RAW) {
		int proto = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
		return protocol && protocol != proto ? -EPROTONOSUPPORT : proto;
	}
	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	socket_cred_current(&me);
	if (!me.net_raw)
		return -EPERM;
	return protocol ? protocol : -EPROTONOSUPPORT;
}

int inet_socket_init(struct socket *s, int family, int type, int protocol)
{
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	int proto = inet_protocol(type, protocol);
	if (proto < 0)
		return proto;
	s->protocol = proto;	/* SO_PROTOCOL names it, as on Linux, even if 0 was asked */
	struct netconn *conn = netconn_new_with_proto_and_callback(inet_conn_type(family, type), (u8_t)proto,
								   inet_event);
	if (!conn)
		return -ENOBUFS;
	struct inet_sock *sk = inet_sock_new(s, conn);
	if (!sk) {
		netconn_delete(conn);
		return -ENOBUFS;
	}
	if (type == SOCK_RAW)
		inet_raw_attach(sk);
	return 0;
}

/* Drops what the socket still holds and frees it.  The socket leaves the
 * registry first: after that no event can touch it. */
void inet_sock_free(struct inet_sock *sk)
{
	registry_remove(sk);
	inet_mcast_leave_all(sk);
	if (sk->conn) {
		/* lwIP closes a connection whose window is not whole with a
		 * reset, taking it for unread data. */
		inet_tcp_give_back(sk);
		netconn_delete(sk->conn);
	}
	if (sk->claimed_port)
		net_claims_unbind(sk->claimed_tcp, sk->claimed_port);
	if (sk->rxq)
		pbuf_free(sk->rxq);
	if (sk->rx_more)
		pbuf_free(sk->rx_more);
	if (sk->rx_dgram)
		netbuf_delete(sk->rx_dgram);
	if (sk->rx_accept)
		netconn_delete(sk->rx_accept);
	inet_errq_purge(sk);
	kfree(sk->tx_bounce);
	kfree(sk);
}
