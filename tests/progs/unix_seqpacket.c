/* AF_UNIX SOCK_SEQPACKET: connections as a stream's, messages as
 * datagrams (boundaries kept, a short read truncates), end of file when
 * the peer goes.  Prints a transcript to compare with Linux's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net_unix_check.h"

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, errname(errno));
	else
		printf("%s: %ld\n", what, r);
}

/* One receive into a buffer of size n: its length, bytes and flags. */
static void recv_one(const char *what, int fd, size_t n, int flags)
{
	char buf[256] = "";
	struct iovec iov = { buf, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r = recvmsg(fd, &mh, flags);

	if (r < 0) {
		printf("%s: %s\n", what, errname(errno));
		return;
	}
	printf("%s: %ld \"%.*s\"%s\n", what, r, (int)(r < (long)n ? r : (long)n), buf,
	       mh.msg_flags & MSG_TRUNC ? " MSG_TRUNC" : "");
}

static void pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		show("socketpair", -1);
}

static void boundaries(void)
{
	int sv[2];

	pair(sv);
	show("send hello", send(sv[0], "hello", 5, 0));
	show("send empty", send(sv[0], "", 0, 0));
	show("send world", send(sv[0], "world!!", 7, 0));
	show("send again", send(sv[0], "again", 5, 0));
	recv_one("recv", sv[1], 64, 0);
	recv_one("recv empty", sv[1], 64, 0);
	recv_one("peek 3", sv[1], 3, MSG_PEEK);
	recv_one("recv 3", sv[1], 3, 0);
	recv_one("recv MSG_TRUNC 2", sv[1], 2, MSG_TRUNC);
	recv_one("recv nonblocking", sv[1], 64, MSG_DONTWAIT);
	int type = 0;
	socklen_t len = sizeof type;
	getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
	printf("SO_TYPE: %d\n", type);
	close(sv[0]);
	close(sv[1]);
}

static void sizes(void)
{
	int sv[2], small = 4608, n = 0;
	static char big[300000];

	pair(sv);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	show("send past sndbuf", send(sv[0], big, 300000, 0));
	while (send(sv[0], big, 1000, MSG_DONTWAIT) == 1000)
		n++;
	printf("filled: %s after some\n", n > 0 ? errname(errno) : "nothing sent");
	close(sv[0]);
	close(sv[1]);
}

static void peer_gone(void)
{
	int sv[2];

	pair(sv);
	send(sv[0], "last", 4, 0);
	close(sv[0]);
	recv_one("after close: queued", sv[1], 64, 0);
	recv_one("after close: blocking", sv[1], 64, 0);
	recv_one("after close: nonblocking", sv[1], 64, MSG_DONTWAIT);
	show("send to closed", send(sv[1], "x", 1, MSG_NOSIGNAL));
	struct pollfd p = { sv[1], POLLIN | POLLOUT | POLLRDHUP, 0 };
	poll(&p, 1, 0);
	printf("poll: %s%s%s%s\n", p.revents & POLLIN ? "IN " : "", p.revents & POLLOUT ? "OUT " : "",
	       p.revents & POLLHUP ? "HUP " : "", p.revents & POLLRDHUP ? "RDHUP" : "");
	close(sv[1]);

	pair(sv);
	send(sv[0], "unread", 6, 0);
	close(sv[1]);
	recv_one("peer closed with our data unread", sv[0], 64, 0);
	recv_one("  and again", sv[0], 64, 0);
	show("  send", send(sv[0], "x", 1, MSG_NOSIGNAL));
	close(sv[0]);

	pair(sv);
	shutdown(sv[0], SHUT_WR);
	recv_one("after SHUT_WR", sv[1], 64, 0);
	show("send after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL));
	close(sv[0]);
	close(sv[1]);
}

static void rights(void)
{
	int sv[2], p[2];
	char c[CMSG_SPACE(sizeof(int))] = { 0 }, buf[16];
	struct iovec iov = { "fd", 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c, .msg_controllen = sizeof c };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	pair(sv);
	if (pipe(p))
		return;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
	show("send with a pipe's end", sendmsg(sv[0], &mh, 0));
	close(p[1]);
	iov = (struct iovec){ buf, sizeof buf };
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c, .msg_controllen = sizeof c };
	long r = recvmsg(sv[1], &mh, 0);
	cm = CMSG_FIRSTHDR(&mh);
	int fd = -1;
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	printf("received %ld bytes and %s\n", r, fd >= 0 ? "a descriptor" : "no descriptor");
	if (fd >= 0 && write(fd, "z", 1) == 1 && read(p[0], buf, 1) == 1)
		printf("the pipe carries: %c\n", buf[0]);
	close(fd);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void listener(void)
{
	struct sockaddr_un a = { AF_UNIX, "" };
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + 9;
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	memcpy(a.sun_path + 1, "seqpacket", 9);
	show("send unconnected", send(c, "x", 1, MSG_NOSIGNAL));
	recv_one("recv unconnected", c, 64, MSG_DONTWAIT);
	show("bind", bind(l, (struct sockaddr *)&a, alen));
	show("listen", listen(l, 4));
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	show("stream connects to it", connect(st, (struct sockaddr *)&a, alen));
	close(st);
	show("connect", connect(c, (struct sockaddr *)&a, alen));
	int s = accept(l, NULL, NULL);
	show("accept", s >= 0 ? 0 : -1);
	struct sockaddr_un other = { AF_UNIX, "" };
	memcpy(other.sun_path + 1, "elsewhere", 9);
	show("sendto another address", sendto(c, "to peer", 7, 0, (struct sockaddr *)&other, alen));
	recv_one("accepted side", s, 64, 0);
	show("send back", send(s, "reply", 5, 0));
	recv_one("client side", c, 64, MSG_WAITALL);
	close(s);
	close(c);
	close(l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	boundaries();
	sizes();
	peer_gone();
	rights();
	listener();
	return 0;
}
