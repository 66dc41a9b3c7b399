/* Listens to NETLINK_ROUTE's address notifications while eth0's IPv6
 * link-local address leaves duplicate detection (a second or so after the
 * NIC comes up, so just after the program starts), as `ip monitor` or a
 * daemon waiting for an address would.  Prints what it saw. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink_abi.h"

#define RTMGRP_IPV6_IFADDR	0x100
#define IFA_F_TENTATIVE		0x40

static unsigned char buf[65536];

/* eth0's link-local address in message h, with its flags; 0 if none. */
static int link_local(struct nlmsghdr *h, unsigned *flags)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = IFA_PAYLOAD(h);

	if ((h->nlmsg_type != RTM_NEWADDR && h->nlmsg_type != 21) || ifa->ifa_family != 10 || ifa->ifa_index < 2)
		return 0;
	*flags = ifa->ifa_flags;
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		unsigned char *d = RTA_DATA(a);
		if (a->rta_type == IFA_ADDRESS && d[0] == 0xfe && (d[1] & 0xc0) == 0x80)
			return 1;
	}
	return 0;
}

int main(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl me = { AF_NETLINK, 0, 0, RTMGRP_IPV6_IFADDR };
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg a;
	} req = { { sizeof req, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, 0 }, { .ifa_family = 10 } };
	unsigned flags = 0;
	int tentative = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (bind(fd, (struct sockaddr *)&me, sizeof me) || send(fd, &req, sizeof req, 0) < 0) {
		perror("netlink");
		return 1;
	}
	/* The dump, then notifications, on one socket: as ip monitor does. */
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 10000) != 1) {
			printf("no notification in 10 s\n");
			return 1;
		}
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof from;
		long n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (!link_local(h, &flags))
				continue;
			int now = !!(flags & IFA_F_TENTATIVE);
			if (h->nlmsg_seq == 1) {
				printf("dump: link-local %s\n", now ? "tentative" : "valid");
			} else {
				printf("notification: %s link-local %s, seq %u pid %u, from pid %u group 0x%x\n",
				       h->nlmsg_type == RTM_NEWADDR ? "new" : "deleted",
				       now ? "tentative" : "valid", h->nlmsg_seq, h->nlmsg_pid,
				       from.nl_pid, from.nl_groups);
			}
			if (!now)
				return 0;
			tentative = now;
		}
	}
	return tentative;
}
