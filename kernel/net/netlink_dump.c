/* Netlink dumps: a protocol's listing (struct nl_dump) built into
 * datagrams one at a time, the first at the request, each next one when
 * a receive leaves the queue half empty, as Linux's netlink_dump; so a
 * program that never reads costs one datagram. */
#include "net/netlink_sock.h"

#include "core/errno.h"
#include "core/string.h"

/* ---- dumps ----------------------------------------------------------------- */

/* The dump's size of datagram: Linux's, a page's worth or as much as the
 * program has read at once, up to 32 KiB. */
static size_t dump_size(struct nl_sock *n)
{
	size_t want = __atomic_load_n(&n->max_recvmsg_len, __ATOMIC_RELAXED);

	return want < GOOD_SIZE ? GOOD_SIZE : want > DUMP_SIZE_MAX ? DUMP_SIZE_MAX : want;
}

/* NLMSG_DONE with status; false when it does not fit. */
static bool put_done(struct nl_buf *b, const struct nl_dump *d, int status)
{
	struct nlmsghdr_k *h = nlmsg_begin(b, NLMSG_DONE, NLM_F_MULTI, d->seq, d->pid, sizeof status);

	if (h)
		memcpy(nlmsg_body(h), &status, sizeof status);
	return h != NULL;
}

/* The dump is over: its protocol's state goes.  Caller holds dump_lock. */
static void dump_end(struct nl_sock *n)
{
	n->dumping = false;
	if (n->dump.done)
		n->dump.done(n->dump.priv);
	n->dump.done = NULL;
}

/* Builds and queues the dump's next datagram, if the receive buffer has
 * room for it (else the reader's next receive comes back here).  Caller
 * holds dump_lock. */
static void dump_step(struct nl_sock *n)
{
	struct nl_buf b;

	if (!n->dumping || __atomic_load_n(&n->rmem, __ATOMIC_RELAXED) >= (size_t)n->rcvbuf)
		return;
	if (nl_buf_alloc(&b, dump_size(n))) {
		dump_end(n);
		nl_lost(n);	/* Linux's answer to a dump it cannot go on with */
		return;
	}
	int r = n->dump.fn(&n->dump, &b);
	if (r == NL_DUMP_MORE && !b.len)
		r = -EMSGSIZE;	/* one object bigger than a datagram */
	/* The end goes with the last objects when it fits, else alone next;
	 * with done_alone (Linux's dumps that return the length they put,
	 * as sock_diag's), alone next after any object. */
	if (r == NL_DUMP_DONE && b.len && n->dump.done_alone)
		r = NL_DUMP_MORE;
	if (r != NL_DUMP_MORE && put_done(&b, &n->dump, r < 0 ? r : 0))
		dump_end(n);
	nl_deliver(n, &b, true);
}

int nl_dump_start(struct nl_sock *n, const struct nl_dump *d)
{
	mutex_lock(&n->dump_lock);
	bool busy = n->dumping;
	if (!busy) {
		n->dump = *d;
		n->dumping = true;
		dump_step(n);
	}
	mutex_unlock(&n->dump_lock);
	return busy ? -EBUSY : NL_DUMP_STARTED;
}

void nl_dump_abandon(struct nl_sock *n)
{
	mutex_lock(&n->dump_lock);
	if (n->dumping)
		dump_end(n);
	mutex_unlock(&n->dump_lock);
}

/* After a receive: the dump goes on once half the buffer is free, as on Linux. */
void nl_dump_continue(struct nl_sock *n)
{
	if (!__atomic_load_n(&n->dumping, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&n->rmem, __ATOMIC_RELAXED) > (size_t)n->rcvbuf / 2)
		return;
	mutex_lock(&n->dump_lock);
	dump_step(n);
	mutex_unlock(&n->dump_lock);
}

