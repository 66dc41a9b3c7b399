/* Socket options at SOL_SOCKET (socket.h), around the family's own: the
 * ones Linux's socket layer answers for every family come here first
 * (the type, the timeouts, the buffer limits' privilege, what a family
 * may not have); then the family's; what the family does not keep, every
 * socket keeps (socket_common_opts.c). */
#include "net/socket.h"

#include "core/errno.h"
#include "core/string.h"

#define EDOM		33	/* Linux's; only a socket timeout gives it here */

int sockopt_read_int(const void *val, uint32_t len, int *v)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(v, val, sizeof *v);
	return 0;
}

int sockopt_write_bytes(void *val, uint32_t *len, const void *v, size_t size)
{
	uint32_t n = *len < size ? *len : (uint32_t)size;

	memcpy(val, v, n);
	*len = n;
	return 0;
}

int sockopt_write_int(void *val, uint32_t *len, int v)
{
	return sockopt_write_bytes(val, len, &v, sizeof v);
}

struct ktimeval {
	int64_t sec, usec;
};

/* A struct timeval as a timeout: 0 for none; -EDOM for bad microseconds.
 * A negative one means "do not wait", as on Linux: 1 ns. */
static int timeout_read(const void *val, uint32_t len, uint64_t *ns)
{
	struct ktimeval tv;

	if (len < sizeof tv)
		return -EINVAL;
	memcpy(&tv, val, sizeof tv);
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0)
		*ns = 1;
	else if (tv.sec > (int64_t)(1ull << 32))
		*ns = 0;	/* beyond a century: forever */
	else
		*ns = (uint64_t)tv.sec * 1000000000ull + (uint64_t)tv.usec * 1000;
	return 0;
}

static int timeout_write(void *val, uint32_t *len, uint64_t ns)
{
	struct ktimeval tv = { (int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull / 1000) };

	return sockopt_write_bytes(val, len, &tv, sizeof tv);	/* a short buffer gets the start, as on Linux */
}

int socket_buf_size(int v, bool force, bool rcv)
{
	if (force && v < 0)
		v = 0;	/* no underflow once doubled */
	else if (!force && (uint32_t)v > SOCK_BUF_MAX)
		v = SOCK_BUF_MAX;	/* read as unsigned: -1 is the most */
	if (v > INT32_MAX / 2)
		v = INT32_MAX / 2;
	int min = rcv ? SOCK_MIN_RCVBUF : SOCK_MIN_SNDBUF;
	return v * 2 < min ? min : v * 2;
}

/* SO_SNDBUFFORCE and SO_RCVBUFFORCE pass the buffer limits: CAP_NET_ADMIN
 * only (EPERM), as on Linux, once the value is an int. */
static int may_force(uint32_t len)
{
	struct sock_cred me;

	if (len < sizeof(int))
		return -EINVAL;
	socket_cred_current(&me);
	return me.net_admin ? 0 : -EPERM;
}

static bool is_inet(const struct socket *s) { return s->family == AF_INET || s->family == AF_INET6; }

/* What Linux refuses for some families before any is asked: reuse of a
 * port is the internet's, credentials and security labels are passed
 * only over local sockets, and zero-copy sends are not done here (their
 * completions would never come on the error queue). */
static int refused_for_family(const struct socket *s, int name)
{
	switch (name) {
	case SO_REUSEPORT:
		return is_inet(s) ? 0 : -EOPNOTSUPP;
	case SO_PASSCRED: case SO_PASSSEC:
		return is_inet(s) ? -EOPNOTSUPP : 0;
	case SO_ZEROCOPY:
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Linux's socket layer's part: 0 leaves the option to the family, 1
 * says it is done, or -errno. */
static int set_generic(struct socket *s, int name, const void *val, uint32_t len)
{
	switch (name) {
	case SO_SNDBUFFORCE: case SO_RCVBUFFORCE:
		return may_force(len);
	case SO_TYPE: case SO_PROTOCOL: case SO_DOMAIN:
		return -ENOPROTOOPT;	/* read-only, as Linux says */
	case SO_RCVTIMEO_OLD: case SO_RCVTIMEO_NEW:
		return timeout_read(val, len, &s->rcvtimeo_ns) ?: 1;
	case SO_SNDTIMEO_OLD: case SO_SNDTIMEO_NEW:
		return timeout_read(val, len, &s->sndtimeo_ns) ?: 1;
	case SO_BINDTODEVICE: case SO_BINDTOIFINDEX:
		return socket_bind_device(s, name, val, len) ?: 1;
	}
	if (len < sizeof(int))
		return -EINVAL;	/* Linux reads the int before anything else */
	int v;
	if (socket_tstamp_option(name) && !sockopt_read_int(val, len, &v)) {
		socket_tstamp_set(s, name, v != 0);
		return 1;
	}
	return refused_for_family(s, name);
}

int socket_setsockopt(struct socket *s, int level, int name, const void *val, uint32_t len)
{
	if (level == SOL_SOCKET) {
		int r = set_generic(s, name, val, len);
		if (r)
			return r < 0 ? r : 0;
	}
	int err = s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, len) : -ENOPROTOOPT;
	if (err == -ENOPROTOOPT && level == SOL_SOCKET)
		err = socket_common_setsockopt(s, name, val, len);
	return err;
}

/* SO_PEERNAME, as Linux's sk_getsockopt gives it: getpeername's address,
 * but ENOTCONN whatever the family's error, EINVAL for a room longer
 * than the address, else as much as the room holds. */
static int peer_name(struct socket *s, void *val, uint32_t *len)
{
	uint8_t addr[SOCKADDR_MAX];
	uint32_t alen = sizeof addr;

	if (!s->ops->getname || s->ops->getname(s, addr, &alen, true))
		return -ENOTCONN;
	if (alen > sizeof addr)
		alen = sizeof addr;
	if (alen < *len)
		return -EINVAL;
	memcpy(val, addr, *len);
	return 0;
}

int socket_getsockopt(struct socket *s, int level, int name, void *val, uint32_t *len)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_TYPE:
			return sockopt_write_int(val, len, s->type);
		case SO_PROTOCOL:
			return sockopt_write_int(val, len, s->protocol);
		case SO_DOMAIN:
			return sockopt_write_int(val, len, s->family);
		case SO_RCVTIMEO_OLD: case SO_RCVTIMEO_NEW:
			return timeout_write(val, len, s->rcvtimeo_ns);
		case SO_SNDTIMEO_OLD: case SO_SNDTIMEO_NEW:
			return timeout_write(val, len, s->sndtimeo_ns);
		case SO_PEERNAME:
			return peer_name(s, val, len);
		case SO_BINDTODEVICE: case SO_BINDTOIFINDEX:
			return socket_bound_device(s, name, val, len);
		case SO_TIMESTAMP_OLD: case SO_TIMESTAMPNS_OLD: case SO_TIMESTAMP_NEW: case SO_TIMESTAMPNS_NEW:
			return sockopt_write_int(val, len, socket_tstamp_get(s, name));
		case SO_PASSCRED: case SO_PASSSEC:
			if (is_inet(s))
				return -EOPNOTSUPP;
			break;
		}
	}
	int err = s->ops->getsockopt ? s->ops->getsockopt(s, level, name, val, len) : -ENOPROTOOPT;
	if (err == -ENOPROTOOPT && level == SOL_SOCKET)
		err = socket_common_getsockopt(s, name, val, len);
	return err;
}
