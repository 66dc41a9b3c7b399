/* RTM_GETRULE as a program sees it: dumps of IPv4's, IPv6's and every
 * family's rules, a GET without NLM_F_DUMP, and a family with no rules;
 * each message in hex after its header, for a transcript compared with
 * Linux 6.18's (its default rules). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netlink_abi.h"
static char buf[65536];
static void dump(int family, int flags)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct { struct nlmsghdr h; unsigned char b[12]; } req = { { 28, 34 /* RTM_GETRULE */, flags, 9, 0 }, { family } };
	send(fd, &req, sizeof req, 0);
	printf("family %d flags 0x%x:\n", family, flags);
	for (int done = 0; !done;) {
		long r = recv(fd, buf, sizeof buf, 0);
		printf(" datagram %ld\n", r);
		if (r <= 0) break;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, r); h = NLMSG_NEXT(h, r)) {
			printf("  type %d flags 0x%x len %u:", h->nlmsg_type, h->nlmsg_flags, h->nlmsg_len);
			for (unsigned k = 16; k < h->nlmsg_len; k++) printf("%s%02x", k % 4 ? "" : " ", (unsigned char)((char *)h)[k]);
			printf("\n");
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) done = 1;
		}
	}
	close(fd);
}
int main(void)
{
	dump(2, NLM_F_REQUEST | NLM_F_DUMP);
	dump(10, NLM_F_REQUEST | NLM_F_DUMP);
	dump(0, NLM_F_REQUEST | NLM_F_DUMP);
	dump(2, NLM_F_REQUEST | NLM_F_ACK);
	dump(7, NLM_F_REQUEST | NLM_F_DUMP);
	return 0;
}
