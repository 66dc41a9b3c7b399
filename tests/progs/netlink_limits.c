/* A netlink socket's limits as a hostile program meets them, one line
 * per check.  `bufs` (as a user, compared with Linux 6.18's lines):
 * SO_RCVBUF and SO_SNDBUF of a negative value are capped as INT_MAX is,
 * NETLINK_LIST_MEMBERSHIPS says no groups before any were set up, and
 * poll says writable as datagram_poll does (POLLWRBAND too).
 * `force` (as root): SO_RCVBUFFORCE and SO_SNDBUFFORCE of a negative value
 * give the minimum, as Linux's sock_setsockopt.  `flood` (as a user): with
 * SO_RCVBUF -1, acks never read stay bounded.  `unicast` (as root): a
 * message sent to a port and a group it is in arrives there once.
 * `bigerror` (as root, in a VM too small for two copies): a 100 MiB
 * request whose error echo cannot be made says ENOBUFS, as Linux's
 * netlink_ack, rather than nothing at all. */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call_result.h"
#include "netlink_abi.h"

#define FLOOD		3000	/* acks asked for, never read until the end */
#define FLOOD_BOUND	1000	/* what a 425984-byte buffer holds, with room */

static int nl_socket(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

static int get_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof v;

	return getsockopt(fd, level, name, &v, &len) ? -errno : v;
}

/* The buffer size `value` gives against the one INT_MAX gives. */
static void capped(int fd, int name, int value, const char *what)
{
	setsockopt(fd, SOL_SOCKET, name, &(int){ INT_MAX }, sizeof(int));
	int max = get_int(fd, SOL_SOCKET, name);
	long r = setsockopt(fd, SOL_SOCKET, name, &value, sizeof value);
	printf("%s %d: %s, same as INT_MAX %d\n", what, value, res(r), get_int(fd, SOL_SOCKET, name) == max);
}

static void memberships(int fd, const char *when)
{
	unsigned groups[4] = { 0 };
	socklen_t len = sizeof groups;
	long r = getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &len);

	printf("list memberships %s: %s len %u 0x%x\n", when, res(r), (unsigned)len, groups[0]);
}

static void bufs(void)
{
	int fd = nl_socket();

	capped(fd, SO_RCVBUF, -1, "rcvbuf");
	capped(fd, SO_SNDBUF, -1, "sndbuf");
	capped(fd, SO_SNDBUF, INT_MIN, "sndbuf");
	memberships(fd, "fresh");
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	bind(fd, (struct sockaddr *)&a, sizeof a);
	memberships(fd, "bound without groups");
	int g = 1;
	setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g);
	setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &g, sizeof g);
	memberships(fd, "after add and drop");
	struct pollfd p = { fd, 0x7fff, 0 };
	int ready = poll(&p, 1, 0);
	printf("poll every event: %d revents 0x%x\n", ready, p.revents);
	close(fd);
}

static void force(void)
{
	int fd = nl_socket();
	int v = -1;

	long r = setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v);
	printf("rcvbufforce -1: %s now %d\n", res(r), get_int(fd, SOL_SOCKET, SO_RCVBUF));
	r = setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v);
	printf("sndbufforce -1: %s now %d\n", res(r), get_int(fd, SOL_SOCKET, SO_SNDBUF));
	close(fd);
}

static void flood(void)
{
	int fd = nl_socket();
	struct nlmsghdr h = { sizeof h, 200, NLM_F_REQUEST | NLM_F_ACK, 1, 0 };	/* type 200: EOPNOTSUPP */
	char buf[256];
	int acks = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ -1 }, sizeof(int));
	for (int k = 0; k < FLOOD; k++)
		send(fd, &h, sizeof h, 0);
	for (;;) {
		if (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
			acks++;
		else if (errno != ENOBUFS)	/* the overrun is told once */
			break;
	}
	printf("flood: acks queued bounded %d\n", acks > 0 && acks < FLOOD_BOUND);
	close(fd);
}

static void unicast(void)
{
	int to = nl_socket(), from = nl_socket();
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	socklen_t len = sizeof a;
	struct nlmsghdr h = { sizeof h, NLMSG_NOOP, 0, 7, 0 };
	char buf[256];
	int copies = 0;

	bind(to, (struct sockaddr *)&a, sizeof a);
	getsockname(to, (struct sockaddr *)&a, &len);
	long r = sendto(from, &h, sizeof h, 0, (struct sockaddr *)&a, sizeof a);
	while (recv(to, buf, sizeof buf, MSG_DONTWAIT) > 0)
		copies++;
	printf("unicast to a member: %s copies %d\n", res(r), copies);
	close(to);
	close(from);
}

static void bigerror(void)
{
	size_t size = 100 << 20;
	int fd = nl_socket();
	char *m = calloc(1, size);
	struct nlmsghdr *h = (void *)m;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ INT_MAX }, sizeof(int));
	*h = (struct nlmsghdr){ (unsigned)size, 200, NLM_F_REQUEST, 3, 0 };	/* EOPNOTSUPP, echoed whole */
	long sent = send(fd, m, size, 0);
	long r = recv(fd, m, 64, MSG_DONTWAIT);
	printf("bigerror: sent all %d, then %s\n", sent == (long)size, r < 0 ? res(r) : "an answer");
	free(m);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *part = argc > 1 ? argv[1] : "bufs";

	if (!strcmp(part, "bufs"))
		bufs();
	else if (!strcmp(part, "force"))
		force();
	else if (!strcmp(part, "flood"))
		flood();
	else if (!strcmp(part, "unicast"))
		unicast();
	else if (!strcmp(part, "bigerror"))
		bigerror();
	return 0;
}
