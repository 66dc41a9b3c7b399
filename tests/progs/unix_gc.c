/* Descriptors in flight over AF_UNIX.
 *
 * unix_gc cycles [ROUNDS]: sockets that only cycles of in-flight messages
 * hold must be freed (ROUNDS, default 25000, of each kind of cycle: in
 * 32 MiB a kernel that never frees them runs out in fewer); a socket still
 * reachable keeps its data; afterwards the kernel still works.  The same
 * lines under Linux (as root: Linux collects in the background, and an
 * unprivileged user would meet its in-flight limit first).
 *
 * unix_gc limit: more descriptors in flight than RLIMIT_NOFILE give
 * ETOOMANYREFS, and closing the receiver lets them fly again.  The same
 * lines under Linux as an unprivileged user with amphi's descriptor limit
 * (root is exempt there; in amphi nobody is, as nothing else would bound
 * the memory they hold):
 *   (ulimit -n 1024; setpriv --reuid=nobody --regid=nogroup --clear-groups \
 *    build/progs/unix_gc limit) */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "still_works.h"

static void fail(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int send_fds(int sock, const int *fds, int n, const char *data)
{
	char ctl[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &m, 0) < 0 ? -1 : 0;
}

/* Receives one message with one descriptor: the descriptor, or -1. */
static int recv_fd(int sock, char *data, size_t len)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { data, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof ctl };
	int fd = -1;

	if (recvmsg(sock, &m, 0) < 0)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static void pair(int type, int sv[2])
{
	if (socketpair(AF_UNIX, type, 0, sv))
		fail("socketpair");
}

/* A pair sent into its own queue, then closed. */
static void self_cycle(int type)
{
	int sv[2];

	pair(type, sv);
	if (send_fds(sv[0], sv, 2, "x"))
		fail("sending a pair into itself");
	close(sv[0]);
	close(sv[1]);
}

/* Two pairs, each in the other's queue. */
static void cross_cycle(void)
{
	int a[2], b[2];

	pair(SOCK_STREAM, a);
	pair(SOCK_STREAM, b);
	if (send_fds(a[0], &b[1], 1, "a") || send_fds(b[0], &a[1], 1, "b"))
		fail("sending pairs into each other");
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* A listener whose unaccepted connection holds the listener itself. */
static void listener_cycle(int i)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);

	/* Abstract names: nothing left in the file system. */
	snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "unix_gc.%d.%d", getpid(), i);
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa.sun_path + 1);
	if (l < 0 || c < 0 || bind(l, (void *)&sa, len) || listen(l, 1) ||
	    connect(c, (void *)&sa, len))
		fail("listener");
	if (send_fds(c, &l, 1, "l"))
		fail("sending the listener to its own connection");
	close(l);
	close(c);
}

static void cycles(long rounds)
{
	for (long i = 0; i < rounds; i++)
		self_cycle(SOCK_STREAM);
	printf("stream pairs in their own queues: %ld freed\n", rounds);
	for (long i = 0; i < rounds; i++)
		self_cycle(SOCK_DGRAM);
	printf("datagram pairs in their own queues: %ld freed\n", rounds);
	for (long i = 0; i < rounds / 2; i++)
		cross_cycle();
	printf("pairs in each other's queues: %ld freed\n", rounds / 2);
	for (long i = 0; i < rounds / 10; i++)
		listener_cycle((int)i);
	printf("listeners held by their connections: %ld freed\n", rounds / 10);
}

/* A socket in flight in a live socket's queue keeps its own data, however
 * many collections run meanwhile. */
static void reachable(void)
{
	int keep[2], x[2];
	char buf[16] = { 0 };

	pair(SOCK_STREAM, keep);
	pair(SOCK_STREAM, x);
	if (write(x[0], "kept", 4) != 4 || send_fds(keep[0], &x[1], 1, "k"))
		fail("setting up a reachable socket");
	close(x[1]);
	for (int i = 0; i < 100; i++)
		self_cycle(SOCK_STREAM);	/* collections */
	int got = recv_fd(keep[1], buf, 1);
	if (got < 0 || read(got, buf, sizeof buf) != 4 || memcmp(buf, "kept", 4))
		fail("a reachable socket lost its data");
	close(got);
	close(x[0]);
	close(keep[0]);
	close(keep[1]);
	printf("reachable socket kept its data\n");
}

/* Sends one descriptor (a socket of another pair) a message until the
 * kernel refuses; closing the receiver drops them all at once. */
static void inflight_limit(void)
{
	int sv[2], t[2], n = 0;

	pair(SOCK_DGRAM, sv);
	pair(SOCK_STREAM, t);
	int big = 4 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	while (send_fds(sv[0], &t[0], 1, "f") == 0)
		n++;
	printf("in flight until %s after %d\n", errno == ETOOMANYREFS ? "ETOOMANYREFS" : strerror(errno), n);
	close(sv[0]);
	close(sv[1]);
	pair(SOCK_DGRAM, sv);
	if (send_fds(sv[0], &t[0], 1, "again"))
		fail("sending after the limit's messages were dropped");
	close(sv[0]);
	close(sv[1]);
	close(t[0]);
	close(t[1]);
	printf("in flight again after closing\n");
}


int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "limit")) {
		inflight_limit();
	} else {
		cycles(argc > 2 ? atol(argv[2]) : 25000);
		reachable();
	}
	still_works();
	return 0;
}
