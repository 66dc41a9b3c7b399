/* Helpers for the net_inet_* programs: one line per check, with the errno's
 * name where a call failed, so a transcript compares with Linux's. */
#ifndef NET_INET_CHECK_H
#define NET_INET_CHECK_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case EAGAIN: return "EAGAIN";
	case EINPROGRESS: return "EINPROGRESS";
	case EALREADY: return "EALREADY";
	case EISCONN: return "EISCONN";
	case ENOTCONN: return "ENOTCONN";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ECONNRESET: return "ECONNRESET";
	case EPIPE: return "EPIPE";
	case EMSGSIZE: return "EMSGSIZE";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EINVAL: return "EINVAL";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case ENETUNREACH: return "ENETUNREACH";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EBADF: return "EBADF";
	case ENOBUFS: return "ENOBUFS";
	case ENOMEM: return "ENOMEM";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EFAULT: return "EFAULT";
	case ENETDOWN: return "ENETDOWN";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENOTTY: return "ENOTTY";
	case ENODEV: return "ENODEV";
	case EEXIST: return "EEXIST";
	case ENOENT: return "ENOENT";
	default: return "E?";
	}
}

/* Prints "what: ok" when r >= 0, else the errno's name. */
static void check(const char *what, long r)
{
	if (r >= 0)
		printf("%s: ok\n", what);
	else
		printf("%s: %s\n", what, errname(errno));
}

/* Prints "what: value" or the errno's name. */
static __attribute__((unused)) void value(const char *what, long r, long v)
{
	if (r >= 0)
		printf("%s: %ld\n", what, v);
	else
		printf("%s: %s\n", what, errname(errno));
}

/* Prints "what: r" or the errno's name. */
static __attribute__((unused)) void num(const char *what, long r) { value(what, r, r); }

/* "a.b.c.d:port" or "[v6]:port" with the port shown as "P" (ports vary). */
static __attribute__((unused)) const char *addr_str(const struct sockaddr_storage *ss)
{
	static char buf[80];
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof ip);
		snprintf(buf, sizeof buf, "%s:%s", ip, s->sin_port ? "P" : "0");
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;
		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof ip);
		snprintf(buf, sizeof buf, "[%s]:%s", ip, s->sin6_port ? "P" : "0");
	} else {
		snprintf(buf, sizeof buf, "family %d", ss->ss_family);
	}
	return buf;
}

/* The loopback address of family f with port (network order). */
static socklen_t loopback(int f, unsigned short port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (f == AF_INET) {
		struct sockaddr_in *s = (void *)ss;
		s->sin_family = AF_INET;
		s->sin_port = port;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *s;
	}
	struct sockaddr_in6 *s = (void *)ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = port;
	s->sin6_addr = in6addr_loopback;
	return sizeof *s;
}

static __attribute__((unused)) unsigned short port_of(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
					: ((const struct sockaddr_in6 *)ss)->sin6_port;
}

/* A listening socket of family f on the loopback; its address in *ss. */
static __attribute__((unused)) int listener(int f, struct sockaddr_storage *ss)
{
	int s = socket(f, SOCK_STREAM, 0);
	socklen_t len = loopback(f, 0, ss);

	if (s < 0 || bind(s, (void *)ss, len) < 0 || listen(s, 16) < 0)
		return -1;
	len = sizeof *ss;
	getsockname(s, (void *)ss, &len);
	return s;
}

/* A connected pair over the loopback: *c the client, *a the accepted end. */
static __attribute__((unused)) int tcp_pair(int f, int *c, int *a)
{
	struct sockaddr_storage ss;
	int l = listener(f, &ss);

	if (l < 0)
		return -1;
	*c = socket(f, SOCK_STREAM, 0);
	if (connect(*c, (void *)&ss, f == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0)
		return -1;
	*a = accept(l, NULL, NULL);
	close(l);
	return *a < 0 ? -1 : 0;
}

#endif
