/* AF_UNIX out-of-band data: MSG_OOB on stream sockets, as Linux has it
 * since 5.15.
 *
 * A send with MSG_OOB queues its last byte as a record of its own, which
 * becomes the receiver's mark (u->oob): its owner gets SIGURG (through
 * net/socket.h's hook), poll shows POLLPRI while the mark is unread, and
 * a new mark makes the old byte an ordinary one.  recv(MSG_OOB) takes the
 * byte out of the stream; its record stays in the queue, read to its end,
 * where the mark was.  An ordinary read stops before the mark, or before
 * a taken byte's record, once it has read anything; starting there, it
 * passes over the byte (dropped unread, unless SO_OOBINLINE makes it
 * ordinary data).  All of this is Linux's manage_oob and
 * unix_stream_recv_urg, down to FIONREAD still counting a byte a read
 * passed over. */
#include "net/unix_internal.h"

#include "core/errno.h"
#include "fs/file.h"

struct file *unix_oob_mark(struct unix_sock *to, struct unix_rec *r)
{
	struct file *f = to->sock ? to->sock->file : NULL;

	to->oob = r;
	/* to->sock is set while to's file is not yet released: a file on
	 * its way out (no references left) is told nothing. */
	return f && file_tryget(f) ? f : NULL;
}

/* Moves r from u's queue to done (freed once u's lock is dropped). */
static void to_done(struct unix_rec *r, struct list *done)
{
	list_del(&r->link);
	list_add_tail(done, &r->link);
}

int unix_oob_pass(struct unix_sock *u, struct unix_rec *r, bool peek, bool copied, struct list *done)
{
	if (r->off == r->len) {		/* a byte recv(MSG_OOB) took: the mark's place */
		if (copied && !u->oob)
			return UNIX_MARK_STOP;
		if (!peek)
			to_done(r, done);
		return UNIX_MARK_SKIP;
	}
	if (r != u->oob)
		return UNIX_MARK_READ;
	if (copied)
		return UNIX_MARK_STOP;
	bool inl = unix_oobinline(u);
	if (peek)
		return inl ? UNIX_MARK_READ : UNIX_MARK_SKIP;
	u->oob = NULL;
	if (inl)
		return UNIX_MARK_READ;
	r->off = r->len;	/* dropped; Linux's inq_len keeps it: so does queued */
	to_done(r, done);
	return UNIX_MARK_SKIP;
}

bool unix_oob_atmark(struct unix_sock *u)
{
	if (list_empty(&u->queue))
		return false;
	struct unix_rec *r = list_entry(u->queue.next, struct unix_rec, link);
	struct list *next = r->link.next;
	if (r == u->oob)
		return true;
	return r->off == r->len &&
	       (!u->oob || (next != &u->queue && list_entry(next, struct unix_rec, link) == u->oob));
}

/* Takes the byte of r, u's mark: r stays, read to its end.  A taken
 * byte's record just before it goes (Linux 6.16 on leaves no two in a
 * row), to gone.  Caller holds u->lock. */
static void take_byte(struct unix_sock *u, struct unix_rec *r, struct unix_rec **gone)
{
	u->oob = NULL;
	r->off = r->len;
	u->queued -= 1;
	if (r->link.prev == &u->queue)
		return;
	struct unix_rec *prev = list_entry(r->link.prev, struct unix_rec, link);
	if (prev->off == prev->len) {
		list_del(&prev->link);
		*gone = prev;
	}
}

/* The byte is taken before it is copied: one a bad buffer cannot receive
 * is lost, and a buffer of 0 bytes takes it, as on Linux.  Never waits. */
long unix_oob_recv(struct socket *s, struct sock_msg *m)
{
	struct unix_sock *u = unix_of(s);
	struct unix_rec *gone = NULL;
	long err = 0;
	char c = 0;

	m->namelen = 0;
	m->controllen = 0;
	spin_lock(&u->lock);
	struct unix_rec *r = u->oob;
	if (u->state != UNIX_CONNECTED || !r || unix_oobinline(u)) {
		err = -EINVAL;
	} else {
		c = r->data[0];
		if (!(m->flags & MSG_PEEK))
			take_byte(u, r, &gone);
	}
	spin_unlock(&u->lock);
	if (gone)
		unix_rec_free(gone);
	if (err)
		return err;
	if (m->len && sock_msg_fill(m, 0, &c, 1) < 0)
		return -EFAULT;
	m->flags |= MSG_OOB;
	return 1;
}
