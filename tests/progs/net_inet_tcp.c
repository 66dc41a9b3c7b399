/* TCP over the loopback, for IPv4 and IPv6 in turn: connect and accept,
 * names, refused and non-blocking connects, 1 MiB echoed and verified,
 * MSG_PEEK, MSG_WAITALL, FIONREAD, shutdown and EOF, a close after reading
 * everything (an orderly end, not a reset), SO_LINGER 0's reset, and the
 * options.  One line per check (net_inet_check.h). */
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "net_inet_check.h"

#define MIB (1024 * 1024)

static socklen_t alen(int f) { return f == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6); }

static void names(int f)
{
	struct sockaddr_storage ls, cs, ap, cp, as;
	socklen_t n;
	int l = listener(f, &ls);
	int c = socket(f, SOCK_STREAM, 0);

	n = sizeof cs;
	getsockname(c, (void *)&cs, &n);
	printf("unbound name: %s\n", addr_str(&cs));
	check("connect", connect(c, (void *)&ls, alen(f)));
	n = sizeof ap;
	int a = accept(l, (void *)&ap, &n);
	check("accept", a);
	n = sizeof cs;
	getsockname(c, (void *)&cs, &n);
	n = sizeof cp;
	getpeername(c, (void *)&cp, &n);
	n = sizeof as;
	getsockname(a, (void *)&as, &n);
	printf("client name: %s\n", addr_str(&cs));
	printf("accept peer matches client: %d\n", !memcmp(&ap, &cs, alen(f)));
	printf("client peer matches listener: %d\n", !memcmp(&cp, &ls, alen(f)));
	printf("accepted name matches listener: %d\n", !memcmp(&as, &ls, alen(f)));
	check("connect again", connect(c, (void *)&ls, alen(f)));
	n = sizeof cp;
	check("listener getpeername", getpeername(l, (void *)&cp, &n));
	close(a);
	close(c);
	close(l);
}

static void refused_and_nonblocking(int f)
{
	struct sockaddr_storage ss;
	socklen_t n = loopback(f, 0, &ss);
	int b = socket(f, SOCK_STREAM, 0);

	bind(b, (void *)&ss, n);	/* a port in use, nobody listening */
	n = sizeof ss;
	getsockname(b, (void *)&ss, &n);
	int c = socket(f, SOCK_STREAM, 0);
	check("connect to a closed port", connect(c, (void *)&ss, alen(f)));
	close(c);

	c = socket(f, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check("non-blocking connect to a closed port", connect(c, (void *)&ss, alen(f)));
	struct pollfd p = { c, POLLOUT, 0 };
	poll(&p, 1, 5000);
	printf("poll: out %d err %d hup %d\n", !!(p.revents & POLLOUT), !!(p.revents & POLLERR),
	       !!(p.revents & POLLHUP));
	int err = -1;
	n = sizeof err;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &n);
	printf("SO_ERROR: %s\n", err ? errname(err) : "0");
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &n);
	printf("SO_ERROR again: %d\n", err);
	close(c);
	close(b);

	int l = listener(f, &ss);
	c = socket(f, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check("non-blocking connect", connect(c, (void *)&ss, alen(f)));
	p = (struct pollfd){ c, POLLOUT, 0 };
	poll(&p, 1, 5000);
	printf("poll: out %d err %d\n", !!(p.revents & POLLOUT), !!(p.revents & POLLERR));
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &n);
	printf("SO_ERROR: %d\n", err);
	check("connect after completion", connect(c, (void *)&ss, alen(f)));
	check("connect once more", connect(c, (void *)&ss, alen(f)));
	char buf[4];
	check("recv with nothing sent", recv(c, buf, sizeof buf, 0));
	int a = accept(l, NULL, NULL);
	check("accept", a);
	close(a);
	close(c);
	close(l);
}

struct echo {
	int fd;
	long n;
};

static void *echo_server(void *arg)
{
	struct echo *e = arg;
	char *buf = malloc(65536);
	long r;

	while ((r = read(e->fd, buf, 65536)) > 0)
		for (long off = 0; off < r;) {
			long w = write(e->fd, buf + off, r - off);
			if (w <= 0)
				return NULL;
			off += w;
		}
	e->n = r;
	close(e->fd);
	free(buf);
	return NULL;
}

static void *writer(void *arg)
{
	struct echo *e = arg;
	unsigned char *buf = malloc(MIB);

	for (long i = 0; i < MIB; i++)
		buf[i] = (unsigned char)(i * 7 + i / 4096);
	e->n = write(e->fd, buf, MIB);
	shutdown(e->fd, SHUT_WR);
	free(buf);
	return NULL;
}

static void echo_mib(int f)
{
	int c, a;
	pthread_t ts, tw;

	if (tcp_pair(f, &c, &a) < 0) {
		printf("pair: %s\n", errname(errno));
		return;
	}
	struct echo server = { a, 0 }, wr = { c, 0 };
	pthread_create(&ts, NULL, echo_server, &server);
	pthread_create(&tw, NULL, writer, &wr);
	unsigned char *buf = malloc(65536);
	long total = 0, bad = 0, r;
	while ((r = read(c, buf, 65536)) > 0) {
		for (long i = 0; i < r; i++)
			bad += buf[i] != (unsigned char)((total + i) * 7 + (total + i) / 4096);
		total += r;
	}
	pthread_join(tw, NULL);
	pthread_join(ts, NULL);
	printf("echo: wrote %ld, read back %ld, wrong %ld, last read %ld, server saw EOF %d\n",
	       wr.n, total, bad, r, server.n == 0);
	free(buf);
	close(c);
}

/* A send from a buffer with a hole in it sends some of what comes before
 * the hole, or fails with EFAULT (how much depends on how the kernel
 * copies: Linux drops the piece that straddles the hole, and over its
 * loopback that is all of it), and nothing after it; the peer gets exactly
 * what send counted.  A send from no mapped memory at all, long or short,
 * fails with EFAULT. */
static void send_faults(int f)
{
	int c, a;

	if (tcp_pair(f, &c, &a) < 0) {
		printf("pair: %s\n", errname(errno));
		return;
	}
	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 'f', 2 * 4096);
	munmap(m + 2 * 4096, 4096);
	long r = send(c, m, 3 * 4096, 0);
	int e = errno;
	shutdown(c, SHUT_WR);
	char buf[4096];
	long got = 0, n, bad = 0;
	while ((n = read(a, buf, sizeof buf)) > 0) {
		for (long i = 0; i < n; i++)
			bad += buf[i] != 'f';
		got += n;
	}
	printf("send over a hole: peer got what send counted %d, none past the hole %d, wrong %ld\n",
	       r < 0 ? got == 0 && e == EFAULT : got == r, r <= 2 * 4096, bad);
	close(c);
	close(a);
	if (tcp_pair(f, &c, &a) < 0)
		return;
	r = send(c, m + 2 * 4096, 4096, 0);
	printf("send from a hole: %s\n", r < 0 ? errname(errno) : "sent");
	r = send(c, m + 2 * 4096, 100, 0);
	printf("send 100 bytes from a hole: %s\n", r < 0 ? errname(errno) : "sent");
	close(c);
	close(a);
	munmap(m, 2 * 4096);
}

static void *late_cd(void *arg)
{
	usleep(50000);
	send(*(int *)arg, "cd", 2, 0);
	return NULL;
}

static void peek_waitall_fionread(int f)
{
	int c, a, v = -1;
	long r;
	char buf[16] = { 0 };
	pthread_t t;

	tcp_pair(f, &c, &a);
	send(a, "hello", 5, 0);
	struct pollfd p = { c, POLLIN, 0 };
	poll(&p, 1, 5000);
	r = ioctl(c, FIONREAD, &v);
	value("FIONREAD", r, v);
	r = recv(c, buf, sizeof buf, MSG_PEEK);
	printf("peek: %ld %.5s\n", r, buf);
	memset(buf, 0, sizeof buf);
	r = recv(c, buf, 3, 0);
	printf("recv 3: %ld %.3s\n", r, buf);
	r = recv(c, buf, sizeof buf, 0);
	printf("recv rest: %ld %.2s\n", r, buf);
	check("recv MSG_DONTWAIT on empty", recv(c, buf, sizeof buf, MSG_DONTWAIT));
	r = ioctl(c, FIONREAD, &v);
	value("FIONREAD empty", r, v);
	send(a, "ab", 2, 0);
	pthread_create(&t, NULL, late_cd, &a);
	memset(buf, 0, sizeof buf);
	r = recv(c, buf, 4, MSG_WAITALL);
	printf("waitall: %ld %.4s\n", r, buf);
	pthread_join(t, NULL);

	check("shutdown SHUT_WR", shutdown(c, SHUT_WR));
	num("server reads EOF", recv(a, buf, sizeof buf, 0));
	num("server still sends", send(a, "xy", 2, 0));
	num("client still reads", recv(c, buf, sizeof buf, 0));
	check("client send after SHUT_WR", send(c, "z", 1, MSG_NOSIGNAL));
	close(a);
	num("client reads EOF", recv(c, buf, sizeof buf, 0));
	num("and again", recv(c, buf, sizeof buf, 0));
	p = (struct pollfd){ c, POLLIN | POLLOUT | POLLRDHUP, 0 };
	poll(&p, 1, 0);
	printf("poll after EOF: in %d rdhup %d hup %d\n", !!(p.revents & POLLIN),
	       !!(p.revents & POLLRDHUP), !!(p.revents & POLLHUP));
	close(c);
}

/* A server that read a small request whole and closes ends the stream
 * with FIN: the client reads its answer, then EOF.  (amphi gives read
 * bytes back to lwIP's window in steps; lwIP sends a reset for a
 * connection closed with its window not whole.) */
static void close_after_reading(int f)
{
	int c, a;
	char buf[16] = { 0 };

	tcp_pair(f, &c, &a);
	send(c, "request", 7, 0);
	num("server reads the request", recv(a, buf, sizeof buf, 0));
	send(a, "answer", 6, 0);
	close(a);
	num("client reads the answer", recv(c, buf, sizeof buf, 0));
	num("client reads EOF, no reset", recv(c, buf, sizeof buf, 0));
	close(c);
}

static void linger_reset(int f)
{
	int c, a;
	char buf[8];
	struct linger l = { 1, 0 };

	tcp_pair(f, &c, &a);
	check("SO_LINGER 0", setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l));
	close(c);
	struct pollfd p = { a, POLLIN, 0 };
	poll(&p, 1, 5000);
	printf("poll after reset: in %d err %d hup %d\n", !!(p.revents & POLLIN),
	       !!(p.revents & POLLERR), !!(p.revents & POLLHUP));
	check("recv after reset", recv(a, buf, sizeof buf, 0));
	check("recv again", recv(a, buf, sizeof buf, 0));
	check("send after reset", send(a, "x", 1, MSG_NOSIGNAL));
	close(a);
}

static void opt(int s, int level, int name, const char *what)
{
	int v = -1;
	socklen_t n = sizeof v;
	long r = getsockopt(s, level, name, &v, &n);
	value(what, r, v);
}

static void options(int f)
{
	int s = socket(f, SOCK_STREAM, 0), one = 1, v;
	struct sockaddr_storage ss;
	struct linger l = { 1, 5 };
	socklen_t n;

	opt(s, SOL_SOCKET, SO_TYPE, "SO_TYPE");
	opt(s, SOL_SOCKET, SO_ERROR, "SO_ERROR");
	opt(s, SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN");
	opt(s, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	opt(s, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY set");
	opt(s, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
	setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	opt(s, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE set");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	opt(s, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR set");
	setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	opt(s, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT set");
	opt(s, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE");
	v = 30;
	setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v);
	opt(s, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE set");
	opt(s, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL");
	opt(s, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT");
	v = 0;
	check("TCP_KEEPCNT 0", setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v));
	v = 65536;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	opt(s, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF set 65536");
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	opt(s, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF set 65536");
	setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	memset(&l, 0, sizeof l);
	n = sizeof l;
	getsockopt(s, SOL_SOCKET, SO_LINGER, &l, &n);
	printf("SO_LINGER: %d %d len %u\n", l.l_onoff, l.l_linger, n);
	n = sizeof v;
	check("unknown option", getsockopt(s, SOL_SOCKET, 9999, &v, &n));
	check("unknown level", setsockopt(s, 277, 1, &one, sizeof one));
	check("short option", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, 2));
	if (f == AF_INET6)
		opt(s, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY");
	char buf[4];
	check("recv unconnected", recv(s, buf, sizeof buf, 0));
	check("send unconnected", send(s, buf, sizeof buf, MSG_NOSIGNAL));
	check("shutdown unconnected", shutdown(s, SHUT_RDWR));
	check("accept unlistened", accept(s, NULL, NULL));
	int l2 = listener(f, &ss);
	opt(l2, SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN listening");
	n = loopback(f, port_of(&ss), &ss);
	check("bind a used port", bind(s, (void *)&ss, n));
	close(l2);
	close(s);
}

int main(void)
{
	int fams[2] = { AF_INET, AF_INET6 };

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < 2; i++) {
		printf("== %s\n", fams[i] == AF_INET ? "IPv4" : "IPv6");
		names(fams[i]);
		refused_and_nonblocking(fams[i]);
		echo_mib(fams[i]);
		send_faults(fams[i]);
		peek_waitall_fionread(fams[i]);
		close_after_reading(fams[i]);
		linger_reset(fams[i]);
		options(fams[i]);
	}
	return 0;
}
