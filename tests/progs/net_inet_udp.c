/* UDP over the loopback, for IPv4 and IPv6 in turn: names and autobind,
 * sendto/recvfrom with the source, datagram boundaries, MSG_TRUNC both
 * ways, MSG_PEEK, connect and its filter, AF_UNSPEC, EDESTADDRREQ,
 * EMSGSIZE, empty datagrams, recvmsg, sendmmsg/recvmmsg, FIONREAD,
 * EAGAIN, SO_RCVTIMEO, readv/writev.  One line per check
 * (net_inet_check.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>

#include "net_inet_check.h"

static socklen_t alen(int f) { return f == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6); }

/* A UDP socket bound to the loopback, port 0; its name in *ss. */
static int bound(int f, struct sockaddr_storage *ss)
{
	int s = socket(f, SOCK_DGRAM, 0);
	socklen_t n = loopback(f, 0, ss);

	if (s < 0 || bind(s, (void *)ss, n) < 0)
		return -1;
	n = sizeof *ss;
	getsockname(s, (void *)ss, &n);
	return s;
}

/* recvfrom into buf (NUL-terminated), printing length, text and whether
 * the source is want. */
static void recv_from(const char *what, int s, int flags, size_t room, const struct sockaddr_storage *want)
{
	char buf[64] = { 0 };
	struct sockaddr_storage from;
	socklen_t n = sizeof from;

	memset(&from, 0, sizeof from);
	long r = recvfrom(s, buf, room, flags, (void *)&from, &n);
	if (r < 0) {
		printf("%s: %s\n", what, errname(errno));
		return;
	}
	printf("%s: %ld \"%.*s\" from sender %d\n", what, r, (int)(r < (long)room ? r : (long)room), buf,
	       want ? n == alen(want->ss_family) && !memcmp(&from, want, n) : -1);
}

static void names_and_boundaries(int f)
{
	struct sockaddr_storage as, bs, us;
	socklen_t n = sizeof us;
	int a = bound(f, &as), b = bound(f, &bs), u = socket(f, SOCK_DGRAM, 0);

	printf("bound name: %s\n", addr_str(&as));
	getsockname(u, (void *)&us, &n);
	printf("unbound name: %s\n", addr_str(&us));
	num("sendto", sendto(a, "hello", 5, 0, (void *)&bs, alen(f)));
	recv_from("recvfrom", b, 0, 64, &as);
	num("sendto from unbound", sendto(u, "x", 1, 0, (void *)&bs, alen(f)));
	n = sizeof us;
	getsockname(u, (void *)&us, &n);
	printf("autobound name: %s\n", addr_str(&us));
	loopback(f, port_of(&us), &us);	/* the source is the loopback */
	recv_from("recvfrom autobound", b, 0, 64, &us);

	sendto(a, "one", 3, 0, (void *)&bs, alen(f));
	sendto(a, "two2", 4, 0, (void *)&bs, alen(f));
	sendto(a, "three", 5, 0, (void *)&bs, alen(f));
	recv_from("first", b, 0, 64, &as);
	recv_from("second", b, 0, 64, &as);
	recv_from("third", b, 0, 64, &as);
	recv_from("fourth", b, MSG_DONTWAIT, 64, &as);

	struct sockaddr_in6 other6 = { .sin6_family = AF_INET6, .sin6_port = 1 };
	struct sockaddr_in other4 = { .sin_family = AF_INET, .sin_port = 1 };
	if (f == AF_INET) {
		check("sendto a sockaddr_in6", sendto(a, "x", 1, 0, (void *)&other6, sizeof other6));
		check("sendto a short address", sendto(a, "x", 1, 0, (void *)&other4, 8));
	}
	close(a);
	close(b);
	close(u);
}

static void trunc_and_peek(int f)
{
	struct sockaddr_storage as, bs;
	int a = bound(f, &as), b = bound(f, &bs);
	char buf[16];

	sendto(a, "0123456789", 10, 0, (void *)&bs, alen(f));
	recv_from("recv 4 of 10", b, 0, 4, &as);
	num("rest discarded", recv(b, buf, sizeof buf, MSG_DONTWAIT));

	sendto(a, "0123456789", 10, 0, (void *)&bs, alen(f));
	struct iovec iov = { buf, 4 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r = recvmsg(b, &mh, 0);
	printf("recvmsg 4 of 10: %ld MSG_TRUNC %d\n", r, !!(mh.msg_flags & MSG_TRUNC));

	sendto(a, "0123456789", 10, 0, (void *)&bs, alen(f));
	recv_from("recv MSG_TRUNC 4 of 10", b, MSG_TRUNC, 4, &as);

	sendto(a, "0123", 4, 0, (void *)&bs, alen(f));
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
	iov.iov_len = 8;
	r = recvmsg(b, &mh, 0);
	printf("recvmsg 4 of 8: %ld MSG_TRUNC %d\n", r, !!(mh.msg_flags & MSG_TRUNC));

	sendto(a, "peek", 4, 0, (void *)&bs, alen(f));
	sendto(a, "next", 4, 0, (void *)&bs, alen(f));
	recv_from("peek", b, MSG_PEEK, 64, &as);
	recv_from("peek again", b, MSG_PEEK, 2, &as);
	recv_from("recv after peek", b, 0, 64, &as);
	recv_from("recv next", b, 0, 64, &as);
	close(a);
	close(b);
}

static void connected(int f)
{
	struct sockaddr_storage as, bs, cs, ps;
	int a = bound(f, &as), b = bound(f, &bs), c = bound(f, &cs);
	socklen_t n = sizeof ps;
	char buf[16];

	check("send unconnected", send(a, "x", 1, 0));
	check("write unconnected", write(a, "x", 1));
	check("getpeername unconnected", getpeername(a, (void *)&ps, &n));
	check("connect", connect(a, (void *)&bs, alen(f)));
	n = sizeof ps;
	getpeername(a, (void *)&ps, &n);
	printf("peer is b: %d\n", !memcmp(&ps, &bs, alen(f)));
	num("send", send(a, "c1", 2, 0));
	recv_from("b gets", b, 0, 64, &as);
	/* c first: once a has b's reply, c's datagram has been through. */
	num("c sends to a too", sendto(c, "no", 2, 0, (void *)&as, alen(f)));
	num("b replies", sendto(b, "r1", 2, 0, (void *)&as, alen(f)));
	recv_from("a gets", a, 0, 64, &bs);
	check("a gets nothing from c", recv(a, buf, sizeof buf, MSG_DONTWAIT));
	num("sendto on connected", sendto(a, "c2", 2, 0, (void *)&cs, alen(f)));
	recv_from("c gets", c, 0, 64, &as);
	check("connect again elsewhere", connect(a, (void *)&cs, alen(f)));
	num("send", send(a, "c3", 2, 0));
	recv_from("c gets", c, 0, 64, &as);

	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	check("connect AF_UNSPEC", connect(a, &unspec, sizeof unspec));
	check("send after disconnect", send(a, "x", 1, 0));
	n = sizeof ps;
	check("getpeername after disconnect", getpeername(a, (void *)&ps, &n));
	/* Linux forgets a port bound as 0 here, so the port is not shown. */
	num("sendto after disconnect", sendto(a, "hi", 2, 0, (void *)&cs, alen(f)));
	recv_from("c gets", c, 0, 64, NULL);
	close(a);
	close(b);
	close(c);
}

/* Until s has a datagram: Linux's loopback hands it over inside sendto,
 * lwIP's a moment later. */
static void wait_in(int s)
{
	struct pollfd p = { s, POLLIN, 0 };
	poll(&p, 1, 5000);
}

static void sizes(int f)
{
	struct sockaddr_storage as, bs;
	int a = bound(f, &as), b = bound(f, &bs);
	/* Linux's limits; lwIP carries IPv6 datagrams up to 65487 bytes only
	 * (its packet lengths include the 40-byte header), so the big one
	 * sent over IPv6 is that size. */
	size_t max = f == AF_INET ? 65507 : 65527, big_len = f == AF_INET ? max : 65487;
	char *big = calloc(1, 70000), *in = calloc(1, 70000);
	int v = -1;

	for (size_t i = 0; i < max; i++)
		big[i] = (char)(i * 13);
	check("sendto max + 1", sendto(a, big, max + 1, 0, (void *)&bs, alen(f)));
	value("sendto big", sendto(a, big, big_len, 0, (void *)&bs, alen(f)), 0);
	long r = recv(b, in, 70000, 0);
	printf("recv big: same %d\n", r == (long)big_len && !memcmp(big, in, big_len));
	num("sendto empty", sendto(a, "", 0, 0, (void *)&bs, alen(f)));
	wait_in(b);
	long iv = ioctl(b, FIONREAD, &v);
	value("FIONREAD empty datagram", iv, v);
	recv_from("recv empty", b, 0, 64, &as);
	check("recv after empty", recv(b, in, 16, MSG_DONTWAIT));

	sendto(a, "1234567", 7, 0, (void *)&bs, alen(f));
	sendto(a, "123", 3, 0, (void *)&bs, alen(f));
	wait_in(b);
	iv = ioctl(b, FIONREAD, &v);
	value("FIONREAD", iv, v);
	recv(b, in, 16, 0);
	wait_in(b);
	iv = ioctl(b, FIONREAD, &v);
	value("FIONREAD next", iv, v);
	recv(b, in, 16, 0);
	iv = ioctl(b, FIONREAD, &v);
	value("FIONREAD none", iv, v);
	free(big);
	free(in);
	close(a);
	close(b);
}

static void msgs(int f)
{
	struct sockaddr_storage as, bs, from;
	int a = bound(f, &as), b = bound(f, &bs);
	char buf[64] = { 0 };
	struct iovec iov = { buf, sizeof buf };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };

	sendto(a, "msg", 3, 0, (void *)&bs, alen(f));
	long r = recvmsg(b, &mh, 0);
	printf("recvmsg: %ld %.3s namelen ok %d sender %d flags %d\n", r, buf, mh.msg_namelen == alen(f),
	       !memcmp(&from, &as, alen(f)), mh.msg_flags);

	struct mmsghdr out[5], in[5];
	struct iovec oiov[5], iiov[5];
	char ibuf[5][8];
	struct sockaddr_storage ifrom[5];
	const char *words[5] = { "a", "bb", "ccc", "dddd", "eeeee" };
	memset(out, 0, sizeof out);
	memset(in, 0, sizeof in);
	for (int i = 0; i < 5; i++) {
		oiov[i] = (struct iovec){ (void *)words[i], strlen(words[i]) };
		out[i].msg_hdr = (struct msghdr){ .msg_name = &bs, .msg_namelen = alen(f), .msg_iov = &oiov[i],
						  .msg_iovlen = 1 };
		iiov[i] = (struct iovec){ ibuf[i], sizeof ibuf[i] };
		in[i].msg_hdr = (struct msghdr){ .msg_name = &ifrom[i], .msg_namelen = sizeof ifrom[i],
						 .msg_iov = &iiov[i], .msg_iovlen = 1 };
	}
	num("sendmmsg", sendmmsg(a, out, 5, 0));
	printf("sent lens: %u %u %u %u %u\n", out[0].msg_len, out[1].msg_len, out[2].msg_len, out[3].msg_len,
	       out[4].msg_len);
	/* Blocking until all five: MSG_WAITFORONE would stop at what has
	 * come, and lwIP's loopback delivers after sendmmsg returns. */
	num("recvmmsg", recvmmsg(b, in, 5, 0, NULL));
	int lost = 0;
	for (int i = 0; i < 5; i++)
		lost += in[i].msg_len != strlen(words[i]) || memcmp(ibuf[i], words[i], in[i].msg_len) ||
			memcmp(&ifrom[i], &as, alen(f));
	printf("received lens: %u %u %u %u %u wrong %d\n", in[0].msg_len, in[1].msg_len, in[2].msg_len,
	       in[3].msg_len, in[4].msg_len, lost);
	num("recvmmsg on empty, MSG_DONTWAIT", recvmmsg(b, in, 5, MSG_DONTWAIT, NULL));

	connect(a, (void *)&bs, alen(f));
	struct iovec w[3] = { { "ab", 2 }, { "cd", 2 }, { "ef", 2 } };
	num("writev", writev(a, w, 3));
	num("writev again", writev(a, w, 2));
	char r1[4] = { 0 }, r2[4] = { 0 };
	struct iovec rv[2] = { { r1, 4 }, { r2, 4 } };
	r = readv(b, rv, 2);
	printf("readv: %ld %.4s %.2s\n", r, r1, r2);
	memset(r1, 0, sizeof r1);
	rv[0].iov_len = 3;
	rv[1].iov_len = 0;
	r = readv(b, rv, 2);
	printf("readv 3 of 4: %ld %.3s\n", r, r1);
	check("readv nothing left", recv(b, r1, 4, MSG_DONTWAIT));
	close(a);
	close(b);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void blocking(int f)
{
	struct sockaddr_storage as;
	int a = bound(f, &as);
	char buf[8];
	struct timeval tv = { 0, 100000 };
	struct timespec t0;

	check("recv MSG_DONTWAIT", recv(a, buf, sizeof buf, MSG_DONTWAIT));
	fcntl(a, F_SETFL, O_NONBLOCK);
	check("recv O_NONBLOCK", recv(a, buf, sizeof buf, 0));
	check("recvfrom O_NONBLOCK", recvfrom(a, buf, sizeof buf, 0, NULL, NULL));
	fcntl(a, F_SETFL, 0);
	check("SO_RCVTIMEO", setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	check("recv with timeout", recv(a, buf, sizeof buf, 0));
	long ms = ms_since(&t0);
	printf("waited about 100 ms: %d\n", ms >= 90 && ms < 3000);
	int v = -1;
	socklen_t n = sizeof v;
	getsockopt(a, SOL_SOCKET, SO_TYPE, &v, &n);
	printf("SO_TYPE: %d\n", v);
	close(a);
}

static const char *bits(int fd)
{
	static char buf[64];
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
	poll(&p, 1, 0);
	snprintf(buf, sizeof buf, "in %d out %d hup %d rdhup %d", !!(p.revents & POLLIN), !!(p.revents & POLLOUT),
		 !!(p.revents & POLLHUP), !!(p.revents & POLLRDHUP));
	return buf;
}

static int shut_errno;

static void *shut_later(void *arg)
{
	usleep(100000);
	shut_errno = shutdown(*(int *)arg, SHUT_RDWR) < 0 ? errno : 0;
	return NULL;
}

/* Linux shuts a UDP socket down even when it says ENOTCONN; reads that
 * would wait say 0 from then on, datagrams still arrive, sends get EPIPE
 * (and no SIGPIPE). */
static void shutdowns(int f)
{
	struct sockaddr_storage as, bs;
	int a = bound(f, &as), b = bound(f, &bs);
	char buf[8];
	pthread_t t;

	printf("poll: %s\n", bits(a));
	check("unconnected SHUT_RD", shutdown(a, SHUT_RD));
	printf("poll after SHUT_RD: %s\n", bits(a));
	check("recv MSG_DONTWAIT after SHUT_RD", recv(a, buf, sizeof buf, MSG_DONTWAIT));
	socklen_t n = 99;
	num("recvfrom after SHUT_RD", recvfrom(a, buf, sizeof buf, 0, (void *)&bs, &n));
	printf("its address length: %u\n", n);
	n = sizeof bs;
	getsockname(b, (void *)&bs, &n);
	sendto(b, "late", 4, 0, (void *)&as, alen(f));
	/* poll says POLLIN from now on; lwIP's loopback delivers a moment
	 * after sendto returns, Linux's inside it. */
	for (int i = 0; i < 500 && recv(a, buf, sizeof buf, MSG_DONTWAIT | MSG_PEEK) < 0; i++)
		usleep(10000);
	recv_from("a datagram after SHUT_RD", a, 0, 64, &bs);
	num("send after SHUT_RD", sendto(a, "x", 1, 0, (void *)&bs, alen(f)));
	recv_from("b gets it", b, 0, 64, &as);
	check("unconnected SHUT_WR", shutdown(a, SHUT_WR));
	printf("poll after both: %s\n", bits(a));
	check("send after SHUT_WR (no SIGPIPE)", sendto(a, "x", 1, 0, (void *)&bs, alen(f)));
	check("shutdown 7", shutdown(a, 7));
	close(a);

	a = bound(f, &as);
	pthread_create(&t, NULL, shut_later, &a);
	long r = recv(a, buf, sizeof buf, 0);
	int e = errno;
	pthread_join(t, NULL);
	printf("shutdown from another thread: %s\n", shut_errno ? errname(shut_errno) : "ok");
	errno = e;
	num("recv woken by shutdown", r);
	close(a);

	a = socket(f, SOCK_DGRAM, 0);
	connect(a, (void *)&bs, alen(f));
	check("connected SHUT_WR", shutdown(a, SHUT_WR));
	printf("poll: %s\n", bits(a));
	check("send after SHUT_WR", send(a, "x", 1, 0));
	check("connect again", connect(a, (void *)&bs, alen(f)));
	check("send after connecting again", write(a, "x", 1));
	close(a);
	close(b);
}

/* bind's errors, SO_REUSEADDR on datagram sockets, empty reads, short
 * address buffers. */
static void binds(int f)
{
	struct sockaddr_storage as, bs, ss;
	int a = bound(f, &as), one = 1;
	int b = socket(f, SOCK_DGRAM, 0), c = socket(f, SOCK_DGRAM, 0);
	char buf[8];

	check("bind twice", bind(a, (void *)&as, alen(f)));
	check("bind a used port", bind(b, (void *)&as, alen(f)));
	memset(&ss, 0, sizeof ss);
	if (f == AF_INET) {
		struct sockaddr_in *s = (void *)&ss;
		s->sin_family = AF_INET;
		inet_pton(AF_INET, "192.0.2.1", &s->sin_addr);
	} else {
		struct sockaddr_in6 *s = (void *)&ss;
		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8::1", &s->sin6_addr);
	}
	check("bind a foreign address", bind(b, (void *)&ss, alen(f)));
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bind(b, (void *)&bs, loopback(f, 0, &bs));
	socklen_t n = sizeof bs;
	getsockname(b, (void *)&bs, &n);
	check("SO_REUSEADDR: a second bind", bind(c, (void *)&bs, alen(f)));

	sendto(a, "xyz", 3, 0, (void *)&as, alen(f));
	sendto(a, "next", 4, 0, (void *)&as, alen(f));
	num("recv into 0 bytes", recv(a, buf, 0, 0));
	struct sockaddr_storage from;
	n = 4;
	memset(&from, 0, sizeof from);
	long r = recvfrom(a, buf, sizeof buf, 0, (void *)&from, &n);
	printf("recvfrom, address room 4: %ld, length %u, family %d\n", r, n, from.ss_family);
	close(a);
	close(b);
	close(c);
}

static void print_poll(const char *what, int s, int timeout_ms)
{
	struct pollfd p = { s, POLLIN, 0 };
	int n = poll(&p, 1, timeout_ms);

	printf("%s: %d, err %d, in %d\n", what, n, !!(p.revents & POLLERR), !!(p.revents & POLLIN));
}

/* The port unreachable ICMP error that sending to a closed port brings
 * back: a connected socket's next call (a receive, or the send after next)
 * reports ECONNREFUSED once, poll shows POLLERR meanwhile, SO_ERROR takes
 * it; an unconnected socket hears nothing. */
static void refused(int f)
{
	struct sockaddr_storage cs;
	int closed = bound(f, &cs);
	char c;

	close(closed);	/* nobody on that port now */
	int s = socket(f, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	check("connect to a closed port", connect(s, (void *)&cs, alen(f)));
	check("send", send(s, "x", 1, 0));
	print_poll("poll", s, 2000);
	check("recv", recv(s, &c, 1, 0));
	check("recv again", recv(s, &c, 1, 0));
	print_poll("poll after", s, 0);
	check("send", send(s, "x", 1, 0));
	print_poll("poll", s, 2000);
	check("send again", send(s, "x", 1, 0));
	check("send once more", send(s, "x", 1, 0));
	print_poll("poll", s, 2000);
	int err = -1;
	socklen_t n = sizeof err;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &n);
	printf("SO_ERROR: %s\n", err ? errname(err) : "0");
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &n);
	printf("SO_ERROR again: %s\n", err ? errname(err) : "0");
	close(s);

	s = socket(f, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	check("unconnected sendto a closed port", sendto(s, "x", 1, 0, (void *)&cs, alen(f)));
	print_poll("poll", s, 300);
	check("recv", recv(s, &c, 1, 0));
	close(s);
}

int main(void)
{
	int fams[2] = { AF_INET, AF_INET6 };

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < 2; i++) {
		printf("== %s\n", fams[i] == AF_INET ? "IPv4" : "IPv6");
		names_and_boundaries(fams[i]);
		trunc_and_peek(fams[i]);
		connected(fams[i]);
		sizes(fams[i]);
		msgs(fams[i]);
		blocking(fams[i]);
		shutdowns(fams[i]);
		binds(fams[i]);
		refused(fams[i]);
	}
	return 0;
}
