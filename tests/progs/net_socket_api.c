/* The socket system calls' edges: bad descriptors, non-sockets, bad
 * pointers, unsupported families and types, flags, limits (UIO_MAXIOV,
 * EMFILE), sendmmsg/recvmmsg, readv/writev/sendfile on sockets, fstat, and
 * sockets in poll and epoll next to pipes and eventfds.
 * Usage: net_socket_api.  One line per step. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "net_unix_check.h"

#define BAD ((void *)16)	/* an unmapped user address */

static void creation(void)
{
	T("AF_IPX (not built)", socket(4, SOCK_DGRAM, 0));
	T("family 46", socket(46, SOCK_STREAM, 0));
	T("family -1", socket(-1, SOCK_STREAM, 0));
	T("AF_UNIX type 0", socket(AF_UNIX, 0, 0));
	T("AF_UNIX type 11", socket(AF_UNIX, 11, 0));
	int raw = socket(AF_UNIX, SOCK_RAW, 0), type;
	socklen_t tl = sizeof type;
	getsockopt(raw, SOL_SOCKET, SO_TYPE, &type, &tl);
	printf("AF_UNIX SOCK_RAW: %s, SO_TYPE %d\n", raw < 0 ? errname(errno) : "ok", type);
	close(raw);
	T("AF_UNIX unknown flag in type", socket(AF_UNIX, SOCK_STREAM | 0x100, 0));
	T("AF_UNIX protocol 5", socket(AF_UNIX, SOCK_STREAM, 5));
	int pair[2];
	T("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, pair));
	T("socketpair family 46", socketpair(46, SOCK_STREAM, 0, pair));
	T("socketpair to a bad pointer", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BAD));
	int s = MUST(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	printf("SOCK_NONBLOCK|SOCK_CLOEXEC: F_GETFL %#o, FD_CLOEXEC %d\n", fcntl(s, F_GETFL), fcntl(s, F_GETFD));
	struct stat st;
	MUST(fstat(s, &st));
	printf("fstat: socket %d, size %lld\n", S_ISSOCK(st.st_mode), (long long)st.st_size);
	int v;
	socklen_t len = sizeof v;
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len);
	printf("SO_DOMAIN: %d", v);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len);
	printf(", SO_PROTOCOL: %d\n", v);
	T("lseek on a socket", lseek(s, 0, SEEK_SET));
	T("pread on a socket", pread(s, &v, 1, 0));
	close(s);
}

static void bad_arguments(void)
{
	int p[2], sv[2], v = 1;
	char buf[8];
	socklen_t len = sizeof v;
	struct sockaddr_un a = { AF_UNIX };

	MUST(pipe(p));
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	T("bind on a bad fd", bind(999, (struct sockaddr *)&a, sizeof a));
	T("bind on a pipe", bind(p[0], (struct sockaddr *)&a, sizeof a));
	T("connect on a pipe", connect(p[0], (struct sockaddr *)&a, sizeof a));
	T("listen on a pipe", listen(p[0], 1));
	T("accept on a pipe", accept(p[0], NULL, NULL));
	T("send on a pipe", send(p[1], "x", 1, 0));
	T("recv on a pipe", recv(p[0], buf, 1, MSG_DONTWAIT));
	T("shutdown on a pipe", shutdown(p[0], SHUT_RD));
	T("getsockname on a pipe", getsockname(p[0], (struct sockaddr *)&a, &len));
	T("getsockopt on a pipe", getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len));
	T("setsockopt on a bad fd", setsockopt(-1, SOL_SOCKET, SO_TYPE, &v, sizeof v));
	struct msghdr empty = { 0 };
	T("sendmsg on a bad fd", sendmsg(77, &empty, 0));
	T("bind with a bad address pointer", bind(sv[0], BAD, sizeof a));
	T("bind with length 200", bind(sv[0], (struct sockaddr *)&a, 200));
	T("bind with length 1", bind(sv[0], (struct sockaddr *)&a, 1));
	T("connect with a bad address pointer", connect(sv[0], BAD, sizeof a));
	T("send from a bad buffer", send(sv[0], BAD, 4, 0));
	T("recv into a bad buffer", (send(sv[1], "abcd", 4, 0), recv(sv[0], BAD, 4, 0)));
	T("sendto a bad address", sendto(sv[0], "x", 1, 0, BAD, sizeof a));
	/* musl copies a msghdr itself: the raw calls reach the kernel. */
	T("sendmsg with a bad msghdr", syscall(SYS_sendmsg, sv[0], BAD, 0));
	T("recvmsg with a bad msghdr", syscall(SYS_recvmsg, sv[0], BAD, 0));
	T("sendmmsg with a bad vector", syscall(SYS_sendmmsg, sv[0], BAD, 2, 0));
	T("getsockopt with a bad length pointer", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, BAD));
	T("getsockopt with a bad value pointer", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, BAD, &len));
	len = (socklen_t)-1;
	T("getsockopt with a negative length", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len));
	T("setsockopt with a short int", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2));
	T("setsockopt from a bad pointer", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, BAD, sizeof v));
	T("SO_TYPE is read-only", setsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, sizeof v));
	T("getsockname with a bad length pointer", getsockname(sv[0], (struct sockaddr *)&a, BAD));
	T("listen on a socketpair end", listen(sv[0], 1));
	T("accept on a connected socket", accept(sv[0], NULL, NULL));

	struct iovec *many = calloc(1025, sizeof *many);
	for (int i = 0; i < 1025; i++)
		many[i] = (struct iovec){ buf, 1 };
	struct msghdr m = { .msg_iov = many, .msg_iovlen = 1025 };
	T("sendmsg with 1025 iovecs", syscall(SYS_sendmsg, sv[0], &m, 0));
	m.msg_iovlen = 1024;
	V("sendmsg with 1024 iovecs", sendmsg(sv[0], &m, 0));
	many[3].iov_base = BAD;
	T("sendmsg with a bad iovec", syscall(SYS_sendmsg, sv[0], &m, 0));
	m.msg_iov = BAD;
	T("sendmsg with a bad iovec array", syscall(SYS_sendmsg, sv[0], &m, 0));
	free(many);
	int dg = MUST(socket(AF_UNIX, SOCK_DGRAM, 0));
	T("listen on a datagram socket", listen(dg, 1));
	T("accept on a datagram socket", accept(dg, NULL, NULL));
	close(dg);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static void vectors(void)
{
	int sv[2], p[2];
	char a[4] = "abc", b[5] = "defg", buf[16] = { 0 };

	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct iovec w[2] = { { a, 3 }, { b, 4 } };
	V("writev on a socket", writev(sv[0], w, 2));
	struct iovec r[2] = { { buf, 2 }, { buf + 2, 10 } };
	V("readv on a socket", readv(sv[1], r, 2));
	printf("data: %s\n", buf);
	MUST(pipe(p));
	int mf = MUST(memfd_create("net_socket_api", 0));
	write(mf, "through sendfile", 16);
	off_t off = 0;
	V("sendfile from a file to a socket", sendfile(sv[0], mf, &off, 16));
	close(mf);
	memset(buf, 0, sizeof buf);
	V("read it", read(sv[1], buf, sizeof buf));

	struct mmsghdr mm[3];
	struct iovec iv[3] = { { "one", 3 }, { "two!", 4 }, { "three", 5 } };
	for (int i = 0; i < 3; i++)
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iv[i], .msg_iovlen = 1 } };
	int d[2];
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
	V("sendmmsg 3", sendmmsg(d[0], mm, 3, 0));
	printf("msg_len: %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	char rb[3][8];
	struct iovec ri[3];
	for (int i = 0; i < 3; i++) {
		ri[i] = (struct iovec){ rb[i], sizeof rb[i] };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &ri[i], .msg_iovlen = 1 } };
	}
	struct timespec ts = { 1, 0 };
	V("recvmmsg 3 with a timeout", recvmmsg(d[1], mm, 3, 0, &ts));
	printf("msg_len: %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	V("recvmmsg MSG_DONTWAIT on empty", recvmmsg(d[1], mm, 3, MSG_DONTWAIT, NULL));
	send(d[0], "x", 1, 0);
	V("recvmmsg MSG_WAITFORONE", recvmmsg(d[1], mm, 3, MSG_WAITFORONE, NULL));
	T("recvmmsg with a bad timeout", syscall(SYS_recvmmsg, d[1], mm, 3, 0, BAD));
	close(d[0]);
	close(d[1]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void readiness(void)
{
	int sv[2], p[2];
	int ev = MUST(eventfd(0, 0));
	int ep = MUST(epoll_create1(0));

	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	MUST(pipe(p));
	int fds[] = { sv[0], p[0], ev };
	for (int i = 0; i < 3; i++) {
		struct epoll_event e = { .events = EPOLLIN | EPOLLET, .data.u32 = (uint32_t)i };
		MUST(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e));
	}
	struct epoll_event out[4];
	V("epoll: nothing ready", epoll_wait(ep, out, 4, 0));
	write(sv[1], "s", 1);
	uint64_t one = 1;
	write(ev, &one, sizeof one);
	int n = epoll_wait(ep, out, 4, 1000);
	unsigned mask = 0;
	for (int i = 0; i < n; i++)
		mask |= 1u << out[i].data.u32;
	printf("epoll: socket and eventfd ready: %d, mask %#x\n", n, mask);
	V("epoll edge-triggered: nothing new", epoll_wait(ep, out, 4, 0));
	write(sv[1], "t", 1);
	n = epoll_wait(ep, out, 4, 1000);
	printf("epoll: more data on the socket: %d, which %u\n", n, n > 0 ? out[0].data.u32 : 9);
	write(p[1], "p", 1);
	struct pollfd pf[3] = { { sv[0], POLLIN, 0 }, { p[0], POLLIN, 0 }, { ev, POLLIN, 0 } };
	n = poll(pf, 3, 0);
	printf("poll: %d ready: %#x %#x %#x\n", n, pf[0].revents, pf[1].revents, pf[2].revents);
	close(sv[1]);
	struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = 7 };
	MUST(epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &e));
	n = epoll_wait(ep, out, 4, 1000);
	for (int i = 0; i < n; i++)
		if (out[i].data.u32 == 7)
			printf("epoll: peer closed: %#x\n", out[i].events);
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(sv[0], &rd);
	struct timeval tv = { 0, 0 };
	printf("select: readable at EOF: %d\n", select(sv[0] + 1, &rd, NULL, NULL, &tv));
	close(sv[0]);
	close(p[0]);
	close(p[1]);
	close(ev);
	close(ep);
}

/* A full descriptor table: socket, socketpair and accept fail with EMFILE
 * and leave nothing behind. */
static void full_table(void)
{
	struct rlimit rl = { 32, 32 }, old;
	int sv[2] = { -1, -1 }, last = -1;

	getrlimit(RLIMIT_NOFILE, &old);
	MUST(setrlimit(RLIMIT_NOFILE, &rl));
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (fd < 0)
			break;
		last = fd;
	}
	printf("socket when full: %s\n", errname(errno));
	T("socketpair when full", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	close(last);
	T("socketpair with one free", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	int fd = MUST(socket(AF_UNIX, SOCK_DGRAM, 0));
	printf("the free descriptor is the same: %d\n", fd == last);
	for (int i = 3; i <= last; i++)
		close(i);
	setrlimit(RLIMIT_NOFILE, &old);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	creation();
	bad_arguments();
	vectors();
	readiness();
	full_table();
	return 0;
}
