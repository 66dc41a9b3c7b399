/* Readiness of inet sockets under poll, select and epoll, mixed with a pipe
 * and an eventfd, over the loopback for IPv4 then IPv6: a pending
 * connection, POLLOUT, arriving data, edge-triggered and one-shot epoll,
 * hang-up after the peer closes, and the error after a reset.  One line
 * per check (net_inet_check.h); waits that expect nothing use timeout 0
 * or a short one, waits that expect something 5 s. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <time.h>

#include "net_inet_check.h"

#define LONG_WAIT 5000

static socklen_t alen(int f) { return f == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6); }

static int pollone(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0 };
	return poll(&p, 1, timeout) < 0 ? -1 : p.revents;
}

static const char *bits(int ev)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "in %d out %d err %d hup %d rdhup %d", !!(ev & POLLIN), !!(ev & POLLOUT),
		 !!(ev & POLLERR), !!(ev & POLLHUP), !!(ev & POLLRDHUP));
	return buf;
}

/* Until every one of n fds has POLLIN, or LONG_WAIT passes: whether they
 * all did (data written to several fds arrives at its own pace). */
static int all_readable(struct pollfd *p, int n)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (t = t0; (t.tv_sec - t0.tv_sec) * 1000 < LONG_WAIT; clock_gettime(CLOCK_MONOTONIC, &t)) {
		int ready = 0;
		for (int i = 0; i < n; i++)
			p[i].revents = 0;
		poll(p, n, 10);
		for (int i = 0; i < n; i++)
			ready += !!(p[i].revents & POLLIN);
		if (ready == n)
			return 1;
	}
	return 0;
}

static void listener_ready(int f)
{
	struct sockaddr_storage ss;
	int l = listener(f, &ss);
	fd_set rd;
	struct timeval tv = { 0, 0 };

	printf("listener, nothing pending: %s\n", bits(pollone(l, POLLIN | POLLOUT, 0)));
	int c = socket(f, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check("non-blocking connect", connect(c, (void *)&ss, alen(f)));
	printf("listener, one pending: %s\n", bits(pollone(l, POLLIN, LONG_WAIT)));
	FD_ZERO(&rd);
	FD_SET(l, &rd);
	num("select on the listener", select(l + 1, &rd, NULL, NULL, &tv));
	printf("listener in the set: %d\n", FD_ISSET(l, &rd));

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 }, out[4];
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	int n = epoll_wait(ep, out, 4, LONG_WAIT);
	printf("epoll on the listener: %d data %u in %d\n", n, n > 0 ? out[0].data.u32 : 0,
	       n > 0 && (out[0].events & EPOLLIN));
	int a = accept(l, NULL, NULL);
	check("accept", a);
	num("epoll after accept", epoll_wait(ep, out, 4, 0));
	printf("connected client: %s\n", bits(pollone(c, POLLIN | POLLOUT, LONG_WAIT)));
	fd_set wr;
	FD_ZERO(&wr);
	FD_SET(c, &wr);
	num("select for writing", select(c + 1, NULL, &wr, NULL, &tv));
	close(ep);
	close(a);
	close(c);
	close(l);
}

/* A TCP client, a UDP socket, a pipe and an eventfd, each given data. */
static void mixed(int f)
{
	int c, a, pfd[2], efd = eventfd(0, EFD_NONBLOCK);
	struct sockaddr_storage us;
	int u = socket(f, SOCK_DGRAM, 0);
	socklen_t n = loopback(f, 0, &us);
	uint64_t one = 1;

	tcp_pair(f, &c, &a);
	bind(u, (void *)&us, n);
	n = sizeof us;
	getsockname(u, (void *)&us, &n);
	pipe(pfd);
	struct pollfd p[4] = { { c, POLLIN, 0 }, { u, POLLIN, 0 }, { pfd[0], POLLIN, 0 }, { efd, POLLIN, 0 } };
	num("poll, nothing yet", poll(p, 4, 0));
	fd_set rd;
	struct timeval tv = { 0, 0 };
	FD_ZERO(&rd);
	for (int i = 0; i < 4; i++)
		FD_SET(p[i].fd, &rd);
	int max = 0;
	for (int i = 0; i < 4; i++)
		max = p[i].fd > max ? p[i].fd : max;
	num("select, nothing yet", select(max + 1, &rd, NULL, NULL, &tv));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < 4; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 1u << i };
		epoll_ctl(ep, EPOLL_CTL_ADD, p[i].fd, &ev);
	}
	struct epoll_event out[8];
	num("epoll, nothing yet", epoll_wait(ep, out, 8, 0));

	send(a, "t", 1, 0);
	sendto(u, "u", 1, 0, (void *)&us, n);
	write(pfd[1], "p", 1);
	write(efd, &one, sizeof one);
	printf("poll, all four readable: %d\n", all_readable(p, 4));
	printf("revents: %d %d %d %d\n", p[0].revents, p[1].revents, p[2].revents, p[3].revents);
	FD_ZERO(&rd);
	for (int i = 0; i < 4; i++)
		FD_SET(p[i].fd, &rd);
	num("select", select(max + 1, &rd, NULL, NULL, &tv));
	printf("select's set: %d %d %d %d\n", FD_ISSET(c, &rd), FD_ISSET(u, &rd), FD_ISSET(pfd[0], &rd),
	       FD_ISSET(efd, &rd));
	int got = epoll_wait(ep, out, 8, 0);
	unsigned mask = 0;
	for (int i = 0; i < got; i++)
		mask |= out[i].data.u32;
	printf("epoll: %d mask %u\n", got, mask);

	char buf[8];
	recv(c, buf, sizeof buf, 0);
	recv(u, buf, sizeof buf, 0);
	read(pfd[0], buf, sizeof buf);
	read(efd, &one, sizeof one);
	num("poll after reading all", poll(p, 4, 0));
	num("epoll after reading all", epoll_wait(ep, out, 8, 0));
	printf("udp socket: %s\n", bits(pollone(u, POLLIN | POLLOUT, 0)));
	close(pfd[1]);
	printf("pipe after its writer closed: %s\n", bits(pollone(pfd[0], POLLIN, 0)));
	close(ep);
	close(pfd[0]);
	close(efd);
	close(u);
	close(c);
	close(a);
}

/* Edge-triggered: one event per arrival, none for data already reported. */
static void edge(const char *what, int rx, int tx, const struct sockaddr_storage *to, socklen_t tolen)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out[2];
	char buf[16];

	epoll_ctl(ep, EPOLL_CTL_ADD, rx, &ev);
	printf("%s ET, nothing: %d\n", what, epoll_wait(ep, out, 2, 0));
	sendto(tx, "a", 1, 0, (void *)to, tolen);
	printf("%s ET, first arrival: %d\n", what, epoll_wait(ep, out, 2, LONG_WAIT));
	printf("%s ET, not drained, nothing new: %d\n", what, epoll_wait(ep, out, 2, 0));
	sendto(tx, "b", 1, 0, (void *)to, tolen);
	printf("%s ET, second arrival: %d\n", what, epoll_wait(ep, out, 2, LONG_WAIT));
	while (recv(rx, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	printf("%s ET, drained: %d\n", what, epoll_wait(ep, out, 2, 0));
	sendto(tx, "c", 1, 0, (void *)to, tolen);
	printf("%s ET, third arrival: %d\n", what, epoll_wait(ep, out, 2, LONG_WAIT));
	printf("%s ET, and then: %d\n", what, epoll_wait(ep, out, 2, 0));
	recv(rx, buf, sizeof buf, MSG_DONTWAIT);
	close(ep);
}

static void oneshot(int rx, int tx)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT }, out[2];
	char buf[16];

	epoll_ctl(ep, EPOLL_CTL_ADD, rx, &ev);
	send(tx, "a", 1, 0);
	num("ONESHOT first", epoll_wait(ep, out, 2, LONG_WAIT));
	num("ONESHOT disarmed", epoll_wait(ep, out, 2, 0));
	send(tx, "b", 1, 0);
	num("ONESHOT disarmed, more data", epoll_wait(ep, out, 2, 100));
	check("EPOLL_CTL_MOD", epoll_ctl(ep, EPOLL_CTL_MOD, rx, &ev));
	num("ONESHOT rearmed", epoll_wait(ep, out, 2, 0));
	num("ONESHOT once again", epoll_wait(ep, out, 2, 0));
	check("ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, rx, &ev));
	while (recv(rx, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	close(ep);
}

static void edges(int f)
{
	int c, a;
	struct sockaddr_storage us;
	int u = socket(f, SOCK_DGRAM, 0), v = socket(f, SOCK_DGRAM, 0);
	socklen_t n = loopback(f, 0, &us);

	tcp_pair(f, &c, &a);
	edge("tcp", c, a, NULL, 0);
	bind(u, (void *)&us, n);
	n = sizeof us;
	getsockname(u, (void *)&us, &n);
	edge("udp", u, v, &us, n);
	oneshot(c, a);
	close(u);
	close(v);
	close(c);
	close(a);
}

static int epoll_events(int fd, unsigned events)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = events }, out;

	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	int n = epoll_wait(ep, &out, 1, LONG_WAIT);
	close(ep);
	return n == 1 ? (int)out.events : 0;
}

static void hangups(int f)
{
	int c, a;
	char buf[8];

	tcp_pair(f, &c, &a);
	close(a);
	printf("peer closed: %s\n", bits(pollone(c, POLLIN | POLLRDHUP, LONG_WAIT)));
	printf("peer closed, epoll: %s\n", bits(epoll_events(c, EPOLLIN | EPOLLRDHUP)));
	printf("peer closed, without RDHUP asked: %s\n", bits(pollone(c, POLLIN, 0)));
	num("read EOF", recv(c, buf, sizeof buf, 0));
	shutdown(c, SHUT_WR);
	printf("and we shut down too: %s\n", bits(pollone(c, POLLIN | POLLRDHUP, LONG_WAIT)));
	close(c);

	struct linger l = { 1, 0 };
	tcp_pair(f, &c, &a);
	setsockopt(a, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(a);
	printf("reset, epoll asking only EPOLLIN: %s\n", bits(epoll_events(c, EPOLLIN)));
	printf("reset, poll asking nothing: %s\n", bits(pollone(c, 0, 0)));
	fd_set ex, rd;
	struct timeval tv = { 0, 0 };
	FD_ZERO(&rd);
	FD_ZERO(&ex);
	FD_SET(c, &rd);
	FD_SET(c, &ex);
	num("reset, select", select(c + 1, &rd, NULL, &ex, &tv));
	printf("reset, select's sets: read %d except %d\n", FD_ISSET(c, &rd), FD_ISSET(c, &ex));
	check("recv after reset", recv(c, buf, sizeof buf, 0));
	printf("error taken: %s\n", bits(pollone(c, POLLIN | POLLOUT, 0)));
	close(c);
}

int main(void)
{
	int fams[2] = { AF_INET, AF_INET6 };

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < 2; i++) {
		printf("== %s\n", fams[i] == AF_INET ? "IPv4" : "IPv6");
		listener_ready(fams[i]);
		mixed(fams[i]);
		edges(fams[i]);
		hangups(fams[i]);
	}
	return 0;
}
