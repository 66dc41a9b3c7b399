/* Socket addresses: struct sockaddr_in / sockaddr_in6 (kernel copies, as
 * the generic layer hands them over) to and from lwIP's ip_addr_t, bind,
 * and getsockname/getpeername.
 *
 * An AF_INET6 socket speaks IPv4 through v4-mapped addresses
 * (::ffff:a.b.c.d) unless IPV6_V6ONLY: they become plain IPv4 addresses for
 * lwIP, and IPv4 addresses lwIP reports come back mapped, as on Linux. */
#include "core/errno.h"
#include "core/string.h"
#include "net/inet_internal.h"
#include "net/netif_claims.h"

#include "lwip/ip.h"
#include "lwip/tcpip.h"

struct sockaddr_in_k {
	uint16_t family;
	uint16_t port;		/* network order */
	uint32_t addr;		/* network order */
	uint8_t zero[8];
};

struct sockaddr_in6_k {
	uint16_t family;
	uint16_t port;
	uint32_t flowinfo;
	uint32_t addr[4];	/* network order words, as lwIP keeps them */
	uint32_t scope_id;
};

/* Linux accepts the RFC 2133 size, without scope_id. */
#define SIN6_LEN_RFC2133 24

static uint16_t swap16(uint16_t v) { return (uint16_t)(v << 8 | v >> 8); }

static bool is_v4mapped(const uint32_t a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == PP_HTONL(0xffff);
}

static int addr_in4(const void *addr, uint32_t len, ip_addr_t *ip, uint16_t *port)
{
	struct sockaddr_in_k sin;

	if (len < sizeof sin)
		return -EINVAL;
	memcpy(&sin, addr, sizeof sin);
	if (sin.family != AF_INET)
		return -EAFNOSUPPORT;
	ip_addr_set_zero_ip4(ip);
	ip4_addr_set_u32(ip_2_ip4(ip), sin.addr);
	*port = swap16(sin.port);
	return 0;
}

static int addr_in6(struct inet_sock *sk, const void *addr, uint32_t len, ip_addr_t *ip,
		    uint16_t *port)
{
	struct sockaddr_in6_k sin6 = { 0 };

	if (len < SIN6_LEN_RFC2133)
		return -EINVAL;
	memcpy(&sin6, addr, len < sizeof sin6 ? len : sizeof sin6);
	if (sin6.family != AF_INET6)
		return -EAFNOSUPPORT;
	*port = swap16(sin6.port);
	if (is_v4mapped(sin6.addr)) {
		if (sk->v6only)
			return -EAFNOSUPPORT;
		ip_addr_set_zero_ip4(ip);
		ip4_addr_set_u32(ip_2_ip4(ip), sin6.addr[3]);
		return 0;
	}
	IP_ADDR6(ip, sin6.addr[0], sin6.addr[1], sin6.addr[2], sin6.addr[3]);
#if LWIP_IPV6_SCOPES
	if (sin6.scope_id && ip6_addr_has_scope(ip_2_ip6(ip), IP6_UNKNOWN))
		ip6_addr_set_zone(ip_2_ip6(ip), (u8_t)sin6.scope_id);
#endif
	return 0;
}

/* The address a program gave, for lwIP.  -EINVAL (too short),
 * -EAFNOSUPPORT (another family, or v4-mapped on a v6-only socket). */
int inet_addr_in(struct inet_sock *sk, const void *addr, uint32_t len, ip_addr_t *ip, uint16_t *port)
{
	if (sk->sock->family == AF_INET)
		return addr_in4(addr, len, ip, port);
	return addr_in6(sk, addr, len, ip, port);
}

/* Writes up to *len bytes of the socket family's address for ip:port and
 * sets *len to its full size. */
void inet_addr_out(struct inet_sock *sk, const ip_addr_t *ip, uint16_t port, void *addr, uint32_t *len)
{
	if (sk->sock->family == AF_INET) {
		struct sockaddr_in_k sin = { .family = AF_INET, .port = swap16(port) };
		if (IP_IS_V4(ip))
			sin.addr = ip4_addr_get_u32(ip_2_ip4(ip));
		memcpy(addr, &sin, *len < sizeof sin ? *len : sizeof sin);
		*len = sizeof sin;
		return;
	}
	struct sockaddr_in6_k sin6 = { .family = AF_INET6, .port = swap16(port) };
	if (IP_IS_V6_VAL(*ip)) {
		memcpy(sin6.addr, ip_2_ip6(ip)->addr, sizeof sin6.addr);
#if LWIP_IPV6_SCOPES
		if (ip6_addr_has_zone(ip_2_ip6(ip)))
			sin6.scope_id = ip6_addr_zone(ip_2_ip6(ip));
#endif
	} else if (IP_IS_V4_VAL(*ip) && !ip4_addr_isany_val(*ip_2_ip4(ip))) {
		sin6.addr[2] = PP_HTONL(0xffff);
		sin6.addr[3] = ip4_addr_get_u32(ip_2_ip4(ip));
	}	/* IPADDR_TYPE_ANY, or 0.0.0.0 of a dual-stack bind: "::" */
	memcpy(addr, &sin6, *len < sizeof sin6 ? *len : sizeof sin6);
	*len = sizeof sin6;
}

/* A raw socket's peer, which lwIP does not give: connect()'s address and
 * port, with Linux's rule that a port of 0 is no peer at all. */
static int raw_peer(struct inet_sock *sk, void *addr, uint32_t *len)
{
	ip_addr_t ip;

	if (sk->state != INET_CONNECTED || !sk->raw_peer_port)
		return -ENOTCONN;
	LOCK_TCPIP_CORE();
	ip_addr_copy(ip, sk->conn->pcb.ip->remote_ip);
	UNLOCK_TCPIP_CORE();
	inet_addr_out(sk, &ip, sk->raw_peer_port, addr, len);
	return 0;
}

int inet_getname(struct socket *s, void *addr, uint32_t *len, bool peer)
{
	struct inet_sock *sk = inet_sk(s);
	ip_addr_t ip;
	u16_t port = 0;

	if (peer && s->type == SOCK_RAW)
		return raw_peer(sk, addr, len);
	ip_addr_set_zero(&ip);
	if (peer && sk->state != INET_CONNECTED && inet_is_tcp(sk))
		return -ENOTCONN;
	err_t err = netconn_getaddr(sk->conn, &ip, &port, !peer);
	if (err != ERR_OK) {
		if (peer)
			return -ENOTCONN;
		/* A reset connection has no pcb left: Linux still knows the
		 * name; we report the unbound address. */
		ip_addr_set_zero(&ip);
		port = 0;
	}
	inet_addr_out(sk, &ip, port, addr, len);
	return 0;
}

/* A port other than 0 is first claimed from eth0's port: behind a network
 * server's shared address another app may have it (EADDRINUSE). */
static int bind_to(struct inet_sock *sk, const ip_addr_t *ip, uint16_t port)
{
	if (sk->bound && sk->sock->type != SOCK_RAW)	/* a raw socket may bind again */
		return -EINVAL;
	bool tcp = inet_is_tcp(sk);
	int claimed = port ? net_claims_bind(tcp, port) : 0;
	if (claimed)
		return claimed;
	err_t err = netconn_bind(sk->conn, ip, port);
	if (err != ERR_OK) {
		if (port)
			net_claims_unbind(tcp, port);
		return err == ERR_VAL ? -EADDRNOTAVAIL : inet_err(err);	/* ERR_VAL: no such address */
	}
	sk->bound = true;
	sk->claimed_port = port;
	sk->claimed_tcp = tcp;
	return 0;
}

/* bind's address, with Linux's two exceptions: an AF_INET socket takes
 * AF_UNSPEC with the wildcard address as AF_INET (for old programs), and
 * an AF_INET6 socket refuses a v4-mapped address when v6-only with EINVAL
 * (another family is EAFNOSUPPORT, as for any socket). */
static int bind_addr_in(struct inet_sock *sk, const void *addr, uint32_t len, ip_addr_t *ip,
			uint16_t *port)
{
	struct sockaddr_in_k sin;

	if (sk->sock->family == AF_INET && len >= sizeof sin) {
		memcpy(&sin, addr, sizeof sin);
		if (sin.family == AF_UNSPEC && sin.addr == 0) {
			sin.family = AF_INET;
			return addr_in4(&sin, sizeof sin, ip, port);
		}
	}
	int err = inet_addr_in(sk, addr, len, ip, port);
	if (err == -EAFNOSUPPORT && sk->sock->family == AF_INET6 &&
	    *(const uint16_t *)addr == AF_INET6)
		return -EINVAL;
	return err;
}

int inet_bind(struct socket *s, const void *addr, uint32_t len)
{
	struct inet_sock *sk = inet_sk(s);
	ip_addr_t ip;
	uint16_t port;

	int err = bind_addr_in(sk, addr, len, &ip, &port);
	if (err)
		return err;
	if (s->type == SOCK_RAW)
		port = 0;	/* a raw socket has its protocol, not a port */
	if (!ip_addr_isany(&ip) && !ip_addr_ismulticast(&ip) && !inet_addr_is_local(&ip))
		return -EADDRNOTAVAIL;
	mutex_lock(&sk->tx_lock);
	err = sk->state == INET_IDLE ? bind_to(sk, &ip, port) : -EINVAL;
	if (!err) {
		sk->bind_explicit = true;
		ip_addr_copy(sk->bind_ip, ip);
		sk->bind_port = port;
	}
	mutex_unlock(&sk->tx_lock);
	return err;
}

/* Binds an unbound socket to the wildcard address and a free port (what
 * connect, listen and sendto do first).  On AF_INET6 the wildcard is "::",
 * which lwIP turns into "any family" unless IPV6_V6ONLY. */
int inet_autobind(struct inet_sock *sk)
{
	if (sk->bound)
		return 0;
	return bind_to(sk, sk->sock->family == AF_INET6 ? IP6_ADDR_ANY : IP4_ADDR_ANY, 0);
}
