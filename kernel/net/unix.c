/* AF_UNIX sockets: creation, socketpair, lifetime, shutdown, poll, ioctl
 * and options.  Data paths are in unix_stream.c and unix_dgram.c, names in
 * unix_addr.c, connections in unix_conn.c. */
#include "net/unix_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "fs/poll.h"
#include "core/wait.h"

#define SIOCOUTQ	0x5411
#define FIONREAD	0x541b
#define SIOCATMARK	0x8905

#define POLLWRBAND	0x200

struct unix_sock *unix_sock_new(struct socket *s, int type)
{
	struct unix_sock *u = kmalloc(sizeof *u);

	if (!u)
		return NULL;
	u->refs = 1;
	u->type = type;
	waitq_init(&u->wq);
	u->sock = s;
	list_init(&u->queue);
	list_init(&u->pending);
	list_init(&u->plink);
	list_init(&u->blink);
	u->sndbuf = u->rcvbuf = UNIX_BUF_DEFAULT;
	u->peek_off = -1;
	u->peercred = (struct ucred_k){ 0, (uint32_t)-1, (uint32_t)-1 };
	s->ops = &unix_ops;
	s->priv = u;
	return u;
}

void unix_get(struct unix_sock *u) { __atomic_add_fetch(&u->refs, 1, __ATOMIC_RELAXED); }

void unix_put(struct unix_sock *u)
{
	if (!__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL))
		kfree(u);
}

struct unix_sock *unix_peer_get(struct unix_sock *u)
{
	spin_lock(&u->lock);
	struct unix_sock *p = u->peer;
	if (p)
		unix_get(p);
	spin_unlock(&u->lock);
	return p;
}

void unix_creds_self(struct ucred_k *c)
{
	struct sock_cred me;

	socket_cred_current(&me);
	*c = (struct ucred_k){ me.pid, me.uid[1], me.gid[1] };
}

long unix_wait(struct unix_sock *u, bool nonblock, uint64_t deadline)
{
	struct waiter w;

	if (nonblock || (deadline && clock_ns() >= deadline))
		return -EAGAIN;
	if (thread_signalled())
		return deadline ? -EINTR : -ERESTARTSYS;
	waitq_prepare(&u->wq, &w);
	spin_unlock(&u->lock);
	wait_sleep(&u->wq, &w, deadline);
	spin_lock(&u->lock);
	return 0;
}

static bool has_room(struct unix_sock *u)
{
	return __atomic_load_n(&u->wmem, __ATOMIC_RELAXED) < (size_t)u->sndbuf ||
	       (__atomic_load_n(&u->shut, __ATOMIC_RELAXED) & UNIX_SND_SHUT);
}

/* Waits until u may queue more (or its sending side closed).  Checked
 * again after waitq_prepare: the receiver frees room without u's lock. */
long unix_wait_room(struct unix_sock *u, bool nonblock, uint64_t deadline)
{
	for (;;) {
		struct waiter w;
		if (has_room(u))
			return 0;
		if (nonblock || (deadline && clock_ns() >= deadline))
			return -EAGAIN;
		if (thread_signalled())
			return deadline ? -EINTR : -ERESTARTSYS;
		waitq_prepare(&u->wq, &w);
		if (has_room(u))
			sched_wake(current());
		wait_sleep(&u->wq, &w, deadline);
	}
}

static int check_type(int type, int protocol)
{
	if (protocol != 0 && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET && type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	return 0;
}

int unix_socket_init(struct socket *s, int type, int protocol)
{
	int err = check_type(type, protocol);

	if (err)
		return err;
	if (type == SOCK_RAW)
		s->type = type = SOCK_DGRAM;	/* as Linux makes it */
	return unix_sock_new(s, type) ? 0 : -ENOBUFS;
}

int unix_socketpair_init(struct socket *a, struct socket *b, int type, int protocol)
{
	int err = unix_socket_init(a, type, protocol);

	if (err)
		return err;
	if ((err = unix_socket_init(b, type, protocol))) {
		unix_put(unix_of(a));
		a->ops = NULL;
		return err;
	}
	struct unix_sock *ua = unix_of(a), *ub = unix_of(b);
	unix_get(ua);
	unix_get(ub);
	ua->peer = ub;
	ub->peer = ua;
	ua->state = ub->state = UNIX_CONNECTED;
	unix_creds_self(&ua->peercred);
	unix_creds_self(&ub->peercred);
	return 0;
}

/* ---- the end of a socket -------------------------------------------------- */

/* Frees a list of records taken off a queue (no lock held). */
static void free_recs(struct list *recs)
{
	struct list *l, *n;

	list_for_each_safe(l, n, recs) {
		list_del(l);
		unix_rec_free(list_entry(l, struct unix_rec, link));
	}
}

/* A stream peer that goes away leaves the other side at end of file, with
 * ECONNRESET if it left data unread (as Linux does). */
static void peer_gone(struct unix_sock *p, struct unix_sock *u, bool unread)
{
	spin_lock(&p->lock);
	if (p->peer == u && u->type != SOCK_DGRAM) {
		p->shut = UNIX_RCV_SHUT | UNIX_SND_SHUT;
		if (unread)
			p->err = ECONNRESET;
	}
	spin_unlock(&p->lock);
	waitq_wake_all(&p->wq);
}

static void release_pending(struct list *pending);

/* Moves every entry of from to to, which it makes. */
static void move_all(struct list *to, struct list *from)
{
	list_init(to);
	unix_queue_move(to, from);
}

static void unix_release(struct socket *s)
{
	struct unix_sock *u = unix_of(s);
	struct list recs, pending;

	if (!u)
		return;
	unix_unbind(u);
	spin_lock(&u->lock);
	u->dead = true;
	u->sock = NULL;
	struct unix_sock *p = u->peer;
	u->peer = NULL;
	bool unread = !list_empty(&u->queue);
	move_all(&recs, &u->queue);
	move_all(&pending, &u->pending);
	u->queued = 0;
	u->oob = NULL;
	spin_unlock(&u->lock);
	waitq_wake_all(&u->wq);
	free_recs(&recs);
	release_pending(&pending);
	if (p) {
		peer_gone(p, u, unread);
		unix_put(p);
	}
	unix_put(u);
	unix_gc();	/* this may have been the last way into a cycle */
}

/* Connections nobody accepted: each is a socket without a file. */
static void release_pending(struct list *pending)
{
	struct list *l, *n;

	list_for_each_safe(l, n, pending) {
		list_del(l);
		struct unix_sock *c = list_entry(l, struct unix_sock, plink);
		socket_destroy(c->sock);
	}
}

/* As on Linux, any socket may be shut, connected or not: a listener shut
 * for reading refuses connections, and its accept ends (EINVAL) once none
 * is left. */
static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = unix_of(s);
	unsigned mine = how == SHUT_RD ? UNIX_RCV_SHUT : how == SHUT_WR ? UNIX_SND_SHUT
		      : UNIX_RCV_SHUT | UNIX_SND_SHUT;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	spin_lock(&u->lock);
	u->shut |= mine;
	struct unix_sock *p = u->peer;
	if (p)
		unix_get(p);
	spin_unlock(&u->lock);
	waitq_wake_all(&u->wq);
	if (!p)
		return 0;
	/* A stream's other end sees the mirror image: no more data to
	 * read after ours stops writing, no reader after ours stops reading. */
	if (u->type != SOCK_DGRAM) {
		spin_lock(&p->lock);
		p->shut |= (mine & UNIX_SND_SHUT ? UNIX_RCV_SHUT : 0) | (mine & UNIX_RCV_SHUT ? UNIX_SND_SHUT : 0);
		spin_unlock(&p->lock);
		waitq_wake_all(&p->wq);
	}
	unix_put(p);
	return 0;
}

/* ---- poll and ioctl --------------------------------------------------------- */

/* Writable while the bytes in flight use at most a quarter of sndbuf, as
 * Linux's unix_writable() says. */
static bool writable(struct unix_sock *u)
{
	return u->state != UNIX_LISTENING && __atomic_load_n(&u->wmem, __ATOMIC_RELAXED) * 4 <= (size_t)u->sndbuf;
}

static unsigned unix_poll(struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = unix_of(s);
	unsigned ev = 0;

	poll_wait(pt, &u->wq);
	spin_lock(&u->lock);
	if (u->err)
		ev |= POLLERR;
	if (u->shut == (UNIX_RCV_SHUT | UNIX_SND_SHUT))
		ev |= POLLHUP;
	if (u->shut & UNIX_RCV_SHUT)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&u->queue) || !list_empty(&u->pending))
		ev |= POLLIN | POLLRDNORM;
	if (u->type != SOCK_DGRAM && u->state == UNIX_IDLE)
		ev |= POLLHUP;
	if (u->oob)
		ev |= POLLPRI;	/* an unread out-of-band byte */
	if (writable(u))
		ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
	spin_unlock(&u->lock);
	return ev;
}

/* FIONREAD: a stream's unread bytes, a datagram socket's next message;
 * SIOCATMARK: whether a stream's reader is at the out-of-band mark
 * (-EOPNOTSUPP for the other types, as on Linux). */
static long unix_ioctl(struct socket *s, unsigned long cmd, uint64_t arg)
{
	struct unix_sock *u = unix_of(s);
	int n;

	if (cmd != FIONREAD && cmd != SIOCOUTQ && cmd != SIOCATMARK)
		return -ENOTTY;
	if (cmd == SIOCATMARK && u->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	spin_lock(&u->lock);
	if (cmd == SIOCATMARK) {
		n = unix_oob_atmark(u);
		spin_unlock(&u->lock);
		return copy_to_user(arg, &n, sizeof n) ? -EFAULT : 0;
	}
	if (cmd == SIOCOUTQ)
		n = (int)__atomic_load_n(&u->wmem, __ATOMIC_RELAXED);
	else if (u->type != SOCK_DGRAM)
		n = (int)u->queued;
	else
		n = list_empty(&u->queue) ? 0 : (int)list_entry(u->queue.next, struct unix_rec, link)->len;
	bool listening = u->state == UNIX_LISTENING;
	spin_unlock(&u->lock);
	if (listening)
		return -EINVAL;
	return copy_to_user(arg, &n, sizeof n) ? -EFAULT : 0;
}

/* ---- options ---------------------------------------------------------------- */

static bool flag_option(int name)
{
	return name == SO_REUSEADDR || name == SO_REUSEPORT || name == SO_KEEPALIVE ||
	       name == SO_BROADCAST || name == SO_PASSCRED || name == SO_OOBINLINE;
}

static int unix_setsockopt(struct socket *s, int level, int name, const void *val, uint32_t len)
{
	struct unix_sock *u = unix_of(s);
	int v, err;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;	/* Linux's answer for a protocol level on AF_UNIX */
	if (name == SO_LINGER) {
		if (len < sizeof u->linger)
			return -EINVAL;
		memcpy(u->linger, val, sizeof u->linger);
		return 0;
	}
	if ((err = sockopt_read_int(val, len, &v)))
		return err;
	if (flag_option(name)) {
		__atomic_fetch_and(&u->opts, ~(1u << name), __ATOMIC_RELAXED);
		__atomic_fetch_or(&u->opts, (unsigned)!!v << name, __ATOMIC_RELAXED);
	} else if (name == SO_SNDBUF || name == SO_SNDBUFFORCE) {
		u->sndbuf = socket_buf_size(v, name == SO_SNDBUFFORCE, false);
		waitq_wake_all(&u->wq);	/* a larger buffer may let a writer on */
	} else if (name == SO_RCVBUF || name == SO_RCVBUFFORCE) {
		u->rcvbuf = socket_buf_size(v, name == SO_RCVBUFFORCE, true);
	} else if (name == SO_PEEK_OFF) {
		spin_lock(&u->lock);
		u->peek_off = v;	/* any negative value turns it off, and is kept */
		spin_unlock(&u->lock);
	} else {
		return -ENOPROTOOPT;
	}
	return 0;
}

static int peercred_write(struct unix_sock *u, void *val, uint32_t *len)
{
	spin_lock(&u->lock);
	struct ucred_k c = u->peercred;
	spin_unlock(&u->lock);
	return sockopt_write_bytes(val, len, &c, sizeof c);
}

static int unix_getsockopt(struct socket *s, int level, int name, void *val, uint32_t *len)
{
	struct unix_sock *u = unix_of(s);

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (flag_option(name))
		return sockopt_write_int(val, len, !!(u->opts & (1u << name)));
	switch (name) {
	case SO_SNDBUF:
		return sockopt_write_int(val, len, u->sndbuf);
	case SO_RCVBUF:
		return sockopt_write_int(val, len, u->rcvbuf);
	case SO_ERROR:
		return sockopt_write_int(val, len, __atomic_exchange_n(&u->err, 0, __ATOMIC_RELAXED));
	case SO_ACCEPTCONN:
		return sockopt_write_int(val, len, u->state == UNIX_LISTENING);
	case SO_PEERCRED:
		return peercred_write(u, val, len);
	case SO_PEEK_OFF:
		return sockopt_write_int(val, len, __atomic_load_n(&u->peek_off, __ATOMIC_RELAXED));
	case SO_LINGER:
		return sockopt_write_bytes(val, len, u->linger, sizeof u->linger);
	}
	return -ENOPROTOOPT;
}

/* ---- the table -------------------------------------------------------------- */

static long unix_sendmsg(struct socket *s, struct sock_msg *m)
{
	if (s->type == SOCK_SEQPACKET)
		return unix_seqpacket_sendmsg(s, m);
	return s->type == SOCK_DGRAM ? unix_dgram_sendmsg(s, m) : unix_stream_sendmsg(s, m);
}

static long unix_recvmsg(struct socket *s, struct sock_msg *m)
{
	if (s->type == SOCK_SEQPACKET)
		return unix_seqpacket_recvmsg(s, m);
	return s->type == SOCK_DGRAM ? unix_dgram_recvmsg(s, m) : unix_stream_recvmsg(s, m);
}

const struct socket_ops unix_ops = {
	.bind = unix_bind,
	.listen = unix_listen,
	.accept = unix_accept,
	.connect = unix_connect,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};
