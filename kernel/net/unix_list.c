/* /proc/net/unix's entries: every AF_UNIX socket with a file, from the
 * socket table (socket.h), which keeps a socket whole while it is walked:
 * one leaves the table before its family releases it.  Each socket's
 * fields are read under its own lock, one socket at a time. */
#include "net/sock_info.h"

#include "core/string.h"
#include "net/unix_internal.h"

struct walk {
	struct net_unix_info *out;
	int max, count;
};

static uint8_t state_of(const struct unix_sock *u)
{
	return u->state == UNIX_CONNECTED ? NET_SS_CONNECTED : NET_SS_UNCONNECTED;
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
	spin_unlock(&u->lock);
	return 0;
}

int net_unix_list(struct net_unix_info *out, int max)
{
	struct walk w = { out, max, 0 };

	socket_each(AF_UNIX, one, &w);
	return w.count;
}
