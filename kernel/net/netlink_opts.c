/* Netlink sockets' options: SOL_NETLINK's (memberships, flags) and the
 * few SOL_SOCKET ones a netlink socket keeps itself. */
#include "net/netlink_sock.h"

#include "core/errno.h"
#include "core/string.h"

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
	if (!g || g > nl_ngroups(n))
		return -EINVAL;
	if (name == NETLINK_ADD_MEMBERSHIP) {
		int err = nl_groups_allowed(n, 1ull << (g - 1));
		if (!err)
			err = nl_autobind(n);
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

int nl_setsockopt(struct socket *s, int level, int name, const void *val, uint32_t len)
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
		nl_groups_exist(n);
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
	uint32_t need = n->has_groups ? (nl_ngroups(n) + 31) / 32 * 4 : 0;

	memcpy(val, &groups, *len < need ? *len & ~3u : need);
	*len = need;
	return 0;
}

int nl_getsockopt(struct socket *s, int level, int name, void *val, uint32_t *len)
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
	return sockopt_write_int(val, len, nl_flag(n, name));
}

