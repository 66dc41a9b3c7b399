/* AF_UNIX sockets, shared between kernel/net/unix*.c.
 *
 * Every socket is a struct unix_sock (socket.priv).  Data moves as records
 * (struct unix_rec) appended to the receiver's queue: a datagram each, or a
 * piece of a stream.  A record holds a reference on its sender, whose wmem
 * counts the bytes it has in flight, so a sender blocks once wmem reaches
 * its sndbuf: that bounds every direction, as a pipe's ring does.
 *
 * Locking.  u->lock guards the fields under it; no code holds two sockets'
 * locks at once (a sender takes the receiver's peer reference under its own
 * lock, drops it, then locks the receiver).  wmem is atomic.  User memory is
 * copied into a record before any lock, and out of the queue under the
 * receiver's lock (as pipe.c does: interrupts stay on, faults are served
 * unless they would sleep, on a mapped file's page: then the copy fails,
 * the lock is dropped while the pages come in, and the queue is looked
 * at again).
 * Wake-ups go out after the lock is dropped.  unix_table_lock (unix_addr.c)
 * guards the bound-name table and is never taken with a socket's lock.
 * Files passed with SCM_RIGHTS are "in flight" while a record holds them;
 * unix_gc.c counts them and collects sockets only cycles keep alive (its
 * gc_lock comes before any socket's lock). */
#ifndef AMPHI_NET_UNIX_INTERNAL_H
#define AMPHI_NET_UNIX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"
#include "core/spinlock.h"
#include "core/waitq.h"
#include "net/socket.h"

struct inode;

#define UNIX_PATH_MAX	108
#define UNIX_ADDR_MAX	(2 + UNIX_PATH_MAX)
#define UNIX_BUF_DEFAULT 212992		/* Linux's wmem_default and wmem_max */
#define UNIX_REC_COST	64		/* what a record adds to wmem besides its bytes */
#define UNIX_CHUNK_MAX	(64 * 1024)	/* largest stream record */
#define UNIX_FDS_MAX	253		/* SCM_MAX_FD */
#define UNIX_DGRAM_HEADROOM 32		/* Linux: a message may use sndbuf - 32 bytes */

enum unix_state { UNIX_IDLE, UNIX_LISTENING, UNIX_CONNECTED };

/* shut bits, as Linux's sk_shutdown */
#define UNIX_RCV_SHUT	1
#define UNIX_SND_SHUT	2

/* What a record says of its sender (Linux's UNIXCB(skb) pid, uid, gid):
 * an SCM_CREDENTIALS it sent, else its own when either end had
 * SO_PASSCRED at the send, else nothing. */
struct unix_creds {
	bool set;
	struct ucred_k id;
};

struct unix_rec {
	struct list link;		/* in the receiver's queue */
	struct unix_sock *from;		/* referenced; its wmem counts charge */
	size_t charge;
	size_t len, off;		/* off: bytes of a stream record read */
	struct file **fds;		/* SCM_RIGHTS: referenced files */
	int nfds;
	struct unix_creds creds;
	bool oob;			/* stream: a send's out-of-band byte (MSG_OOB) */
	bool peeked;			/* datagram: shown by a peek (Linux's skb->peeked) */
	int64_t stamp;			/* datagram: sent at (wall ns) to a receiver with SO_TIMESTAMP; 0 */
	char data[];
};

struct unix_sock {
	int refs;			/* atomic: the socket, peers, records, listeners */
	int type;
	struct waitq wq;		/* data, room, connections, state changes */
	size_t wmem;			/* atomic: bytes (+ costs) in others' queues */

	struct spinlock lock;		/* guards the fields down to the blank line */
	struct socket *sock;		/* NULL once released */
	int state;			/* enum unix_state */
	bool dead;			/* released: no more data or connections */
	struct unix_sock *peer;		/* referenced; dgram: the default destination */
	/* struct unix_rec, oldest first.  A stream's out-of-band byte stays
	 * in it once taken by recv(MSG_OOB), read to its end (off == len):
	 * the place of the mark, which stops a read as on Linux. */
	struct list queue;
	/* Unread bytes in queue, as Linux's inq_len counts them (FIONREAD):
	 * an out-of-band byte a read passes over stays counted there. */
	size_t queued;
	struct unix_rec *oob;		/* stream: the unread out-of-band byte's, or NULL */
	int peek_off;			/* SO_PEEK_OFF: where MSG_PEEK starts; < 0: off */
	struct list pending;		/* listening: connected sockets to accept */
	struct list plink;		/* in the listener's pending */
	int npending, backlog;
	unsigned shut;			/* UNIX_RCV_SHUT, UNIX_SND_SHUT */
	int err;			/* reported once: ECONNRESET */
	int sndbuf, rcvbuf;
	unsigned opts;			/* boolean SOL_SOCKET options, bit = name */
	int linger[2];			/* SO_LINGER: onoff, seconds */
	struct ucred_k peercred;

	/* The bound address, written once before addrlen (release); readers
	 * load addrlen (acquire) first.  0: unbound. */
	uint32_t addrlen;
	uint8_t addr[UNIX_ADDR_MAX];
	struct inode *inode;		/* path names: the node, referenced */
	struct list blink;		/* in the bound table */

	/* unix_gc.c's, under its gc_lock. */
	int inflight;			/* records holding this socket's file */
	struct list gc_link;		/* in the list of sockets in flight */
	struct list gc_work;		/* the collector's work list */
	int gc_refs, gc_state;
};

static inline struct unix_sock *unix_of(struct socket *s) { return s->priv; }

/* unix.c */
extern const struct socket_ops unix_ops;
struct unix_sock *unix_sock_new(struct socket *s, int type);
void unix_get(struct unix_sock *u);
void unix_put(struct unix_sock *u);
/* Sleeps on u->wq, u->lock held (dropped while asleep, held again after).
 * 0 to look again, -EAGAIN (non-blocking, deadline passed), -ERESTARTSYS
 * or -EINTR (a signal; EINTR when a timeout is set, as on Linux). */
long unix_wait(struct unix_sock *u, bool nonblock, uint64_t deadline);
/* u's peer with a reference, or NULL. */
struct unix_sock *unix_peer_get(struct unix_sock *u);
/* The caller as SO_PEERCRED shows it: pid, effective ids. */
void unix_creds_self(struct ucred_k *c);

static inline bool unix_passcred(const struct unix_sock *u)
{
	return __atomic_load_n(&u->opts, __ATOMIC_RELAXED) >> SO_PASSCRED & 1;
}

static inline bool unix_oobinline(const struct unix_sock *u)
{
	return __atomic_load_n(&u->opts, __ATOMIC_RELAXED) >> SO_OOBINLINE & 1;
}

/* Linux's sk_peek_offset_fwd and _bwd: with SO_PEEK_OFF on, a peek of n
 * bytes moves the offset on by n, a read of n back (to 0 at least).
 * Caller holds u->lock. */
static inline void unix_peek_moved(struct unix_sock *u, long n)
{
	if (u->peek_off < 0)
		return;
	long v = (long)u->peek_off + n;
	u->peek_off = v < 0 ? 0 : v > INT32_MAX ? INT32_MAX : (int)v;
}

/* unix_rec.c: records and ancillary data */
struct unix_rec *unix_rec_new(struct unix_sock *from, size_t len);
/* Takes the record off its sender's account and frees it (and its files). */
void unix_rec_free(struct unix_rec *r);
/* Copies len bytes from the message at off into r->data; 0 or -EFAULT. */
long unix_rec_fill(struct unix_rec *r, const struct sock_msg *m, size_t off);
/* Takes SCM_RIGHTS files from m's control data into r; 0 or -errno. */
int unix_rec_take_fds(struct unix_rec *r, const struct sock_msg *m);
/* All of m as one record from s's socket for to (a datagram, a sequenced
 * packet): its credentials, bytes and files, once the sender has room
 * (which may wait); NULL and *err on failure. */
struct unix_rec *unix_rec_of_msg(struct socket *s, struct unix_sock *to, const struct sock_msg *m,
				  long *err);
/* The credentials m's SCM_CREDENTIALS claims, checked as Linux's
 * scm_check_creds (-EINVAL malformed or no id, -EPERM not the sender's
 * to claim), else the sender's own when from or to has SO_PASSCRED. */
int unix_msg_creds(const struct sock_msg *m, struct unix_sock *from, struct unix_sock *to,
		   struct unix_creds *c);
static inline bool unix_creds_eq(const struct unix_creds *a, const struct unix_creds *b)
{
	return a->set == b->set && (!a->set || (a->id.pid == b->id.pid && a->id.uid == b->id.uid &&
						 a->id.gid == b->id.gid));
}
/* Files on their way to a receiver's descriptor table. */
struct unix_fds {
	struct file **fds;
	int n;
	bool peek;	/* copies: the record still holds the files in flight */
};
/* Takes r's files out of r (peek: new references, r keeps its own).
 * Under the receiver's lock; installing waits until it is dropped, since
 * a file that cannot be installed is closed, which may end a socket. */
int unix_rec_detach_fds(struct unix_rec *r, bool peek, struct unix_fds *out);
/* Fills m's control buffer (controllen in: its room; out: bytes written),
 * in Linux's order: the datagram's time when the receiver asked (stamp
 * not NULL; *stamp 0: now), the sender's credentials when it asked
 * (creds not NULL), then the files as new descriptors, closing what does
 * not fit (MSG_CTRUNC). */
void unix_control_out(struct socket *s, struct sock_msg *m, const int64_t *stamp, const struct unix_creds *creds,
		      struct unix_fds *fds);
/* Waits until u's bytes in flight are under its sndbuf (or it may not
 * send any more): 0, -EAGAIN, -EINTR/-ERESTARTSYS. */
long unix_wait_room(struct unix_sock *u, bool nonblock, uint64_t deadline);
/* Copies up to n bytes of r from off into the message at moff; bytes or
 * -EFAULT.  Made under the receiver's lock, so it does not sleep on a
 * fault (core/uaccess.h): on -EFAULT the caller drops the lock, brings
 * the pages in (unix_fault_in) and looks again. */
long unix_rec_copy_out(const struct unix_rec *r, size_t off, struct sock_msg *m, size_t moff,
		       size_t n);
/* Drops u->lock, brings in n bytes of m from off (for a copy out), takes
 * it again: 0 to look again, -EFAULT when the memory is bad. */
long unix_fault_in(struct unix_sock *u, const struct sock_msg *m, size_t off, size_t n);
/* Fills m->name with u's address (namelen 0 when unbound). */
void unix_name_of(struct unix_sock *u, struct sock_msg *m);

/* Appends every record of from to to; from is left empty. */
static inline void unix_queue_move(struct list *to, struct list *from)
{
	if (list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	list_init(from);
}

/* unix_oob.c: a stream's out-of-band byte (MSG_OOB) */
/* r, just queued at to, is to's new mark.  Caller holds to->lock.
 * to's file, referenced (for the owner's SIGURG once the lock is
 * dropped: socket_urgent, file_put), or NULL. */
struct file *unix_oob_mark(struct unix_sock *to, struct unix_rec *r);
enum { UNIX_MARK_READ, UNIX_MARK_SKIP, UNIX_MARK_STOP };
/* What a read does at r, the next record it meets (Linux's manage_oob):
 * reads it, passes over it (without peek: to done, off u's queue, and the
 * mark taken), or stops before it.  copied: the read has bytes already.
 * Caller holds u->lock. */
int unix_oob_pass(struct unix_sock *u, struct unix_rec *r, bool peek, bool copied, struct list *done);
/* SIOCATMARK: whether the next byte a read would meet is at the mark.
 * Caller holds u->lock. */
bool unix_oob_atmark(struct unix_sock *u);
/* recv(MSG_OOB) on a stream: 1 and the byte, -EINVAL (no mark, or
 * SO_OOBINLINE, or not connected), -EFAULT (the byte is lost then). */
long unix_oob_recv(struct socket *s, struct sock_msg *m);

/* unix_gc.c: files in flight and the collector */
/* The AF_UNIX socket behind a file, or NULL. */
struct unix_sock *unix_sock_of(struct file *f);
/* Counts n files (referenced by a record) as in flight: 0, or
 * -ETOOMANYREFS when more than RLIMIT_NOFILE already are. */
int unix_inflight_add(struct file **files, int n);
/* A file leaves flight; call before dropping or handing on its reference. */
void unix_inflight_del(struct file *f);
/* Frees what only cycles of in-flight sockets hold.  No lock held. */
void unix_gc(void);

/* unix_addr.c: names */
int unix_bind(struct socket *s, const void *addr, uint32_t len);
/* The socket bound to addr, referenced: -ENOENT (no file), -ECONNREFUSED
 * (no socket there), -EINVAL (bad address), -EPROTOTYPE (other type). */
int unix_find(const void *addr, uint32_t len, int type, struct unix_sock **out);
/* Drops u's name on release. */
void unix_unbind(struct unix_sock *u);
int unix_getname(struct socket *s, void *addr, uint32_t *len, bool peer);
int unix_autobind(struct unix_sock *u);

/* unix_conn.c */
int unix_listen(struct socket *s, int backlog);
int unix_connect(struct socket *s, const void *addr, uint32_t len);
int unix_accept(struct socket *s, struct socket **newsock, void *addr, uint32_t *len);

/* unix_stream.c, unix_dgram.c, unix_seqpacket.c */
long unix_stream_sendmsg(struct socket *s, struct sock_msg *m);
long unix_stream_recvmsg(struct socket *s, struct sock_msg *m);
long unix_dgram_sendmsg(struct socket *s, struct sock_msg *m);
/* A datagram or sequenced packet, whole: one record off the queue. */
long unix_dgram_recvmsg(struct socket *s, struct sock_msg *m);
long unix_seqpacket_sendmsg(struct socket *s, struct sock_msg *m);
long unix_seqpacket_recvmsg(struct socket *s, struct sock_msg *m);
/* Queues r at to, or -errno (to is dead: -EPIPE for streams, -ECONNREFUSED
 * for datagrams).  On success the record belongs to to; an out-of-band
 * one (r->oob) becomes to's mark, and to's owner is told (SIGURG). */
int unix_deliver(struct unix_sock *to, struct unix_rec *r);
/* The connected peer of a stream or sequenced-packet socket that may
 * still send, referenced; -ENOTCONN or -EPIPE. */
long unix_send_peer(struct unix_sock *u, struct unix_sock **peer);

#endif
