/* The SOL_SOCKET options every socket has in Linux (sk_setsockopt,
 * sk_getsockopt) that its family does not keep itself: kept here, in
 * struct socket_common_opts, with Linux's checks, and given back.  amphi
 * has no queueing discipline, packet marks, busy polling, security
 * module, per-packet checksum choice, pacing, socket filter or wireless
 * device for SO_PRIORITY, SO_MARK, SO_BUSY_POLL, SO_PREFER_BUSY_POLL,
 * SO_PASSSEC, SO_NO_CHECK, SO_NOFCS, SO_MAX_PACING_RATE, SO_LOCK_FILTER
 * or SO_WIFI_STATUS to act on, nor an error queue for
 * SO_SELECT_ERR_QUEUE to report; SO_DONTROUTE does
 * not keep a send off the gateway, and no SO_RXQ_OVFL count is given (so
 * no drop is reported). */
#include "net/socket.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "net/net_config.h"
#include "net/netif.h"

#define IFNAMSIZ_K	16
#define IFS_MAX		8	/* interfaces looked at: lo, eth0 and room */

void socket_common_opts_init(struct socket_common_opts *c)
{
	*c = (struct socket_common_opts){ .rcvlowat = 1, .incoming_cpu = -1, .max_pacing_rate = UINT64_MAX,
					  .last_stamp_ns = -1 };
}

static bool flag_option(int name)
{
	switch (name) {
	case SO_DEBUG: case SO_DONTROUTE: case SO_OOBINLINE: case SO_NO_CHECK: case SO_PASSSEC:
	case SO_RXQ_OVFL: case SO_REUSEADDR: case SO_KEEPALIVE: case SO_BROADCAST:
	case SO_WIFI_STATUS: case SO_NOFCS: case SO_SELECT_ERR_QUEUE: case SO_LOCK_FILTER:
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

/* The interface whose name (or, name NULL, index) matches, copied to
 * out: 0, -ENODEV or -ENOMEM. */
static int find_device(const char *name, int index, struct net_ifaddr *out)
{
	struct net_ifaddr *ifs = kmalloc(IFS_MAX * sizeof *ifs);

	if (!ifs)
		return -ENOMEM;
	net_lwip_start();	/* an AF_UNIX socket asking, in a VM with no NIC: lo needs lwIP */
	int n = net_ifaddrs(ifs, IFS_MAX), err = -ENODEV;
	for (int k = 0; k < n && k < IFS_MAX && err; k++)
		if (name ? !strcmp(ifs[k].name, name) : ifs[k].index == index) {
			*out = ifs[k];
			err = 0;
		}
	kfree(ifs);
	return err;
}

/* SO_BINDTODEVICE's name (len bytes, NUL or not) as an interface index:
 * 0 for none (an empty name), -ENODEV, or -ENOMEM. */
static int device_index(const void *val, uint32_t len)
{
	char name[IFNAMSIZ_K] = { 0 };
	struct net_ifaddr found;

	memcpy(name, val, len < IFNAMSIZ_K - 1 ? len : IFNAMSIZ_K - 1);
	if (!name[0])
		return 0;
	int err = find_device(name, 0, &found);
	return err ? err : found.index;
}

/* As Linux's sock_setbindtodevice and sock_bindtoindex: a name no
 * interface has is ENODEV, an index is taken as it is (-1 is EINVAL), and
 * a binding once made changes only with CAP_NET_RAW (Linux's rule since
 * 5.7: anyone may bind once). */
int socket_bind_device(struct socket *s, int name, const void *val, uint32_t len)
{
	struct sock_cred me;
	int index;

	if (name == SO_BINDTODEVICE) {
		index = device_index(val, len);
		if (index < 0)
			return index;
	} else if (sockopt_read_int(val, len, &index)) {
		return -EINVAL;
	}
	socket_cred_current(&me);
	if (s->common.bound_if && !me.net_raw)
		return -EPERM;
	if (index < 0)
		return -EINVAL;
	s->common.bound_if = index;
	if (s->ops->bound_device)
		s->ops->bound_device(s);
	return 0;
}

/* SO_BINDTODEVICE's name with its NUL (nothing when unbound; EINVAL when
 * it does not fit), as Linux's sock_getbindtodevice; SO_BINDTOIFINDEX's
 * index. */
int socket_bound_device(struct socket *s, int name, void *val, uint32_t *len)
{
	struct net_ifaddr found;
	int index = s->common.bound_if;

	if (name == SO_BINDTOIFINDEX)
		return sockopt_write_int(val, len, index);
	if (!index) {
		*len = 0;
		return 0;
	}
	if (find_device(NULL, index, &found))
		return -ENXIO;	/* an index no interface has: Linux's netdev_get_name */
	size_t n = strlen(found.name) + 1;
	if (*len < n)
		return -EINVAL;
	memcpy(val, found.name, n);
	*len = (uint32_t)n;
	return 0;
}

void socket_set_rcvlowat(struct socket *s, int v, int cap)
{
	if (v < 0)
		v = INT32_MAX;
	if (v > cap)
		v = cap;
	__atomic_store_n(&s->common.rcvlowat, v ? v : 1, __ATOMIC_RELAXED);
}

/* SO_MAX_PACING_RATE: an int (~0U: none), or a u64 when there is room
 * for one, as Linux's sk_setsockopt reads it. */
static int set_pacing_rate(struct socket_common_opts *c, int v, const void *val, uint32_t len)
{
	uint64_t rate = v == -1 ? UINT64_MAX : (uint32_t)v;

	if (len >= sizeof rate)
		memcpy(&rate, val, sizeof rate);
	__atomic_store_n(&c->max_pacing_rate, rate, __ATOMIC_RELAXED);
	return 0;
}

/* Its u64, or in a smaller room an int capped at ~0U, as Linux's. */
static int get_pacing_rate(const struct socket_common_opts *c, void *val, uint32_t *len)
{
	uint64_t rate = __atomic_load_n(&c->max_pacing_rate, __ATOMIC_RELAXED);

	if (*len >= sizeof rate)
		return sockopt_write_bytes(val, len, &rate, sizeof rate);
	return sockopt_write_int(val, len, rate > UINT32_MAX ? -1 : (int)(uint32_t)rate);
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

	if (name == SO_LINGER)
		return set_linger(c, val, len);
	if (sockopt_read_int(val, len, &v))
		return -EINVAL;
	if (name == SO_DEBUG && v && !net_admin())
		return -EACCES;
	/* a locked filter stays locked, as Linux's SOCK_FILTER_LOCKED */
	if (name == SO_LOCK_FILTER && !v && (c->flags & (1ull << SO_LOCK_FILTER)))
		return -EPERM;
	if (flag_option(name)) {
		set_flag(c, name, v != 0);
		return 0;
	}
	if (name == SO_MAX_PACING_RATE)
		return set_pacing_rate(c, v, val, len);
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
	case SO_PREFER_BUSY_POLL:
		if (v && !net_admin())
			return -EPERM;
		c->prefer_busy_poll = v != 0;
		return 0;
	case SO_BSDCOMPAT:
	case SO_CNX_ADVICE:	/* a route to forget: amphi keeps none */
		return 0;	/* Linux ignores it too */
	}
	return -ENOPROTOOPT;
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
	case SO_PREFER_BUSY_POLL: return sockopt_write_int(val, len, c->prefer_busy_poll);
	case SO_MAX_PACING_RATE: return get_pacing_rate(c, val, len);
	case SO_INCOMING_NAPI_ID: return sockopt_write_int(val, len, 0);	/* no NAPI */
	case SO_INCOMING_CPU:	return sockopt_write_int(val, len, c->incoming_cpu);
	case SO_BSDCOMPAT:	return sockopt_write_int(val, len, 0);
	case SO_ZEROCOPY:	return sockopt_write_int(val, len, 0);
	case SO_REUSEPORT:	return sockopt_write_int(val, len, 0);	/* the internet's only */
	case SO_PEERGROUPS:	return -ENODATA;	/* no peer's credentials */
	case SO_PEERCRED: {
		struct ucred_k none = { 0, UINT32_MAX, UINT32_MAX };
		return sockopt_write_bytes(val, len, &none, sizeof none);
	}
	case SO_LINGER: {
		struct linger_k l = { c->linger_on, c->linger_sec };
		return sockopt_write_bytes(val, len, &l, sizeof l);
	}
	case SO_COOKIE: {
		uint64_t cookie = s->ino;	/* unique, never 0, and what sock_diag names it by */
		return *len < sizeof cookie ? -EINVAL : sockopt_write_bytes(val, len, &cookie, sizeof cookie);
	}
	}
	return -ENOPROTOOPT;
}
