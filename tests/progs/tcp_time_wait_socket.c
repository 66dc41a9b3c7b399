/* A TCP socket whose connection ends in TIME-WAIT while the program still
 * holds it, unread (tests/vm/test_tcp_time_wait_socket.py):
 *
 *   tcp_time_wait_socket reopen|expire|linger ROUNDS
 *
 * Each round connects to a listener of its own on 127.0.0.1, shuts the
 * accepted end's sending side first and lets the client close: the
 * accepted end is in TIME-WAIT, its end of the stream not yet read.  Then
 * lwIP frees that connection while the socket still points at it:
 *
 *   reopen  the client connects again from the same port, and its SYN
 *           takes the connection over from TIME-WAIT (RFC 1122 4.2.2.13);
 *   expire  TIME-WAIT runs out (the kernel runs with a short MSL,
 *           amphi.tcp_msl=MS), and a fresh connection is made;
 *   linger  the program closes the socket with SO_LINGER 0, which aborts
 *           the connection in TIME-WAIT.
 *
 * Only then (linger: at once) does the program read the old socket's end
 * and close it.  The read must say 0 and the close succeed, and a new
 * connection must carry bytes both ways: the old socket used to work on
 * the freed connection, which lwIP had most likely handed to the new one,
 * and linger's close freed it a second time.
 * Prints "ok ROUNDS"; exit 1 with one line on stderr otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fail(int round, const char *what)
{
	fprintf(stderr, "tcp_time_wait_socket: round %d: %s: %s\n", round, what,
		strerror(errno));
	return 1;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* A client from 127.0.0.1:*port (0: any, and *port says which), connected
 * to the listener; the accepted end in *peer. */
static int connect_from(int lfd, const struct sockaddr_in *to, unsigned short *port, int *peer)
{
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(*port) };
	socklen_t len = sizeof from;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	from.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&from, sizeof from) < 0 ||
	    connect(fd, (const struct sockaddr *)to, sizeof *to) < 0 ||
	    getsockname(fd, (struct sockaddr *)&from, &len) < 0)
		return -1;
	*port = ntohs(from.sin_port);
	*peer = accept(lfd, NULL, NULL);
	return *peer < 0 ? -1 : fd;
}

/* One byte each way over a connection. */
static int carries_bytes(int a, int b)
{
	char c = 0;

	if (write(a, "x", 1) != 1 || read(b, &c, 1) != 1 || c != 'x')
		return 0;
	if (write(b, "y", 1) != 1 || read(a, &c, 1) != 1 || c != 'y')
		return 0;
	return 1;
}

/* Shuts old_peer's side of its connection to fd first, then lets fd
 * close: old_peer's connection is in TIME-WAIT, its end not yet read. */
static int into_time_wait(int fd, int old_peer, int round)
{
	char c;

	if (shutdown(old_peer, SHUT_WR) < 0)
		return fail(round, "shutdown of the accepted end");
	if (read(fd, &c, 1) != 0)
		return fail(round, "client's read of the end");
	if (close(fd) < 0)
		return fail(round, "client's close");
	sleep_ms(50);		/* the client's FIN is in: TIME-WAIT */
	return 0;
}

/* The old socket's end, read and closed; with SO_LINGER 0 (linger) it is
 * closed unread, which aborts the connection. */
static int end_old(int old_peer, int linger, int round)
{
	struct linger off = { 1, 0 };
	char c;

	if (linger) {
		if (setsockopt(old_peer, SOL_SOCKET, SO_LINGER, &off, sizeof off) < 0)
			return fail(round, "SO_LINGER");
	} else {
		ssize_t n = read(old_peer, &c, 1);
		if (n != 0) {
			if (n > 0)
				errno = EPROTO;
			return fail(round, "read of the old end");
		}
	}
	if (close(old_peer) < 0)
		return fail(round, "close of the old end");
	return 0;
}

static int one_round(int lfd, const struct sockaddr_in *addr, const char *mode, int round)
{
	unsigned short port = 0;
	int old_peer, new_peer;
	int linger = strcmp(mode, "linger") == 0;

	int fd = connect_from(lfd, addr, &port, &old_peer);
	if (fd < 0)
		return fail(round, "first connection");
	if (into_time_wait(fd, old_peer, round))
		return 1;
	if (linger && end_old(old_peer, linger, round))
		return 1;
	if (strcmp(mode, "reopen") != 0) {
		if (strcmp(mode, "expire") == 0)
			sleep_ms(1000);	/* past 2 MSL and the next slow tick */
		port = 0;
	}
	fd = connect_from(lfd, addr, &port, &new_peer);
	if (fd < 0)
		return fail(round, "second connection");
	if (!linger && end_old(old_peer, linger, round))
		return 1;
	errno = 0;
	if (!carries_bytes(fd, new_peer)) {
		if (errno == 0)
			errno = EPROTO;
		return fail(round, "bytes over the new connection");
	}
	if (close(fd) < 0 || close(new_peer) < 0)
		return fail(round, "close of the new connection");
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof addr;
	const char *mode = argc > 1 ? argv[1] : "";
	int rounds = argc > 2 ? atoi(argv[2]) : 4;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	if (strcmp(mode, "reopen") && strcmp(mode, "expire") && strcmp(mode, "linger")) {
		fprintf(stderr, "usage: tcp_time_wait_socket reopen|expire|linger [ROUNDS]\n");
		return 2;
	}
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len) < 0)
		return fail(-1, "listener");
	for (int round = 0; round < rounds; round++)
		if (one_round(lfd, &addr, mode, round))
			return 1;
	printf("ok %d\n", rounds);
	return 0;
}
