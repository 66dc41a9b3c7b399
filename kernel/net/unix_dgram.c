/* AF_UNIX datagrams: each send is one record on the destination's queue,
 * each receive takes one whole (the rest of a longer one is dropped, with
 * MSG_TRUNC).  A socket connected to a peer takes datagrams only from it.
 * A peek with SO_PEEK_OFF on starts that many bytes into the queue. */
#include "net/unix_internal.h"

#include "core/errno.h"

/* Queues r at to.  -ECONNREFUSED when to is gone, -EPERM when to is
 * connected elsewhere, -EPIPE when to stopped receiving. */
static int dgram_deliver(struct unix_sock *to, struct unix_sock *from, struct unix_rec *r)
{
	int err = 0;

	spin_lock(&to->lock);
	if (to->dead)
		err = -ECONNREFUSED;
	else if (to->peer && to->peer != from)
		err = -EPERM;
	else if (to->shut & UNIX_RCV_SHUT)
		err = -EPIPE;
	if (!err) {
		list_add_tail(&to->queue, &r->link);
		to->queued += r->len;
	}
	spin_unlock(&to->lock);
	if (!err)
		waitq_wake_all(&to->wq);
	return err;
}

/* The destination: the message's address, else the connected peer. */
static int destination(struct unix_sock *u, const struct sock_msg *m, struct unix_sock **to)
{
	if (m->namelen)
		return unix_find(m->name, m->namelen, SOCK_DGRAM, to);
	return (*to = unix_peer_get(u)) ? 0 : -ENOTCONN;
}

/* A connected peer that has gone is forgotten, as on Linux. */
static void forget_peer(struct unix_sock *u, struct unix_sock *gone)
{
	spin_lock(&u->lock);
	bool was = u->peer == gone;
	if (was)
		u->peer = NULL;
	spin_unlock(&u->lock);
	if (was)
		unix_put(gone);
}

long unix_dgram_sendmsg(struct socket *s, struct sock_msg *m)
{
	struct unix_sock *u = unix_of(s), *to;
	struct unix_rec *r;
	long err;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->len > (size_t)u->sndbuf - UNIX_DGRAM_HEADROOM)
		return -EMSGSIZE;
	if (__atomic_load_n(&u->shut, __ATOMIC_RELAXED) & UNIX_SND_SHUT)
		return -EPIPE;
	if ((err = destination(u, m, &to)))
		return err;
	if ((r = unix_rec_of_msg(s, to, m, &err)) && (err = dgram_deliver(to, u, r)))
		unix_rec_free(r);
	if (err == -ECONNREFUSED)
		forget_peer(u, to);
	unix_put(to);
	return err ? err : (long)m->len;
}

/* The datagram a peek meets (Linux's __skb_try_recv_from_queue): with
 * SO_PEEK_OFF on, whole ones are passed over while the offset reaches
 * past them (an empty one only once peeked, or with an offset left), and
 * *skip is where in the one met the peek starts.  Caller holds u->lock. */
static struct unix_rec *peek_at(struct unix_sock *u, size_t *skip)
{
	bool at_off = u->peek_off >= 0;
	size_t off = at_off ? (size_t)u->peek_off : 0;
	struct list *l;

	list_for_each(l, &u->queue) {
		struct unix_rec *r = list_entry(l, struct unix_rec, link);
		if (at_off && off >= r->len && (off || r->peeked)) {
			off -= r->len;
			continue;
		}
		if (!r->len)
			r->peeked = true;
		*skip = off;
		return r;
	}
	return NULL;
}

/* Takes (or with peek, finds) the next datagram; *skip: where its bytes
 * are read from.  Caller holds u->lock. */
static struct unix_rec *dgram_take(struct unix_sock *u, bool peek, size_t *skip)
{
	if (peek)
		return peek_at(u, skip);
	*skip = 0;
	if (list_empty(&u->queue))
		return NULL;
	struct unix_rec *r = list_entry(u->queue.next, struct unix_rec, link);
	list_del(&r->link);
	u->queued -= r->len;
	return r;
}

/* Copies r from skip on into m: data, sender's name, files.  Bytes copied. */
static long dgram_copy(struct unix_rec *r, size_t skip, struct sock_msg *m)
{
	size_t n = r->len - skip < m->len ? r->len - skip : m->len;
	long c = unix_rec_copy_out(r, skip, m, 0, n);

	if (c < 0)
		return c;
	if (r->len - skip > m->len)
		m->flags |= MSG_TRUNC;
	unix_name_of(r->from, m);
	return (long)n;
}

/* The oldest datagram (taken off the queue unless peek), waiting for
 * one; NULL with *err (0: end of file).  After shutdown(SHUT_RD) an empty
 * queue is end of file to a blocking receive, but EAGAIN to a
 * non-blocking one, as on Linux; a sequenced-packet socket whose peer
 * went is at end of file either way, after ECONNRESET once if the peer
 * left data unread.  Caller holds u->lock. */
static struct unix_rec *wait_datagram(struct unix_sock *u, bool peek, bool nonblock,
				      uint64_t deadline, size_t *skip, long *err)
{
	struct unix_rec *r;

	*err = 0;
	while (!(r = dgram_take(u, peek, skip))) {
		if (u->err) {
			*err = -u->err;
			u->err = 0;
			break;
		}
		if ((!nonblock || u->type == SOCK_SEQPACKET) && (u->shut & UNIX_RCV_SHUT))
			break;
		if ((*err = unix_wait(u, nonblock, deadline)))
			break;
	}
	return r;
}

/* Copies r, taken off u's queue (ours now: a page the copy could not
 * wait for is brought in), and its files; SO_PEEK_OFF moves back by the
 * whole datagram, as Linux's.  Bytes copied, or -EFAULT.  No lock held. */
static long read_taken(struct unix_sock *u, struct unix_rec *r, struct sock_msg *m,
		       struct unix_fds *fds)
{
	long n = dgram_copy(r, 0, m);

	if (n == -EFAULT && !sock_msg_fault_in(m, 0, r->len < m->len ? r->len : m->len))
		n = dgram_copy(r, 0, m);
	if (n < 0)
		return n;
	if (r->nfds)
		unix_rec_detach_fds(r, false, fds);
	spin_lock(&u->lock);
	unix_peek_moved(u, -(long)r->len);
	spin_unlock(&u->lock);
	return n;
}

long unix_dgram_recvmsg(struct socket *s, struct sock_msg *m)
{
	struct unix_sock *u = unix_of(s);
	uint64_t deadline = socket_deadline(s->rcvtimeo_ns);
	bool peek = m->flags & MSG_PEEK;
	bool want_trunc = m->flags & MSG_TRUNC;
	struct unix_fds fds = { NULL, 0, false };
	struct unix_creds creds;
	struct unix_rec *r;
	long err = 0, n = 0;
	size_t len = 0, skip = 0;
	int64_t stamp = 0;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	m->flags &= ~MSG_TRUNC;
	m->namelen = 0;
	spin_lock(&u->lock);
	for (;;) {
		r = wait_datagram(u, peek, socket_nonblock(s, m->flags), deadline, &skip, &err);
		if (!r || !peek)
			break;
		/* A peeked record stays queued and may be taken by another
		 * thread once the lock is dropped: it is copied under it. */
		n = dgram_copy(r, skip, m);
		if (n != -EFAULT)
			break;
		if ((err = unix_fault_in(u, m, 0, r->len - skip < m->len ? r->len - skip : m->len))) {
			r = NULL;
			break;
		}
	}
	if (r) {
		len = r->len - skip;
		creds = r->creds;
		stamp = r->stamp;
		if (peek)	/* SO_PEEK_OFF moves on by what a peek copied */
			unix_peek_moved(u, n);
	}
	if (r && peek && r->nfds)
		unix_rec_detach_fds(r, true, &fds);
	spin_unlock(&u->lock);
	if (!r) {
		m->controllen = 0;
		return err;	/* 0 after shutdown(SHUT_RD): end of file */
	}
	if (!peek)
		n = read_taken(u, r, m, &fds);
	unix_control_out(s, m, socket_tstamp_wanted(s) ? &stamp : NULL, unix_passcred(u) ? &creds : NULL, &fds);
	if (!peek)
		unix_rec_free(r);
	if (n < 0)
		return n;
	return want_trunc ? (long)len : n;
}
