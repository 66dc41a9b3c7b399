/* listen()'s backlog as Linux honours it, up to net.core.somaxconn: a
 * listener with a backlog of 1000 lets 600 clients on loopback finish
 * their handshakes before it accepts any, over IPv4 and IPv6; then it
 * accepts them all.  Prints the steps; compared with Linux's transcript.
 *
 *	net_backlog		prints "somaxconn: 4096", the counts, "net_backlog ok" */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLIENTS	600
#define BACKLOG	1000

static int clients[CLIENTS];

static int listener(int v6, struct sockaddr_storage *addr, socklen_t *len)
{
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };

	if (v6)
		memcpy(addr, &a6, *len = sizeof a6);
	else
		memcpy(addr, &a4, *len = sizeof a4);
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, *len) || listen(fd, BACKLOG) ||
	    getsockname(fd, (struct sockaddr *)addr, len)) {
		printf("FAIL: listener: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/* How many of the clients' connects completed within a few seconds,
 * nothing accepted meanwhile. */
static int connect_all(const struct sockaddr_storage *addr, socklen_t len)
{
	static struct pollfd p[CLIENTS];
	int done = 0;

	for (int i = 0; i < CLIENTS; i++) {
		clients[i] = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (clients[i] < 0 || (connect(clients[i], (const struct sockaddr *)addr, len) &&
				       errno != EINPROGRESS)) {
			printf("FAIL: client %d: %s\n", i, strerror(errno));
			exit(1);
		}
		p[i] = (struct pollfd){ clients[i], POLLOUT, 0 };
	}
	for (int round = 0; round < 50 && done < CLIENTS; round++) {
		poll(p, CLIENTS, 100);
		done = 0;
		for (int i = 0; i < CLIENTS; i++) {
			int err = 0;
			socklen_t l = sizeof err;
			if ((p[i].revents & POLLOUT) && !getsockopt(clients[i], SOL_SOCKET, SO_ERROR, &err, &l) &&
			    !err)
				done++;
		}
	}
	return done;
}

static int accept_all(int lfd)
{
	int n = 0, fd;

	fcntl(lfd, F_SETFL, O_NONBLOCK);
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

int main(void)
{
	struct rlimit r = { 4096, 4096 };
	char buf[32] = "";

	setrlimit(RLIMIT_NOFILE, &r);
	int f = open("/proc/sys/net/core/somaxconn", O_RDONLY);
	if (f < 0 || read(f, buf, sizeof buf - 1) <= 0)
		printf("FAIL: somaxconn: %s\n", strerror(errno));
	printf("somaxconn: %s", buf);
	for (int v6 = 0; v6 < 2; v6++) {
		struct sockaddr_storage addr;
		socklen_t len;
		int lfd = listener(v6, &addr, &len);
		printf("IPv%d: %d of %d connected before any accept\n", v6 ? 6 : 4,
		       connect_all(&addr, len), CLIENTS);
		printf("IPv%d: accepted %d\n", v6 ? 6 : 4, accept_all(lfd));
		for (int i = 0; i < CLIENTS; i++)
			close(clients[i]);
		close(lfd);
	}
	printf("net_backlog ok\n");
	return 0;
}
