/* AF_UNIX datagrams and passing descriptors: message boundaries, MSG_TRUNC,
 * sendto a path, sender addresses, connected datagram sockets, EMSGSIZE;
 * SCM_RIGHTS with a pipe end (stream and datagram), MSG_CMSG_CLOEXEC,
 * MSG_CTRUNC.  Usage: net_unix_dgram BASE.  One line per step. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "net_unix_check.h"

static char base[90];

static socklen_t path_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", base, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

static void boundaries(void)
{
	int sv[2], n;
	char buf[64] = { 0 };

	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	send(sv[0], "one", 3, 0);
	send(sv[0], "three", 5, 0);
	send(sv[0], "", 0, 0);
	MUST(ioctl(sv[1], FIONREAD, &n));
	printf("FIONREAD, next datagram: %d\n", n);
	printf("recv 64: %zd\n", recv(sv[1], buf, sizeof buf, 0));
	printf("recv 2 of 5: %zd\n", recv(sv[1], buf, 2, 0));
	printf("empty datagram: %zd\n", recv(sv[1], buf, sizeof buf, 0));
	send(sv[0], "truncated", 9, 0);
	printf("MSG_TRUNC gives the real length: %zd\n", recv(sv[1], buf, 4, MSG_TRUNC));
	send(sv[0], "flags", 5, 0);
	struct iovec v = { buf, 3 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	ssize_t got = recvmsg(sv[1], &m, 0);
	printf("recvmsg 3 of 5: %zd, MSG_TRUNC in msg_flags %d\n", got, !!(m.msg_flags & MSG_TRUNC));
	send(sv[0], "peeked", 6, 0);
	got = recv(sv[1], buf, sizeof buf, MSG_PEEK);
	printf("MSG_PEEK: %zd, then recv: %zd\n", got, recv(sv[1], buf, sizeof buf, 0));
	T("recv MSG_DONTWAIT on empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	static char huge[300000];
	T("300000-byte datagram", send(sv[0], huge, sizeof huge, 0));
	printf("100000-byte datagram: %zd", send(sv[0], huge, 100000, 0));
	printf(", received: %zd\n", recv(sv[1], huge, sizeof huge, 0));
	T("sendto with an address on a connected pair", sendto(sv[0], "x", 1, 0, NULL, 0));
	MUST(shutdown(sv[1], SHUT_RD));
	printf("recv after SHUT_RD: %zd\n", recv(sv[1], buf, sizeof buf, 0));
	T("send to a peer that shut reading", send(sv[0], "x", 1, MSG_NOSIGNAL));
	close(sv[0]);
	close(sv[1]);
}

static void addressed(void)
{
	struct sockaddr_un a, b, from;
	socklen_t alen = path_addr(&a, "d1"), blen = path_addr(&b, "d2"), flen;
	char buf[64] = { 0 };

	int x = MUST(socket(AF_UNIX, SOCK_DGRAM, 0));
	int y = MUST(socket(AF_UNIX, SOCK_DGRAM, 0));
	int z = MUST(socket(AF_UNIX, SOCK_DGRAM, 0));
	MUST(bind(x, (struct sockaddr *)&a, alen));
	T("send unconnected without an address", send(y, "x", 1, 0));
	T("sendto a path from an unbound socket", sendto(y, "hi", 2, 0, (struct sockaddr *)&a, alen));
	flen = sizeof from;
	ssize_t got = recvfrom(x, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
	printf("recvfrom: %zd, address length %u\n", got, flen);
	MUST(bind(y, (struct sockaddr *)&b, blen));
	sendto(y, "again", 5, 0, (struct sockaddr *)&a, alen);
	flen = sizeof from;
	recvfrom(x, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
	printf("recvfrom a bound sender: same address %d\n", flen == blen && !strcmp(from.sun_path, b.sun_path));
	T("connect x to y", connect(x, (struct sockaddr *)&b, blen));
	T("z sends to x, connected elsewhere", sendto(z, "no", 2, 0, (struct sockaddr *)&a, alen));
	T("y sends to x", sendto(y, "yes", 3, 0, (struct sockaddr *)&a, alen));
	printf("x receives: %zd\n", recv(x, buf, sizeof buf, 0));
	T("x sends to its peer", send(x, "back", 4, 0));
	printf("y receives: %zd\n", recv(y, buf, sizeof buf, 0));
	struct sockaddr_un un = { AF_UNSPEC };
	T("disconnect x with AF_UNSPEC", connect(x, (struct sockaddr *)&un, sizeof un.sun_family));
	T("z sends to x again", sendto(z, "ok", 2, 0, (struct sockaddr *)&a, alen));
	T("connect z to y", connect(z, (struct sockaddr *)&b, blen));
	close(y);
	T("z sends to its closed peer", send(z, "x", 1, 0));
	T("z sends again", send(z, "x", 1, 0));
	struct sockaddr_un missing;
	socklen_t mlen = path_addr(&missing, "nothing");
	T("sendto a missing path", sendto(z, "x", 1, 0, (struct sockaddr *)&missing, mlen));
	close(x);
	close(z);
	unlink(a.sun_path);
	unlink(b.sun_path);
}

/* Sends one byte with the given descriptors attached. */
static ssize_t send_fds(int sock, const int *fds, int n)
{
	char c = 'F';
	struct iovec v = { &c, 1 };
	char ctl[CMSG_SPACE(sizeof(int) * 8)];
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	memset(ctl, 0, sizeof ctl);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(h), fds, sizeof(int) * (size_t)n);
	return sendmsg(sock, &m, 0);
}

/* Receives with room for room descriptors; prints what came. */
static int recv_fds(const char *what, int sock, int room, int flags)
{
	char c, ctl[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec v = { &c, 1 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = room ? ctl : NULL,
			    .msg_controllen = room ? CMSG_SPACE(sizeof(int) * (size_t)room) : 0 };
	int fd = -1;

	ssize_t n = recvmsg(sock, &m, flags);
	if (n < 0) {
		printf("%s: %s\n", what, errname(errno));
		return -1;
	}
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	int nfds = h && h->cmsg_type == SCM_RIGHTS ? (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int)) : 0;
	if (nfds)
		memcpy(&fd, CMSG_DATA(h), sizeof fd);
	printf("%s: %zd byte, %d fds, controllen %zu, ctrunc %d, cloexec %d\n", what, n, nfds,
	       (size_t)m.msg_controllen, !!(m.msg_flags & MSG_CTRUNC), nfds ? !!(fcntl(fd, F_GETFD) & FD_CLOEXEC) : -1);
	return fd;
}

static void rights(int type, const char *name)
{
	int sv[2], p[2];
	char buf[32] = { 0 };
	char what[80];

	printf("-- SCM_RIGHTS over %s\n", name);
	MUST(socketpair(AF_UNIX, type, 0, sv));
	MUST(pipe(p));
	printf("send the pipe's write end: %zd\n", send_fds(sv[0], &p[1], 1));
	close(p[1]);
	snprintf(what, sizeof what, "receive");
	int w = recv_fds(what, sv[1], 1, MSG_CMSG_CLOEXEC);
	printf("write through the passed end: %zd", write(w, "via fd", 6));
	close(w);
	printf(", read: %zd \"%s\"", read(p[0], buf, sizeof buf), buf);
	printf(", then EOF: %zd\n", read(p[0], buf, sizeof buf));
	close(p[0]);

	MUST(pipe(p));
	int three[3] = { p[0], p[1], p[0] };
	printf("send three: %zd\n", send_fds(sv[0], three, 3));
	int r = recv_fds("receive with room for one", sv[1], 1, 0);
	close(r);
	printf("send two: %zd\n", send_fds(sv[0], three, 2));
	r = recv_fds("peek", sv[1], 2, MSG_PEEK);
	close(r);
	r = recv_fds("receive without control room", sv[1], 0, 0);
	int bad = 999;
	T("send a bad descriptor", send_fds(sv[0], &bad, 1));
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: net_unix_dgram BASE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(base, sizeof base, "%s/net_unix_dgram", argv[1]);
	mkdir(base, 0755);
	boundaries();
	addressed();
	rights(SOCK_STREAM, "a stream pair");
	rights(SOCK_DGRAM, "a datagram pair");
	return 0;
}
