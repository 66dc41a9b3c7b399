/* IP multicast on UDP sockets, for a transcript compared with Linux
 * 6.18's.  The machine has eth0 at 192.168.79.2/24 and fd00::2/64, a
 * default route through 192.168.79.1, and there a peer (tests/vm's
 * test_mcast.py) that answers on UDP port 5001:
 *
 *   "send GROUP PORT TEXT": sends TEXT to GROUP:PORT, then "sent" back;
 *   "uni PORT TEXT":        sends TEXT to the asker's address at PORT,
 *                           then "sent" back;
 *
 * and listens on 239.1.2.3 and ff15::1:2, port 5002, answering each
 * datagram with "peer heard 'TEXT' ttl N".
 *
 * The parts: the options' defaults, values and errors (IP_MULTICAST_TTL,
 * _LOOP, _IF, _ALL, IP_ADD/DROP_MEMBERSHIP, MCAST_JOIN/LEAVE_GROUP, and
 * their IPv6 kin with IPV6_UNICAST_HOPS); a group's datagram looped back
 * to a member on the same machine, or not; one sent to the peer with a
 * chosen TTL; the peer's own reaching a member, and no longer after the
 * member leaves; IP_MULTICAST_ALL off. */
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call_result.h"

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL	49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL	29
#endif

static const char *peer4 = "192.168.79.1", *peer6 = "fd00::1";
static unsigned eth0;

static struct sockaddr_storage addr(const char *text, int port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
	} else {
		fprintf(stderr, "mcast: bad address %s\n", text);
		exit(2);
	}
	return ss;
}

static socklen_t len_of(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static const char *text_of(const struct sockaddr_storage *ss)
{
	static char t[INET6_ADDRSTRLEN];
	const void *a = ss->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
						 : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
	return inet_ntop(ss->ss_family, a, t, sizeof t);
}

static int udp(int family, int port)
{
	int fd = socket(family, SOCK_DGRAM, 0), one = 1;
	struct sockaddr_storage any = addr(family == AF_INET ? "0.0.0.0" : "::", port);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    (port && bind(fd, (struct sockaddr *)&any, len_of(&any)))) {
		perror("mcast: socket");
		exit(1);
	}
	return fd;
}

static void send_to(int fd, const char *to, int port, const char *text)
{
	struct sockaddr_storage ss = addr(to, port);

	if (sendto(fd, text, strlen(text), 0, (struct sockaddr *)&ss, len_of(&ss)) < 0)
		printf("  sendto %s: %s\n", to, res(-1));
}

/* The next datagram, with where it came from and what the control
 * messages say; a missing one is a line too (after 10 s: nothing that
 * should come takes that long). */
static void show_next(int fd, const char *who)
{
	char buf[256], ctl[256];
	struct sockaddr_storage from;
	struct iovec iov = { buf, sizeof buf - 1 };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 10000) != 1) {
		printf("  %s: nothing\n", who);
		return;
	}
	ssize_t n = recvmsg(fd, &m, 0);
	if (n < 0) {
		printf("  %s: recvmsg %s\n", who, res(-1));
		return;
	}
	buf[n] = 0;
	printf("  %s: \"%s\" from %s", who, buf, text_of(&from));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			printf(", ttl %d", *(int *)CMSG_DATA(c));
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA(c);
			printf(", to %s on %s, local %s", inet_ntop(AF_INET, &pi->ipi_addr, a, sizeof a),
			       pi->ipi_ifindex == (int)eth0 ? "eth0" : "another",
			       inet_ntop(AF_INET, &pi->ipi_spec_dst, b, sizeof b));
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
			printf(", hop limit %d", *(int *)CMSG_DATA(c));
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo *pi = (struct in6_pktinfo *)CMSG_DATA(c);
			printf(", to %s on %s", inet_ntop(AF_INET6, &pi->ipi6_addr, a, sizeof a),
			       pi->ipi6_ifindex == eth0 ? "eth0" : "another");
		}
	}
	printf("\n");
}

/* ---- options ------------------------------------------------------------ */

/* An interface index as the transcript shows it: eth0's is not the same
 * number everywhere. */
static const char *index_name(int ifindex)
{
	static char t[8][16];
	static int k;

	if (ifindex && ifindex == (int)eth0)
		return "eth0";
	snprintf(t[k % 8], 16, "%d", ifindex);
	return t[k++ % 8];
}

static void get_int(int fd, int level, int name, const char *what, socklen_t room)
{
	int v = -99;
	socklen_t len = room;
	int r = getsockopt(fd, level, name, &v, &len);

	if (r)
		printf(" get %s: %s\n", what, res(r));
	else if (len == 1)
		printf(" get %s (room %u): len 1 value %u\n", what, room, v & 0xff);
	else if (name == IPV6_MULTICAST_IF)
		printf(" get %s (room %u): len %u value %s\n", what, room, len, index_name(v));
	else
		printf(" get %s (room %u): len %u value %d\n", what, room, len, v);
}

static void set_int(int fd, int level, int name, const char *what, int v, socklen_t len)
{
	unsigned char byte = (unsigned char)v;
	const void *val = len == 1 ? (const void *)&byte : (const void *)&v;

	char shown[16];

	if (name == IPV6_MULTICAST_IF)
		snprintf(shown, sizeof shown, "%s", index_name(v));
	else
		snprintf(shown, sizeof shown, "%d", v);
	printf(" set %s %s (len %u): %s\n", what, shown, len, res(setsockopt(fd, level, name, val, len)));
}

static void get_if4(int fd)
{
	struct in_addr a = { 0xffffffff };
	socklen_t len = sizeof a;
	int r = getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &a, &len);

	printf(" get IP_MULTICAST_IF: %s len %u %s\n", res(r), len, inet_ntoa(a));
}

static void set_if4(int fd, const char *local, int ifindex, socklen_t len)
{
	struct ip_mreqn m = { { 0 }, { 0 }, ifindex };

	inet_pton(AF_INET, local, &m.imr_address);
	int r = len == sizeof m.imr_address ? setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m.imr_address, len)
					    : setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, len);
	printf(" set IP_MULTICAST_IF %s index %s (len %u): %s\n", local, index_name(ifindex), len, res(r));
}

/* IP_ADD_MEMBERSHIP or IP_DROP_MEMBERSHIP, with a struct ip_mreq (len 8)
 * naming the interface by address or an ip_mreqn (len 12) by index. */
static int member4(int fd, int name, const char *group, const char *local, int ifindex, socklen_t len)
{
	struct ip_mreqn m = { { 0 }, { 0 }, ifindex };

	inet_pton(AF_INET, group, &m.imr_multiaddr);
	inet_pton(AF_INET, local, &m.imr_address);
	return setsockopt(fd, IPPROTO_IP, name, &m, len);
}

static void join4(int fd, const char *group, const char *local, int ifindex, socklen_t len)
{
	printf(" join %s via %s index %s (len %u): %s\n", group, local, index_name(ifindex), len,
	       res(member4(fd, IP_ADD_MEMBERSHIP, group, local, ifindex, len)));
}

static void drop4(int fd, const char *group)
{
	printf(" drop %s: %s\n", group, res(member4(fd, IP_DROP_MEMBERSHIP, group, "0.0.0.0", 0, 8)));
}

static int member6(int fd, int name, const char *group, unsigned ifindex)
{
	struct ipv6_mreq m = { .ipv6mr_interface = ifindex };

	inet_pton(AF_INET6, group, &m.ipv6mr_multiaddr);
	return setsockopt(fd, IPPROTO_IPV6, name, &m, sizeof m);
}

static void group_req(int fd, int name, const char *what, const char *group, unsigned ifindex)
{
	struct group_req g = { .gr_interface = ifindex };
	struct sockaddr_storage ss = addr(group, 0);

	memcpy(&g.gr_group, &ss, sizeof ss);
	printf(" %s %s index %s: %s\n", what, group, ifindex == eth0 ? "eth0" : "0",
	       res(setsockopt(fd, ss.ss_family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, name, &g, sizeof g)));
}

static void options4(void)
{
	int fd = udp(AF_INET, 0);

	printf("IPv4 options:\n");
	get_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 4);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 1);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP", 4);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, "IP_MULTICAST_ALL", 4);
	get_if4(fd);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 256, 4);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 7, 1);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 4);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", -1, 4);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 4);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 0, 0);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP", 5, 4);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP", 4);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP", 0, 1);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP", 4);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, "IP_MULTICAST_ALL", 5, 4);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, "IP_MULTICAST_ALL", 0, 4);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, "IP_MULTICAST_ALL", 4);

	set_if4(fd, "192.168.79.2", 0, 4);
	get_if4(fd);
	set_if4(fd, "10.1.1.1", 0, 4);
	set_if4(fd, "0.0.0.0", eth0, 12);
	get_if4(fd);
	set_if4(fd, "0.0.0.0", 99, 12);
	set_if4(fd, "0.0.0.0", 0, 2);
	set_if4(fd, "0.0.0.0", 0, 4);
	get_if4(fd);

	join4(fd, "192.168.79.9", "192.168.79.2", 0, 8);
	join4(fd, "239.1.2.3", "192.168.79.2", 0, 8);
	join4(fd, "239.1.2.3", "192.168.79.2", 0, 8);
	join4(fd, "239.1.2.3", "0.0.0.0", eth0, 12);
	join4(fd, "239.1.2.4", "0.0.0.0", 0, 7);
	join4(fd, "239.1.2.4", "0.0.0.0", 99, 12);
	join4(fd, "239.1.2.4", "10.1.1.1", 0, 8);
	join4(fd, "239.1.2.4", "0.0.0.0", 0, 8);
	join4(fd, "224.0.0.1", "0.0.0.0", 0, 8);
	join4(fd, "239.1.2.7", "0.0.0.0", eth0, 12);
	printf(" drop 239.1.2.7 via 192.168.79.2: %s\n",
	       res(member4(fd, IP_DROP_MEMBERSHIP, "239.1.2.7", "192.168.79.2", 0, 8)));
	drop4(fd, "239.1.2.9");
	drop4(fd, "239.1.2.4");
	drop4(fd, "239.1.2.4");
	drop4(fd, "224.0.0.1");
	group_req(fd, MCAST_JOIN_GROUP, "MCAST_JOIN_GROUP", "239.1.2.5", eth0);
	group_req(fd, MCAST_JOIN_GROUP, "MCAST_JOIN_GROUP", "239.1.2.5", eth0);
	group_req(fd, MCAST_LEAVE_GROUP, "MCAST_LEAVE_GROUP", "239.1.2.5", eth0);
	group_req(fd, MCAST_LEAVE_GROUP, "MCAST_LEAVE_GROUP", "239.1.2.5", eth0);
	group_req(fd, MCAST_JOIN_GROUP, "MCAST_JOIN_GROUP", "ff15::1:6", eth0);

	/* Linux's igmp_max_memberships, 20 a socket; 239.1.2.3 is one. */
	int joined = 1, r = 0;
	char g[32];
	while (joined < 40 && r == 0) {
		snprintf(g, sizeof g, "239.2.0.%d", joined);
		if ((r = member4(fd, IP_ADD_MEMBERSHIP, g, "0.0.0.0", 0, 8)) == 0)
			joined++;
	}
	printf(" groups joined until %s: %d\n", res(r), joined);
	close(fd);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	printf(" TCP:\n");
	join4(fd, "239.1.2.3", "0.0.0.0", 0, 8);
	set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 3, 4);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 4);
	close(fd);
}

static void options6(void)
{
	int fd = udp(AF_INET6, 0);

	printf("IPv6 options:\n");
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP", 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF", 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, "IPV6_MULTICAST_ALL", 4);
	get_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 256, 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", -2, 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 9, 1);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 9, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", -1, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 4);
	set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", 200, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", 4);
	set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", -1, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP", 2, 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP", 0, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP", 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF", 99, 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF", eth0, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF", 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, "IPV6_MULTICAST_ALL", 0, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, "IPV6_MULTICAST_ALL", 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF", 4);

	printf(" join fd00::9 eth0: %s\n", res(member6(fd, IPV6_JOIN_GROUP, "fd00::9", eth0)));
	printf(" join ff15::1:2 eth0: %s\n", res(member6(fd, IPV6_JOIN_GROUP, "ff15::1:2", eth0)));
	printf(" join ff15::1:2 eth0: %s\n", res(member6(fd, IPV6_JOIN_GROUP, "ff15::1:2", eth0)));
	printf(" join ff15::1:3 index 99: %s\n", res(member6(fd, IPV6_JOIN_GROUP, "ff15::1:3", 99)));
	printf(" join ff15::1:3 index 0: %s\n", res(member6(fd, IPV6_JOIN_GROUP, "ff15::1:3", 0)));
	printf(" leave ff15::1:9 eth0: %s\n", res(member6(fd, IPV6_LEAVE_GROUP, "ff15::1:9", eth0)));
	printf(" leave ff15::1:3 index 0: %s\n", res(member6(fd, IPV6_LEAVE_GROUP, "ff15::1:3", 0)));
	printf(" leave ff15::1:3 index 0: %s\n", res(member6(fd, IPV6_LEAVE_GROUP, "ff15::1:3", 0)));
	group_req(fd, MCAST_JOIN_GROUP, "MCAST_JOIN_GROUP", "ff15::1:5", eth0);
	group_req(fd, MCAST_LEAVE_GROUP, "MCAST_LEAVE_GROUP", "ff15::1:5", eth0);
	group_req(fd, MCAST_JOIN_GROUP, "MCAST_JOIN_GROUP", "239.1.2.6", eth0);
	group_req(fd, MCAST_LEAVE_GROUP, "MCAST_LEAVE_GROUP", "239.1.2.6", eth0);
	close(fd);

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	printf(" TCP:\n");
	printf(" join ff15::1:2 eth0: %s\n", res(member6(fd, IPV6_JOIN_GROUP, "ff15::1:2", eth0)));
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 3, 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP", 0, 4);
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF", eth0, 4);
	set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", 9, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 4);
	get_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", 4);
	close(fd);

	fd = udp(AF_INET6, 0);
	printf(" IPv4's on an IPv6 socket:\n");
	set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 4, 4);
	get_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 4);
	join4(fd, "239.1.2.3", "0.0.0.0", 0, 8);
	drop4(fd, "239.1.2.3");
	close(fd);
	fd = udp(AF_INET, 0);
	printf(" IPv6's on an IPv4 socket:\n");
	set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 4, 4);
	get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", 4);
	close(fd);
}

/* ---- traffic ------------------------------------------------------------ */

/* A socket on port 6000 that is a member of group on eth0 and reports
 * each datagram's TTL or hop limit and its packet information. */
static int member(const char *group)
{
	int fd, one = 1;

	if (strchr(group, ':')) {
		fd = udp(AF_INET6, 6000);
		member6(fd, IPV6_JOIN_GROUP, group, eth0);
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
	} else {
		fd = udp(AF_INET, 6000);
		member4(fd, IP_ADD_MEMBERSHIP, group, "192.168.79.2", 0, 8);
		setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
	}
	return fd;
}

static void set_hops(int fd, int v6, int ttl, int loop)
{
	setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL, &ttl, sizeof ttl);
	setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP, &loop, sizeof loop);
}

/* Asks the peer something and waits for its "sent". */
static void ask_peer(int ctl, int v6, const char *what)
{
	send_to(ctl, v6 ? peer6 : peer4, 5001, what);
	show_next(ctl, "peer");
}

/* /proc/net/igmp (v6: igmp6) while a member: each interface's groups and
 * how many joined each, and IPv6's flags but for the two whose values
 * follow timing (a report pending, the last reporter).  Left out: the
 * querier's IGMP version and the timers, and the solicited-node group of
 * the link-local address, which follows the MAC. */
static void show_groups(int v6)
{
	FILE *f = fopen(v6 ? "/proc/net/igmp6" : "/proc/net/igmp", "r");
	char line[256], name[32], group[40];
	int index, count, users;
	unsigned flags;

	printf(" %s:\n", v6 ? "/proc/net/igmp6" : "/proc/net/igmp");
	if (!f) {
		printf("  %s\n", res(-1));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		if (v6 && sscanf(line, "%d %31s %39s %d %x", &index, name, group, &users, &flags) == 5) {
			bool solicited = !strncmp(group, "ff0200000000000000000001ff", 26);
			if (!solicited || !strcmp(group + 26, "000002"))
				printf("  %s %s users %d flags %x\n", name, group, users, flags & ~3u);
		} else if (!v6 && sscanf(line, "%d %31s : %d", &index, name, &count) == 3) {
			printf("  %s: %d\n", name, count);
		} else if (!v6 && sscanf(line, " %8s %d", group, &users) == 2) {
			struct in_addr a = { (in_addr_t)strtoul(group, NULL, 16) };
			printf("   %s users %d\n", inet_ntoa(a), users);
		}
	}
	fclose(f);
}

static void traffic(int v6)
{
	const char *group = v6 ? "ff15::1:2" : "239.1.2.3", *self = v6 ? "fd00::2" : "192.168.79.2";
	int family = v6 ? AF_INET6 : AF_INET;
	int in = member(group), out = udp(family, 0), ctl = udp(family, 0);
	char ask[128];

	printf("%s traffic:\n", v6 ? "IPv6" : "IPv4");
	printf(" looped back, or not:\n");
	set_hops(out, v6, 1, 0);
	send_to(out, group, 6000, "not looped");
	set_hops(out, v6, 1, 1);
	send_to(out, group, 6000, "looped");
	show_next(in, "member");
	show_groups(v6);

	printf(" to the peer's group with TTL 5:\n");
	set_hops(out, v6, 5, 1);
	send_to(out, group, 5002, "ttl five");
	show_next(out, "sender");

	printf(" the peer's datagram to the group:\n");
	snprintf(ask, sizeof ask, "send %s 6000 from the peer", group);
	ask_peer(ctl, v6, ask);
	show_next(in, "member");

	printf(" after leaving the group:\n");
	if (v6)
		printf(" leave: %s\n", res(member6(in, IPV6_LEAVE_GROUP, group, eth0)));
	else
		printf(" drop: %s\n", res(member4(in, IP_DROP_MEMBERSHIP, group, self, 0, 8)));
	snprintf(ask, sizeof ask, "send %s 6000 after leaving", group);
	ask_peer(ctl, v6, ask);
	ask_peer(ctl, v6, "uni 6000 unicast after it");
	show_next(in, "member");
	close(in);

	/* A socket that joined nothing, on a port of its own, hears a group
	 * another socket joined only while IP_MULTICAST_ALL is on. */
	printf(" IP_MULTICAST_ALL:\n");
	int joined = member(group), other = udp(family, 6001), off = 0, on = 1;
	setsockopt(other, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MULTICAST_ALL : IP_MULTICAST_ALL, &off,
		   sizeof off);
	send_to(out, group, 6001, "all off");
	send_to(out, self, 6001, "unicast after it");
	show_next(other, "other");
	setsockopt(other, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MULTICAST_ALL : IP_MULTICAST_ALL, &on,
		   sizeof on);
	send_to(out, group, 6001, "all on");
	show_next(other, "other");
	printf(" after the member closed:\n");
	close(joined);
	send_to(out, group, 6001, "member closed");
	send_to(out, self, 6001, "unicast after it");
	show_next(other, "other");
	close(other);
	close(out);
	close(ctl);
}

/* A group on lo: joined by 127.0.0.1, sent to through lo
 * (IP_MULTICAST_IF), each datagram heard once, looped or not. */
static void loopback(void)
{
	int in = udp(AF_INET, 6002), out = udp(AF_INET, 0);

	printf("IPv4 group on lo:\n");
	printf(" join: %s\n", res(member4(in, IP_ADD_MEMBERSHIP, "239.1.2.9", "127.0.0.1", 0, 8)));
	set_if4(out, "127.0.0.1", 0, 4);
	set_hops(out, 0, 1, 1);
	send_to(out, "239.1.2.9", 6002, "loop on");
	set_hops(out, 0, 1, 0);
	send_to(out, "239.1.2.9", 6002, "loop off");
	send_to(out, "127.0.0.1", 6002, "unicast after them");
	for (int k = 0; k < 3; k++)
		show_next(in, "member");
	close(in);
	close(out);
}

/* The address a socket is bound to: a connect binds the source it
 * chose, a disconnect lets it go (the port stays). */
static void show_name(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	getsockname(fd, (struct sockaddr *)&ss, &len);
	printf(" getsockname: %s\n", text_of(&ss));
}

/* An IPv6 socket's datagrams to IPv4-mapped addresses leave with its
 * IPv4 settings (IP_TTL, IP_MULTICAST_TTL), the others with its IPv6
 * ones; the peer answers "ping" with the TTL it saw. */
static void mapped(void)
{
	int fd = udp(AF_INET6, 0), v;
	struct sockaddr_storage peer = addr("::ffff:192.168.79.1", 5001);

	printf("IPv6 socket, IPv4 and IPv6 destinations:\n");
	v = 33, setsockopt(fd, IPPROTO_IP, IP_TTL, &v, sizeof v);
	v = 44, setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof v);
	v = 6, setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &v, sizeof v);
	v = 7, setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &v, sizeof v);
	send_to(fd, "::ffff:192.168.79.1", 5001, "ping");
	show_next(fd, "peer");
	send_to(fd, "fd00::1", 5001, "ping");
	show_next(fd, "peer");
	send_to(fd, "::ffff:239.1.2.3", 5002, "mapped group");
	show_next(fd, "peer");
	send_to(fd, "ff15::1:2", 5002, "IPv6 group");
	show_next(fd, "peer");
	printf(" connected: %s\n", res(connect(fd, (struct sockaddr *)&peer, len_of(&peer))));
	show_name(fd);
	printf(" send: %s\n", res(send(fd, "ping", 4, 0)));
	show_next(fd, "peer");
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	printf(" disconnected: %s\n", res(connect(fd, &unspec, sizeof unspec)));
	show_name(fd);
	close(fd);
}

/* fd00::2 answers once its duplicate check is over (at once on Linux with
 * nodad): until then it cannot be bound. */
static void wait_for_ipv6(void)
{
	struct sockaddr_storage ss = addr("fd00::2", 0);

	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_INET6, SOCK_DGRAM, 0);
		int r = bind(fd, (struct sockaddr *)&ss, len_of(&ss));
		close(fd);
		if (r == 0)
			return;
		usleep(50000);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	eth0 = if_nametoindex("eth0");
	if (!eth0) {
		fprintf(stderr, "mcast: no eth0\n");
		return 1;
	}
	options4();
	options6();
	traffic(0);
	wait_for_ipv6();
	traffic(1);
	mapped();
	loopback();
	return 0;
}
