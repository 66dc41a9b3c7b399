/* What a program may do at the edges of the inet socket calls: option
 * values of odd sizes, a negative SO_LINGER time, port 0, message name
 * lengths out of range, a receive that ends at a shutdown with room for
 * control data, and accept with no descriptor free.  One line per check,
 * compared with Linux's transcript (net_inet_expected.NET_INET_EDGES). */
#include "net_inet_check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/time.h>

#ifndef SIOCATMARK
#define SIOCATMARK 0x8905
#endif
#define SALEN(f) ((f) == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))

/* Prints an int option's value, or the errno's name. */
static void int_opt(const char *what, int s, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof v;
	int r = getsockopt(s, level, name, &v, &len);

	value(what, r, v);
}

static void options(int f)
{
	int t = socket(f, SOCK_STREAM, 0), u = socket(f, SOCK_DGRAM, 0);
	unsigned char one = 1;

	int_opt("SO_PROTOCOL tcp", t, SOL_SOCKET, SO_PROTOCOL);
	int_opt("SO_PROTOCOL udp", u, SOL_SOCKET, SO_PROTOCOL);
	check("IP_TTL of one byte", setsockopt(t, IPPROTO_IP, IP_TTL, &one, 1));
	int_opt("IP_TTL now", t, IPPROTO_IP, IP_TTL);
	check("IP_TTL of no bytes", setsockopt(t, IPPROTO_IP, IP_TTL, &one, 0));
	check("IP_TOS of one byte", setsockopt(u, IPPROTO_IP, IP_TOS, &one, 1));
	check("SO_REUSEADDR of one byte", setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, 1));
	close(t);
	close(u);
}

/* bind's families: AF_UNSPEC with the wildcard is AF_INET on an AF_INET
 * socket (Linux keeps it for old programs); another family is refused. */
static void bind_families(int f)
{
	struct sockaddr_storage other, un = { .ss_family = AF_UNSPEC }, name;
	socklen_t len = sizeof name;
	int t = socket(f, SOCK_STREAM, 0);

	loopback(f == AF_INET ? AF_INET6 : AF_INET, 0, &other);
	check("bind another family", bind(t, (void *)&other, sizeof other));
	check("bind AF_UNSPEC, the wildcard", bind(t, (void *)&un, SALEN(f)));
	getsockname(t, (void *)&name, &len);
	printf("name: %s\n", addr_str(&name));
	close(t);
}

/* SO_LINGER with a negative time lingers; only a time of 0 resets. */
static void linger_negative(int f)
{
	struct linger l = { 1, -1 };
	socklen_t len = sizeof l;
	char buf[16];
	int c, a;

	if (tcp_pair(f, &c, &a) < 0)
		return;
	check("SO_LINGER -1", setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l));
	memset(&l, 0, sizeof l);
	getsockopt(c, SOL_SOCKET, SO_LINGER, &l, &len);
	printf("SO_LINGER on %d, a time %d\n", l.l_onoff, l.l_linger != 0);
	num("send", send(c, "bye", 3, 0));
	check("close", close(c));
	num("peer reads", recv(a, buf, sizeof buf, 0));
	num("peer reads the end", recv(a, buf, sizeof buf, 0));
	close(a);
}

static void datagrams(int f)
{
	struct sockaddr_storage ss, name;
	socklen_t len = loopback(f, 0, &ss), sl = sizeof ss;
	int u = socket(f, SOCK_DGRAM, 0), v = socket(f, SOCK_DGRAM, 0);
	char buf[16], control[64];

	bind(u, (void *)&ss, len);
	getsockname(u, (void *)&ss, &sl);
	struct sockaddr_storage zero;
	loopback(f, 0, &zero);
	num("sendto port 0", sendto(v, "x", 1, 0, (void *)&zero, len));

	/* A name length beyond any address is cut to the longest. */
	struct sockaddr_storage names[2] = { ss };
	struct iovec iov = { "abc", 3 };
	struct msghdr m = { .msg_name = names, .msg_namelen = 200, .msg_iov = &iov, .msg_iovlen = 1 };
	num("sendmsg name length 200", sendmsg(v, &m, 0));
	struct pollfd p = { u, POLLIN, 0 };
	num("poll", poll(&p, 1, 5000));	/* no wait for ever where it went nowhere */
	iov = (struct iovec){ buf, sizeof buf };
	m = (struct msghdr){ .msg_name = &name, .msg_namelen = -1, .msg_iov = &iov, .msg_iovlen = 1 };
	num("recvmsg name length -1", recvmsg(u, &m, MSG_DONTWAIT));
	m.msg_namelen = 200;
	num("recvmsg name length 200", recvmsg(u, &m, MSG_DONTWAIT));
	printf("name length %d, %s\n", (int)m.msg_namelen, addr_str(&name));

	/* A read that ends at a shutdown writes no control data. */
	check("shutdown SHUT_RD", shutdown(u, SHUT_RD));
	memset(control, 'A', sizeof control);
	m = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			     .msg_controllen = sizeof control };
	num("recvmsg after shutdown", recvmsg(u, &m, 0));
	printf("controllen %d, control untouched %d\n", (int)m.msg_controllen,
	       control[0] == 'A' && control[63] == 'A');
	close(u);
	close(v);
}

/* Reads of no bytes, MSG_TRUNC and MSG_OOB on a stream. */
static void stream_reads(int f)
{
	struct pollfd p;
	char buf[16] = "";
	int c, a, v = -1;

	if (tcp_pair(f, &c, &a) < 0)
		return;
	num("recv 0 bytes, none there", recv(a, buf, 0, MSG_DONTWAIT));
	num("read 0 bytes", read(a, buf, 0));
	num("send", send(c, "abcdef", 6, 0));
	p = (struct pollfd){ a, POLLIN, 0 };
	poll(&p, 1, 5000);
	num("recv 0 bytes, some there", recv(a, buf, 0, 0));
	num("recv MSG_OOB", recv(a, buf, sizeof buf, MSG_OOB));
	check("SIOCATMARK", ioctl(a, SIOCATMARK, &v));
	printf("at the mark: %d\n", v);
	num("recv 3 MSG_TRUNC, no buffer", recv(a, NULL, 3, MSG_TRUNC | MSG_DONTWAIT));
	num("recv the rest", recv(a, buf, sizeof buf, MSG_DONTWAIT));
	printf("rest: %s\n", buf);
	close(c);
	num("recv 0 bytes at the end", recv(a, buf, 0, 0));
	close(a);
	int u = socket(f, SOCK_DGRAM, 0);
	struct sockaddr_storage ss;
	socklen_t len = loopback(f, htons(9), &ss);
	num("UDP sendto MSG_OOB", sendto(u, "x", 1, MSG_OOB, (void *)&ss, len));
	close(u);
}

/* A listener closed with a connection that poll saw but nobody
 * accepted resets it, as it does one poll never looked at. */
static void listener_closed(int f)
{
	struct sockaddr_storage ss;
	char buf[8];

	for (int look = 1; look >= 0; look--) {
		int l = listener(f, &ss), c = socket(f, SOCK_STREAM, 0);
		connect(c, (void *)&ss, SALEN(f));
		struct pollfd p = { l, POLLIN, 0 };
		if (look)
			num("poll the listener", poll(&p, 1, 5000));
		close(l);
		p = (struct pollfd){ c, POLLIN, 0 };
		poll(&p, 1, 5000);
		printf("%s: ", look ? "after a poll" : "without one");
		num("the client reads", recv(c, buf, sizeof buf, 0));
		close(c);
	}
}

/* The next connection on l, or -1 after 5 s without one (a kernel whose
 * connect failed gives none: no hang). */
static int accept_soon(int l)
{
	struct pollfd p = { l, POLLIN, 0 };

	return poll(&p, 1, 5000) == 1 ? accept(l, NULL, NULL) : -1;
}

/* A connect that failed may be tried again on the same socket (the
 * server has come up since), and connect(AF_UNSPEC) disconnects. */
static void connect_again(int f)
{
	struct sockaddr_storage ss, un = { .ss_family = AF_UNSPEC };
	socklen_t sl = sizeof ss;
	int one = 1, e = 0, c, a;
	char buf[8];

	int l = socket(f, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bind(l, (void *)&ss, loopback(f, 0, &ss));
	getsockname(l, (void *)&ss, &sl);
	c = socket(f, SOCK_STREAM, 0);
	check("connect, no server", connect(c, (void *)&ss, SALEN(f)));
	check("connect again, no server", connect(c, (void *)&ss, SALEN(f)));
	listen(l, 4);
	check("connect again, the server up", connect(c, (void *)&ss, SALEN(f)));
	a = accept_soon(l);
	num("send", send(c, "ok", 2, 0));
	num("server reads", recv(a, buf, sizeof buf, 0));
	check("connect AF_UNSPEC, connected", connect(c, (void *)&un, sizeof un));
	check("getpeername after", getpeername(c, (void *)&ss, &sl));
	num("server reads after", recv(a, buf, sizeof buf, 0));
	close(a);
	sl = sizeof ss;
	getsockname(l, (void *)&ss, &sl);
	check("connect after AF_UNSPEC", connect(c, (void *)&ss, SALEN(f)));
	a = accept_soon(l);
	check("accepted", a);
	close(a);
	close(c);
	check("connect AF_UNSPEC, listening", connect(l, (void *)&un, sizeof(sa_family_t)));
	c = socket(f, SOCK_STREAM, 0);
	check("connect to it", connect(c, (void *)&ss, SALEN(f)));
	close(c);
	check("listen again", listen(l, 4));
	sl = sizeof ss;
	getsockname(l, (void *)&ss, &sl);
	c = socket(f, SOCK_STREAM, 0);
	check("connect to it", connect(c, (void *)&ss, SALEN(f)));
	close(c);
	close(l);

	/* Non-blocking: SO_ERROR takes the error, the next connect says so. */
	l = listener(f, &ss);
	close(l);
	c = socket(f, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check("non-blocking connect", connect(c, (void *)&ss, SALEN(f)));
	struct pollfd p = { c, POLLOUT, 0 };
	poll(&p, 1, 5000);
	sl = sizeof e;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &sl);
	printf("SO_ERROR: %s\n", e == ECONNREFUSED ? "ECONNREFUSED" : "?");
	e = connect(c, (void *)&ss, SALEN(f));
	printf("connect after it: %s\n", e < 0 && errno == ECONNABORTED ? "ECONNABORTED" : errname(errno));
	check("and again", connect(c, (void *)&ss, SALEN(f)));
	close(c);
	c = socket(f, SOCK_STREAM, 0);
	check("connect AF_UNSPEC, new socket", connect(c, (void *)&un, sizeof un));
	close(c);
}

static int reader_fd, reader_errno;
static long reader_got;

static void *blocked_reader(void *x)
{
	char buf[4];

	(void)x;
	reader_got = recv(reader_fd, buf, sizeof buf, 0);
	reader_errno = errno;
	return NULL;
}

/* connect(AF_UNSPEC) ends a recv blocked in another thread. */
static void disconnect_reader(int f)
{
	struct sockaddr_storage un = { .ss_family = AF_UNSPEC };
	pthread_t t;
	int a;

	if (tcp_pair(f, &reader_fd, &a) < 0)
		return;
	struct timeval tv = { 5, 0 };	/* a kernel that misses it: EAGAIN, no hang */
	setsockopt(reader_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	pthread_create(&t, NULL, blocked_reader, NULL);
	usleep(200000);
	int r = connect(reader_fd, (void *)&un, sizeof un);
	int e = errno;
	pthread_join(t, NULL);	/* printed after, in one order */
	errno = e;
	check("connect AF_UNSPEC under a reader", r);
	errno = reader_errno;
	check("the blocked recv", reader_got);
	close(reader_fd);
	close(a);
}

/* accept with no descriptor free leaves the connection queued. */
static void accept_emfile(int f)
{
	struct sockaddr_storage ss;
	struct rlimit old, rl;
	int l = listener(f, &ss), c = socket(f, SOCK_STREAM, 0), fds[64], n = 0;
	char buf[8];

	check("connect", connect(c, (void *)&ss, SALEN(f)));
	fcntl(l, F_SETFL, O_NONBLOCK);	/* a connection lost: EAGAIN, not a hang */
	getrlimit(RLIMIT_NOFILE, &old);
	rl = old;
	rl.rlim_cur = 16;
	setrlimit(RLIMIT_NOFILE, &rl);
	while (n < 64 && (fds[n] = open("/", O_RDONLY)) >= 0)
		n++;
	int a = accept(l, NULL, NULL);
	printf("accept with no descriptor free: %s\n", a < 0 && errno == EMFILE ? "EMFILE" : "?");
	close(fds[--n]);
	a = accept(l, NULL, NULL);
	check("accept after a close", a);
	num("send", send(c, "hi", 2, 0));
	num("accepted end reads", recv(a, buf, sizeof buf, 0));
	while (n)
		close(fds[--n]);
	setrlimit(RLIMIT_NOFILE, &old);
	close(a);
	close(c);
	close(l);
}

int main(void)
{
	int fams[2] = { AF_INET, AF_INET6 };

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);	/* a kernel that fails a check goes on to the next */
	for (int i = 0; i < 2; i++) {
		printf("== %s\n", fams[i] == AF_INET ? "IPv4" : "IPv6");
		options(fams[i]);
		bind_families(fams[i]);
		linger_negative(fams[i]);
		datagrams(fams[i]);
		stream_reads(fams[i]);
		listener_closed(fams[i]);
		connect_again(fams[i]);
		disconnect_reader(fams[i]);
		accept_emfile(fams[i]);
	}
	return 0;
}
