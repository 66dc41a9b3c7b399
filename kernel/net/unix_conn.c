/* AF_UNIX connections: listen, connect, accept; and a datagram socket's
 * default destination.
 *
 * A stream connect makes the server's end at once (a socket without a
 * file, connected to the client) and queues it on the listener's pending
 * list, so the client may write before the server accepts; accept takes
 * the oldest and the caller wraps it in a file.  At most backlog + 1 wait,
 * as on Linux; more connectors wait (or get EAGAIN). */
#include "net/unix_internal.h"

#include "core/errno.h"
#include "core/string.h"


int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = unix_of(s);
	int err = 0;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!__atomic_load_n(&u->addrlen, __ATOMIC_ACQUIRE))
		return -EINVAL;	/* no listening without a name */
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	struct ucred_k me;
	unix_creds_self(&me);
	spin_lock(&u->lock);
	if (u->state == UNIX_CONNECTED)
		err = -EINVAL;
	else {
		u->state = UNIX_LISTENING;
		u->backlog = backlog;
		u->peercred = me;	/* what its clients' SO_PEERCRED shows, as on Linux */
	}
	spin_unlock(&u->lock);
	waitq_wake_all(&u->wq);	/* a larger backlog lets connectors on */
	return err;
}

/* The server's end of a new connection to l, connected to client u. */
static struct unix_sock *embryo_new(struct unix_sock *l, struct unix_sock *u)
{
	struct socket *ns = socket_alloc(AF_UNIX, u->type, 0);
	struct unix_sock *n = ns ? unix_sock_new(ns, u->type) : NULL;

	if (!n) {
		if (ns)
			socket_destroy(ns);
		return NULL;
	}
	uint32_t len = __atomic_load_n(&l->addrlen, __ATOMIC_ACQUIRE);
	memcpy(n->addr, l->addr, len);
	n->addrlen = len;	/* shown by getsockname, not in the table */
	n->state = UNIX_CONNECTED;
	n->peer = u;
	unix_get(u);
	unix_creds_self(&n->peercred);
	return n;
}

/* Queues n on listener l, waiting for room.  0, or -errno (n is then the
 * caller's to destroy). */
static int enqueue_pending(struct unix_sock *l, struct unix_sock *n, bool nonblock, uint64_t deadline)
{
	long err = 0;

	spin_lock(&l->lock);
	for (;;) {
		if (l->dead || l->state != UNIX_LISTENING || (l->shut & UNIX_RCV_SHUT)) {
			err = -ECONNREFUSED;
			break;
		}
		if (l->npending <= l->backlog) {
			list_add_tail(&l->pending, &n->plink);
			l->npending++;
			break;
		}
		if ((err = unix_wait(l, nonblock, deadline)))
			break;
	}
	spin_unlock(&l->lock);
	if (!err)
		waitq_wake_all(&l->wq);
	return (int)err;
}

/* Whether u may connect: 0, or why not.  Caller holds u->lock. */
static int connect_refusal(const struct unix_sock *u)
{
	return u->state == UNIX_CONNECTED ? -EISCONN : u->state == UNIX_LISTENING ? -EINVAL : 0;
}

/* Connects u to its new peer n, unless another connect (or a listen) of
 * u's got there while u->lock was let go to find the listener and make n:
 * then that one's error, as Linux's second look under the state lock.
 * Published at most once, so no peer is overwritten and leaked.  u's
 * SO_PEERCRED is the listener's, from its listen(). */
static int publish_peer(struct unix_sock *u, struct unix_sock *n, const struct ucred_k *cred)
{
	spin_lock(&u->lock);
	int err = connect_refusal(u);
	if (!err) {
		unix_get(n);	/* u's peer reference */
		u->peer = n;
		u->state = UNIX_CONNECTED;
		u->peercred = *cred;
	}
	spin_unlock(&u->lock);
	return err;
}

static int stream_connect(struct socket *s, const void *addr, uint32_t len)
{
	struct unix_sock *u = unix_of(s), *l;

	spin_lock(&u->lock);
	int err = connect_refusal(u);
	spin_unlock(&u->lock);
	if (err || (err = unix_find(addr, len, u->type, &l)))
		return err;
	struct unix_sock *n = embryo_new(l, u);
	if (!n) {
		unix_put(l);
		return -ENOBUFS;
	}
	spin_lock(&l->lock);
	struct ucred_k server = l->peercred;
	spin_unlock(&l->lock);
	/* Connected before n is queued: the server may accept, write and
	 * close at once, and its close must find u pointing at n. */
	if ((err = publish_peer(u, n, &server))) {
		unix_put(l);
		socket_destroy(n->sock);	/* u->peer is not n: u is left alone */
		return err;
	}
	err = enqueue_pending(l, n, socket_nonblock(s, 0), socket_deadline(s->sndtimeo_ns));
	unix_put(l);
	if (!err)
		return 0;
	spin_lock(&u->lock);
	u->peer = NULL;
	u->state = UNIX_IDLE;
	u->peercred = (struct ucred_k){ 0, (uint32_t)-1, (uint32_t)-1 };
	spin_unlock(&u->lock);
	unix_put(n);
	socket_destroy(n->sock);
	return err;
}

/* A datagram socket's default destination (AF_UNSPEC: none).  Its
 * SO_PEERCRED stays unset, as on Linux. */
static int dgram_connect(struct socket *s, const void *addr, uint32_t len)
{
	struct unix_sock *u = unix_of(s), *p = NULL;
	uint16_t family = AF_UNSPEC;

	if (len >= sizeof family)
		memcpy(&family, addr, sizeof family);
	if (family != AF_UNSPEC) {
		int err = unix_find(addr, len, u->type, &p);
		if (err)
			return err;
	}
	spin_lock(&u->lock);
	struct unix_sock *old = u->peer;
	u->peer = p;
	spin_unlock(&u->lock);
	if (old)
		unix_put(old);
	return 0;
}

int unix_connect(struct socket *s, const void *addr, uint32_t len)
{
	return s->type == SOCK_DGRAM ? dgram_connect(s, addr, len) : stream_connect(s, addr, len);
}

int unix_accept(struct socket *s, struct socket **newsock, void *addr, uint32_t *len)
{
	struct unix_sock *u = unix_of(s);
	uint64_t deadline = socket_deadline(s->rcvtimeo_ns);
	struct unix_sock *n = NULL;
	long err = 0;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	bool nonblock = socket_nonblock(s, 0);

	spin_lock(&u->lock);
	while (!err) {
		if (u->state != UNIX_LISTENING) {
			err = -EINVAL;
		} else if (!list_empty(&u->pending)) {
			n = list_entry(u->pending.next, struct unix_sock, plink);
			list_del(&n->plink);
			u->npending--;
			break;
		} else if (!nonblock && (u->shut & UNIX_RCV_SHUT)) {
			err = -EINVAL;	/* shut: no more to come (non-blocking: EAGAIN) */
		} else {
			err = unix_wait(u, nonblock, deadline);
		}
	}
	spin_unlock(&u->lock);
	if (err)
		return (int)err;
	waitq_wake_all(&u->wq);	/* room for a waiting connector */
	*newsock = n->sock;
	return addr ? unix_getname(n->sock, addr, len, true) : 0;
}
