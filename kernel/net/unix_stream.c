/* AF_UNIX stream data: a send becomes records of at most UNIX_CHUNK_MAX
 * bytes on the peer's queue, waiting while the sender's bytes in flight
 * reach its sndbuf; a receive gathers records in order, stopping after one
 * that carries files (their descriptors come with its bytes) and, for a
 * receiver with SO_PASSCRED, before one with other credentials (Linux
 * never glues messages of different senders then).  Out-of-band bytes
 * (the last of a MSG_OOB send, a record of its own) are unix_oob.c's; a
 * peek starts SO_PEEK_OFF bytes in when that is on. */
#include "net/unix_internal.h"

#include "core/errno.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/wait.h"

int unix_deliver(struct unix_sock *to, struct unix_rec *r)
{
	struct file *urgent = NULL;

	spin_lock(&to->lock);
	if (to->dead || (to->type != SOCK_DGRAM && (to->shut & UNIX_RCV_SHUT))) {
		bool dead = to->dead;
		spin_unlock(&to->lock);
		return to->type == SOCK_DGRAM && dead ? -ECONNREFUSED : -EPIPE;
	}
	list_add_tail(&to->queue, &r->link);
	to->queued += r->len;
	if (r->oob)
		urgent = unix_oob_mark(to, r);
	spin_unlock(&to->lock);
	waitq_wake_all(&to->wq);
	if (urgent) {
		socket_urgent(urgent);
		file_put(urgent);
	}
	return 0;
}

long unix_send_peer(struct unix_sock *u, struct unix_sock **peer)
{
	long err = 0;

	spin_lock(&u->lock);
	if (u->state != UNIX_CONNECTED)
		err = -ENOTCONN;
	else if ((u->shut & UNIX_SND_SHUT) || !u->peer)
		err = -EPIPE;
	else
		unix_get(*peer = u->peer);
	spin_unlock(&u->lock);
	return err;
}

/* One record of n bytes from m at off (with m's files when first). */
static long send_chunk(struct unix_sock *u, struct unix_sock *peer, const struct sock_msg *m, size_t off,
		       size_t n, bool first, const struct unix_creds *creds, bool oob)
{
	struct unix_rec *r = unix_rec_new(u, n);
	long err;

	if (!r)
		return -ENOBUFS;
	r->creds = *creds;
	r->oob = oob;
	if ((err = unix_rec_fill(r, m, off)) || (first && (err = unix_rec_take_fds(r, m))) ||
	    (err = unix_deliver(peer, r)))
		unix_rec_free(r);
	return err;
}

long unix_stream_sendmsg(struct socket *s, struct sock_msg *m)
{
	struct unix_sock *u = unix_of(s), *peer;
	uint64_t deadline = socket_deadline(s->sndtimeo_ns);
	struct unix_creds creds;
	size_t sent = 0, body = m->len;	/* body: the bytes before an out-of-band one */
	long err;

	if (m->flags & MSG_OOB) {
		if (!m->len)
			return -EOPNOTSUPP;
		body--;
	}
	if (m->namelen)
		return u->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if ((err = unix_send_peer(u, &peer)))
		return err;
	if ((err = unix_msg_creds(m, u, peer, &creds))) {
		unix_put(peer);
		return err;
	}
	/* Nothing to send queues nothing, as on Linux: no empty record
	 * (its files are not passed), which would make the receiver's
	 * close a reset. */
	while (sent < m->len) {
		if ((err = unix_wait_room(u, socket_nonblock(s, m->flags), deadline)))
			break;
		if (__atomic_load_n(&u->shut, __ATOMIC_RELAXED) & UNIX_SND_SHUT) {
			err = -EPIPE;
			break;
		}
		/* The out-of-band byte comes last, alone (Linux's queue_oob). */
		bool oob = sent == body;
		size_t n = oob ? 1 : body - sent, most = (size_t)u->sndbuf / 2 - UNIX_REC_COST;
		n = n < most ? n : most;
		n = n < UNIX_CHUNK_MAX ? n : UNIX_CHUNK_MAX;
		if ((err = send_chunk(u, peer, m, sent, n, !sent, &creds, oob)))
			break;
		sent += n;
	}
	unix_put(peer);
	return sent ? (long)sent : err;
}

/* ---- receiving ------------------------------------------------------------ */

/* What a receive gathers besides the bytes. */
struct gathered {
	struct unix_fds fds;
	struct unix_creds creds;	/* with SO_PASSCRED: the first record's */
	bool passcred, have_creds;
	bool stop;			/* files or other credentials end the message */
};

/* With SO_PASSCRED, records of other credentials than the first's are
 * left for the next receive. */
static bool same_sender(struct gathered *g, const struct unix_rec *r)
{
	if (!g->passcred)
		return true;
	if (!g->have_creds) {
		g->creds = r->creds;
		g->have_creds = true;
		return true;
	}
	return unix_creds_eq(&g->creds, &r->creds);
}

/* Copies what r holds from at on into m at moff, moving r's reader on
 * (not for a peek).  Bytes taken, or -EFAULT.  Caller holds u->lock. */
static long take_rec(struct unix_sock *u, struct unix_rec *r, size_t at, struct sock_msg *m,
		     size_t moff, struct list *done, struct gathered *g)
{
	bool peek = m->flags & MSG_PEEK;
	size_t n = r->len - at < m->len - moff ? r->len - at : m->len - moff;
	long c = unix_rec_copy_out(r, at, m, moff, n);

	if (c < 0)
		return c;
	if (!moff && m->namelen == 0)
		unix_name_of(r->from, m);
	if (r->nfds) {
		unix_rec_detach_fds(r, peek, &g->fds);
		g->stop = true;
	}
	unix_peek_moved(u, peek ? (long)n : -(long)n);
	if (!peek) {
		r->off += n;
		u->queued -= n;
		if (r->off == r->len) {
			list_del(&r->link);
			list_add_tail(done, &r->link);
		}
	}
	return (long)n;
}

/* Takes what is queued into m from byte copied on.  Caller holds u->lock.
 * Consumed records move to done.  Bytes taken, or -EFAULT; g->stop when a
 * record with files or other credentials, or the out-of-band mark, ended
 * the message.  A peek starts SO_PEEK_OFF bytes in: as on Linux, the mark
 * is looked at for the first record and for those after the bytes
 * peeked, not for those the offset passes over. */
static long take(struct unix_sock *u, struct sock_msg *m, size_t copied, struct list *done,
		 struct gathered *g)
{
	bool peek = m->flags & MSG_PEEK, look = true;
	size_t took = 0, skip = peek && u->peek_off > 0 ? (size_t)u->peek_off : 0;
	struct list *l, *next;

	for (l = u->queue.next; l != &u->queue && copied + took < m->len && !g->stop; l = next) {
		struct unix_rec *r = list_entry(l, struct unix_rec, link);
		next = l->next;
		int what = look ? unix_oob_pass(u, r, peek, copied + took, done) : UNIX_MARK_READ;
		if (what == UNIX_MARK_STOP)
			g->stop = true;
		if (what != UNIX_MARK_READ)
			continue;
		if (skip >= r->len - r->off) {
			skip -= r->len - r->off;
			look = false;
			continue;
		}
		if (!same_sender(g, r)) {
			g->stop = true;
			break;
		}
		long n = take_rec(u, r, r->off + skip, m, copied + took, done, g);
		if (n < 0)
			return took ? (long)took : n;
		took += (size_t)n;
		skip = 0;
		look = true;
	}
	return (long)took;
}

static void free_done(struct list *done)
{
	struct list *l, *n;

	list_for_each_safe(l, n, done) {
		list_del(l);
		unix_rec_free(list_entry(l, struct unix_rec, link));
	}
}

long unix_stream_recvmsg(struct socket *s, struct sock_msg *m)
{
	struct unix_sock *u = unix_of(s);
	uint64_t deadline = socket_deadline(s->rcvtimeo_ns);
	/* A peek shows what is queued once there is some, as Linux's
	 * unix_stream_read_generic. */
	size_t target = (m->flags & MSG_PEEK) ? 1 : socket_rcvlowat(s, m->flags, m->len);
	size_t copied = 0;
	struct gathered g = { .passcred = unix_passcred(u) };
	struct list done;
	long err = 0;

	if (m->flags & MSG_OOB)
		return unix_oob_recv(s, m);
	list_init(&done);
	m->namelen = 0;
	spin_lock(&u->lock);
	if (u->state != UNIX_CONNECTED)
		err = -EINVAL;
	while (!err) {
		if (!list_empty(&u->queue)) {
			long n = take(u, m, copied, &done, &g);
			size_t more = m->len - copied < u->queued ? m->len - copied : u->queued;
			if (n == -EFAULT && more && !unix_fault_in(u, m, copied, more))
				continue;	/* the pages are in now: look again */
			if (n < 0) {
				err = n;
				break;
			}
			copied += (size_t)n;
		}
		/* A read of 0 bytes waits for data as any other (Linux's
		 * target is at least 1), and returns 0 once there is some:
		 * an empty queue must not read as end of file. */
		if (copied >= target || g.stop || (!m->len && !list_empty(&u->queue)))
			break;
		if (!copied && u->err) {
			err = -u->err;
			u->err = 0;
		} else if (u->shut & UNIX_RCV_SHUT) {
			break;
		} else {
			err = unix_wait(u, socket_nonblock(s, m->flags), deadline);
		}
	}
	spin_unlock(&u->lock);
	/* Nothing read with SO_PASSCRED: Linux's zeroed credentials. */
	if (g.passcred && !g.have_creds)
		g.creds = (struct unix_creds){ true, { 0, 0, 0 } };
	unix_control_out(s, m, NULL, g.passcred ? &g.creds : NULL, &g.fds);
	free_done(&done);
	return copied ? (long)copied : err;
}
