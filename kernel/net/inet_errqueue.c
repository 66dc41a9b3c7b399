/* A UDP or raw socket's error queue (IP_RECVERR, IPV6_RECVERR), as Linux's
 * ip_icmp_error and ip_recv_error keep and give it: each ICMP error about
 * a datagram the socket sent becomes an entry, read with MSG_ERRQUEUE as
 * the datagram's bytes (as much as the error quoted), its destination
 * for a name, and a control message holding the extended error and the
 * address of whoever sent the ICMP message.  Entries come from lwIP's
 * thread (inet_icmp.c, through inet_socket.c's registry); the socket's
 * own calls read and drop them.  At most ERRQ_MAX wait, where Linux counts
 * them against the receive buffer. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "net/inet_internal.h"

#define ERRQ_MAX		64
#define SO_EE_ORIGIN_ICMP	2
#define SO_EE_ORIGIN_ICMP6	3

struct sock_extended_err_k {	/* Linux's struct sock_extended_err */
	uint32_t ee_errno;
	uint8_t ee_origin, ee_type, ee_code, ee_pad;
	uint32_t ee_info, ee_data;
};

struct inet_err *inet_err_new(size_t len)
{
	struct inet_err *e = kmalloc(sizeof *e + len);

	if (e)
		e->len = (uint16_t)len;
	return e;
}

struct inet_err *inet_err_copy(const struct inet_err *e)
{
	struct inet_err *c = inet_err_new(e->len);

	if (c) {
		memcpy(c, e, sizeof *e + e->len);
		c->next = NULL;
	}
	return c;
}

/* Queues e (the socket's now) at the tail; false when the queue is full
 * (e is then freed). */
bool inet_errq_add(struct inet_sock *sk, struct inet_err *e)
{
	spin_lock(&sk->errq_lock);
	bool room = sk->errq_len < ERRQ_MAX;
	if (room) {
		struct inet_err **tail = &sk->errq;
		while (*tail)
			tail = &(*tail)->next;
		*tail = e;
		sk->errq_len++;
	}
	spin_unlock(&sk->errq_lock);
	if (!room)
		kfree(e);
	return room;
}

bool inet_errq_pending(struct inet_sock *sk)
{
	return __atomic_load_n(&sk->errq_len, __ATOMIC_RELAXED) != 0;
}

void inet_errq_purge(struct inet_sock *sk)
{
	spin_lock(&sk->errq_lock);
	struct inet_err *e = sk->errq;
	sk->errq = NULL;
	sk->errq_len = 0;
	spin_unlock(&sk->errq_lock);
	while (e) {
		struct inet_err *next = e->next;
		kfree(e);
		e = next;
	}
}

/* The head entry, taken; the socket's pending error becomes the next
 * entry's (or none), as Linux's sock_dequeue_err_skb leaves sk_err. */
static struct inet_err *take_head(struct inet_sock *sk)
{
	spin_lock(&sk->errq_lock);
	struct inet_err *e = sk->errq;
	if (e) {
		sk->errq = e->next;
		sk->errq_len--;
		__atomic_store_n(&sk->async_err, sk->errq ? -sk->errq->err : 0, __ATOMIC_RELEASE);
	}
	spin_unlock(&sk->errq_lock);
	return e;
}

static void put_back(struct inet_sock *sk, struct inet_err *e)
{
	spin_lock(&sk->errq_lock);
	e->next = sk->errq;
	sk->errq = e;
	sk->errq_len++;
	spin_unlock(&sk->errq_lock);
}

/* The control message: the extended error and the offender's address, at
 * the socket's own level (an IPv6 socket names an IPv4 offender mapped,
 * as Linux's ipv6_recv_error). */
static void put_error(struct inet_sock *sk, const struct inet_err *e, struct sock_msg *m, size_t *used)
{
	struct {
		struct sock_extended_err_k ee;
		uint8_t offender[SOCKADDR_MAX];
	} out = { .ee = { (uint32_t)e->err, IP_IS_V4(&e->offender) ? SO_EE_ORIGIN_ICMP : SO_EE_ORIGIN_ICMP6,
			  e->type, e->code, 0, e->info, 0 } };
	uint32_t len = sizeof out.offender;
	bool v6 = sk->sock->family == AF_INET6;

	inet_addr_out(sk, &e->offender, 0, out.offender, &len);
	sock_msg_put_cmsg(m, used, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &out,
			  sizeof out.ee + len);
}

long inet_errq_recv(struct inet_sock *sk, struct sock_msg *m)
{
	size_t room = m->controllen, used = 0;
	struct inet_err *e = take_head(sk);

	m->controllen = 0;
	if (!e)
		return -EAGAIN;	/* an empty queue never waits */
	size_t n = m->len < e->len ? m->len : e->len;
	if (sock_msg_fill(m, 0, e->data, n) < 0) {
		put_back(sk, e);
		return -EFAULT;
	}
	m->namelen = SOCKADDR_MAX;
	inet_addr_out(sk, &e->dst, e->dport, m->name, &m->namelen);
	m->flags = MSG_ERRQUEUE | (e->len > n ? MSG_TRUNC : 0);
	m->controllen = room;
	socket_tstamp_put(sk->sock, e->stamp, m, &used);
	put_error(sk, e, m, &used);
	m->controllen = used;
	kfree(e);
	return (long)n;
}
