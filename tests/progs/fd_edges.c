/* Edges where amphi once answered otherwise than Linux:
 * - a read of 0 bytes from an AF_UNIX stream socket with nothing queued
 *   is EAGAIN (or waits), not 0, which reads as end of file; with data
 *   queued, or after the peer closed, it is 0;
 * - a send of 0 bytes on a stream queues nothing: closing the receiver
 *   after it is no reset for the sender (who then reads end of file), and
 *   files sent with no byte are not passed;
 * - select() looks no further than the descriptor table: a set naming a
 *   descriptor past it (never opened) is not EBADF, and bits past the
 *   table are not read (a set at the very end of a page);
 * - an eventfd takes writes of exactly 8 bytes;
 * - a datagram socket shut for reading gives EAGAIN to a non-blocking
 *   receive with nothing queued, 0 to a blocking one;
 * - abstract names are per socket type: a stream and a datagram socket
 *   may bind the same, and a datagram connect to a name only a stream
 *   socket has is ECONNREFUSED (a path's is EPROTOTYPE);
 * - any AF_UNIX socket may be shut, connected or not: a listener shut for
 *   reading still gives the connections it has, refuses new ones, and
 *   ends an accept waiting in another thread (EINVAL).
 * One line per check (Linux's transcript in the test), "fd_edges done". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, r);
}

static void zero_reads(void)
{
	int sv[2];
	char b[8];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	show("recv 0 bytes, nothing queued", recv(sv[0], b, 0, MSG_DONTWAIT));
	show("read 0 bytes, nothing queued (non-blocking)", (fcntl(sv[0], F_SETFL, O_NONBLOCK), read(sv[0], b, 0)));
	send(sv[1], "ab", 2, 0);
	show("recv 0 bytes, 2 queued", recv(sv[0], b, 0, MSG_DONTWAIT));
	show("recv 8 bytes", recv(sv[0], b, sizeof b, MSG_DONTWAIT));
	close(sv[1]);
	show("recv 0 bytes after the peer closed", recv(sv[0], b, 0, MSG_DONTWAIT));
	close(sv[0]);
}

static void zero_sends(void)
{
	int sv[2], p[2];
	char b[8], ctl[CMSG_SPACE(sizeof(int))];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	show("send 0 bytes", send(sv[0], b, 0, 0));
	show("peer's recv", recv(sv[1], b, sizeof b, MSG_DONTWAIT));
	close(sv[1]);
	show("recv after the peer closed", recv(sv[0], b, sizeof b, MSG_DONTWAIT));
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	struct msghdr m = { .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_len = CMSG_LEN(sizeof(int));
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(h), &p[0], sizeof(int));
	show("sendmsg of a file and 0 bytes", sendmsg(sv[0], &m, 0));
	struct iovec iov = { b, sizeof b };
	struct msghdr r = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
	show("recvmsg", recvmsg(sv[1], &r, MSG_DONTWAIT));
	printf("controllen %zu\n", (size_t)r.msg_controllen);
	close(sv[0]), close(sv[1]), close(p[0]), close(p[1]);
}

static void select_past_the_table(void)
{
	fd_set rs;
	struct timeval tv = { 0, 0 };
	int p[2];

	pipe(p);
	FD_ZERO(&rs);
	FD_SET(900, &rs);
	show("select on descriptor 900, never opened", select(1000, &rs, NULL, NULL, &tv));
	/* 32 bytes (256 descriptors) that end where the mapping ends */
	char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pg + 4096, 4096);
	uint64_t *set = (uint64_t *)(pg + 4096 - 32);
	memset(set, 0, 32);
	set[0] = 1ull << p[1];
	show("select(4096) with a 256-bit set at a page's end", select(4096, NULL, (fd_set *)set, NULL, &tv));
	printf("bit still set: %d\n", (int)(set[0] >> p[1] & 1));
	close(p[0]), close(p[1]);
}

static void eventfd_sizes(void)
{
	int e = eventfd(0, EFD_NONBLOCK);
	uint64_t v[2] = { 1, 0 };

	show("eventfd write of 7 bytes", write(e, v, 7));
	show("eventfd write of 9 bytes", write(e, v, 9));
	show("eventfd write of 16 bytes", write(e, v, 16));
	show("eventfd write of 8 bytes", write(e, v, 8));
	show("eventfd read of 16 bytes", read(e, v, 16));
	close(e);
}

static void dgram_shut(void)
{
	int sv[2];
	char b[8];

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	shutdown(sv[1], SHUT_RD);
	show("shut datagram socket, recv MSG_DONTWAIT", recv(sv[1], b, sizeof b, MSG_DONTWAIT));
	show("shut datagram socket, blocking recv", recv(sv[1], b, sizeof b, 0));
	close(sv[0]), close(sv[1]);
}

static void abstract_types(void)
{
	struct sockaddr_un a = { AF_UNIX, "\0fd_edges" }, p = { AF_UNIX, "/tmp/fd_edges.sock" };
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 10;
	int st = socket(AF_UNIX, SOCK_STREAM, 0), dg = socket(AF_UNIX, SOCK_DGRAM, 0);
	int dg2 = socket(AF_UNIX, SOCK_DGRAM, 0), st2 = socket(AF_UNIX, SOCK_STREAM, 0);

	show("stream binds an abstract name", bind(st, (struct sockaddr *)&a, alen));
	show("datagram connect to it", connect(dg2, (struct sockaddr *)&a, alen));
	show("datagram binds the same name", bind(dg, (struct sockaddr *)&a, alen));
	show("datagram connect to it now", connect(dg2, (struct sockaddr *)&a, alen));
	unlink(p.sun_path);
	bind(st2, (struct sockaddr *)&p, sizeof p);
	show("datagram connect to a stream socket's path", connect(dg2, (struct sockaddr *)&p, sizeof p));
	unlink(p.sun_path);
	close(st), close(dg), close(dg2), close(st2);
}

static int blocked_listener;

static void *accept_thread(void *arg)
{
	(void)arg;
	show("accept blocked when the listener was shut", accept(blocked_listener, NULL, NULL));
	return NULL;
}

static void shutdown_any(void)
{
	struct sockaddr_un a = { AF_UNIX, "\0fd_edges_l" }, a2 = { AF_UNIX, "\0fd_edges_b" };
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 12;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
	int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	struct pollfd p = { s, POLLIN | POLLOUT | POLLRDHUP, 0 };
	pthread_t t;

	show("shutdown of an unconnected stream socket", shutdown(s, SHUT_RDWR));
	poll(&p, 1, 0);
	printf("its poll: %#x\n", p.revents);
	show("shutdown of an unconnected datagram socket", shutdown(d, SHUT_RD));
	bind(l, (struct sockaddr *)&a, alen);
	listen(l, 4);
	connect(c, (struct sockaddr *)&a, alen);
	show("shutdown of a listener", shutdown(l, SHUT_RDWR));
	p = (struct pollfd){ l, POLLIN | POLLOUT | POLLRDHUP, 0 };
	poll(&p, 1, 0);
	printf("its poll: %#x\n", p.revents);
	int got = accept(l, NULL, NULL);
	show("accept of the connection made before", got >= 0 ? 0 : -1);
	show("connect after", connect(c2, (struct sockaddr *)&a, alen));
	show("accept after (non-blocking)", accept(l, NULL, NULL));
	blocked_listener = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(blocked_listener, (struct sockaddr *)&a2, alen);
	listen(blocked_listener, 4);
	pthread_create(&t, NULL, accept_thread, NULL);
	usleep(200000);
	shutdown(blocked_listener, SHUT_RD);
	pthread_join(t, NULL);
	close(s), close(d), close(l), close(c), close(c2), close(got), close(blocked_listener);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	zero_reads();
	zero_sends();
	select_past_the_table();
	eventfd_sizes();
	dgram_shut();
	abstract_types();
	shutdown_any();
	printf("fd_edges done\n");
	return 0;
}
