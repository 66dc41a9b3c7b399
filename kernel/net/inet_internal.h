/* Internet sockets over lwIP's netconn API: the state they share.
 *
 * Every netconn is non-blocking; the sleeping is ours.  lwIP reports changes
 * through inet_event() (under its core lock, possibly in the port's receive
 * thread): it bumps sk->events and wakes sk->wq, nothing more.  Readiness is
 * not counted from events: an operation (or poll) tries the netconn without
 * blocking and keeps what it got (rxq, rx_dgram, rx_accept) for the next
 * caller.  That also covers accepted connections, whose early events came
 * before we knew them.
 *
 * A sleeper reads sk->events before its attempt and passes that value to
 * inet_wait(), which sleeps only if no event came since. */
#ifndef AMPHI_NET_INET_INTERNAL_H
#define AMPHI_NET_INET_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/waitq.h"
#include "core/mutex.h"
#include "core/spinlock.h"
#include "net/socket.h"

#include "lwip/api.h"

#define IPPROTO_IP	0
#define IPPROTO_ICMP	1
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17
#define IPPROTO_IPV6	41
#define IPPROTO_ICMPV6	58
#define IPPROTO_RAW	255
#define IPPROTO_MAX	263	/* Linux's: the protocols socket() takes are below it */

/* Largest UDP payload over IPv4 (65535 - 20 - 8) and over IPv6 (- 8). */
#define INET_UDP4_MAX	65507
#define INET_UDP6_MAX	65527

enum inet_state {
	INET_IDLE,		/* new, maybe bound (TCP); UDP always stays here */
	INET_LISTEN,
	INET_CONNECTING,	/* non-blocking connect under way */
	INET_CONNECTED,
	INET_CLOSED,		/* connect failed, or reset/aborted after connecting */
};

/* A socket's multicast settings (IPv4's and IPv6's apart, as Linux keeps
 * them) and the groups it joined, each a list entry of inet_mcast.c's.
 * The list is read and changed under the core lock; the settings are
 * bytes and ints set by setsockopt without a lock and copied to the pcb
 * under the core lock. */
struct inet_group;
struct inet_mcast {
	uint8_t ttl4, hops6;		/* IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS */
	bool loop4, loop6;		/* IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP */
	bool all4, all6;		/* IP_MULTICAST_ALL, IPV6_MULTICAST_ALL */
	uint8_t ifindex4, ifindex6;	/* IP_MULTICAST_IF's, IPV6_MULTICAST_IF's; 0: routed */
	uint32_t if_addr4;		/* IP_MULTICAST_IF's address as given (network order) */
	int groups4, groups6;		/* how many of each family are joined */
	struct inet_group *groups;
};

struct inet_sock {
	struct socket *sock;
	struct netconn *conn;
	struct inet_sock *hash_next;	/* registry chain; guarded by its lock */

	/* Written by inet_event (core lock held), read anywhere. */
	struct waitq wq;		/* readiness may have changed */
	volatile uint32_t events;	/* bumped before every wake */
	volatile bool send_full;	/* SENDMINUS seen, no SENDPLUS since */
	volatile int async_err;		/* -errno from lwIP's err callback, 0 */
	/* TCP: the last ICMP error heard while connected (errno, 0 none),
	 * reported instead of ETIMEDOUT if the connection times out, as
	 * Linux's sk_err_soft.  Linux forgets it at any acknowledgement of
	 * new data; here only when lwIP reports room to send again. */
	volatile int soft_err;

	/* Receive side: one reader at a time (copies may fault and sleep). */
	struct mutex rx_lock;
	struct pbuf *rxq;		/* TCP: bytes fetched, not yet read */
	struct pbuf *rx_more;		/* TCP: a fetched chain that did not fit rxq */
	struct netbuf *rx_dgram;	/* UDP: the next datagram, fetched */
	struct netconn *rx_accept;	/* listening: the next connection */
	bool rx_eof;			/* TCP: FIN fetched, or SHUT_RD */
	size_t rx_ungiven;		/* TCP: bytes fetched, not yet given back to the window */
	size_t rx_held;			/* TCP: bytes in rxq and rx_more; read racily by /proc/net */

	/* Send side: one writer at a time, so stream writes do not mix. */
	struct mutex tx_lock;
	char *tx_bounce;		/* TCP: a small send's bytes on their way to tcp_write */

	/* Guarded by the socket's callers taking turns through tx_lock for
	 * connect/shutdown; plain flags read racily by poll.  A listener
	 * leaves INET_LISTEN under rx_lock as well: accept and poll look at
	 * the state again under it before they touch lwIP's accept mailbox. */
	volatile enum inet_state state;
	int so_error;			/* pending SO_ERROR, -errno or 0 */
	bool bound;
	bool claimed_tcp;		/* claimed_port is TCP's, else UDP's */
	uint16_t claimed_port;		/* bound here, claimed from eth0's port; 0 none */
	bool shut_rd, shut_wr;
	bool was_connected;		/* EPIPE rather than ENOTCONN */
	bool connect_unreported;	/* EINPROGRESS given: the next connect says 0 */
	bool bind_explicit;		/* bind() chose bind_ip:bind_port (port 0: any) */
	ip_addr_t bind_ip;		/* kept for a TCP socket that starts again */
	/* A datagram socket's connect bound its address to the route's
	 * source; a disconnect puts back what it was (inet_udp.c). */
	bool source_from_connect;
	ip_addr_t address_before_connect;
	uint16_t bind_port;

	/* Options: kept to report them, applied to the pcb where lwIP can. */
	bool reuseaddr, reuseport, keepalive, nodelay, v6only, broadcast;
	/* What a UDP receive gives as control messages: IP_PKTINFO,
	 * IP_RECVTTL, IP_RECVTOS, IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT,
	 * IPV6_RECVTCLASS, and RFC 2292's IPV6_2292PKTINFO and
	 * IPV6_2292HOPLIMIT (busybox's ping asks the hop limit so). */
	bool pktinfo, recvttl, recvtos, recvpktinfo6, recvhoplimit6, recvtclass6;
	bool pktinfo2292, hoplimit2292;
	bool cork;			/* TCP_CORK */
	/* Raw sockets: ICMP_FILTER (word 0) or ICMP6_FILTER, a bit set for
	 * each type dropped (read by the receive callback, under the core
	 * lock), and connect()'s port, which getpeername gives back. */
	uint32_t raw_filter[8];
	uint16_t raw_peer_port;
	/* IP_RECVERR, IPV6_RECVERR: ICMP errors about what the socket sent
	 * (IPv4's, IPv6's) are queued for MSG_ERRQUEUE (inet_errqueue.c). */
	bool recverr4, recverr6;
	bool hdrincl;			/* IP_HDRINCL, IPV6_HDRINCL: sends carry their own header */
	struct spinlock errq_lock;	/* guards errq and errq_len */
	struct inet_err *errq;
	int errq_len;
	bool linger_on;
	int linger_sec;
	int rcvbuf, sndbuf;		/* as set (0: default) */
	int keepidle, keepintvl, keepcnt;	/* seconds, seconds, count */
	int tos, ttl;
	int hops6;			/* IPV6_UNICAST_HOPS; -1: the default, 64 */
	int backlog;			/* listen()'s, as sock_diag shows it */
	struct inet_mcast mc;		/* inet_mcast.c */
};

static inline struct inet_sock *inet_sk(struct socket *s) { return s->priv; }
static inline bool inet_is_tcp(const struct inet_sock *sk) { return sk->sock->type == SOCK_STREAM; }
static inline uint32_t inet_events(const struct inet_sock *sk)
{
	return __atomic_load_n(&sk->events, __ATOMIC_ACQUIRE);
}
/* The pending asynchronous error (-errno, or 0), taken: reported once. */
static inline int inet_take_async_err(struct inet_sock *sk)
{
	return __atomic_exchange_n(&sk->async_err, 0, __ATOMIC_ACQ_REL);
}

/* inet_socket.c */
int inet_wait(struct inet_sock *sk, uint32_t seen, uint64_t deadline);
int inet_err(err_t err);
struct inet_sock *inet_sock_new(struct socket *s, struct netconn *conn);
void inet_sock_free(struct inet_sock *sk);
extern const struct socket_ops inet_tcp_ops, inet_udp_ops;
/* Who owns conn, for /proc/net: its socket's inode number, maker and
 * family, and the bytes it holds unread.  false when conn has no socket
 * (not yet accepted, or closed and left to finish).  Caller holds the core
 * lock; conn is only compared, never followed, unless it has a socket. */
struct inet_owner {
	uint64_t ino;
	uint32_t uid;
	int family;
	uint32_t unread;
	/* for sock_diag: read racily, as Linux's READ_ONCEs */
	uint8_t shutdown;		/* Linux's sk_shutdown: 1 receive, 2 send */
	bool v6only, port_locked;	/* port_locked: bind() chose the port */
	int backlog, rcvbuf, sndbuf, tos, bound_if;
};
bool inet_sock_owner(const struct netconn *conn, struct inet_owner *o);
/* fn for each raw socket's netconn and identity, which it must not keep;
 * the caller holds the core lock, fn must not sleep. */
void inet_raw_each(void (*fn)(const struct netconn *conn, const struct inet_owner *o, void *arg), void *arg);

/* inet_opts.c: SO_RCVBUF's and SO_SNDBUF's answers. */
int inet_rcvbuf(const struct inet_sock *sk);
int inet_sndbuf(const struct inet_sock *sk);

/* inet_addr.c: sockaddr_in/_in6 <-> ip_addr_t (ports in host order). */
int inet_addr_in(struct inet_sock *sk, const void *addr, uint32_t len, ip_addr_t *ip, uint16_t *port);
void inet_addr_out(struct inet_sock *sk, const ip_addr_t *ip, uint16_t port, void *addr, uint32_t *len);
int inet_getname(struct socket *s, void *addr, uint32_t *len, bool peer);
int inet_autobind(struct inet_sock *sk);
int inet_bind(struct socket *s, const void *addr, uint32_t len);

/* inet_msg.c: moving bytes between a message's pieces and kernel memory. */
long inet_msg_fill_pbuf(const struct sock_msg *m, size_t off, const struct pbuf *p, size_t skip, size_t n);

/* inet_tcp.c, inet_tcp_io.c (receiving), inet_tcp_send.c */
int inet_tcp_settle(struct inet_sock *sk);
int inet_tcp_renew(struct inet_sock *sk);
int inet_tcp_fetch(struct inet_sock *sk);
size_t inet_tcp_rx_bytes(struct inet_sock *sk);
void inet_tcp_give_back(struct inet_sock *sk);
long inet_tcp_sendmsg(struct socket *s, struct sock_msg *m);
long inet_tcp_sendpages(struct socket *s, const struct page_source *pages, size_t len, int flags);
long inet_tcp_recvmsg(struct socket *s, struct sock_msg *m);

/* inet_udp.c */
int inet_udp_fetch(struct inet_sock *sk);

/* An ICMP error about a datagram the socket sent (inet_errqueue.c). */
struct inet_err {
	struct inet_err *next;
	int err;			/* positive errno */
	uint8_t type, code;		/* the ICMP message's */
	uint32_t info;			/* its MTU or pointer, else 0 */
	ip_addr_t offender;		/* who sent the ICMP message */
	ip_addr_t dst;			/* where the datagram went */
	uint16_t dport;			/* UDP's destination port; raw: 0 */
	int64_t stamp;			/* the ICMP message's arrival (SO_TIMESTAMP) */
	uint16_t len;			/* bytes of the datagram quoted, in data */
	uint8_t data[];
};
struct inet_err *inet_err_new(size_t len);
struct inet_err *inet_err_copy(const struct inet_err *e);
bool inet_errq_add(struct inet_sock *sk, struct inet_err *e);
bool inet_errq_pending(struct inet_sock *sk);
void inet_errq_purge(struct inet_sock *sk);
/* recvmsg with MSG_ERRQUEUE: the head entry, or -EAGAIN. */
long inet_errq_recv(struct inet_sock *sk, struct sock_msg *m);
/* inet_socket.c: e, about a datagram conn's socket sent (hard: Linux's
 * fatal kind), to that socket; or to every raw socket of protocol proto
 * that could have sent it from local to remote.  A socket that asked
 * (IP_RECVERR for an IPv4 error, IPV6_RECVERR for IPv6's) queues a copy
 * and gets the error pending; one that did not gets a hard error only
 * when connected.  Core lock held; e stays the caller's. */
void inet_report_icmp(struct netconn *conn, const struct inet_err *e, bool hard);
/* An ICMP error about a TCP connection's segment (Linux's tcp_v4_err and
 * tcp_v6_err): while connecting, err becomes the error the abort the
 * caller makes next reports; connected, err is reported at once to a
 * socket that asked (IP_RECVERR for an IPv4 error, IPV6_RECVERR for
 * IPv6's), else kept as its soft error.  Core lock held. */
void inet_report_icmp_tcp(struct netconn *conn, int err, bool v6, bool connecting);
void inet_report_icmp_raw(uint8_t proto, const ip_addr_t *local, const ip_addr_t *remote,
			  const struct inet_err *e, bool hard);

/* inet_raw.c: a raw socket's receive callback, set on its PCB, and its
 * own options (ICMP_FILTER, ICMP6_FILTER, IPV6_CHECKSUM, and
 * inet_raw_hdrincl.c's IP_HDRINCL and IPV6_HDRINCL, which any socket
 * reports). */
void inet_raw_attach(struct inet_sock *sk);
bool inet_raw_option(const struct socket *s, int level, int name);
int inet_raw_setsockopt(struct inet_sock *sk, int level, int name, const void *val, uint32_t len);
int inet_raw_getsockopt(struct inet_sock *sk, int level, int name, void *val, uint32_t *len);
/* inet_raw_hdrincl.c: whole packets, header and all. */
bool inet_hdrincl_option(int level, int name);
void inet_hdrincl_init(struct inet_sock *sk);
int inet_hdrincl_set(struct inet_sock *sk, int level, const void *val, uint32_t len);
int inet_hdrincl_get(struct inet_sock *sk, int level, void *val, uint32_t *len);
/* Before a send of whole packet p to `to` (NULL: the peer): fills in
 * an IPv4 header's blanks; 0 or -errno. */
int inet_hdrincl_prepare(struct inet_sock *sk, struct pbuf *p, const ip_addr_t *to);

#define SOL_IP		0
#define SOL_IPV6	41
#define IP_TOS		1
#define IP_TTL		2
#define IP_PKTINFO	8
#define IP_RECVTTL	12
#define IP_RECVTOS	13
#define IPV6_2292PKTINFO 2
#define IPV6_2292HOPLIMIT 8
#define IP_RECVERR	11
#define IPV6_RECVERR	25
#define IPV6_RECVPKTINFO 49
#define IPV6_PKTINFO	50
#define IPV6_RECVHOPLIMIT 51
#define IPV6_HOPLIMIT	52
#define IPV6_RECVTCLASS	66
#define IPV6_TCLASS	67

struct in_pktinfo_k {		/* Linux's struct in_pktinfo */
	int32_t ifindex;
	uint32_t spec_dst, addr;	/* network order */
};

struct in6_pktinfo_k {		/* Linux's struct in6_pktinfo */
	uint8_t addr[16];
	int32_t ifindex;
};

/* inet_recv_ctl.c: the control messages the socket asked for of
 * datagram nb (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS and IPv6's), at *used. */
void inet_recv_ctl_out(const struct inet_sock *sk, const struct netbuf *nb, struct sock_msg *m,
		      size_t *used);

/* inet_send_ctl.c: what a UDP send's control messages ask of its
 * datagram (Linux's ipcm_cookie). */
struct inet_send_ctl {
	ip_addr_t src;		/* IP_PKTINFO's ipi_spec_dst, IPV6_PKTINFO's address; any: as usual */
	int ifindex;		/* 0: as routed */
	int ttl, tos;		/* IP_TTL or IPV6_HOPLIMIT, IP_TOS or IPV6_TCLASS; -1: the socket's */
	bool ipv4_settings;	/* an IPv6 socket's datagram to an IPv4-mapped address */
};
/* The messages of a send to `to` (NULL: the connected peer), read as
 * Linux reads them for that kind of destination: 0, or -EINVAL for one
 * Linux refuses (malformed, out of range, of a type not taken). */
int inet_send_ctl_parse(const struct inet_sock *sk, const struct sock_msg *m, const ip_addr_t *to,
			struct inet_send_ctl *c);
/* Whether c asks anything of the datagram (else lwIP's plain send). */
bool inet_send_ctl_asks(const struct inet_send_ctl *c);
/* Sends datagram p as c asks, to `to` (NULL: the connected peer). */
long inet_send_with_ctl(struct inet_sock *sk, struct pbuf *p, const ip_addr_t *to, uint16_t port,
			const struct inet_send_ctl *c);

/* inet_mcast.c: the multicast options (IP_MULTICAST_*, IP_ADD_MEMBERSHIP
 * and the rest, MCAST_JOIN_GROUP, IPv6's kin); their settings put on the
 * socket's pcb (core lock held); whether a datagram to a group is the
 * socket's to take (IP_MULTICAST_ALL off); the groups left at close. */
void inet_mcast_init(struct inet_sock *sk);
int inet_hops6(const struct inet_sock *sk);	/* IPV6_UNICAST_HOPS, or its default */
bool inet_mcast_option(int level, int name);
int inet_mcast_setsockopt(struct inet_sock *sk, int level, int name, const void *val, uint32_t len);
int inet_mcast_getsockopt(struct inet_sock *sk, int level, int name, void *val, uint32_t *len);
void inet_mcast_apply(struct inet_sock *sk);
void inet_mcast_apply_for(struct inet_sock *sk, bool v4);
/* Before a connect to peer (NULL: before a disconnect): the pcb takes
 * the settings of the peer's family. */
void inet_mcast_connecting(struct inet_sock *sk, const ip_addr_t *peer);
/* Whether an IPv6 socket's IPv4 settings differ from its IPv6 ones. */
bool inet_mcast_v4_differs(const struct inet_sock *sk);
bool inet_mcast_wanted(struct inet_sock *sk, const struct netbuf *nb);
void inet_mcast_leave_all(struct inet_sock *sk);

/* inet_opts.c */
/* An option's int, or at IPPROTO_IP a single byte (Linux's IPv4 options
 * take either); -EINVAL for less. */
int inet_opt_int(int level, const void *val, uint32_t len, int *v);
int inet_setsockopt(struct socket *s, int level, int name, const void *val, uint32_t len);
int inet_getsockopt(struct socket *s, int level, int name, void *val, uint32_t *len);
/* SO_BINDTODEVICE: lwIP's pcb matches input to the interface and routes
 * output through it. */
void inet_bound_device(struct socket *s);
void inet_opts_inherit(struct inet_sock *child, const struct inet_sock *parent);
void inet_opts_apply(struct inet_sock *sk);

/* inet_ioctl.c, inet_ifreq.c */
long inet_ioctl(struct socket *s, unsigned long cmd, uint64_t arg);
/* Whether an address is ours to bind to or send from (bind's
 * EADDRNOTAVAIL check: lwIP's binds take any address); _locked with the
 * core lock held. */
bool inet_addr_is_local(const ip_addr_t *ip);
bool inet_addr_usable_locked(const ip_addr_t *addr);

#endif
