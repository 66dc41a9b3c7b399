/* /proc/net/unix's and sock_diag's entries: every AF_UNIX socket with a
 * file, from the socket table (socket.h), which keeps a socket whole while
 * it is walked: one leaves the table before its family releases it.  Each
 * socket's fields are read under its own lock, one socket at a time. */
#include "net/sock_info.h"

#include "core/errno.h"
#include "core/string.h"
#include "fs/super.h"
#include "fs/vfs.h"
#include "net/unix_internal.h"

struct walk {
	struct net_unix_info *out;
	int max, count;
};

static uint8_t state_of(const struct unix_sock *u)
{
	return u->state == UNIX_CONNECTED ? NET_SS_CONNECTED : NET_SS_UNCONNECTED;
}

static uint8_t sk_state_of(const struct unix_sock *u)
{
	return u->state == UNIX_LISTENING ? NET_TCP_LISTEN :
	       u->state == UNIX_CONNECTED ? NET_TCP_ESTABLISHED : NET_TCP_CLOSE;
}

/* Linux's unix_inq_len: a stream's unread bytes, a datagram socket's
 * first datagram.  Caller holds u->lock. */
static uint32_t unread(const struct unix_sock *u)
{
	if (u->type == SOCK_STREAM || list_empty(&u->queue))
		return (uint32_t)u->queued;
	const struct unix_rec *r = list_entry(u->queue.next, struct unix_rec, link);
	return (uint32_t)(r->len - r->off);
}

/* The inode number of a peer's socket: read under the peer's lock, which
 * its release takes to let go of the socket.  Caller holds no socket's
 * lock; p is referenced. */
static uint64_t ino_of(struct unix_sock *p)
{
	spin_lock(&p->lock);
	uint64_t ino = p->sock ? p->sock->ino : 0;
	spin_unlock(&p->lock);
	return ino;
}

/* Caller holds u->lock. */
static void fill_diag(struct net_unix_info *e, struct socket *s, const struct unix_sock *u)
{
	e->sk_state = sk_state_of(u);
	e->shutdown = (uint8_t)u->shut;
	e->uid = s->uid;
	if (u->inode) {
		e->vfs_ino = u->inode->ino;
		e->vfs_dev = u->inode->sb ? u->inode->sb->dev : vfs_dev(u->inode->fs);
	}
	if (u->state == UNIX_LISTENING) {
		e->rqueue = (uint32_t)u->npending;
		e->wqueue = (uint32_t)u->backlog;
	} else {
		e->rqueue = unread(u);
		e->wqueue = (uint32_t)__atomic_load_n(&u->wmem, __ATOMIC_RELAXED);
	}
}

static int one(struct socket *s, void *arg)
{
	struct walk *w = arg;
	struct unix_sock *u = unix_of(s);

	if (w->count++ >= w->max || !u)
		return 0;
	struct net_unix_info *e = &w->out[w->count - 1];
	memset(e, 0, sizeof *e);
	e->ino = s->ino;
	e->type = (uint16_t)s->type;
	spin_lock(&u->lock);
	e->refs = (uint32_t)__atomic_load_n(&u->refs, __ATOMIC_RELAXED);
	e->flags = u->state == UNIX_LISTENING ? NET_SO_ACCEPTCON : 0;
	e->state = state_of(u);
	/* An accepted socket carries its listener's name, as on Linux. */
	uint32_t len = __atomic_load_n(&u->addrlen, __ATOMIC_ACQUIRE);
	if (len > 2) {
		e->pathlen = len - 2 < sizeof e->path ? len - 2 : sizeof e->path;
		memcpy(e->path, u->addr + 2, e->pathlen);
	}
	fill_diag(e, s, u);
	struct unix_sock *peer = u->peer;
	if (peer)
		unix_get(peer);
	spin_unlock(&u->lock);
	if (peer) {
		e->has_peer = true;
		e->peer_ino = ino_of(peer);
		unix_put(peer);
	}
	return 0;
}

int net_unix_list(struct net_unix_info *out, int max)
{
	struct walk w = { out, max, 0 };

	socket_each(AF_UNIX, one, &w);
	return w.count;
}

/* ---- a listener's connections ----------------------------------------------- */

struct icons {
	uint64_t ino;
	uint32_t *out;
	int max, count;
};

/* The waiting connections' peers, referenced under the listener's lock,
 * their inode numbers read after it is dropped (one lock at a time). */
static int icons_of(struct socket *s, void *arg)
{
	struct icons *ic = arg;
	struct unix_sock *u = unix_of(s), *peers[64];
	int n = 0;

	if (s->ino != ic->ino || !u)
		return 0;
	spin_lock(&u->lock);
	if (u->state != UNIX_LISTENING) {
		spin_unlock(&u->lock);
		return -ENOENT;
	}
	struct list *pos;
	list_for_each(pos, &u->pending) {
		struct unix_sock *c = list_entry(pos, struct unix_sock, plink);
		if (ic->count < ic->max && n < (int)(sizeof peers / sizeof peers[0]) && c->peer) {
			peers[n] = c->peer;
			unix_get(peers[n++]);
		} else if (ic->count < ic->max && n < (int)(sizeof peers / sizeof peers[0])) {
			peers[n++] = NULL;
		}
		ic->count++;
	}
	spin_unlock(&u->lock);
	for (int i = 0; i < n; i++) {
		ic->out[i] = peers[i] ? (uint32_t)ino_of(peers[i]) : 0;
		if (peers[i])
			unix_put(peers[i]);
	}
	return 1;
}

int net_unix_icons(uint64_t ino, uint32_t *out, int max)
{
	struct icons ic = { ino, out, max < 64 ? max : 64, 0 };
	int r = socket_each(AF_UNIX, icons_of, &ic);

	return r == 1 ? ic.count : -ENOENT;
}
