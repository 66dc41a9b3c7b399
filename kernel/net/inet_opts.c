/* Socket options of the inet family (the generic layer has taken SO_TYPE,
 * the timeouts and the like).  Each is kept in the socket, so getsockopt
 * reports what was set, and applied to the lwIP pcb where lwIP has the
 * knob; a listening pcb has fewer fields, so per-connection settings reach
 * accepted connections through inet_opts_inherit(), and to a socket that starts again
 * (inet_tcp_renew) through inet_opts_apply(). */
#include "core/errno.h"
#include "core/string.h"
#include "net/inet_internal.h"

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#define TCP_NODELAY	1
#define TCP_MAXSEG	2
#define TCP_CORK	3
#define TCP_KEEPIDLE	4
#define TCP_KEEPINTVL	5
#define TCP_KEEPCNT	6

#define IPV6_V6ONLY	26


#define LINGER_FOREVER	0x7fffffff	/* seconds: some 68 years */

/* Sets what lwIP's pcb holds from the socket's options.  Under the core
 * lock; a listening TCP pcb has only the IP part. */
void inet_opts_apply(struct inet_sock *sk)
{
	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = sk->conn->pcb.tcp;	/* any pcb starts with IP_PCB */
	if (pcb) {
		if (sk->reuseaddr)
			ip_set_option(pcb, SOF_REUSEADDR);
		else
			ip_reset_option(pcb, SOF_REUSEADDR);
		/* Ours (tools/patches/lwip): the port is shared with the others
		 * that set it, and they share the peers out. */
		if (sk->reuseport)
			ip_set_option(pcb, SOF_REUSEPORT);
		else
			ip_reset_option(pcb, SOF_REUSEPORT);
		if (sk->keepalive)
			ip_set_option(pcb, SOF_KEEPALIVE);
		else
			ip_reset_option(pcb, SOF_KEEPALIVE);
		pcb->tos = (u8_t)sk->tos;
		/* lwIP matches input to it and routes output through it; an
		 * index no interface has (Linux takes one) matches nothing. */
		int bound = sk->sock->common.bound_if;
		pcb->netif_idx = bound <= 0 ? NETIF_NO_INDEX : bound < 255 ? (u8_t)bound : 255;
		inet_mcast_apply(sk);
	}
	if (pcb && inet_is_tcp(sk) && sk->state != INET_LISTEN) {
		/* While corked, Nagle holds small segments back whatever
		 * TCP_NODELAY says (the sends also go without PSH). */
		if (sk->nodelay && !sk->cork)
			tcp_nagle_disable(pcb);
		else
			tcp_nagle_enable(pcb);
		if (sk->keepidle)
			pcb->keep_idle = (u32_t)sk->keepidle * 1000;
		if (sk->keepintvl)
			pcb->keep_intvl = (u32_t)sk->keepintvl * 1000;
		if (sk->keepcnt)
			pcb->keep_cnt = (u32_t)sk->keepcnt;
	}
	if (!inet_is_tcp(sk) && sk->rcvbuf)
		netconn_set_recvbufsize(sk->conn, sk->rcvbuf);
	UNLOCK_TCPIP_CORE();
}

void inet_bound_device(struct socket *s) { inet_opts_apply(inet_sk(s)); }

void inet_opts_inherit(struct inet_sock *child, const struct inet_sock *parent)
{
	child->reuseaddr = parent->reuseaddr;
	child->reuseport = parent->reuseport;
	child->keepalive = parent->keepalive;
	child->nodelay = parent->nodelay;
	child->cork = parent->cork;
	child->keepidle = parent->keepidle;
	child->keepintvl = parent->keepintvl;
	child->keepcnt = parent->keepcnt;
	child->rcvbuf = parent->rcvbuf;
	child->sndbuf = parent->sndbuf;
	child->linger_on = parent->linger_on;
	child->linger_sec = parent->linger_sec;
	child->tos = parent->tos;
	child->ttl = parent->ttl;
	child->hops6 = parent->hops6;
	child->sock->common.bound_if = parent->sock->common.bound_if;
	inet_opts_apply(child);
}

static int set_socket_opt(struct inet_sock *sk, int name, int v, const void *val, uint32_t len)
{
	switch (name) {
	case SO_REUSEADDR:	sk->reuseaddr = v != 0; return 0;
	case SO_REUSEPORT:	sk->reuseport = v != 0; return 0;
	case SO_KEEPALIVE:	sk->keepalive = v != 0; return 0;
	case SO_BROADCAST:	sk->broadcast = v != 0; return 0;
	case SO_RCVBUF: case SO_RCVBUFFORCE:
		sk->rcvbuf = socket_buf_size(v, name == SO_RCVBUFFORCE, true);
		return 0;
	case SO_SNDBUF: case SO_SNDBUFFORCE:
		sk->sndbuf = socket_buf_size(v, name == SO_SNDBUFFORCE, false);
		return 0;
	case SO_RCVLOWAT:
		if (!inet_is_tcp(sk))
			return -ENOPROTOOPT;	/* every socket's, unbounded */
		/* Half the buffer SO_RCVBUF set, else half Linux's default
		 * tcp_rmem[2] (6 MiB), as tcp_set_rcvlowat bounds it. */
		socket_set_rcvlowat(sk->sock, v, sk->rcvbuf ? sk->rcvbuf / 2 : 6291456 / 2);
		return 0;
	case SO_LINGER: {
		struct linger_k l;
		if (len < sizeof l)
			return -EINVAL;
		memcpy(&l, val, sizeof l);
		sk->linger_on = l.onoff != 0;
		/* Linux takes the time as unsigned: a negative one lingers
		 * "forever", never the reset a time of 0 asks for.  Turning
		 * lingering off keeps the time, which getsockopt shows. */
		if (l.onoff)
			sk->linger_sec = l.linger < 0 ? LINGER_FOREVER : l.linger;
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
}

static int set_tcp_opt(struct inet_sock *sk, int name, int v)
{
	if (!inet_is_tcp(sk))
		return -ENOPROTOOPT;
	switch (name) {
	case TCP_NODELAY:	sk->nodelay = v != 0; return 0;
	case TCP_CORK:		sk->cork = v != 0; return 0;
	case TCP_KEEPIDLE:	if (v < 1 || v > 32767) return -EINVAL; sk->keepidle = v; return 0;
	case TCP_KEEPINTVL:	if (v < 1 || v > 32767) return -EINVAL; sk->keepintvl = v; return 0;
	case TCP_KEEPCNT:	if (v < 1 || v > 127) return -EINVAL; sk->keepcnt = v; return 0;
	default:		return -ENOPROTOOPT;
	}
}

/* The flag of an option that asks a receive for a control message; NULL
 * for any other (the IPv6 ones exist on IPv6 sockets only). */
static bool *recv_flag(struct inet_sock *sk, int level, int name)
{
	if (level == IPPROTO_IP) {
		switch (name) {
		case IP_PKTINFO:	return &sk->pktinfo;
		case IP_RECVTTL:	return &sk->recvttl;
		case IP_RECVTOS:	return &sk->recvtos;
		}
	} else if (level == IPPROTO_IPV6 && sk->sock->family == AF_INET6) {
		switch (name) {
		case IPV6_RECVPKTINFO:	return &sk->recvpktinfo6;
		case IPV6_RECVHOPLIMIT:	return &sk->recvhoplimit6;
		case IPV6_RECVTCLASS:	return &sk->recvtclass6;
		case IPV6_2292PKTINFO:	return &sk->pktinfo2292;
		case IPV6_2292HOPLIMIT:	return &sk->hoplimit2292;
		}
	}
	return NULL;
}

/* IP_RECVERR (any inet socket: IPv4's errors) or IPV6_RECVERR (IPv6
 * sockets); NULL for any other.  A TCP socket's ICMP errors are then told
 * at once, never queued (inet_icmp.c). */
static bool *recverr_flag(struct inet_sock *sk, int level, int name)
{
	if (level == IPPROTO_IP && name == IP_RECVERR)
		return &sk->recverr4;
	if (level == IPPROTO_IPV6 && name == IPV6_RECVERR && sk->sock->family == AF_INET6)
		return &sk->recverr6;
	return NULL;
}

static int set_ip_opt(struct inet_sock *sk, int level, int name, int v)
{
	if (level == IPPROTO_IP && name == IP_TOS) {
		/* Linux keeps a stream's ECN bits its own. */
		sk->tos = inet_is_tcp(sk) ? (v & 0xfc) : (v & 0xff);
		return 0;
	}
	if (level == IPPROTO_IP && name == IP_TTL) {
		if (v == -1)
			v = IP_DEFAULT_TTL;
		if (v < 1 || v > 255)
			return -EINVAL;
		sk->ttl = v;
		return 0;
	}
	bool *flag = recv_flag(sk, level, name);
	if (flag) {
		*flag = v != 0;
		return 0;
	}
	flag = recverr_flag(sk, level, name);
	if (flag) {
		*flag = v != 0;
		if (!v)
			inet_errq_purge(sk);	/* as Linux: the whole queue goes */
		return 0;
	}
	if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) {
		if (sk->sock->family != AF_INET6)
			return -ENOPROTOOPT;
		if (sk->bound)
			return -EINVAL;
		sk->v6only = v != 0;
		netconn_set_ipv6only(sk->conn, sk->v6only);
		return 0;
	}
	return -ENOPROTOOPT;
}

/* Uncorked: what Nagle held back goes out now, as Linux sends it. */
static void push_held(struct inet_sock *sk)
{
	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = sk->conn->pcb.tcp;
	if (pcb && sk->state == INET_CONNECTED) {
		bool nagle = !tcp_nagle_disabled(pcb);
		tcp_nagle_disable(pcb);
		tcp_output(pcb);
		if (nagle)
			tcp_nagle_enable(pcb);
	}
	UNLOCK_TCPIP_CORE();
}

int inet_opt_int(int level, const void *val, uint32_t len, int *v)
{
	if (len >= sizeof *v) {
		memcpy(v, val, sizeof *v);
		return 0;
	}
	if (level != IPPROTO_IP || len < 1)
		return -EINVAL;
	*v = *(const uint8_t *)val;
	return 0;
}

/* An option's value: inet_opt_int's, and for Linux's IPv4 options
 * nothing at all as 0. */
static int opt_value(int level, const void *val, uint32_t len, int *v)
{
	if (level == IPPROTO_IP && !len) {
		*v = 0;
		return 0;
	}
	return inet_opt_int(level, val, len, v);
}

int inet_setsockopt(struct socket *s, int level, int name, const void *val, uint32_t len)
{
	struct inet_sock *sk = inet_sk(s);
	bool was_corked = sk->cork;
	int v, err;

	if (inet_raw_option(s, level, name))
		return inet_raw_setsockopt(sk, level, name, val, len);
	if (inet_mcast_option(level, name))
		err = inet_mcast_setsockopt(sk, level, name, val, len);
	else if ((err = opt_value(level, val, len, &v)))
		return err;
	else if (level == SOL_SOCKET)
		err = set_socket_opt(sk, name, v, val, len);
	else if (level == IPPROTO_TCP)
		err = set_tcp_opt(sk, name, v);
	else if (level == IPPROTO_IP || level == IPPROTO_IPV6)
		err = set_ip_opt(sk, level, name, v);
	else
		err = -ENOPROTOOPT;
	if (!err)
		inet_opts_apply(sk);
	if (was_corked && !sk->cork)
		push_held(sk);
	return err;
}

/* SO_ERROR: the pending error, taken. */
static int take_error(struct inet_sock *sk)
{
	if (inet_is_tcp(sk))
		inet_tcp_settle(sk);
	int err = sk->so_error;
	sk->so_error = 0;
	if (!err)
		err = inet_take_async_err(sk);
	return -err;
}

/* Unset: what lwIP really holds for TCP (one window and one send buffer
 * per connection); Linux's default for UDP. */
int inet_rcvbuf(const struct inet_sock *sk)
{
	return sk->rcvbuf ? sk->rcvbuf : inet_is_tcp(sk) ? TCP_WND : SOCK_BUF_MAX;
}

int inet_sndbuf(const struct inet_sock *sk)
{
	return sk->sndbuf ? sk->sndbuf : inet_is_tcp(sk) ? TCP_SND_BUF : SOCK_BUF_MAX;
}

static int get_socket_opt(struct inet_sock *sk, int name, int *v)
{
	switch (name) {
	case SO_REUSEADDR:	*v = sk->reuseaddr; return 0;
	case SO_REUSEPORT:	*v = sk->reuseport; return 0;
	case SO_KEEPALIVE:	*v = sk->keepalive; return 0;
	case SO_BROADCAST:	*v = sk->broadcast; return 0;
	case SO_ERROR:		*v = take_error(sk); return 0;
	case SO_ACCEPTCONN:	*v = sk->state == INET_LISTEN; return 0;
	case SO_RCVBUF:		*v = inet_rcvbuf(sk); return 0;
	case SO_SNDBUF:		*v = inet_sndbuf(sk); return 0;
	default:		return -ENOPROTOOPT;
	}
}

/* getsockopt at a level the socket does not speak: Linux's IPv4 code says
 * EOPNOTSUPP for any level but SOL_IP, its IPv6 code ENOPROTOOPT for any
 * but SOL_IPV6 (setsockopt says ENOPROTOOPT for both). */
static int get_level_unknown(const struct inet_sock *sk)
{
	return sk->sock->family == AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
}

static int get_tcp_opt(struct inet_sock *sk, int name, int *v)
{
	if (!inet_is_tcp(sk))
		return get_level_unknown(sk);
	switch (name) {
	case TCP_NODELAY:	*v = sk->nodelay; return 0;
	case TCP_CORK:		*v = sk->cork; return 0;
	case TCP_KEEPIDLE:	*v = sk->keepidle ? sk->keepidle : (int)(TCP_KEEPIDLE_DEFAULT / 1000); return 0;
	case TCP_KEEPINTVL:	*v = sk->keepintvl ? sk->keepintvl : (int)(TCP_KEEPINTVL_DEFAULT / 1000); return 0;
	case TCP_KEEPCNT:	*v = sk->keepcnt ? sk->keepcnt : (int)TCP_KEEPCNT_DEFAULT; return 0;
	case TCP_MAXSEG:
		LOCK_TCPIP_CORE();
		*v = sk->state == INET_CONNECTED && sk->conn->pcb.tcp ? tcp_mss(sk->conn->pcb.tcp) : TCP_MSS;
		UNLOCK_TCPIP_CORE();
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int get_ip_opt(struct inet_sock *sk, int level, int name, int *v)
{
	if (level == IPPROTO_IPV6 && sk->sock->family == AF_INET)
		return get_level_unknown(sk);
	if (level == IPPROTO_IP && name == IP_TOS)
		*v = sk->tos;
	else if (level == IPPROTO_IP && name == IP_TTL)
		*v = sk->ttl;
	else if (recv_flag(sk, level, name))
		*v = *recv_flag(sk, level, name);
	else if (recverr_flag(sk, level, name))
		*v = *recverr_flag(sk, level, name);
	else if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && sk->sock->family == AF_INET6)
		*v = sk->v6only;
	else
		return -ENOPROTOOPT;
	return 0;
}

int inet_getsockopt(struct socket *s, int level, int name, void *val, uint32_t *len)
{
	struct inet_sock *sk = inet_sk(s);
	int v = 0, err;

	if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger_k l = { sk->linger_on, sk->linger_sec };
		return sockopt_write_bytes(val, len, &l, sizeof l);
	}
	if (inet_raw_option(s, level, name))
		return inet_raw_getsockopt(sk, level, name, val, len);
	if (inet_mcast_option(level, name))
		return inet_mcast_getsockopt(sk, level, name, val, len);
	if (level == SOL_SOCKET)
		err = get_socket_opt(sk, name, &v);
	else if (level == IPPROTO_TCP)
		err = get_tcp_opt(sk, name, &v);
	else if (level == IPPROTO_IP || level == IPPROTO_IPV6)
		err = get_ip_opt(sk, level, name, &v);
	else
		err = get_level_unknown(sk);
	return err ? err : sockopt_write_int(val, len, v);
}
