/* Sockets as open files, and what every family shares: creation by family,
 * read/write as recvmsg/sendmsg, SIGPIPE, fstat, and the generic options. */
#include "net/socket.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "fs/stat.h"
#include "net/net_config.h"

#define SOCKFS_DEV	0x08	/* st_dev of every socket, as an anonymous fs */

static unsigned next_ino = 8192;	/* fstat's st_ino, "socket:[N]" */

uint64_t socket_deadline(uint64_t timeout_ns) { return timeout_ns ? clock_ns() + timeout_ns : 0; }

static void (*cred_source)(struct sock_cred *c);
static bool (*pid_source)(int32_t pid);

void socket_cred_set_source(void (*fill)(struct sock_cred *c), bool (*pid_exists)(int32_t pid))
{
	cred_source = fill;
	pid_source = pid_exists;
}

static void (*urgent_hook)(struct file *f);

void socket_urgent_set_hook(void (*fn)(struct file *f)) { urgent_hook = fn; }

void socket_urgent(struct file *f)
{
	if (urgent_hook)
		urgent_hook(f);
}

bool socket_pid_exists(int32_t pid) { return !pid_source || pid_source(pid); }

void socket_cred_current(struct sock_cred *c)
{
	*c = (struct sock_cred){ current()->tgid, { 0, 0, 0 }, { 0, 0, 0 }, true, true, true, true, true };
	if (cred_source)
		cred_source(c);
}

struct socket *socket_alloc(int family, int type, int protocol)
{
	struct socket *s = kmalloc(sizeof *s);

	if (s) {
		struct sock_cred c;
		socket_cred_current(&c);
		s->family = family;
		s->type = type;
		s->protocol = protocol;
		s->ino = 0;
		s->uid = c.uid[1];
		socket_common_opts_init(&s->common);
		list_init(&s->table_link);
	}
	return s;
}

int socket_create(int family, int type, int protocol, struct socket **out)
{
	if (family != AF_UNIX && family != AF_INET && family != AF_INET6 && family != AF_NETLINK)
		return -EAFNOSUPPORT;
	if (family != AF_UNIX)
		net_lwip_start();
	struct socket *s = socket_alloc(family, type, protocol);
	if (!s)
		return -ENOMEM;
	int err = family == AF_UNIX ? unix_socket_init(s, type, protocol)
		: family == AF_NETLINK ? netlink_socket_init(s, type, protocol)
		: inet_socket_init(s, family, type, protocol);
	if (err) {
		kfree(s);
		return err;
	}
	*out = s;
	return 0;
}

void socket_destroy(struct socket *s)
{
	socket_table_remove(s);	/* before the family lets go of priv */
	if (s->ops && s->ops->release)
		s->ops->release(s);
	kfree(s);
}

/* ---- sending and receiving ------------------------------------------------ */

/* Calls fill or drain for [off, off + n) of the message, piece by piece. */
static long msg_copy(const struct sock_msg *m, size_t off, void *k, size_t n, bool fill)
{
	size_t done = 0;

	for (int i = 0; i < m->iovlen && done < n; i++) {
		const struct iobuf *b = &m->iov[i];
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		size_t chunk = b->len - off < n - done ? b->len - off : n - done;
		long err = fill ? iobuf_fill(b, off, (const char *)k + done, chunk)
				: iobuf_drain(b, off, (char *)k + done, chunk);
		if (err)
			return err;
		done += chunk;
		off = 0;
	}
	return (long)done;
}

long sock_msg_fill(const struct sock_msg *m, size_t off, const void *src, size_t n)
{
	return msg_copy(m, off, (void *)src, n, true);
}

long sock_msg_drain(const struct sock_msg *m, size_t off, void *dst, size_t n)
{
	return msg_copy(m, off, dst, n, false);
}

long sock_msg_fault_in(const struct sock_msg *m, size_t off, size_t n)
{
	for (int i = 0; i < m->iovlen && n; i++) {
		const struct iobuf *b = &m->iov[i];
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		size_t chunk = b->len - off < n ? b->len - off : n;
		long err = iobuf_fault_in(b, off, chunk, true);
		if (err)
			return err;
		n -= chunk;
		off = 0;
	}
	return 0;
}

long socket_sendmsg(struct socket *s, struct sock_msg *m)
{
	/* -EPIPE for a connection the other side closed: the Linux layer
	 * raises SIGPIPE for a stream, unless MSG_NOSIGNAL. */
	return s->ops->sendmsg ? s->ops->sendmsg(s, m) : -EOPNOTSUPP;
}

long socket_sendpages(struct socket *s, const struct page_source *src, size_t len, int flags)
{
	return s->ops->sendpages ? s->ops->sendpages(s, src, len, flags) : -EOPNOTSUPP;
}

long socket_recvmsg(struct socket *s, struct sock_msg *m)
{
	return s->ops->recvmsg ? s->ops->recvmsg(s, m) : -EOPNOTSUPP;
}

static long sock_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct sock_msg m = { .iov = b, .iovlen = 1, .len = b->len };

	(void)pos;
	/* read of 0 bytes is 0 at once, as Linux's sock_read_iter; only
	 * recv and recvmsg take it to a family (a stream waits for data). */
	return b->len ? socket_recvmsg(f->priv, &m) : 0;
}

static long sock_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct sock_msg m = { .iov = b, .iovlen = 1, .len = b->len };

	(void)pos;
	return socket_sendmsg(f->priv, &m);
}

/* ---- the rest of the file ------------------------------------------------- */

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = f->priv;

	return s->ops->poll ? s->ops->poll(s, pt) : 0;
}

static long sock_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct socket *s = f->priv;

	long r = s->ops->ioctl ? s->ops->ioctl(s, cmd, arg) : -ENOTTY;

	/* Interface requests work on a socket of any family, as on Linux
	 * (musl's if_nametoindex asks an AF_UNIX socket): lo needs lwIP. */
	if (r != -ENOTTY)
		return r;
	net_lwip_start();
	return inet_ifreq(cmd, arg);
}

/* The inode number hides in the file's pos: sockets have no offsets. */
static int sock_stat(struct file *f, struct kstat *st)
{
	*st = (struct kstat){ .dev = SOCKFS_DEV, .ino = (uint64_t)f->pos, .nlink = 1,
			      .mode = S_IFSOCK | 0777, .blksize = PAGE_SIZE };
	return 0;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->priv;

	s->file = NULL;
	socket_destroy(s);
}

static const struct file_ops socket_ops_file = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.stat = sock_stat,
	.release = sock_release,
	.async = true,
};

struct file *socket_file(struct socket *s, unsigned flags)
{
	struct file *f = file_new(&socket_ops_file, O_RDWR | (flags & O_NONBLOCK), s);
	char name[32];

	if (!f)
		return NULL;
	f->pos = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	s->ino = (uint64_t)f->pos;
	snprintf(name, sizeof name, "socket:[%u]", (unsigned)f->pos);
	f->path = kmalloc(strlen(name) + 1);
	if (f->path)
		memcpy(f->path, name, strlen(name) + 1);
	s->file = f;
	socket_table_add(s);
	return f;
}

struct socket *socket_of(struct file *f)
{
	return f && f->ops == &socket_ops_file ? f->priv : NULL;
}
