/* A TCP echo server for many concurrent clients: one thread, epoll,
 * non-blocking sockets.
 *
 *   net_echo [-6] PORT
 *
 * Every byte a client sends comes back to it, in order.  A client that
 * shuts its side down gets the rest of its bytes, then the connection is
 * closed.  Each connection buffers at most BUF bytes: while that is full
 * the server stops reading from it (the client's sends block), so memory
 * stays bounded whatever the clients do.  Prints "net_echo: listening on
 * port PORT" once listening. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF		65536
#define MAX_EVENTS	256

struct conn {
	int fd;
	size_t off, len;	/* pending bytes: buf[off..len) */
	int eof;		/* the client shut down its side */
	char buf[BUF];
};

static int epfd;

static void die(const char *what)
{
	fprintf(stderr, "net_echo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c);
}

/* Read while there is room and the client has not shut down; write while
 * bytes are pending. */
static int conn_watch(struct conn *c, int op)
{
	struct epoll_event ev = { .data.ptr = c };

	if (c->len < BUF && !c->eof)
		ev.events |= EPOLLIN;
	if (c->off < c->len)
		ev.events |= EPOLLOUT;
	return epoll_ctl(epfd, op, c->fd, &ev);
}

/* 0 to go on, -1 to close. */
static int pump(struct conn *c)
{
	for (;;) {
		if (c->off < c->len) {
			ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			c->off += (size_t)n;
			if (c->off == c->len)
				c->off = c->len = 0;
			continue;
		}
		if (c->eof)
			return -1;	/* all echoed */
		ssize_t n = read(c->fd, c->buf + c->len, BUF - c->len);
		if (n == 0)
			c->eof = 1;
		else if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		else
			c->len += (size_t)n;
	}
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct conn *c = malloc(sizeof *c);
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->off = c->len = 0;
		c->eof = 0;
		if (conn_watch(c, EPOLL_CTL_ADD) < 0)
			conn_close(c);
	}
}

static int listen_on(int port, int v6)
{
	int one = 1, zero = 0;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	if (v6 ? bind(fd, (struct sockaddr *)&a6, sizeof a6) : bind(fd, (struct sockaddr *)&a4, sizeof a4))
		die("bind");
	if (listen(fd, 1024) < 0)
		die("listen");
	return fd;
}

int main(int argc, char **argv)
{
	int v6 = argc > 1 && !strcmp(argv[1], "-6");
	argv += v6;
	argc -= v6;
	if (argc != 2 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: net_echo [-6] PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	int lfd = listen_on(atoi(argv[1]), v6);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll");
	printf("net_echo: listening on port %s\n", argv[1]);
	fflush(stdout);
	struct epoll_event evs[MAX_EVENTS];
	for (;;) {
		int n = epoll_wait(epfd, evs, MAX_EVENTS, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c)
				accept_all(lfd);
			else if (pump(c) < 0 || conn_watch(c, EPOLL_CTL_MOD) < 0)
				conn_close(c);
		}
	}
}
