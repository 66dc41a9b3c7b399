/* A netlink socket's insides, shared by kernel/net/netlink.c (datagrams,
 * sending, receiving, the socket), netlink_port.c (ports, names, groups),
 * netlink_dump.c and netlink_opts.c.  Protocols (rtnetlink*.c) see only
 * netlink_internal.h.
 *
 * Locking: ports_lock (netlink_port.c) guards the port table and comes
 * before a socket's lock, which guards its queue and state.  A dump's
 * cursor is under the socket's dump_lock, a mutex: building a datagram
 * gathers the network's state, which sleeps. */
#ifndef AMPHI_NET_NETLINK_SOCK_H
#define AMPHI_NET_NETLINK_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"
#include "core/mutex.h"
#include "core/spinlock.h"
#include "core/waitq.h"
#include "net/netlink_internal.h"
#include "net/socket.h"

#define POLLWRBAND		0x200	/* as kernel/net/unix.c */
#define SOL_NETLINK		270
#define NETLINK_ADD_MEMBERSHIP	1
#define NETLINK_DROP_MEMBERSHIP	2
#define NETLINK_PKTINFO		3
#define NETLINK_BROADCAST_ERROR	4
#define NETLINK_NO_ENOBUFS	5
#define NETLINK_LISTEN_ALL_NSID	8
#define NETLINK_LIST_MEMBERSHIPS 9
#define NETLINK_CAP_ACK		10
#define NETLINK_EXT_ACK		11
#define NETLINK_GET_STRICT_CHK	12
#define NL_FLAG_OPTIONS		((1u << 3) | (1u << 4) | (1u << 5) | (1u << 10) | (1u << 11) | (1u << 12))

#define RTNL_GROUPS		39	/* Linux 6.18's RTNLGRP_MAX */
#define RTNL_ADMIN_GROUPS	((1ull << 29) | (1ull << 30))	/* groups 30, 31: CAP_NET_ADMIN */
#define SKNL_GROUPS		32	/* NETLINK_SOCK_DIAG: SKNLGRP_MAX is 4, but Linux gives a protocol 32 at least */
#define ADDR_LEN		12	/* struct sockaddr_nl */
#define HEADROOM		32	/* Linux: a message may use sndbuf - 32 bytes */
#define DGRAM_COST		576	/* what a datagram adds to rmem besides its bytes */
#define GOOD_SIZE		3776	/* Linux's NLMSG_GOODSIZE: a page less its overhead */
#define DUMP_SIZE_MAX		32448	/* Linux's largest dump datagram: 32 KiB less overhead */
#define BUF_DEFAULT		212992	/* net.core.rmem_default, wmem_default, and the maxima */

struct nl_dgram {
	struct list link;
	uint32_t refs;		/* the queue's, and a peeking reader's */
	uint32_t from_pid, group;
	struct ucred_k creds;	/* the sender's, for SCM_CREDENTIALS: zeros for the kernel */
	size_t len;
	uint8_t data[];
};

/* IFLA_STATS64's counters are laid 8-aligned from a datagram's start. */
_Static_assert(offsetof(struct nl_dgram, data) % 8 == 0, "datagrams start 8-aligned");

struct nl_sock {
	int refs;			/* the socket's, and each holder's (netlink_hold) */
	int protocol;
	struct spinlock lock;		/* everything down to dump_lock */
	bool dead;			/* the socket went: nothing is queued any more */
	struct list queue;		/* struct nl_dgram, oldest first */
	size_t rmem;
	int rcvbuf, sndbuf;
	int err;			/* ENOBUFS after an overrun, given once */
	bool bound;
	int32_t pid;
	uint64_t groups;		/* bit g-1: group g */
	bool has_groups;		/* Linux's nlk->groups exists: LIST_MEMBERSHIPS shows it */
	uint32_t dst_pid, dst_group;	/* connect()'s */
	unsigned flags;			/* bit n: the SOL_NETLINK flag option n */
	bool passcred;
	size_t max_recvmsg_len;
	struct waitq wq;
	/* netlink_wait_room's waiters (Linux's nlk->wait): apart from wq, so
	 * a receive that makes room wakes no poller */
	struct waitq room;
	struct list port_link;		/* in ports while bound */
	struct mutex dump_lock;
	bool dumping;
	struct nl_dump dump;
};

static inline struct nl_sock *nl_of(struct socket *s) { return s->priv; }
static inline bool nl_flag(const struct nl_sock *n, int opt) { return n->flags & (1u << opt); }
static inline struct nl_dgram *nl_dgram_of(const struct nl_buf *b)
{
	return (struct nl_dgram *)(b->data - sizeof(struct nl_dgram));
}

/* netlink.c */
int nl_deliver(struct nl_sock *n, struct nl_buf *b, bool force);
/* A datagram n should have had is lost: its next receive says ENOBUFS
 * unless NETLINK_NO_ENOBUFS, as Linux's netlink_overrun. */
void nl_overrun(struct nl_sock *n);
void nl_lost(struct nl_sock *n);

/* netlink_dump.c: after a receive, the dump goes on if there is room. */
void nl_dump_continue(struct nl_sock *n);
/* The socket goes: a dump under way ends, its protocol's state freed. */
void nl_dump_abandon(struct nl_sock *n);

/* netlink_port.c: ports, names and groups.  ports_lock comes before any
 * socket's lock. */
int nl_autobind(struct nl_sock *n);
void nl_port_remove(struct nl_sock *n);
int nl_groups_allowed(const struct nl_sock *n, uint64_t groups);
/* How many multicast groups n's protocol has (Linux's nl_table[].groups). */
static inline unsigned nl_ngroups(const struct nl_sock *n)
{
	return n->protocol == NETLINK_SOCK_DIAG ? SKNL_GROUPS : RTNL_GROUPS;
}
void nl_groups_exist(struct nl_sock *n);
int nl_group_of(uint32_t mask);
int nl_may_send_to(uint32_t pid, uint32_t group);
void nl_multicast(int protocol, const struct nl_sock *skip, uint32_t from_pid, uint32_t to_pid,
		  uint32_t group, const struct nl_buf *b);
int nl_unicast(struct nl_sock *from, uint32_t pid, struct nl_buf *b);
int nl_bind(struct socket *s, const void *addr, uint32_t len);
int nl_connect(struct socket *s, const void *addr, uint32_t len);
int nl_getname(struct socket *s, void *addr, uint32_t *len, bool peer);

/* netlink_opts.c */
int nl_setsockopt(struct socket *s, int level, int name, const void *val, uint32_t len);
int nl_getsockopt(struct socket *s, int level, int name, void *val, uint32_t *len);

#endif
