/* AF_NETLINK sockets: the program's side of netlink.
 *
 * A socket is bound to a port id (its own, or made up at the first bind
 * or send, as Linux's autobind: the process id, else a random negative
 * one), may join multicast groups, and receives datagrams: the kernel's
 * replies, or a privileged sender's.  What a program sends to port 0 is
 * handled at once, in its own thread, by the protocol (rtnetlink.c).
 * Only NETLINK_ROUTE exists; other protocols are EPROTONOSUPPORT, as on a
 * Linux built without them (iproute2's ss then reads /proc/net).
 *
 * Locking: ports_lock guards the port table and comes before a socket's
 * lock, which guards its queue and state.  A dump's cursor is under the
 * socket's dump_lock, a mutex: building a datagram gathers the network's
 * state, which sleeps. */
#include "net/netlink_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/mutex.h"
#include "core/random.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/wait.h"
#include "fs/poll.h"
#include "net/socket.h"

#define POLLWRBAND		0x200	/* as kernel/net/unix.c */
#define SCM_CREDENTIALS		2
#define CMSG_HDR		16	/* Linux's struct cmsghdr on 64 bits */
#define CMSG_ALIGN(n)		(((n) + 7) & ~(size_t)7)
#define SOL_NETLINK		270
#define NETLINK_ADD_MEMBERSHIP	1
#define NETLINK_DROP_MEMBERSHIP	2
#define NETLINK_PKTINFO		3
#define NETLINK_BROADCAST_ERROR	4
#define NETLINK_NO_ENOBUFS	5
#define NETLINK_LISTEN_ALL_NSID	8
#define NETLINK_LIST_MEMBERSHIPS 9
#define NETLINK_CAP_ACK		10
#define NETLINK_EXT_ACK		11
#define NETLINK_GET_STRICT_CHK	12
#define NL_FLAG_OPTIONS		((1u << 3) | (1u << 4) | (1u << 5) | (1u << 10) | (1u << 11) | (1u << 12))

#define RTNL_GROUPS		39	/* Linux 6.18's RTNLGRP_MAX */
#define RTNL_ADMIN_GROUPS	((1ull << 29) | (1ull << 30))	/* groups 30, 31: CAP_NET_ADMIN */
#define ADDR_LEN		12	/* struct sockaddr_nl */
#define HEADROOM		32	/* Linux: a message may use sndbuf - 32 bytes */
#define DGRAM_COST		576	/* what a datagram adds to rmem besides its bytes */
#define GOOD_SIZE		3776	/* Linux's NLMSG_GOODSIZE: a page less its overhead */
#define DUMP_SIZE_MAX		32448	/* Linux's largest dump datagram: 32 KiB less overhead */
#define BUF_DEFAULT		212992	/* net.core.rmem_default, wmem_default, and the maxima */

struct nl_dgram {
	struct list link;
	uint32_t refs;		/* the queue's, and a peeking reader's */
	uint32_t from_pid, group;
	struct ucred_k {		/* the sender's, for SCM_CREDENTIALS: zeros for the kernel */
		int32_t pid;
		uint32_t uid, gid;
	} creds;
	size_t len;
	uint8_t data[];
};

struct nl_sock {
	int refs;			/* the socket's, and each holder's (netlink_hold) */
	int protocol;
	struct spinlock lock;		/* everything down to dump_lock */
	bool dead;			/* the socket went: nothing is queued any more */
	struct list queue;		/* struct nl_dgram, oldest first */
	size_t rmem;
	int rcvbuf, sndbuf;
	int err;			/* ENOBUFS after an overrun, given once */
	bool bound;
	int32_t pid;
	uint64_t groups;		/* bit g-1: group g */
	bool has_groups;		/* Linux's nlk->groups exists: LIST_MEMBERSHIPS shows it */
	uint32_t dst_pid, dst_group;	/* connect()'s */
	unsigned flags;			/* bit n: the SOL_NETLINK flag option n */
	bool passcred;
	size_t max_recvmsg_len;
	struct waitq wq;
	struct list port_link;		/* in ports while bound */
	struct mutex dump_lock;
	bool dumping;
	struct nl_dump dump;
};

static struct spinlock ports_lock;
static struct list ports = { &ports, &ports };

static struct nl_sock *nl_of(struct socket *s) { return s->priv; }
static bool flag(const struct nl_sock *n, int opt) { return n->flags & (1u << opt); }

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

static struct nl_dgram *dgram_of(struct nl_buf *b) { return (struct nl_dgram *)(b->data - sizeof(struct nl_dgram)); }

static const struct ucred_k *creds_of(const struct nl_buf *b)
{
	return &((const struct nl_dgram *)(b->data - sizeof(struct nl_dgram)))->creds;
}

void nl_buf_free(struct nl_buf *b)
{
	if (b->data)
		kfree(dgram_of(b));
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
static int deliver(struct nl_sock *n, struct nl_buf *b, bool force)
{
	struct nl_dgram *d = dgram_of(b);
	int err = 0;

	d->len = b->len;
	b->data = NULL;
	spin_lock(&n->lock);
	if (n->dead) {
		err = -ECONNREFUSED;
	} else if (!force && n->rmem > (size_t)n->rcvbuf) {
		if (!flag(n, NETLINK_NO_ENOBUFS))
			n->err = ENOBUFS;
		err = -ENOBUFS;
	} else {
		list_add_tail(&n->queue, &d->link);
		n->rmem += d->len + DGRAM_COST;
	}
	spin_unlock(&n->lock);
	waitq_wake_all(&n->wq);	/* also wakes poll for the error */
	if (err)
		kfree(d);
	return err;
}

int nl_reply(struct nl_sock *n, struct nl_buf *b) { return deliver(n, b, false); }

/* An answer that could not be made: n's next receive says ENOBUFS, as
 * Linux's netlink_ack and netlink_dump set sk_err when memory is short. */
static void lost(struct nl_sock *n)
{
	spin_lock(&n->lock);
	n->err = ENOBUFS;
	spin_unlock(&n->lock);
	waitq_wake_all(&n->wq);
}

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

/* Builds and queues the dump's next datagram, if the receive buffer has
 * room for it (else the reader's next receive comes back here).  Caller
 * holds dump_lock. */
static void dump_step(struct nl_sock *n)
{
	struct nl_buf b;

	if (!n->dumping || __atomic_load_n(&n->rmem, __ATOMIC_RELAXED) >= (size_t)n->rcvbuf)
		return;
	if (nl_buf_alloc(&b, dump_size(n))) {
		n->dumping = false;
		lost(n);	/* Linux's answer to a dump it cannot go on with */
		return;
	}
	int r = n->dump.fn(&n->dump, &b);
	if (r == NL_DUMP_MORE && !b.len)
		r = -EMSGSIZE;	/* one object bigger than a datagram */
	/* The end goes with the last objects when it fits, else alone next. */
	if (r != NL_DUMP_MORE && put_done(&b, &n->dump, r < 0 ? r : 0))
		n->dumping = false;
	deliver(n, &b, true);
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

/* After a receive: the dump goes on once half the buffer is free, as on Linux. */
static void dump_continue(struct nl_sock *n)
{
	if (!__atomic_load_n(&n->dumping, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&n->rmem, __ATOMIC_RELAXED) > (size_t)n->rcvbuf / 2)
		return;
	mutex_lock(&n->dump_lock);
	dump_step(n);
	mutex_unlock(&n->dump_lock);
}

/* ---- ports ----------------------------------------------------------------- */

/* The bound socket of port pid, with ports_lock held. */
static struct nl_sock *port_find(int protocol, int32_t pid)
{
	struct list *e;

	list_for_each(e, &ports) {
		struct nl_sock *n = list_entry(e, struct nl_sock, port_link);
		if (n->protocol == protocol && n->pid == pid)
			return n;
	}
	return NULL;
}

/* A random port id in [INT32_MIN, -4097], where Linux's autobind starts
 * looking once the process id is taken. */
static int32_t random_below_4097(void)
{
	uint64_t r;

	random_fill(&r, sizeof r);
	return (int32_t)((int64_t)INT32_MIN + (int64_t)(r % ((uint64_t)-4096 - (uint64_t)(int64_t)INT32_MIN)));
}

/* Binds n to pid; 0 asks for one made up.  Under ports_lock. */
static int port_insert(struct nl_sock *n, int32_t pid)
{
	static int32_t rover = -4096;

	if (!pid) {
		struct sock_cred me;
		socket_cred_current(&me);
		pid = me.pid;
		/* Taken: a random negative id, then down from it, as Linux's autobind. */
		while (port_find(n->protocol, pid)) {
			if (rover >= -4096)
				rover = random_below_4097();
			pid = rover--;
		}
	} else if (port_find(n->protocol, pid)) {
		return -EADDRINUSE;
	}
	spin_lock(&n->lock);
	n->pid = pid;
	n->bound = true;
	spin_unlock(&n->lock);
	list_add_tail(&ports, &n->port_link);
	return 0;
}

static int autobind(struct nl_sock *n)
{
	spin_lock(&ports_lock);
	int err = n->bound ? 0 : port_insert(n, 0);
	spin_unlock(&ports_lock);
	return err;
}

/* Groups a caller may join: the routing-cache groups need CAP_NET_ADMIN. */
static int groups_allowed(uint64_t groups)
{
	struct sock_cred me;

	if (!(groups & RTNL_ADMIN_GROUPS))
		return 0;
	socket_cred_current(&me);
	return me.net_admin ? 0 : -EPERM;
}

/* Linux makes a socket's group bitmap at its first bind with groups or
 * membership option (even one that then fails); only then does
 * NETLINK_LIST_MEMBERSHIPS say its size. */
static void groups_exist(struct nl_sock *n)
{
	spin_lock(&n->lock);
	n->has_groups = true;
	spin_unlock(&n->lock);
}

static int nl_bind(struct socket *s, const void *addr, uint32_t len)
{
	struct nl_sock *n = nl_of(s);
	uint32_t a[3];

	if (len < ADDR_LEN || *(const uint16_t *)addr != AF_NETLINK)
		return -EINVAL;
	memcpy(a, addr, sizeof a);	/* family and pad, pid, groups */
	if (a[2])
		groups_exist(n);
	int err = groups_allowed(a[2]);
	if (err)
		return err;
	spin_lock(&ports_lock);
	if (n->bound)
		err = (int32_t)a[1] == n->pid ? 0 : -EINVAL;
	else
		err = port_insert(n, (int32_t)a[1]);
	spin_unlock(&ports_lock);
	if (!err) {
		spin_lock(&n->lock);
		n->groups = (n->groups & ~0xffffffffull) | a[2];
		spin_unlock(&n->lock);
	}
	return err;
}

static int group_of(uint32_t mask) { return mask ? __builtin_ctz(mask) + 1 : 0; }

/* Sending anywhere but the kernel needs CAP_NET_ADMIN for NETLINK_ROUTE. */
static int may_send_to(uint32_t pid, uint32_t group)
{
	struct sock_cred me;

	if (!pid && !group)
		return 0;
	socket_cred_current(&me);
	return me.net_admin ? 0 : -EPERM;
}

static int nl_connect(struct socket *s, const void *addr, uint32_t len)
{
	struct nl_sock *n = nl_of(s);
	uint32_t a[3];

	if (len < 2)
		return -EINVAL;
	if (*(const uint16_t *)addr == AF_UNSPEC) {
		spin_lock(&n->lock);
		n->dst_pid = n->dst_group = 0;
		spin_unlock(&n->lock);
		return 0;
	}
	if (*(const uint16_t *)addr != AF_NETLINK || len < ADDR_LEN)
		return -EINVAL;
	memcpy(a, addr, sizeof a);
	int err = may_send_to(a[1], a[2]);
	if (!err)
		err = autobind(n);
	if (!err) {
		spin_lock(&n->lock);
		n->dst_pid = a[1];
		n->dst_group = (uint32_t)group_of(a[2]);
		spin_unlock(&n->lock);
	}
	return err;
}

static int nl_getname(struct socket *s, void *addr, uint32_t *len, bool peer)
{
	struct nl_sock *n = nl_of(s);
	uint32_t a[3] = { AF_NETLINK, 0, 0 };

	spin_lock(&n->lock);
	a[1] = peer ? n->dst_pid : (uint32_t)n->pid;
	a[2] = peer ? (n->dst_group ? 1u << (n->dst_group - 1) : 0) : (uint32_t)n->groups;
	spin_unlock(&n->lock);
	memcpy(addr, a, *len < ADDR_LEN ? *len : ADDR_LEN);
	*len = ADDR_LEN;
	return 0;
}

/* ---- sending ---------------------------------------------------------------- */

/* Linux's netlink_ack: NLMSG_ERROR with err (0: an ack) and the request's
 * header, and its body too for an error unless NETLINK_CAP_ACK. */
static void ack(struct nl_sock *n, const struct nlmsghdr_k *req, int err)
{
	bool whole = err && !flag(n, NETLINK_CAP_ACK);
	size_t echo = whole ? req->len : NLMSG_HDRLEN;
	struct nl_buf b;

	if (nl_buf_alloc(&b, NL_ALIGN(NLMSG_HDRLEN + sizeof err + echo))) {
		lost(n);
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
			err = rtnl_request(n, &r);
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

/* Copies b's datagram to every member of group but skip and port to_pid
 * (from port from_pid; 0: the kernel).  Port to_pid, as in Linux's
 * netlink_broadcast, gets the message once, by unicast. */
static void multicast(int protocol, const struct nl_sock *skip, uint32_t from_pid, uint32_t to_pid,
		      uint32_t group, const struct nl_buf *b)
{
	struct list *e;

	spin_lock(&ports_lock);
	list_for_each(e, &ports) {
		struct nl_sock *n = list_entry(e, struct nl_sock, port_link);
		struct nl_buf copy;
		if (n == skip || (to_pid && n->pid == (int32_t)to_pid) || n->protocol != protocol ||
		    !(n->groups & (1ull << (group - 1))) || nl_buf_alloc(&copy, b->len))
			continue;
		memcpy(copy.data, b->data, b->len);
		copy.len = b->len;
		dgram_of(&copy)->from_pid = from_pid;
		dgram_of(&copy)->creds = *creds_of(b);
		dgram_of(&copy)->group = group;
		deliver(n, &copy, false);
	}
	spin_unlock(&ports_lock);
}

void nl_notify(int protocol, uint32_t group, const struct nl_buf *b)
{
	multicast(protocol, NULL, 0, 0, group, b);
}

bool nl_listened(int protocol, uint32_t group)
{
	struct list *e;
	bool any = false;

	spin_lock(&ports_lock);
	list_for_each(e, &ports) {
		struct nl_sock *n = list_entry(e, struct nl_sock, port_link);
		any |= n->protocol == protocol && (n->groups & (1ull << (group - 1)));
	}
	spin_unlock(&ports_lock);
	return any;
}

/* To another program's port (privileged senders only). */
static int unicast(struct nl_sock *from, uint32_t pid, struct nl_buf *b)
{
	spin_lock(&ports_lock);
	struct nl_sock *to = port_find(from->protocol, (int32_t)pid);
	int err = to ? 0 : -ECONNREFUSED;
	if (to) {
		dgram_of(b)->from_pid = (uint32_t)from->pid;
		deliver(to, b, false);
	}
	spin_unlock(&ports_lock);
	return err;
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
	*group = (uint32_t)group_of(a[2]);
	return may_send_to(*pid, *group);
}

static long nl_sendmsg(struct socket *s, struct sock_msg *m)
{
	struct nl_sock *n = nl_of(s);
	uint32_t pid, group;
	struct nl_buf b;
	long err;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if ((err = destination(n, m, &pid, &group)) || (err = autobind(n)))
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
	dgram_of(&b)->creds = (struct ucred_k){ me.pid, me.uid[0], me.gid[0] };
	/* A group's copies, then the port's, as Linux: port 0 is the kernel
	 * even beside a group. */
	if (group)
		multicast(n->protocol, n, (uint32_t)n->pid, pid, group, &b);
	if (pid)
		err = unicast(n, pid, &b);
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
	return err;
}

/* One control message at *used in m's control buffer, or what fits of
 * it and MSG_CTRUNC, as Linux's put_cmsg (and kernel/net/unix_rec.c's). */
static void put_cmsg(struct sock_msg *m, size_t *used, int level, int type, const void *data, size_t len)
{
	struct { uint64_t len; int32_t level, type; } h = { CMSG_HDR + len, level, type };
	size_t room = m->control ? m->controllen - *used : 0, space = CMSG_ALIGN(CMSG_HDR + len);

	if (room < CMSG_HDR) {
		m->flags |= MSG_CTRUNC;
		return;
	}
	if (room < h.len) {
		m->flags |= MSG_CTRUNC;
		h.len = room;
	}
	memcpy((char *)m->control + *used, &h, CMSG_HDR);
	memcpy((char *)m->control + *used + CMSG_HDR, data, h.len - CMSG_HDR);
	*used += space < room ? space : room;
}

/* Linux's netlink_cmsg and scm_recv: the group the datagram was sent to
 * (NETLINK_PKTINFO), then who sent it (SO_PASSCRED). */
static void control_out(struct nl_sock *n, const struct nl_dgram *d, struct sock_msg *m)
{
	size_t used = 0;

	if (flag(n, NETLINK_PKTINFO))
		put_cmsg(m, &used, SOL_NETLINK, NETLINK_PKTINFO, &d->group, sizeof d->group);
	if (n->passcred)
		put_cmsg(m, &used, SOL_SOCKET, SCM_CREDENTIALS, &d->creds, sizeof d->creds);
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
		dump_continue(n);
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

/* ---- options ----------------------------------------------------------------- */

/* Linux's sock_setsockopt: a plain size is read as unsigned, so capped
 * at the maximum even when negative; a forced one is at least 0.  Either
 * is doubled, within an int, and at least min. */
static int socket_level_set(struct nl_sock *n, int name, const void *val, uint32_t len)
{
	int v, err = sockopt_read_int(val, len, &v);

	if (err)
		return err;
	switch (name) {
	case SO_RCVBUF: case SO_RCVBUFFORCE:
		n->rcvbuf = socket_buf_size(v, name == SO_RCVBUFFORCE, true);
		return 0;
	case SO_SNDBUF: case SO_SNDBUFFORCE:
		n->sndbuf = socket_buf_size(v, name == SO_SNDBUFFORCE, false);
		return 0;
	case SO_PASSCRED:
		n->passcred = v != 0;
		return 0;
	}
	return -ENOPROTOOPT;
}

/* ADD_MEMBERSHIP and DROP_MEMBERSHIP of group g. */
static int membership(struct nl_sock *n, int name, unsigned g)
{
	if (!g || g > RTNL_GROUPS)
		return -EINVAL;
	if (name == NETLINK_ADD_MEMBERSHIP) {
		int err = groups_allowed(1ull << (g - 1));
		if (!err)
			err = autobind(n);
		if (err)
			return err;
	}
	spin_lock(&n->lock);
	if (name == NETLINK_ADD_MEMBERSHIP)
		n->groups |= 1ull << (g - 1);
	else
		n->groups &= ~(1ull << (g - 1));
	spin_unlock(&n->lock);
	return 0;
}

static int nl_setsockopt(struct socket *s, int level, int name, const void *val, uint32_t len)
{
	struct nl_sock *n = nl_of(s);
	unsigned v = 0;

	if (level == SOL_SOCKET)
		return socket_level_set(n, name, val, len);
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (len >= sizeof v)
		memcpy(&v, val, sizeof v);	/* shorter: 0, as Linux reads it */
	if (name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP) {
		groups_exist(n);
		return membership(n, name, v);
	}
	if (name == NETLINK_LISTEN_ALL_NSID) {
		struct sock_cred me;
		socket_cred_current(&me);
		return me.net_admin ? 0 : -EPERM;	/* one namespace: nothing to listen to */
	}
	if (name >= 32 || !(NL_FLAG_OPTIONS & (1u << name)))
		return -ENOPROTOOPT;
	spin_lock(&n->lock);
	n->flags = v ? n->flags | (1u << name) : n->flags & ~(1u << name);
	spin_unlock(&n->lock);
	return 0;
}

static int list_memberships(struct nl_sock *n, void *val, uint32_t *len)
{
	uint64_t groups = n->groups;
	uint32_t need = n->has_groups ? (RTNL_GROUPS + 31) / 32 * 4 : 0;

	memcpy(val, &groups, *len < need ? *len & ~3u : need);
	*len = need;
	return 0;
}

static int nl_getsockopt(struct socket *s, int level, int name, void *val, uint32_t *len)
{
	struct nl_sock *n = nl_of(s);

	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_RCVBUF: return sockopt_write_int(val, len, n->rcvbuf);
		case SO_SNDBUF: return sockopt_write_int(val, len, n->sndbuf);
		case SO_PASSCRED: return sockopt_write_int(val, len, n->passcred);
		case SO_ACCEPTCONN: return sockopt_write_int(val, len, 0);
		case SO_ERROR: {
			spin_lock(&n->lock);
			int e = n->err;
			n->err = 0;
			spin_unlock(&n->lock);
			return sockopt_write_int(val, len, e);
		}
		}
		return -ENOPROTOOPT;
	}
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if ((int32_t)*len < 0)
		return -EINVAL;
	if (name == NETLINK_LIST_MEMBERSHIPS)
		return list_memberships(n, val, len);
	if (name >= 32 || !(NL_FLAG_OPTIONS & (1u << name)))
		return -ENOPROTOOPT;
	if (*len < sizeof(int))
		return -EINVAL;
	return sockopt_write_int(val, len, flag(n, name));
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

	spin_lock(&ports_lock);
	if (n->bound)
		list_del(&n->port_link);
	spin_unlock(&ports_lock);
	spin_lock(&n->lock);
	n->dead = true;
	while (!list_empty(&n->queue)) {
		struct nl_dgram *d = list_entry(n->queue.next, struct nl_dgram, link);
		list_del(&d->link);
		dgram_put(d);
	}
	spin_unlock(&n->lock);
	nl_put(n);
}

struct nl_sock *netlink_hold(struct socket *s)
{
	if (s->family != AF_NETLINK)
		return NULL;
	__atomic_add_fetch(&nl_of(s)->refs, 1, __ATOMIC_RELAXED);
	return nl_of(s);
}

void netlink_send_put(struct nl_sock *n, const void *data, size_t len)
{
	struct nl_buf b;

	if (data && !nl_buf_alloc(&b, len)) {
		memcpy(b.data, data, len);
		b.len = len;
		deliver(n, &b, true);
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
	if (protocol != NETLINK_ROUTE)
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
	mutex_init(&n->dump_lock);
	s->ops = &netlink_ops;
	s->priv = n;
	rtnl_notify_init();
	return 0;
}
