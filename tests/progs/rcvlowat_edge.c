/* SO_RCVLOWAT on TCP at its edges, as Linux's tcp_recvmsg, tcp_poll and
 * tcp_set_rcvlowat give them: a peek waits for the low mark as a read
 * does (and MSG_PEEK|MSG_WAITALL for the whole length), poll() says
 * readable only from the mark on, and the mark is at most half of a
 * receive buffer set with SO_RCVBUF; an AF_UNIX stream read waits for
 * it too (a peek there does not).  The peer writes 5 bytes, then 5
 * more 0.3 s later; what a reader sees does not depend on the timing. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* A connection whose peer (a child) writes 5, then 5 more, then closes. */
static int connection(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&a, &alen);
	if (fork() == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		char ack;
		connect(c, (struct sockaddr *)&a, sizeof a);
		write(c, "12345", 5);
		read(c, &ack, 1);	/* the reader has looked */
		usleep(300 * 1000);
		write(c, "67890", 5);
		read(c, &ack, 1);
		_exit(0);
	}
	int c = accept(l, NULL, NULL);
	close(l);
	return c;
}

static void set_lowat(int c, int v)
{
	setsockopt(c, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v);
}

/* The first 5 bytes are there once a peek without a mark sees them. */
static void first_five(int c)
{
	char buf[16];

	while (recv(c, buf, sizeof buf, MSG_PEEK) < 5)
		usleep(10 * 1000);
}

static void finish(int c)
{
	write(c, "x", 1);
	close(c);
	wait(NULL);
}

static void peek(const char *what, int lowat, int flags)
{
	int c = connection();
	char buf[16] = { 0 };

	first_five(c);
	set_lowat(c, lowat);
	struct pollfd p = { .fd = c, .events = POLLIN };
	int ready = poll(&p, 1, 0);
	write(c, "k", 1);
	long n = recv(c, buf, 10, flags);
	printf("%s: poll %d, got %ld \"%s\"\n", what, ready, n, n > 0 ? buf : "");
	finish(c);
}

/* AF_UNIX stream reads under SO_RCVLOWAT (unix_stream_read_generic's
 * target): a read waits for the mark; a peek or a non-blocking read takes
 * what is there. */
static void unix_stream(const char *what, int lowat, int flags)
{
	int sv[2];
	char buf[16] = { 0 }, ack;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if (fork() == 0) {
		close(sv[0]);
		write(sv[1], "12345", 5);
		read(sv[1], &ack, 1);
		usleep(300 * 1000);
		write(sv[1], "67890", 5);
		read(sv[1], &ack, 1);
		_exit(0);
	}
	close(sv[1]);
	first_five(sv[0]);
	set_lowat(sv[0], lowat);
	write(sv[0], "k", 1);
	long n = recv(sv[0], buf, 10, flags);
	printf("unix %s: got %ld \"%s\"\n", what, n, n > 0 ? buf : "");
	finish(sv[0]);
}

static void rcvbuf_cap(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), v = 4096, got = 0;
	socklen_t len = sizeof got;

	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	set_lowat(s, 100000);
	getsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &got, &len);
	printf("rcvbuf 4096, rcvlowat 100000: %d\n", got);
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	peek("lowat 10, peek", 10, MSG_PEEK);
	peek("lowat 1, peek|waitall", 1, MSG_PEEK | MSG_WAITALL);
	peek("lowat 10, peek, dontwait", 10, MSG_PEEK | MSG_DONTWAIT);
	peek("lowat 3, peek", 3, MSG_PEEK);
	rcvbuf_cap();
	unix_stream("lowat 10, read", 10, 0);
	unix_stream("lowat 10, peek", 10, MSG_PEEK);
	unix_stream("lowat 10, dontwait", 10, MSG_DONTWAIT);
	return 0;
}
