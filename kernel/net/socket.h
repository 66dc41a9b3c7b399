/* Sockets: one kind of open file, with operations per address family.
 *
 * kernel/net/socket.c turns a struct socket into a struct file (read, write,
 * poll, ioctl, fstat) and handles what every family shares (timeouts,
 * SO_TYPE...).  kernel/linux/sys_socket.c copies the system calls' arguments
 * in and out of user memory.  The families (inet: lwIP; unix: kernel/net/unix*)
 * fill in struct socket_ops and see only kernel copies of addresses and
 * control data; the data itself stays in iobufs (user or kernel memory).
 *
 * Every op returns 0 or bytes moved, or -errno.  Blocking ops sleep with the
 * core/wait.h rules (-EAGAIN when non-blocking, -ERESTARTSYS on a signal), and
 * honour the socket's rcvtimeo/sndtimeo (-EAGAIN when they expire). */
#ifndef AMPHI_NET_SOCKET_H
#define AMPHI_NET_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"
#include "fs/file.h"

struct poll_table;
struct socket;

/* Linux's numbers. */
#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10
#define AF_NETLINK	16

/* listen()'s largest backlog: Linux's net.core.somaxconn, whose default
 * it is (/proc/sys/net/core/somaxconn shows it). */
#define SOMAXCONN	4096

#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_RAW	3
#define SOCK_SEQPACKET	5
#define SOCK_TYPE_MASK	0xf
#define SOCK_NONBLOCK	O_NONBLOCK
#define SOCK_CLOEXEC	O_CLOEXEC

#define MSG_OOB		0x1
#define MSG_PEEK	0x2
#define MSG_DONTROUTE	0x4
#define MSG_CTRUNC	0x8
#define MSG_TRUNC	0x20
#define MSG_DONTWAIT	0x40
#define MSG_EOR		0x80
#define MSG_WAITALL	0x100
#define MSG_ERRQUEUE	0x2000
#define MSG_NOSIGNAL	0x4000
#define MSG_MORE	0x8000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SHUT_RD		0
#define SHUT_WR		1
#define SHUT_RDWR	2

#define SOL_SOCKET	1
/* Options at SOL_SOCKET (asm-generic/socket.h); the timeouts have an old
 * and a 64-bit-time number, musl may use either. */
#define SO_DEBUG	1
#define SO_REUSEADDR	2
#define SO_TYPE		3
#define SO_ERROR	4
#define SO_DONTROUTE	5
#define SO_BROADCAST	6
#define SO_SNDBUF	7
#define SO_RCVBUF	8
#define SO_KEEPALIVE	9
#define SO_OOBINLINE	10
#define SO_NO_CHECK	11
#define SO_PRIORITY	12
#define SO_LINGER	13
#define SO_BSDCOMPAT	14
#define SO_REUSEPORT	15
#define SO_PASSCRED	16
#define SO_PEERCRED	17
#define SO_RCVLOWAT	18
#define SO_SNDLOWAT	19
#define SO_RCVTIMEO_OLD	20
#define SO_SNDTIMEO_OLD	21
#define SO_BINDTODEVICE	25
#define SO_PEERNAME	28
#define SO_TIMESTAMP_OLD 29
#define SO_ACCEPTCONN	30
#define SO_SNDBUFFORCE	32
#define SO_RCVBUFFORCE	33
#define SO_PASSSEC	34
#define SO_TIMESTAMPNS_OLD 35
#define SO_MARK		36
#define SO_PROTOCOL	38
#define SO_DOMAIN	39
#define SO_RXQ_OVFL	40
#define SO_WIFI_STATUS	41
#define SO_PEEK_OFF	42
#define SO_NOFCS	43
#define SO_LOCK_FILTER	44
#define SO_SELECT_ERR_QUEUE 45
#define SO_BUSY_POLL	46
#define SO_MAX_PACING_RATE 47
#define SO_INCOMING_CPU	49
#define SO_CNX_ADVICE	53
#define SO_INCOMING_NAPI_ID 56
#define SO_COOKIE	57
#define SO_PEERGROUPS	59
#define SO_ZEROCOPY	60
#define SO_BINDTOIFINDEX 62
#define SO_TIMESTAMP_NEW 63
#define SO_TIMESTAMPNS_NEW 64
#define SO_RCVTIMEO_NEW	66
#define SO_SNDTIMEO_NEW	67
#define SO_PREFER_BUSY_POLL 69
#define SOCKADDR_MAX	128	/* sizeof(struct sockaddr_storage) */

/* One message, as the families see it. */
struct sock_msg {
	const struct iobuf *iov;	/* the data: iovlen pieces */
	int iovlen;
	size_t len;			/* sum of the pieces' lengths */
	/* send: destination (namelen 0: none); recv: filled with the source
	 * (namelen set to its real length, which may exceed SOCKADDR_MAX). */
	uint8_t name[SOCKADDR_MAX];
	uint32_t namelen;
	/* Ancillary data in Linux's cmsghdr layout, kernel memory:
	 * send: what the program gave; recv: room for controllen bytes, set to
	 * what was written (AF_UNIX: SCM_RIGHTS, SCM_CREDENTIALS). */
	void *control;
	size_t controllen;
	int flags;			/* MSG_* in; recv: MSG_TRUNC/CTRUNC out */
};

struct sock_cmsg {		/* Linux's struct cmsghdr on 64 bits */
	uint64_t len;
	int32_t level, type;
};

#define CMSG_HDR	sizeof(struct sock_cmsg)
#define SCM_RIGHTS	1	/* at SOL_SOCKET */
#define SCM_CREDENTIALS	2
#define CMSG_ALIGN(n)	(((n) + 7) & ~(size_t)7)

/* Appends one control message at *used in m's control buffer: cut to the
 * room left (MSG_CTRUNC), nothing when not even its header fits. */
void sock_msg_put_cmsg(struct sock_msg *m, size_t *used, int level, int type, const void *data,
		       size_t len);
/* The control message at *at of a send's buffer into h, its data at
 * *data: 1, 0 at the end, -EINVAL when its length does not fit.  *at
 * moves past it. */
int sock_msg_next_cmsg(const struct sock_msg *m, size_t *at, struct sock_cmsg *h, const char **data);

/* A file's bytes from pos on, by page (sendfile): get_page gives the page
 * of index idx with a reference that passes to the caller
 * (core/page_alloc.h), or -errno (-EFAULT past the file's end). */
struct page_source {
	int (*get_page)(void *ctx, uint64_t idx, uint64_t *pa);
	void *ctx;
	uint64_t pos;
};

struct socket_ops {
	int (*bind)(struct socket *s, const void *addr, uint32_t len);
	int (*listen)(struct socket *s, int backlog);
	/* Makes *newsock (its file is made by the caller); addr as getname. */
	int (*accept)(struct socket *s, struct socket **newsock, void *addr, uint32_t *len);
	int (*connect)(struct socket *s, const void *addr, uint32_t len);
	long (*sendmsg)(struct socket *s, struct sock_msg *m);
	long (*recvmsg)(struct socket *s, struct sock_msg *m);
	/* Sends len bytes of src from where they lie, keeping references to
	 * its pages for as long as it needs them (NULL: the family copies;
	 * socket_sendpages says -EOPNOTSUPP).  As sendmsg otherwise. */
	long (*sendpages)(struct socket *s, const struct page_source *src, size_t len, int flags);
	int (*shutdown)(struct socket *s, int how);
	/* Fills addr with up to *len bytes and sets *len to the full length. */
	int (*getname)(struct socket *s, void *addr, uint32_t *len, bool peer);
	/* Options the generic layer does not handle; -ENOPROTOOPT if unknown. */
	int (*setsockopt)(struct socket *s, int level, int name, const void *val, uint32_t len);
	int (*getsockopt)(struct socket *s, int level, int name, void *val, uint32_t *len);
	unsigned (*poll)(struct socket *s, struct poll_table *pt);
	/* Family ioctls (FIONREAD, SIOCGIFCONF...); -ENOTTY if unknown. */
	long (*ioctl)(struct socket *s, unsigned long cmd, uint64_t arg);
	/* SO_BINDTODEVICE changed common.bound_if: act on it (NULL: the
	 * family keeps it only to give it back, as Linux's AF_UNIX). */
	void (*bound_device)(struct socket *s);
	void (*release)(struct socket *s);
};

/* The SOL_SOCKET options every socket keeps whatever its family, for
 * getsockopt to give back (socket_common_opts.c). */
struct socket_common_opts {
	uint64_t flags;			/* 1ull << SO_DEBUG, SO_DONTROUTE... */
	int priority, mark, rcvlowat, busy_poll, incoming_cpu;
	int linger_on, linger_sec;
	int prefer_busy_poll;
	int bound_if;			/* SO_BINDTODEVICE's interface index, 0: none */
	uint64_t max_pacing_rate;	/* bytes a second; UINT64_MAX: none */
	uint8_t tstamp;			/* socket_tstamp.c's TSTAMP_* */
	int64_t last_stamp_ns;		/* SIOCGSTAMP's; -1 none yet, 0: unstamped */
};

void socket_common_opts_init(struct socket_common_opts *c);

struct socket {
	const struct socket_ops *ops;
	int family, type, protocol;	/* type without SOCK_NONBLOCK/CLOEXEC */
	struct file *file;		/* the open file; its flags hold O_NONBLOCK */
	uint64_t rcvtimeo_ns, sndtimeo_ns;	/* 0: none */
	struct socket_common_opts common;
	void *priv;			/* the family's own state */
	/* Written before the socket is in the table, then fixed. */
	uint64_t ino;			/* fstat's st_ino, "socket:[ino]"; 0 until it has a file */
	uint32_t uid;			/* its maker's effective uid (/proc/net's uid column) */
	struct list table_link;		/* in the table (socket_table.c) while it has a file */
};

/* The calling process as AF_UNIX credentials show it (SO_PEERCRED,
 * SCM_CREDENTIALS) and as far as it may claim others (Linux's
 * scm_check_creds).  net/ knows nothing of processes: the Linux layer
 * registers the functions that fill one and say whether a process exists
 * (socket_cred_set_source); without them, or on a kernel thread, the
 * caller is root with every capability and every pid exists. */
struct sock_cred {
	int32_t pid;
	uint32_t uid[3], gid[3];	/* real, effective, saved */
	bool any_pid, any_uid, any_gid;	/* CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID */
	bool net_admin;			/* CAP_NET_ADMIN: SO_SNDBUFFORCE, SO_RCVBUFFORCE */
	bool net_raw;			/* CAP_NET_RAW: changing SO_BINDTODEVICE */
};

void socket_cred_set_source(void (*fill)(struct sock_cred *c), bool (*pid_exists)(int32_t pid));
void socket_cred_current(struct sock_cred *c);
bool socket_pid_exists(int32_t pid);

/* An out-of-band byte came to the socket behind f (Linux's
 * sk_send_sigurg): the Linux layer's hook sends SIGURG to f's owner
 * (F_SETOWN).  net/ knows nothing of signals or owners: the hook is
 * registered at start-up (socket_urgent_set_hook); without it nothing is
 * sent.  f is referenced by the caller; no lock held. */
void socket_urgent_set_hook(void (*fn)(struct file *f));
void socket_urgent(struct file *f);

/* How much a read of len waits for, as Linux's sock_rcvlowat: all of
 * it with MSG_WAITALL, else SO_RCVLOWAT's mark, at most len; at least 1. */
static inline size_t socket_rcvlowat(const struct socket *s, int msg_flags, size_t len)
{
	size_t lowat = (size_t)__atomic_load_n(&s->common.rcvlowat, __ATOMIC_RELAXED);
	size_t target = (msg_flags & MSG_WAITALL) ? len : lowat < len ? lowat : len;

	return target ? target : 1;
}

/* Whether an operation on s may block now (O_NONBLOCK, MSG_DONTWAIT). */
static inline bool socket_nonblock(const struct socket *s, int msg_flags)
{
	return (s->file && (s->file->flags & O_NONBLOCK)) || (msg_flags & MSG_DONTWAIT);
}

/* Deadline (clock_ns()) for a wait under timeout ns, 0 for none. */
uint64_t socket_deadline(uint64_t timeout_ns);

/* Families: make s (ops, priv) for type/protocol, or -errno
 * (-EPROTONOSUPPORT, -ESOCKTNOSUPPORT, -ENOBUFS, -EAFNOSUPPORT). */
int inet_socket_init(struct socket *s, int family, int type, int protocol);
int unix_socket_init(struct socket *s, int type, int protocol);
int netlink_socket_init(struct socket *s, int type, int protocol);

/* A netlink socket as another part of the kernel holds it (mq_notify's
 * SIGEV_THREAD): a reference that may outlive the socket's file.  NULL
 * when s is of another family. */
struct nl_sock;
struct nl_sock *netlink_hold(struct socket *s);
/* Linux's netlink_attachskb: waits while n's receive buffer is full
 * (whatever O_NONBLOCK says) before another datagram is promised to it,
 * so a program cannot queue more than its buffer holds.  0 when there is
 * room, 1 after a wait (the caller looks its socket up again: it may have
 * gone meanwhile), or -ERESTARTSYS on a signal. */
long netlink_wait_room(struct nl_sock *n);
/* Queues len bytes of data as one datagram from the kernel (lost if the
 * socket went), then drops the reference; data NULL only drops it.
 * Never sleeps. */
void netlink_send_put(struct nl_sock *n, const void *data, size_t len);
/* SIOCGIF* requests, answered from the network interfaces (inet_ifreq.c);
 * -ENOTTY for anything else. */
long inet_ifreq(unsigned long cmd, uint64_t arg);
int unix_socketpair_init(struct socket *a, struct socket *b, int type, int protocol);

/* A bare socket: family, type and protocol set, no ops yet (what a family's
 * accept fills for *newsock); NULL when out of memory.  kmalloc'd: the
 * generic layer kfree()s it after ops->release. */
struct socket *socket_alloc(int family, int type, int protocol);
/* A new socket of a family (socket(2)): socket_alloc() and the family's
 * init.  0 or -errno (-EAFNOSUPPORT for families not built). */
int socket_create(int family, int type, int protocol, struct socket **out);
/* Wraps s in a new file (flags: O_NONBLOCK, O_RDWR implied); the file owns
 * s from then on.  NULL when out of memory (s is left to the caller). */
struct file *socket_file(struct socket *s, unsigned flags);
/* Ends a socket no file owns yet (ops->release, then kfree). */
void socket_destroy(struct socket *s);
/* The socket behind a file, or NULL when it is not one. */
struct socket *socket_of(struct file *f);

/* The table of sockets that have a file, for /proc/net: a socket enters
 * it in socket_file and leaves it before its family releases it, so a
 * socket fn meets is whole.  fn runs under the table's spinlock: it must
 * not sleep, and may take a socket's own lock (nothing holds one while it
 * enters or leaves the table).  It stops at fn's first non-zero answer,
 * which socket_each returns.  family AF_UNSPEC: every socket. */
void socket_table_add(struct socket *s);
void socket_table_remove(struct socket *s);
int socket_each(int family, int (*fn)(struct socket *s, void *arg), void *arg);

/* sendmsg through the family: -EPIPE on a connection the other side
 * closed or shut down (the Linux layer raises SIGPIPE for it on a stream,
 * unless MSG_NOSIGNAL, as for a pipe nobody reads); recvmsg likewise. */
long socket_sendmsg(struct socket *s, struct sock_msg *m);
/* ops->sendpages, or -EOPNOTSUPP for a family without it. */
long socket_sendpages(struct socket *s, const struct page_source *src, size_t len, int flags);
/* Copy n bytes into (fill) or out of (drain) the message's pieces from
 * byte off of its data on: bytes copied, or -EFAULT. */
long sock_msg_fill(const struct sock_msg *m, size_t off, const void *src, size_t n);
long sock_msg_drain(const struct sock_msg *m, size_t off, void *dst, size_t n);
/* Brings in the program's pages behind [off, off + n) of the message's
 * pieces for a fill (a copy under a spinlock that failed with the fault
 * left to take: core/uaccess.h), sleeping if need be: 0 or -EFAULT. */
long sock_msg_fault_in(const struct sock_msg *m, size_t off, size_t n);
long socket_recvmsg(struct socket *s, struct sock_msg *m);
/* Options (socket_opts.c): SOL_SOCKET's that Linux's socket layer
 * answers for every family (SO_TYPE, SO_DOMAIN, SO_PROTOCOL, the
 * timeouts...), then the family's, then what every socket keeps
 * (socket_common_*sockopt, for what the family does not).  val is kernel
 * memory; getsockopt's *len is the room in, the bytes written out. */
int socket_setsockopt(struct socket *s, int level, int name, const void *val, uint32_t len);
int socket_getsockopt(struct socket *s, int level, int name, void *val, uint32_t *len);
/* socket_tstamp.c: receive timestamps (SO_TIMESTAMP and its kin) for
 * every family.  A receiver puts its packet's arrival time (wall clock
 * ns, 0: none) with socket_tstamp_put, before its other messages, as
 * Linux does; socket_tstamp_now is that clock. */
bool socket_tstamp_option(int name);
void socket_tstamp_set(struct socket *s, int name, bool on);
bool socket_tstamp_get(const struct socket *s, int name);
bool socket_tstamp_wanted(const struct socket *s);
int64_t socket_tstamp_now(void);
void socket_tstamp_put(struct socket *s, int64_t stamp, struct sock_msg *m, size_t *used);
bool socket_tstamp_ioctl_cmd(unsigned long cmd);
long socket_tstamp_ioctl(struct socket *s, unsigned long cmd, uint64_t arg);

int socket_common_setsockopt(struct socket *s, int name, const void *val, uint32_t len);
int socket_common_getsockopt(struct socket *s, int name, void *val, uint32_t *len);
/* SO_BINDTODEVICE (a name) and SO_BINDTOIFINDEX, set and got, for every
 * family (Linux keeps the binding in every socket; the inet family acts
 * on it: ops->bound_device). */
int socket_bind_device(struct socket *s, int name, const void *val, uint32_t len);
int socket_bound_device(struct socket *s, int name, void *val, uint32_t *len);
/* SO_RCVLOWAT's value v as Linux keeps it: a negative one is the most,
 * 0 is 1, and none above cap (a family's own limit: TCP's, as Linux's
 * tcp_set_rcvlowat, is half its receive buffer). */
void socket_set_rcvlowat(struct socket *s, int v, int cap);
/* Helpers for int-valued options: -EINVAL if len < sizeof(int); the
 * other writes min(*len, sizeof(int)) bytes, as Linux does. */
int sockopt_read_int(const void *val, uint32_t len, int *v);
/* SO_RCVBUF's or SO_SNDBUF's value v as Linux stores it: at most
 * net.core.rmem_max/wmem_max (read as unsigned) unless forced (then at
 * least 0), doubled for the kernel's bookkeeping, at least the minimum. */
#define SOCK_BUF_MAX	212992
#define SOCK_MIN_RCVBUF	2304
#define SOCK_MIN_SNDBUF	4608
int socket_buf_size(int v, bool force, bool rcv);
int sockopt_write_int(void *val, uint32_t *len, int v);
/* The same for a value of size bytes: its first min(*len, size). */
int sockopt_write_bytes(void *val, uint32_t *len, const void *v, size_t size);

/* SO_PEERCRED's and SCM_CREDENTIALS' struct ucred, SO_LINGER's struct
 * linger, as programs see them. */
struct ucred_k {
	int32_t pid;
	uint32_t uid, gid;
};

struct linger_k {
	int32_t onoff, linger;
};

#endif
