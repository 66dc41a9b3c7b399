/* NETLINK_SOCK_DIAG, shared between kernel/net/sock_diag*.c: Linux's
 * sock_diag.h, inet_diag.h and unix_diag.h as they travel, and the
 * families' handlers.  sock_diag.c takes a request and hands it to its
 * family: sock_diag_inet.c (TCP, UDP), with sock_diag_bc.c's filter, and
 * sock_diag_unix.c.  Each answers from net/'s snapshots (sock_info.h),
 * taken anew for every datagram of a dump, as Linux walks its hash
 * tables again from where the last datagram stopped. */
#ifndef AMPHI_NET_SOCK_DIAG_INTERNAL_H
#define AMPHI_NET_SOCK_DIAG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "net/netlink_internal.h"
#include "net/sock_info.h"

#define TCPDIAG_GETSOCK		18	/* the old request, struct inet_diag_req */
#define DCCPDIAG_GETSOCK	19
#define SOCK_DIAG_BY_FAMILY	20
#define SOCK_DESTROY		21

#define AF_UNIX_K	1
#define AF_INET_K	2
#define AF_INET6_K	10
#define AF_MAX_K	46	/* Linux 6.18's AF_MAX: families at or past it are EINVAL */

#define IPPROTO_TCP_K	6
#define IPPROTO_UDP_K	17

#define DIAG_NOCOOKIE	0xffffffffu

struct inet_diag_sockid_k {
	uint16_t sport, dport;		/* network order */
	uint32_t src[4], dst[4];	/* network order */
	uint32_t ifindex;
	uint32_t cookie[2];
};

struct inet_diag_req_v2_k {
	uint8_t family, protocol, ext, pad;
	uint32_t states;
	struct inet_diag_sockid_k id;
};

/* TCPDIAG_GETSOCK's request: the same things in another order. */
struct inet_diag_req_k {
	uint8_t family, src_len, dst_len, ext;
	struct inet_diag_sockid_k id;
	uint32_t states, dbs;
};

struct inet_diag_msg_k {
	uint8_t family, state, timer, retrans;
	struct inet_diag_sockid_k id;
	uint32_t expires, rqueue, wqueue, uid, inode;
};

struct unix_diag_req_k {
	uint8_t family, protocol;
	uint16_t pad;
	uint32_t states, ino, show;
	uint32_t cookie[2];
};

struct unix_diag_msg_k {
	uint8_t family, type, state, pad;
	uint32_t ino;
	uint32_t cookie[2];
};

/* The request's fixed header, after the netlink header. */
static inline const void *diag_body(const struct nlmsghdr_k *h) { return (const uint8_t *)h + NLMSG_HDRLEN; }
static inline size_t diag_len(const struct nlmsghdr_k *h) { return h->len - NLMSG_HDRLEN; }

/* A socket's cookie, as Linux's sock_gen_cookie gives one: amphi's is its
 * inode number, unique while it lives (0 for an endpoint without one). */
static inline uint64_t diag_cookie(uint64_t ino) { return ino; }
/* Linux's sock_diag_check_cookie: 0, or -ESTALE when the request names
 * another socket's cookie (both halves ~0: any). */
int diag_check_cookie(uint64_t cookie, const uint32_t want[2]);
/* Sends b's one message to s, or frees it: 0 or -errno. */
int diag_reply(struct nl_sock *s, struct nl_buf *b);

/* sock_diag_inet.c: SOCK_DIAG_BY_FAMILY, SOCK_DESTROY and TCPDIAG_GETSOCK
 * for AF_INET and AF_INET6. */
int inet_diag_request(struct nl_sock *s, const struct nl_request *r);

/* sock_diag_unix.c */
int unix_diag_request(struct nl_sock *s, const struct nl_request *r);

/* sock_diag_bc.c: Linux's INET_DIAG_BC_ filter. */
struct diag_entry {
	uint8_t family;
	const uint32_t *saddr, *daddr;	/* 4 words for AF_INET6, 1 for AF_INET */
	uint16_t sport, dport;		/* host order */
	bool port_locked;		/* SOCK_BINDPORT_LOCK */
	uint32_t ifindex, mark;
	uint64_t cgroup_id;
};
/* 0 when the len bytes at bc are a program Linux runs; -EINVAL, or -EPERM
 * for a mark condition without CAP_NET_ADMIN. */
int diag_bc_audit(const uint8_t *bc, int len, bool net_admin);
/* Whether the audited program at bc passes e. */
bool diag_bc_run(const uint8_t *bc, int len, const struct diag_entry *e);

#endif
