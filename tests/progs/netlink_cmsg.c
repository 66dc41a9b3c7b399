/* Control messages on a netlink socket's datagrams: NETLINK_PKTINFO's
 * group and SO_PASSCRED's sender, with room for both, one, none.  `user`
 * (as uid 65534, compared with Linux 6.18's lines): a reply from the
 * kernel.  `root`: a datagram another socket of this process sent, whose
 * credentials are its own. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netlink_abi.h"
static char buf[65536];

/* One datagram received with room bytes of control buffer, its control
 * messages printed as ints. */
static void show(int fd, size_t room, const char *what)
{
	char control[256];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = room ? control : NULL, .msg_controllen = room };
	long r = recvmsg(fd, &m, 0);
	printf("%s: %d controllen %zu flags 0x%x\n", what, r > 0, (size_t)m.msg_controllen, m.msg_flags);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		printf(" cmsg level %d type %d len %zu:", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
		for (size_t k = 0; k + sizeof(struct cmsghdr) < c->cmsg_len; k += 4) printf(" %d", *(int *)(CMSG_DATA(c) + k));
		printf("\n");
	}
}

/* A GET of lo, the reply shown. */
static void once(int fd, size_t room, const char *what)
{
	struct { struct nlmsghdr h; struct ifinfomsg i; } req = { { sizeof req, RTM_GETLINK, NLM_F_REQUEST, 5, 0 }, { .ifi_index = 1 } };

	send(fd, &req, sizeof req, 0);
	show(fd, room, what);
}

static void from_a_process(void)
{
	int to = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), from = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), on = 1;
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	socklen_t len = sizeof a;
	struct nlmsghdr h = { sizeof h, NLMSG_NOOP, 0, 7, 0 };

	bind(to, (struct sockaddr *)&a, sizeof a);
	getsockname(to, (struct sockaddr *)&a, &len);
	setsockopt(to, SOL_NETLINK, NETLINK_PKTINFO, &on, sizeof on);
	setsockopt(to, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	a.nl_pid = 0;
	sendto(from, &h, sizeof h, 0, (struct sockaddr *)&a, sizeof a);
	printf("pid is getpid: %d\n", (int)getpid());
	show(to, 256, "group 1 from a process");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "root")) {
		from_a_process();
		return 0;
	}
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), on = 1;
	once(fd, 256, "plain");
	setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &on, sizeof on);
	once(fd, 256, "pktinfo");
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	once(fd, 256, "pktinfo and passcred");
	once(fd, 24, "room 24");
	once(fd, 0, "no room");
	on = 0;
	setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &on, sizeof on);
	once(fd, 256, "passcred");
	return 0;
}
