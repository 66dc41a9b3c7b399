/* The SOL_SOCKET options every socket has in Linux (sk_setsockopt,
 * sk_getsockopt) that its family does not keep itself: kept here, in
 * struct socket_common_opts, with Linux's checks, and given back.  amphi
 * has no queueing discipline, packet marks, busy polling, security
 * module or per-packet checksum choice for SO_PRIORITY, SO_MARK,
 * SO_BUSY_POLL, SO_PASSSEC or SO_NO_CHECK to act on; SO_DONTROUTE does
 * not keep a send off the gateway, and no SO_RXQ_OVFL count is given (so
 * no drop is reported). */
#include "net/socket.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "net/netif.h"

#define IFNAMSIZ_K	16
#define IFS_MAX		8	/* interfaces looked at: lo, eth0 and room */

struct ucred_k {
	int32_t pid;
	uint32_t uid, gid;
};

struct linger_k {
	int32_t onoff, linger;
};

void socket_common_opts_init(struct socket_common_opts *c)
{
	*c = (struct socket_common_opts){ .rcvlowat = 1, .incoming_cpu = -1 };
}

static bool flag_option(int name)
{
	switch (name) {
	case SO_DEBUG: case SO_DONTROUTE: case SO_OOBINLINE: case SO_NO_CHECK: case SO_PASSSEC:
	case SO_RXQ_OVFL: case SO_REUSEADDR: case SO_KEEPALIVE: case SO_BROADCAST:
		return true;
	}
	return false;
}

static void set_flag(struct socket_common_opts *c, int name, bool on)
{
	if (on)
		__atomic_fetch_or(&c->flags, 1ull << name, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&c->flags, ~(1ull << name), __ATOMIC_RELAXED);
}

static bool net_admin(void)
{
	struct sock_cred me;

	socket_cred_current(&me);
	return me.net_admin;
}

/* Linux's sock_setbindtodevice: a name that is no interface is ENODEV,
 * none unbinds.  Binding to one is not done here: ENOPROTOOPT, as a
 * family without it says. */
static int bind_to_device(const void *val, uint32_t len)
{
	char name[IFNAMSIZ_K] = { 0 };

	memcpy(name, val, len < IFNAMSIZ_K - 1 ? len : IFNAMSIZ_K - 1);
	if (!name[0])
		return 0;
	struct net_ifaddr *ifs = kmalloc(IFS_MAX * sizeof *ifs);
	if (!ifs)
		return -ENOMEM;
	int n = net_ifaddrs(ifs, IFS_MAX), err = -ENODEV;
	for (int k = 0; k < n && k < IFS_MAX; k++)
		if (!strcmp(ifs[k].name, name))
			err = -ENOPROTOOPT;
	kfree(ifs);
	return err;
}

void socket_set_rcvlowat(struct socket *s, int v, int cap)
{
	if (v < 0)
		v = INT32_MAX;
	if (v > cap)
		v = cap;
	__atomic_store_n(&s->common.rcvlowat, v ? v : 1, __ATOMIC_RELAXED);
}

static int set_linger(struct socket_common_opts *c, const void *val, uint32_t len)
{
	struct linger_k l;

	if (len < sizeof l)
		return -EINVAL;
	memcpy(&l, val, sizeof l);
	c->linger_on = l.onoff != 0;
	if (l.onoff)
		c->linger_sec = l.linger;
	return 0;
}

int socket_common_setsockopt(struct socket *s, int name, const void *val, uint32_t len)
{
	struct socket_common_opts *c = &s->common;
	int v;

	if (name == SO_BINDTODEVICE)
		return bind_to_device(val, len);
	if (name == SO_LINGER)
		return set_linger(c, val, len);
	if (sockopt_read_int(val, len, &v))
		return -EINVAL;
	if (name == SO_DEBUG && v && !net_admin())
		return -EACCES;
	if (flag_option(name)) {
		set_flag(c, name, v != 0);
		return 0;
	}
	switch (name) {
	case SO_PRIORITY:
		if ((v < 0 || v > 6) && !net_admin())
			return -EPERM;
		c->priority = v;
		return 0;
	case SO_MARK:
		if (!net_admin())
			return -EPERM;
		c->mark = v;
		return 0;
	case SO_RCVLOWAT:
		socket_set_rcvlowat(s, v, INT32_MAX);
		return 0;
	case SO_BUSY_POLL:
		if (v < 0)
			return -EINVAL;
		c->busy_poll = v;
		return 0;
	case SO_INCOMING_CPU:
		c->incoming_cpu = v;
		return 0;
	case SO_BSDCOMPAT:
		return 0;	/* Linux ignores it too */
	}
	return -ENOPROTOOPT;
}

static int write_bytes(void *val, uint32_t *len, const void *v, uint32_t size)
{
	uint32_t n = *len < size ? *len : size;

	memcpy(val, v, n);
	*len = n;
	return 0;
}

int socket_common_getsockopt(struct socket *s, int name, void *val, uint32_t *len)
{
	const struct socket_common_opts *c = &s->common;

	if (flag_option(name))
		return sockopt_write_int(val, len, !!(c->flags & (1ull << name)));
	switch (name) {
	case SO_PRIORITY:	return sockopt_write_int(val, len, c->priority);
	case SO_MARK:		return sockopt_write_int(val, len, c->mark);
	case SO_RCVLOWAT:	return sockopt_write_int(val, len, c->rcvlowat);
	case SO_SNDLOWAT:	return sockopt_write_int(val, len, 1);
	case SO_BUSY_POLL:	return sockopt_write_int(val, len, c->busy_poll);
	case SO_INCOMING_CPU:	return sockopt_write_int(val, len, c->incoming_cpu);
	case SO_BSDCOMPAT:	return sockopt_write_int(val, len, 0);
	case SO_ZEROCOPY:	return sockopt_write_int(val, len, 0);
	case SO_REUSEPORT:	return sockopt_write_int(val, len, 0);	/* the internet's only */
	case SO_PEERGROUPS:	return -ENODATA;	/* no peer's credentials */
	case SO_BINDTODEVICE:	*len = 0; return 0;	/* bound to none */
	case SO_PEERCRED: {
		struct ucred_k none = { 0, UINT32_MAX, UINT32_MAX };
		return write_bytes(val, len, &none, sizeof none);
	}
	case SO_LINGER: {
		struct linger_k l = { c->linger_on, c->linger_sec };
		return write_bytes(val, len, &l, sizeof l);
	}
	case SO_COOKIE: {
		uint64_t cookie = s->ino;	/* unique, never 0, and what sock_diag names it by */
		return *len < sizeof cookie ? -EINVAL : write_bytes(val, len, &cookie, sizeof cookie);
	}
	}
	return -ENOPROTOOPT;
}
