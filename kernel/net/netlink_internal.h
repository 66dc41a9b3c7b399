/* Netlink, shared between kernel/net/netlink*.c and rtnetlink*.c.
 *
 * A netlink socket talks to the kernel in messages: a struct nlmsghdr,
 * then a fixed header of the message's type, then attributes (struct
 * nlattr, each 4-byte aligned).  netlink.c is the socket: ports, the
 * receive queue of datagrams, options.  netlink_msg.c builds messages into
 * an nl_buf.  rtnetlink.c answers NETLINK_ROUTE's requests: one reply for
 * a "get", or a dump, which netlink.c produces a datagram at a time, as
 * the program reads, so no request can queue more than a datagram beyond
 * the receive buffer. */
#ifndef AMPHI_NET_NETLINK_INTERNAL_H
#define AMPHI_NET_NETLINK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETLINK_ROUTE	0
#define NETLINK_SOCK_DIAG 4
#define NETLINK_PROTOCOLS 32	/* Linux's MAX_LINKS: protocols beyond are EPROTONOSUPPORT */

/* Linux's struct nlmsghdr and struct nlattr. */
struct nlmsghdr_k {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};

struct nlattr_k {
	uint16_t len, type;
};

#define NLMSG_HDRLEN	16
#define NL_ALIGN(n)	(((n) + 3) & ~(size_t)3)

#define NLMSG_NOOP	1
#define NLMSG_ERROR	2
#define NLMSG_DONE	3
#define NLMSG_MIN_TYPE	0x10	/* below: control messages, never handled */

#define NLM_F_REQUEST	0x01
#define NLM_F_MULTI	0x02
#define NLM_F_ACK	0x04
#define NLM_F_DUMP	0x300
#define NLM_F_CAPPED	0x100	/* in an ack: the request is not echoed */

/* Where messages are built: one datagram's worth of room. */
struct nl_buf {
	uint8_t *data;
	size_t len, cap;
};

/* Starts a message in b; NULL when it does not fit.  body bytes of fixed
 * header follow, zeroed, at nlmsg_body(). */
struct nlmsghdr_k *nlmsg_begin(struct nl_buf *b, uint16_t type, uint16_t flags,
			       uint32_t seq, uint32_t pid, size_t body);
static inline void *nlmsg_body(struct nlmsghdr_k *h) { return (uint8_t *)h + NLMSG_HDRLEN; }
/* Closes h: its length takes in what was put after it. */
void nlmsg_end(struct nl_buf *b, struct nlmsghdr_k *h);
/* Takes h and what follows back out of b (a message that did not fit). */
void nlmsg_cancel(struct nl_buf *b, struct nlmsghdr_k *h);

/* Each false when b is full; the message is then cancelled by the caller. */
bool nla_put(struct nl_buf *b, uint16_t type, const void *data, size_t len);
bool nla_put_u8(struct nl_buf *b, uint16_t type, uint8_t v);
bool nla_put_u32(struct nl_buf *b, uint16_t type, uint32_t v);
bool nla_put_str(struct nl_buf *b, uint16_t type, const char *s);
/* A nested attribute: its members follow until nla_nest_end. */
struct nlattr_k *nla_nest_begin(struct nl_buf *b, uint16_t type);
void nla_nest_end(struct nl_buf *b, struct nlattr_k *nest);

/* The attribute of type among the len bytes at attrs, or NULL. */
const struct nlattr_k *nla_find(const void *attrs, size_t len, uint16_t type);
static inline const void *nla_data(const struct nlattr_k *a) { return a + 1; }
static inline size_t nla_len(const struct nlattr_k *a) { return a->len - sizeof *a; }

/* ---- requests ---------------------------------------------------------------- */

/* One request as a protocol sees it. */
struct nl_request {
	const struct nlmsghdr_k *h;	/* in kernel memory, h->len bytes */
	uint32_t pid;			/* the sender's port: replies carry it */
	bool net_admin;			/* the sender may change the network */
	size_t reply_size;		/* how big a datagram to build a reply in */
};

/* A dump in progress: what a protocol's dump function needs to go on. */
struct nl_dump {
	int (*fn)(struct nl_dump *d, struct nl_buf *b);
	uint32_t seq, pid;
	uint8_t family;			/* the request's address family */
	int index;			/* the request's interface filter (0: all) */
	size_t next;			/* how many objects were given */
	bool done_alone;		/* NLMSG_DONE never shares a datagram with objects */
	void *priv;			/* the protocol's, given to done at the end */
	void (*done)(void *priv);	/* NULL: nothing to free */
};

/* What a dump function returns: more to come, or done (errors: -errno). */
#define NL_DUMP_MORE	1
#define NL_DUMP_DONE	0

/* A protocol's answer to one request: 0 (an ack if asked for), -errno (an
 * error message), or NL_DUMP_STARTED after nl_dump_start. */
#define NL_DUMP_STARTED	1

struct nl_sock;

/* Sends the message in b (ownership passes) to the requester of s;
 * -ENOBUFS when its receive buffer is full (the message is then lost, as
 * on Linux, and the socket's next receive says ENOBUFS). */
int nl_reply(struct nl_sock *s, struct nl_buf *b);
/* Starts dump d on s (its first datagram is built at once): -EBUSY when
 * one is already running (d->priv is then still the caller's). */
int nl_dump_start(struct nl_sock *s, const struct nl_dump *d);

/* A copy of b's datagram to every socket of protocol in group (1...);
 * whether any socket listens there. */
void nl_notify(int protocol, uint32_t group, const struct nl_buf *b);
bool nl_listened(int protocol, uint32_t group);

/* NETLINK_ROUTE: handles one request of s. */
int rtnl_request(struct nl_sock *s, const struct nl_request *r);
/* NETLINK_SOCK_DIAG: the same (kernel/net/sock_diag*.c). */
int sock_diag_request(struct nl_sock *s, const struct nl_request *r);
/* Starts NETLINK_ROUTE's notifications of changes (once; later calls
 * return at once). */
void rtnl_notify_init(void);

/* An nl_buf of cap bytes, or -ENOMEM. */
int nl_buf_alloc(struct nl_buf *b, size_t cap);
void nl_buf_free(struct nl_buf *b);

#endif
