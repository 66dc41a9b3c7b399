/* Socket system calls but the data ones (sys_socket_msg.c): socket,
 * socketpair, bind, listen, accept, accept4, connect, shutdown,
 * getsockname, getpeername, setsockopt, getsockopt.  Arguments are copied
 * in and out here; the families see kernel copies (net/socket.h). */
#include "linux/sys_socket_internal.h"

#include "core/string.h"
#include "core/uaccess.h"
#include "linux/cred.h"
#include "linux/sigio.h"
#include "linux/syscall.h"

#define NPROTO		46	/* Linux's AF_MAX: families beyond are EAFNOSUPPORT */
#define SOCK_MAX	11
#define OPT_MAX		1024	/* bytes of an option value the kernel copies */

long sockaddr_from_user(void *dst, uint64_t uaddr, uint64_t len)
{
	if ((int)len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	return copy_from_user(dst, uaddr, len) ? -EFAULT : 0;
}

long sockaddr_to_user(const void *addr, uint32_t klen, uint64_t uaddr, uint64_t ulen)
{
	int len;

	if (copy_from_user(&len, ulen, sizeof len))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if ((uint32_t)len > klen)
		len = (int)klen;
	if (len && copy_to_user(uaddr, addr, (size_t)len))
		return -EFAULT;
	return copy_to_user(ulen, &klen, sizeof klen) ? -EFAULT : 0;
}

/* Splits socket(2)'s type into the type and its flags. */
static long type_split(uint64_t arg, int *type, unsigned *flags)
{
	if (arg & ~(uint64_t)(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	*type = (int)(arg & SOCK_TYPE_MASK);
	*flags = (unsigned)arg & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	return *type >= SOCK_MAX ? -EINVAL : 0;
}

/* Gives s a file and a descriptor; on failure s is gone. */
static long sock_install(struct socket *s, unsigned flags)
{
	struct file *f = socket_file(s, flags);

	if (!f) {
		socket_destroy(s);
		return -ENOMEM;
	}
	return fd_install(f, 0, flags & SOCK_CLOEXEC);
}

static long sys_socket(const struct sysargs *a)
{
	int family = (int)a->a[0], type;
	unsigned flags;
	struct socket *s;
	long err = type_split(a->a[1], &type, &flags);

	if (err)
		return err;
	if (family < 0 || family >= NPROTO)
		return -EAFNOSUPPORT;
	if ((err = socket_create(family, type, (int)a->a[2], &s)))
		return err;
	return sock_install(s, flags);
}

static long sys_socketpair(const struct sysargs *a)
{
	int family = (int)a->a[0], type, fds[2];
	unsigned flags;
	long err = type_split(a->a[1], &type, &flags);

	if (err)
		return err;
	if (family != AF_UNIX)
		return family == AF_INET || family == AF_INET6 || family == AF_NETLINK ? -EOPNOTSUPP
										   : -EAFNOSUPPORT;
	struct socket *x = socket_alloc(family, type, (int)a->a[2]);
	struct socket *y = socket_alloc(family, type, (int)a->a[2]);
	if (!x || !y)
		err = -ENOMEM;
	else
		err = unix_socketpair_init(x, y, type, (int)a->a[2]);
	if (err) {
		if (x)
			socket_destroy(x);
		if (y)
			socket_destroy(y);
		return err;
	}
	fds[0] = (int)sock_install(x, flags);
	if (fds[0] < 0) {
		socket_destroy(y);
		return fds[0];
	}
	fds[1] = (int)sock_install(y, flags);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		return fds[1];
	}
	if (!copy_to_user(a->a[3], fds, sizeof fds))
		return 0;
	fd_close(fds[0]);
	fd_close(fds[1]);
	return -EFAULT;
}

/* Ports below 1024 are bound with CAP_NET_BIND_SERVICE only (Linux's
 * ip_unprivileged_port_start), for IPv4 and IPv6 alike.  An address too
 * short or of another family is left to the family's bind to refuse. */
static long may_bind(const struct socket *s, const uint8_t *addr, uint64_t len)
{
	if (len < 16)
		return 0;
	uint16_t family = (uint16_t)(addr[0] | addr[1] << 8);
	uint16_t port = (uint16_t)(addr[2] << 8 | addr[3]);	/* network order */
	if (s->family != family || (family != AF_INET && family != AF_INET6))
		return 0;
	if ((family == AF_INET6 && len < 24) || !port || port >= 1024)
		return 0;
	return cred_capable(CAP_NET_BIND_SERVICE) ? 0 : -EACCES;
}

/* bind and connect: a socket and an address in. */
static long with_addr(const struct sysargs *a, bool connect)
{
	uint8_t addr[SOCKADDR_MAX];
	struct file *f;
	struct socket *s;
	long err = sock_fd((int)a->a[0], &f, &s);

	if (err)
		return err;
	if (!(err = sockaddr_from_user(addr, a->a[1], a->a[2]))) {
		if (connect)
			err = s->ops->connect ? s->ops->connect(s, addr, (uint32_t)a->a[2]) : -EOPNOTSUPP;
		else if (!(err = may_bind(s, addr, a->a[2])))
			err = s->ops->bind ? s->ops->bind(s, addr, (uint32_t)a->a[2]) : -EOPNOTSUPP;
	}
	file_put(f);
	return err;
}

static long sys_bind(const struct sysargs *a) { return with_addr(a, false); }
static long sys_connect(const struct sysargs *a) { return with_addr(a, true); }

static long sys_listen(const struct sysargs *a)
{
	struct file *f;
	struct socket *s;
	long err = sock_fd((int)a->a[0], &f, &s);

	if (err)
		return err;
	err = s->ops->listen ? s->ops->listen(s, (int)a->a[1]) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long sys_shutdown(const struct sysargs *a)
{
	struct file *f;
	struct socket *s;
	long err = sock_fd((int)a->a[0], &f, &s);

	if (err)
		return err;
	err = s->ops->shutdown ? s->ops->shutdown(s, (int)a->a[1]) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/* The new connection's address goes out before it gets a descriptor, so
 * a bad pointer loses the connection but leaks nothing.  With no
 * descriptor free the connection stays queued, as on Linux (which takes
 * the descriptor first): a server at its limit closes one and accepts
 * the connection still waiting. */
static long accept_on(struct socket *s, uint64_t uaddr, uint64_t ulen, unsigned flags)
{
	uint8_t addr[SOCKADDR_MAX];
	uint32_t len = SOCKADDR_MAX;
	struct socket *ns;
	int room;

	if (uaddr && copy_from_user(&room, ulen, sizeof room))
		return -EFAULT;
	if (uaddr && room < 0)
		return -EINVAL;
	if (!s->ops->accept)
		return -EOPNOTSUPP;
	long err = fd_room();
	if (err)
		return err;
	err = s->ops->accept(s, &ns, uaddr ? addr : NULL, &len);
	if (err)
		return err;
	if (uaddr && (err = sockaddr_to_user(addr, len, uaddr, ulen))) {
		socket_destroy(ns);
		return err;
	}
	return sock_install(ns, flags);
}

static long do_accept(const struct sysargs *a, uint64_t flags)
{
	struct file *f;
	struct socket *s;

	if (flags & ~(uint64_t)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	long err = sock_fd((int)a->a[0], &f, &s);
	if (err)
		return err;
	err = accept_on(s, a->a[1], a->a[2], (unsigned)flags);
	file_put(f);
	return err;
}

static long sys_accept(const struct sysargs *a) { return do_accept(a, 0); }
static long sys_accept4(const struct sysargs *a) { return do_accept(a, a->a[3]); }

static long get_name(const struct sysargs *a, bool peer)
{
	uint8_t addr[SOCKADDR_MAX];
	uint32_t len = SOCKADDR_MAX;
	struct file *f;
	struct socket *s;
	long err = sock_fd((int)a->a[0], &f, &s);

	if (err)
		return err;
	err = s->ops->getname ? s->ops->getname(s, addr, &len, peer) : -EOPNOTSUPP;
	if (!err)
		err = sockaddr_to_user(addr, len < SOCKADDR_MAX ? len : SOCKADDR_MAX, a->a[1], a->a[2]);
	file_put(f);
	return err;
}

static long sys_getsockname(const struct sysargs *a) { return get_name(a, false); }
static long sys_getpeername(const struct sysargs *a) { return get_name(a, true); }

static long sys_setsockopt(const struct sysargs *a)
{
	uint8_t val[OPT_MAX];
	uint32_t len = (uint32_t)a->a[4];
	struct file *f;
	struct socket *s;

	if ((int)len < 0)
		return -EINVAL;
	len = len < OPT_MAX ? len : OPT_MAX;
	if (len && copy_from_user(val, a->a[3], len))
		return -EFAULT;
	long err = sock_fd((int)a->a[0], &f, &s);
	if (err)
		return err;
	err = socket_setsockopt(s, (int)a->a[1], (int)a->a[2], val, len);
	file_put(f);
	return err;
}

static long sys_getsockopt(const struct sysargs *a)
{
	uint8_t val[OPT_MAX];
	struct file *f;
	struct socket *s;
	int room;

	long err = sock_fd((int)a->a[0], &f, &s);
	if (err)
		return err;
	if (copy_from_user(&room, a->a[4], sizeof room))
		err = -EFAULT;
	else if (room < 0)
		err = -EINVAL;
	uint32_t len = room < OPT_MAX ? (uint32_t)room : OPT_MAX;
	if (!err)
		err = socket_getsockopt(s, (int)a->a[1], (int)a->a[2], val, &len);
	if (!err && (copy_to_user(a->a[3], val, len) || copy_to_user(a->a[4], &len, sizeof len)))
		err = -EFAULT;
	file_put(f);
	return err;
}

static const struct syscall_entry socket_calls[] = {
	{ 41, sys_socket },
	{ 42, sys_connect },
	{ 43, sys_accept },
	{ 48, sys_shutdown },
	{ 49, sys_bind },
	{ 50, sys_listen },
	{ 51, sys_getsockname },
	{ 52, sys_getpeername },
	{ 53, sys_socketpair },
	{ 54, sys_setsockopt },
	{ 55, sys_getsockopt },
	{ 288, sys_accept4 },
};

SYSCALL_TABLE(socket_calls);

void sys_socket_register(void)
{
	socket_urgent_set_hook(sigio_urgent);	/* SIGURG: signals are this layer's */
}
