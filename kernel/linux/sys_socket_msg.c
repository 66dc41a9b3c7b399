/* Socket data calls: sendto, recvfrom, sendmsg, recvmsg, sendmmsg,
 * recvmmsg.  A struct msghdr is read into a struct sock_msg (iovecs as
 * iobufs on user memory, the name and control data in kernel copies) and
 * what the family fills is written back. */
#include "linux/sys_socket_internal.h"

#include "core/kmalloc.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/fd.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define CONTROL_MAX	20480		/* Linux's optmem_max: more is ENOBUFS */
#define IOV_ON_STACK	8
#define MSG_WAITFORONE	0x10000
#define SSIZE_MAX	0x7fffffffffffffffull

struct umsghdr {			/* struct msghdr on 64 bits */
	uint64_t name;
	uint32_t namelen, pad1;
	uint64_t iov, iovlen;
	uint64_t control, controllen;
	int32_t flags, pad2;
};

struct ummsghdr {
	struct umsghdr hdr;
	uint32_t len, pad;
};

/* A message's kernel side: the sock_msg and what it points at. */
struct kmsg {
	struct sock_msg m;
	struct iobuf stack[IOV_ON_STACK];
	struct iobuf *iov;		/* stack or kmalloc'd */
	void *control;			/* kmalloc'd */
};

static void kmsg_free(struct kmsg *k)
{
	if (k->iov != k->stack)
		kfree(k->iov);
	kfree(k->control);
}

static long iov_read(struct kmsg *k, uint64_t uiov, uint64_t n)
{
	size_t total = 0;

	if (n > IOV_MAX)
		return -EMSGSIZE;
	k->iov = n <= IOV_ON_STACK ? k->stack : kmalloc(n * sizeof *k->iov);
	if (!k->iov)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		struct iovec v;
		if (copy_from_user(&v, uiov + i * sizeof v, sizeof v))
			return -EFAULT;
		if (v.len > SSIZE_MAX)
			return -EINVAL;
		if (!user_range_ok(v.base, v.len))
			return -EFAULT;
		v.len = v.len < SSIZE_MAX - total ? v.len : SSIZE_MAX - total;
		k->iov[i] = iobuf_user(v.base, v.len);
		total += v.len;
	}
	k->m.iov = k->iov;
	k->m.iovlen = (int)n;
	k->m.len = total;
	return 0;
}

long socket_iov_io(struct socket *s, uint64_t uiov, uint64_t n, bool write)
{
	struct kmsg k = { .iov = k.stack };
	long err = iov_read(&k, uiov, n);

	if (!err && k.m.len)
		err = write ? socket_sendmsg(s, &k.m) : socket_recvmsg(s, &k.m);
	kmsg_free(&k);
	return err;
}

/* Reads the msghdr at umsg for sending (send) or receiving. */
static long kmsg_read(struct kmsg *k, struct umsghdr *h, uint64_t umsg, bool send)
{
	k->iov = k->stack;
	if (copy_from_user(h, umsg, sizeof *h))
		return -EFAULT;
	/* As Linux: a negative name length is refused, a longer one than
	 * any address is cut to the longest (sendto refuses it instead). */
	if ((int32_t)h->namelen < 0)
		return -EINVAL;
	h->namelen = !h->name ? 0 : h->namelen < SOCKADDR_MAX ? h->namelen : SOCKADDR_MAX;
	long err = iov_read(k, h->iov, h->iovlen);
	if (err)
		return err;
	if (send && h->name && (err = sockaddr_from_user(k->m.name, h->name, h->namelen)))
		return err;
	if (send)
		k->m.namelen = h->name ? h->namelen : 0;
	if (!h->controllen || !h->control)
		return 0;
	if (send && h->controllen > CONTROL_MAX)
		return -ENOBUFS;
	size_t room = h->controllen < CONTROL_MAX ? h->controllen : CONTROL_MAX;
	if (!(k->control = kmalloc(room)))
		return -ENOMEM;
	if (send && copy_from_user(k->control, h->control, room))
		return -EFAULT;
	k->m.control = k->control;
	k->m.controllen = room;
	return 0;
}

static long send_one(struct socket *s, uint64_t umsg, int flags)
{
	struct kmsg k = { 0 };
	struct umsghdr h;
	long err = kmsg_read(&k, &h, umsg, true);

	k.m.flags = flags;
	if (!err)
		err = socket_sendmsg(s, &k.m);
	kmsg_free(&k);
	return signal_epipe_socket(s, flags, err);
}

/* Writes back the name, control data, their lengths and the flags. */
static long kmsg_write(struct kmsg *k, const struct umsghdr *h, uint64_t umsg)
{
	const struct umsghdr *u = (const struct umsghdr *)umsg;
	uint32_t namelen = k->m.namelen < SOCKADDR_MAX ? k->m.namelen : SOCKADDR_MAX;
	uint64_t controllen = k->control ? k->m.controllen : 0;
	int32_t flags = k->m.flags & (MSG_TRUNC | MSG_CTRUNC | MSG_EOR | MSG_OOB | MSG_ERRQUEUE);

	if (h->name) {
		namelen = namelen < h->namelen ? namelen : h->namelen;
		if (copy_to_user(h->name, k->m.name, namelen) ||
		    copy_to_user((uint64_t)&u->namelen, &k->m.namelen, sizeof k->m.namelen))
			return -EFAULT;
	}
	if (controllen && copy_to_user(h->control, k->control, controllen))
		return -EFAULT;
	if (copy_to_user((uint64_t)&u->controllen, &controllen, sizeof controllen) ||
	    copy_to_user((uint64_t)&u->flags, &flags, sizeof flags))
		return -EFAULT;
	return 0;
}

static long recv_one(struct socket *s, uint64_t umsg, int flags)
{
	struct kmsg k = { 0 };
	struct umsghdr h;
	long n = kmsg_read(&k, &h, umsg, false);

	k.m.flags = flags;
	if (!n)
		n = socket_recvmsg(s, &k.m);
	if (n >= 0) {
		long err = kmsg_write(&k, &h, umsg);
		n = err ? err : n;
	}
	kmsg_free(&k);
	return n;
}

static long sys_sendmsg(const struct sysargs *a)
{
	struct file *f;
	struct socket *s;
	long err = sock_fd((int)a->a[0], &f, &s);

	if (err)
		return err;
	err = send_one(s, a->a[1], (int)a->a[2]);
	file_put(f);
	return err;
}

static long sys_recvmsg(const struct sysargs *a)
{
	struct file *f;
	struct socket *s;
	long err = sock_fd((int)a->a[0], &f, &s);

	if (err)
		return err;
	err = recv_one(s, a->a[1], (int)a->a[2]);
	file_put(f);
	return err;
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
static long sys_sendto(const struct sysargs *a)
{
	struct iobuf b = iobuf_user(a->a[1], a->a[2]);
	struct sock_msg m = { .iov = &b, .iovlen = 1, .len = a->a[2], .flags = (int)a->a[3] };
	struct file *f;
	struct socket *s;

	if (!user_range_ok(a->a[1], a->a[2]))
		return -EFAULT;
	if (a->a[4]) {
		long err = sockaddr_from_user(m.name, a->a[4], a->a[5]);
		if (err)
			return err;
		m.namelen = (uint32_t)a->a[5];
	}
	long err = sock_fd((int)a->a[0], &f, &s);
	if (err)
		return err;
	err = signal_epipe_socket(s, (int)a->a[3], socket_sendmsg(s, &m));
	file_put(f);	/* after the last look at s: the file holds it */
	return err;
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) */
static long sys_recvfrom(const struct sysargs *a)
{
	struct iobuf b = iobuf_user(a->a[1], a->a[2]);
	struct sock_msg m = { .iov = &b, .iovlen = 1, .len = a->a[2], .flags = (int)a->a[3] };
	struct file *f;
	struct socket *s;

	if (!user_range_ok(a->a[1], a->a[2]))
		return -EFAULT;
	long n = sock_fd((int)a->a[0], &f, &s);
	if (n)
		return n;
	n = socket_recvmsg(s, &m);
	file_put(f);
	if (n >= 0 && a->a[4]) {
		uint32_t len = m.namelen < SOCKADDR_MAX ? m.namelen : SOCKADDR_MAX;
		long err = sockaddr_to_user(m.name, len, a->a[4], a->a[5]);
		n = err ? err : n;
	}
	return n;
}

/* sendmmsg/recvmmsg: how many went; the first one's error if none did. */
static long sys_sendmmsg(const struct sysargs *a)
{
	uint64_t vec = a->a[1], vlen = a->a[2] < IOV_MAX ? a->a[2] : IOV_MAX;
	struct file *f;
	struct socket *s;
	long err = sock_fd((int)a->a[0], &f, &s);
	uint64_t i = 0;

	if (err)
		return err;
	for (; i < vlen; i++) {
		uint64_t um = vec + i * sizeof(struct ummsghdr);
		long n = send_one(s, um, (int)a->a[3]);
		uint32_t len = (uint32_t)n;
		if (n >= 0 && copy_to_user(um + offsetof(struct ummsghdr, len), &len, sizeof len))
			n = -EFAULT;
		if (n < 0) {
			err = n;
			break;
		}
	}
	file_put(f);
	return i ? (long)i : err;
}

/* The timeout is checked after each message, as on Linux; what is left
 * of it is written back. */
static long sys_recvmmsg(const struct sysargs *a)
{
	uint64_t vec = a->a[1], vlen = a->a[2] < IOV_MAX ? a->a[2] : IOV_MAX, ns = 0, deadline = 0;
	int flags = (int)a->a[3];
	struct file *f;
	struct socket *s;
	uint64_t i = 0;
	long err;

	if (a->a[4] && (err = timespec_read_ns(a->a[4], &ns)))
		return err;
	deadline = a->a[4] ? clock_ns() + ns : 0;
	if ((err = sock_fd((int)a->a[0], &f, &s)))
		return err;
	for (; i < vlen; i++) {
		uint64_t um = vec + i * sizeof(struct ummsghdr);
		long n = recv_one(s, um, flags & ~MSG_WAITFORONE);
		uint32_t len = (uint32_t)n;
		if (n >= 0 && copy_to_user(um + offsetof(struct ummsghdr, len), &len, sizeof len))
			n = -EFAULT;
		if (n < 0) {
			err = n;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (deadline && clock_ns() >= deadline) {
			i++;
			break;
		}
	}
	file_put(f);
	if (deadline) {
		uint64_t now = clock_ns(), left = now < deadline ? deadline - now : 0;
		struct linux_timespec ts = { (int64_t)(left / 1000000000ull), (int64_t)(left % 1000000000ull) };
		if (copy_to_user(a->a[4], &ts, sizeof ts))
			return -EFAULT;
	}
	return i ? (long)i : err;
}

static const struct syscall_entry socket_msg_calls[] = {
	{ 44, sys_sendto },
	{ 45, sys_recvfrom },
	{ 46, sys_sendmsg },
	{ 47, sys_recvmsg },
	{ 299, sys_recvmmsg },
	{ 307, sys_sendmmsg },
};

SYSCALL_TABLE(socket_msg_calls);
