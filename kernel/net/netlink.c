/* AF_NETLINK sockets: the program's side of netlink.
 *
 * A socket is bound to a port id (netlink_port.c), may join multicast
 * groups, and receives datagrams: the kernel's replies, or a privileged
 * sender's.  What a program sends to port 0 is handled at once, in its
 * own thread, by the protocol (rtnetlink.c, sock_diag.c); a dump is built
 * a datagram at a time as the program reads (netlink_dump.c).
 * NETLINK_ROUTE and NETLINK_SOCK_DIAG exist; other protocols are
 * EPROTONOSUPPORT, as on a Linux built without them.  netlink_sock.h says
 * which lock guards what. */
#include "net/netlink_sock.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/wait.h"
#include "fs/poll.h"

/* ---- datagrams ------------------------------------------------------------- */

int nl_buf_alloc(struct nl_buf *b, size_t cap)
{
	/* Charged to the program: the datagrams are its asking. */
	struct nl_dgram *d = kmalloc_program(sizeof *d + cap);

	if (!d)
		return -ENOMEM;
	d->refs = 1;
	d->from_pid = d->group = 0;
	d->creds = (struct ucred_k){ 0, 0, 0 };
	b->data = d->data;
	b->len = 0;
	b->cap = cap;
	return 0;
}

void nl_buf_free(struct nl_buf *b)
{
	if (b->data)
		kfree(nl_dgram_of(b));
	b->data = NULL;
}

static void dgram_put(struct nl_dgram *d)
{
	if (!__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL))
		kfree(d);
}

/* Queues b's datagram at n, or drops it when n's buffer is full: then
 * n's next receive says ENOBUFS (unless NETLINK_NO_ENOBUFS), as Linux's
 * netlink_overrun.  force: a dump's datagram, whose maker checked room. */
int nl_deliver(struct nl_sock *n, struct nl_buf *b, bool force)
{
	struct nl_dgram *d = nl_dgram_of(b);
	int err = 0;

	d->len = b->len;
	b->data = NULL;
	spin_lock(&n->lock);
	if (n->dead) {
		err = -ECONNREFUSED;
	} else if (!force && n->rmem > (size_t)n->rcvbuf) {
		err = -ENOBUFS;
	} else {
		list_add_tail(&n->queue, &d->link);
		n->rmem += d->len + DGRAM_COST;
	}
	spin_unlock(&n->lock);
	if (err == -ENOBUFS)
		nl_overrun(n);
	else
		waitq_wake_all(&n->wq);
	if (err)
		kfree(d);
	return err;
}

void nl_overrun(struct nl_sock *n)
{
	spin_lock(&n->lock);
	if (!nl_flag(n, NETLINK_NO_ENOBUFS))
		n->err = ENOBUFS;
	spin_unlock(&n->lock);
	waitq_wake_all(&n->wq);	/* also wakes poll for the error */
}

int nl_reply(struct nl_sock *n, struct nl_buf *b) { return nl_deliver(n, b, false); }

/* An answer that could not be made: n's next receive says ENOBUFS, as
 * Linux's netlink_ack and netlink_dump set sk_err when memory is short. */
void nl_lost(struct nl_sock *n)
{
	spin_lock(&n->lock);
	n->err = ENOBUFS;
	spin_unlock(&n->lock);
	waitq_wake_all(&n->wq);
}

/* ---- sending ---------------------------------------------------------------- */

/* Linux's netlink_ack: NLMSG_ERROR with err (0: an ack) and the request's
 * header, and its body too for an error unless NETLINK_CAP_ACK. */
static void ack(struct nl_sock *n, const struct nlmsghdr_k *req, int err)
{
	bool whole = err && !nl_flag(n, NETLINK_CAP_ACK);
	size_t echo = whole ? req->len : NLMSG_HDRLEN;
	struct nl_buf b;

	if (nl_buf_alloc(&b, NL_ALIGN(NLMSG_HDRLEN + sizeof err + echo))) {
		nl_lost(n);
		return;
	}
	struct nlmsghdr_k *h = nlmsg_begin(&b, NLMSG_ERROR, whole ? 0 : NLM_F_CAPPED,
					   req->seq, (uint32_t)n->pid, sizeof err + echo);
	memcpy(nlmsg_body(h), &err, sizeof err);
	memcpy((uint8_t *)nlmsg_body(h) + sizeof err, req, echo);
	nl_reply(n, &b);
}

/* Linux's netlink_rcv_skb: each whole message in turn; the first that
 * does not fit ends the lot, silently. */
static void kernel_receive(struct nl_sock *n, const uint8_t *p, size_t len)
{
	struct sock_cred me;

	socket_cred_current(&me);
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr_k *h = (const void *)p;
		if (h->len < NLMSG_HDRLEN || h->len > len)
			return;
		int err = 0;
		/* Only requests are handled, and no control messages. */
		if ((h->flags & NLM_F_REQUEST) && h->type >= NLMSG_MIN_TYPE) {
			struct nl_request r = { h, (uint32_t)n->pid, me.net_admin, GOOD_SIZE };
			err = n->protocol == NETLINK_ROUTE ? rtnl_request(n, &r) : sock_diag_request(n, &r);
		}
		if (err != NL_DUMP_STARTED && (err || (h->flags & NLM_F_ACK)))
			ack(n, h, err);
		size_t step = NL_ALIGN(h->len);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

/* The destination: the message's name, else connect()'s. */
static int destination(struct nl_sock *n, const struct sock_msg *m, uint32_t *pid, uint32_t *group)
{
	uint32_t a[3];

	if (!m->namelen) {
		spin_lock(&n->lock);
		*pid = n->dst_pid;
		*group = n->dst_group;
		spin_unlock(&n->lock);
		return 0;
	}
	if (m->namelen < ADDR_LEN || *(const uint16_t *)m->name != AF_NETLINK)
		return -EINVAL;
	memcpy(a, m->name, sizeof a);
	*pid = a[1];
	*group = (uint32_t)nl_group_of(a[2]);
	return nl_may_send_to(*pid, *group);
}

static long nl_sendmsg(struct socket *s, struct sock_msg *m)
{
	struct nl_sock *n = nl_of(s);
	uint32_t pid, group;
	struct nl_buf b;
	long err;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if ((err = destination(n, m, &pid, &group)) || (err = nl_autobind(n)))
		return err;
	if (m->len > (size_t)n->sndbuf - HEADROOM)
		return -EMSGSIZE;
	if (!m->len)
		return -ENODATA;	/* Linux's answer to an empty message */
	if ((err = nl_buf_alloc(&b, m->len)))
		return -ENOBUFS;
	if ((err = sock_msg_drain(m, 0, b.data, m->len)) < 0) {
		nl_buf_free(&b);
		return err;
	}
	b.len = m->len;
	struct sock_cred me;
	socket_cred_current(&me);	/* Linux's scm_send: process id, real ids */
	nl_dgram_of(&b)->creds = (struct ucred_k){ me.pid, me.uid[0], me.gid[0] };
	/* A group's copies, then the port's, as Linux: port 0 is the kernel
	 * even beside a group. */
	if (group)
		nl_multicast(n->protocol, n, (uint32_t)n->pid, pid, group, &b);
	if (pid)
		err = nl_unicast(n, pid, &b);
	else
		kernel_receive(n, b.data, b.len);
	nl_buf_free(&b);
	return err ? err : (long)m->len;
}

/* ---- receiving --------------------------------------------------------------- */

/* The oldest datagram: off the queue, or for a peek kept there with a
 * reference for the caller.  Waits unless nonblock. */
static long take(struct nl_sock *n, bool peek, bool nonblock, uint64_t deadline, struct nl_dgram **out)
{
	long err = 0;

	spin_lock(&n->lock);
	for (;;) {
		if (n->err) {
			err = -n->err;
			n->err = 0;
			break;
		}
		if (!list_empty(&n->queue)) {
			struct nl_dgram *d = list_entry(n->queue.next, struct nl_dgram, link);
			if (peek) {
				__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
			} else {
				list_del(&d->link);
				n->rmem -= d->len + DGRAM_COST;
			}
			*out = d;
			break;
		}
		struct waiter w;
		if (nonblock || (deadline && clock_ns() >= deadline)) {
			err = -EAGAIN;
			break;
		}
		if (thread_signalled()) {
			err = deadline ? -EINTR : -ERESTARTSYS;
			break;
		}
		waitq_prepare(&n->wq, &w);
		spin_unlock(&n->lock);
		wait_sleep(&n->wq, &w, deadline);
		spin_lock(&n->lock);
	}
	spin_unlock(&n->lock);
	if (!err && !peek)
		waitq_wake_all(&n->room);	/* room made: netlink_wait_room's waiters */
	return err;
}

/* Linux's netlink_cmsg and scm_recv: the group the datagram was sent to
 * (NETLINK_PKTINFO), then who sent it (SO_PASSCRED). */
static void control_out(struct nl_sock *n, const struct nl_dgram *d, struct sock_msg *m)
{
	size_t used = 0;

	if (nl_flag(n, NETLINK_PKTINFO))
		sock_msg_put_cmsg(m, &used, SOL_NETLINK, NETLINK_PKTINFO, &d->group, sizeof d->group);
	if (n->passcred)
		sock_msg_put_cmsg(m, &used, SOL_SOCKET, SCM_CREDENTIALS, &d->creds, sizeof d->creds);
	m->controllen = used;
}

static void note_read_size(struct nl_sock *n, size_t len)
{
	size_t seen = __atomic_load_n(&n->max_recvmsg_len, __ATOMIC_RELAXED);

	if (len > seen)
		__atomic_store_n(&n->max_recvmsg_len, len, __ATOMIC_RELAXED);
}

static long nl_recvmsg(struct socket *s, struct sock_msg *m)
{
	struct nl_sock *n = nl_of(s);
	bool peek = m->flags & MSG_PEEK, want_trunc = m->flags & MSG_TRUNC;
	struct nl_dgram *d;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	note_read_size(n, m->len);
	long err = take(n, peek, socket_nonblock(s, m->flags), socket_deadline(s->rcvtimeo_ns), &d);
	if (err)
		return err;
	size_t len = d->len < m->len ? d->len : m->len;
	long copied = sock_msg_fill(m, 0, d->data, len);
	m->flags &= ~MSG_TRUNC;
	if (d->len > m->len)
		m->flags |= MSG_TRUNC;
	uint32_t name[3] = { AF_NETLINK, d->from_pid, d->group ? 1u << (d->group - 1) : 0 };
	memcpy(m->name, name, sizeof name);
	m->namelen = ADDR_LEN;
	control_out(n, d, m);
	size_t full = d->len;
	dgram_put(d);
	if (!peek)
		nl_dump_continue(n);
	if (copied < 0)
		return copied;
	return want_trunc ? (long)full : copied;
}

static unsigned nl_poll(struct socket *s, struct poll_table *pt)
{
	struct nl_sock *n = nl_of(s);

	poll_wait(pt, &n->wq);
	spin_lock(&n->lock);
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;	/* always writable, as datagram_poll says */
	if (!list_empty(&n->queue))
		mask |= POLLIN | POLLRDNORM;
	if (n->err)
		mask |= POLLERR;
	spin_unlock(&n->lock);
	return mask;
}

/* ---- the socket ---------------------------------------------------------------- */

static void nl_put(struct nl_sock *n)
{
	if (!__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL))
		kfree(n);
}

static void nl_release(struct socket *s)
{
	struct nl_sock *n = nl_of(s);

	nl_port_remove(n);
	nl_dump_abandon(n);
	spin_lock(&n->lock);
	n->dead = true;
	while (!list_empty(&n->queue)) {
		struct nl_dgram *d = list_entry(n->queue.next, struct nl_dgram, link);
		list_del(&d->link);
		dgram_put(d);
	}
	spin_unlock(&n->lock);
	waitq_wake_all(&n->room);	/* netlink_wait_room's waiters: it went */
	nl_put(n);
}

struct nl_sock *netlink_hold(struct socket *s)
{
	if (s->family != AF_NETLINK)
		return NULL;
	__atomic_add_fetch(&nl_of(s)->refs, 1, __ATOMIC_RELAXED);
	return nl_of(s);
}

long netlink_wait_room(struct nl_sock *n)
{
	struct waiter w;

	spin_lock(&n->lock);
	if (n->dead || n->rmem <= (size_t)n->rcvbuf) {
		spin_unlock(&n->lock);
		return 0;
	}
	waitq_prepare(&n->room, &w);
	spin_unlock(&n->lock);
	wait_sleep(&n->room, &w, 0);
	return thread_signalled() ? -ERESTARTSYS : 1;
}

void netlink_send_put(struct nl_sock *n, const void *data, size_t len)
{
	struct nl_buf b;

	if (data && !nl_buf_alloc(&b, len)) {
		memcpy(b.data, data, len);
		b.len = len;
		nl_deliver(n, &b, true);
	}
	nl_put(n);
}

static const struct socket_ops netlink_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.getname = nl_getname,
	.setsockopt = nl_setsockopt,
	.getsockopt = nl_getsockopt,
	.poll = nl_poll,
	.release = nl_release,
};

int netlink_socket_init(struct socket *s, int type, int protocol)
{
	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE && protocol != NETLINK_SOCK_DIAG)
		return -EPROTONOSUPPORT;
	struct nl_sock *n = kmalloc(sizeof *n);
	if (!n)
		return -ENOMEM;
	memset(n, 0, sizeof *n);
	n->refs = 1;
	n->protocol = protocol;
	list_init(&n->queue);
	list_init(&n->port_link);
	n->rcvbuf = n->sndbuf = BUF_DEFAULT;
	waitq_init(&n->wq);
	waitq_init(&n->room);
	mutex_init(&n->dump_lock);
	s->ops = &netlink_ops;
	s->priv = n;
	rtnl_notify_init();
	return 0;
}
