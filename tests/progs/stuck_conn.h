/* A TCP connection whose close has to wait: unsent data the peer never
 * reads, and SO_LINGER of 600 s.  Shared by the probes of lingering
 * closes (net_linger_signal, proc_exit_release, proc_fd_close_release).
 * die() prints a FAIL line and ends the program with status 1. */
#ifndef STUCK_CONN_H
#define STUCK_CONN_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINGER_SEC	600

static void die(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A listener on a free loopback port, whose address goes to *addr. */
static int listener(struct sockaddr_in *addr, int backlog)
{
	socklen_t len = sizeof *addr;

	*addr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (void *)addr, sizeof *addr) || listen(fd, backlog) ||
	    getsockname(fd, (void *)addr, &len))
		die("listener");
	return fd;
}

/* A connection to addr holding unsent data, with SO_LINGER set: written
 * until quiet_ms pass without room, so the peer's window is shut and the
 * last bytes wait unsent.  (Were everything sent, only the FIN would be
 * left, which amphi's lwIP gives up on after about 20 s of
 * retransmissions; unsent bytes keep it probing for minutes.) */
static int stuck_client(const struct sockaddr_in *addr, int quiet_ms)
{
	static char chunk[65536];
	struct linger l = { 1, LINGER_SEC };
	int c = socket(AF_INET, SOCK_STREAM, 0);

	if (c < 0 || connect(c, (const void *)addr, sizeof *addr))
		die("connect");
	fcntl(c, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p = { .fd = c, .events = POLLOUT };
		while (write(c, chunk, sizeof chunk) > 0)
			;
		if (errno != EAGAIN)
			die("filling the window");
		if (poll(&p, 1, quiet_ms) == 0)
			break;
	}
	fcntl(c, F_SETFL, 0);
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l))
		die("SO_LINGER");
	return c;
}

#endif
