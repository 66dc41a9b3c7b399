/* Closes TCP connections whose peer closed first (tests/vm/
 * test_tcp_close_after_last_ack.py):
 *
 *   tcp_close_after_last_ack ROUNDS
 *
 * Each round connects to a listener of its own on 127.0.0.1, closes the
 * accepted end (its FIN comes to us), waits for that FIN to be in, then
 * shuts our sending side (our FIN: the connection is in LAST_ACK), reads
 * the end of the stream and closes.  The ACK of our FIN ends the
 * connection before the read on odd rounds, between the read and the
 * close on even ones.  Each read must say 0 (the end), as on Linux (it
 * said ENOTCONN), and each close must leave the kernel standing: after
 * such a read it closed lwIP's connection a second time, once the ACK had
 * freed it ("kfree of a pointer kmalloc did not return").
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
	fprintf(stderr, "tcp_close_after_last_ack: round %d: %s: %s\n", round, what,
		strerror(errno));
	return 1;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static int one_round(int lfd, const struct sockaddr_in *addr, int round)
{
	char c;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return fail(round, "socket");
	if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0)
		return fail(round, "connect");
	int peer = accept(lfd, NULL, NULL);
	if (peer < 0)
		return fail(round, "accept");
	if (close(peer) < 0)
		return fail(round, "close of the accepted end");
	sleep_ms(50);		/* its FIN comes in: CLOSE_WAIT */
	if (shutdown(fd, SHUT_WR) < 0)
		return fail(round, "shutdown");
	/* The ACK of our FIN ends the connection before the read (odd
	 * rounds) or, as a rule, after it and before the close (even). */
	if (round % 2)
		sleep_ms(50);
	ssize_t n = read(fd, &c, 1);
	if (n != 0) {
		if (n > 0)
			errno = EPROTO;
		return fail(round, "read at the end");
	}
	if (round % 2 == 0)
		sleep_ms(50);
	if (close(fd) < 0)
		return fail(round, "close");
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof addr;
	int rounds = argc > 1 ? atoi(argv[1]) : 10;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len) < 0)
		return fail(-1, "listener");
	for (int round = 0; round < rounds; round++)
		if (one_round(lfd, &addr, round))
			return 1;
	printf("ok %d\n", rounds);
	return 0;
}
