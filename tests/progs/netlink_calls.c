/* NETLINK_ROUTE sockets as Linux has them: creation, binding, options, the
 * kernel's replies (acks, errors, dumps) and lo's link and addresses, one
 * line per call, for a transcript compared with Linux's.  Only what is the
 * same on any machine is printed: lo, never eth0. */
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call_result.h"
#include "netlink_abi.h"

static unsigned seq = 100;
static char buf[65536];

static int nl_socket(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

/* Sends one request of type with body (len bytes) and flags. */
static long request(int fd, int type, int flags, const void *body, size_t len)
{
	struct {
		struct nlmsghdr h;
		char body[256];
	} m;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	memset(&m, 0, sizeof m);
	m.h.nlmsg_len = NLMSG_LENGTH(len);
	m.h.nlmsg_type = type;
	m.h.nlmsg_flags = flags;
	m.h.nlmsg_seq = ++seq;
	memcpy(m.body, body, len);
	return sendto(fd, &m, m.h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to);
}

static const char *type_name(int t)
{
	static char s[16];

	switch (t) {
	case NLMSG_ERROR: return "ERROR";
	case NLMSG_DONE: return "DONE";
	case RTM_NEWLINK: return "NEWLINK";
	case RTM_NEWADDR: return "NEWADDR";
	case RTM_NEWROUTE: return "NEWROUTE";
	}
	snprintf(s, sizeof s, "type %d", t);
	return s;
}

static void print_link_attrs(struct ifinfomsg *ifi, int len)
{
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		unsigned char *d = RTA_DATA(a);
		switch (a->rta_type) {
		case IFLA_IFNAME: printf("  ifname %s\n", (char *)d); break;
		case IFLA_MTU: printf("  mtu %u\n", *(unsigned *)d); break;
		case IFLA_TXQLEN: printf("  txqlen %u\n", *(unsigned *)d); break;
		case IFLA_OPERSTATE: printf("  operstate %u\n", *d); break;
		case IFLA_LINKMODE: printf("  linkmode %u\n", *d); break;
		case IFLA_QDISC: printf("  qdisc %s\n", (char *)d); break;
		case IFLA_CARRIER: printf("  carrier %u\n", *d); break;
		case IFLA_NUM_TX_QUEUES: printf("  numtxqueues %u\n", *(unsigned *)d); break;
		case IFLA_ADDRESS: case IFLA_BROADCAST:
			printf("  %s", a->rta_type == IFLA_ADDRESS ? "address" : "broadcast");
			for (unsigned i = 0; i < RTA_PAYLOAD(a); i++)
				printf("%c%02x", i ? ':' : ' ', d[i]);
			printf("\n");
			break;
		case IFLA_STATS64: printf("  stats64 %u bytes\n", (unsigned)RTA_PAYLOAD(a)); break;
		}
	}
}

static void print_addr_attrs(struct ifaddrmsg *ifa, int len)
{
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		unsigned char *d = RTA_DATA(a);
		switch (a->rta_type) {
		case IFA_ADDRESS: case IFA_LOCAL:
			printf("  %s", a->rta_type == IFA_ADDRESS ? "address" : "local");
			for (unsigned i = 0; i < RTA_PAYLOAD(a); i++)
				printf("%c%u", i ? '.' : ' ', d[i]);
			printf("\n");
			break;
		case IFA_LABEL: printf("  label %s\n", (char *)d); break;
		case IFA_FLAGS: printf("  flags 0x%x\n", *(unsigned *)d); break;
		case IFA_PROTO: printf("  proto %u\n", *d); break;
		case IFA_CACHEINFO: {
			struct ifa_cacheinfo *c = (void *)d;
			printf("  cacheinfo prefered %d valid %d\n", (int)c->ifa_prefered, (int)c->ifa_valid);
			break;
		}
		}
	}
}

/* Prints one reply message; lo's links and addresses in full. */
static void print_msg(struct nlmsghdr *h, int pid)
{
	printf(" %s flags 0x%x seq %s pid %s", type_name(h->nlmsg_type), h->nlmsg_flags,
	       h->nlmsg_seq == seq ? "ok" : "other", (int)h->nlmsg_pid == pid ? "ok" : "other");
	if (h->nlmsg_type != RTM_NEWLINK)	/* Linux's links have many more attributes */
		printf(" len %u", h->nlmsg_len);
	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(h);
		printf(" error %d echoes type %d len %u", e->error, e->msg.nlmsg_type, e->msg.nlmsg_len);
	} else if (h->nlmsg_type == NLMSG_DONE) {
		printf(" status %d", *(int *)NLMSG_DATA(h));
	}
	printf("\n");
	if (h->nlmsg_type == RTM_NEWLINK) {
		struct ifinfomsg *ifi = NLMSG_DATA(h);
		printf("  index %d type %u flags 0x%x\n", ifi->ifi_index, ifi->ifi_type, ifi->ifi_flags);
		print_link_attrs(ifi, IFLA_PAYLOAD(h));
	} else if (h->nlmsg_type == RTM_NEWADDR) {
		struct ifaddrmsg *ifa = NLMSG_DATA(h);
		printf("  family %u prefixlen %u flags 0x%x scope %u index %u\n", ifa->ifa_family,
		       ifa->ifa_prefixlen, ifa->ifa_flags, ifa->ifa_scope, ifa->ifa_index);
		print_addr_attrs(ifa, IFA_PAYLOAD(h));
	}
}

/* Receives datagrams until none is waiting and prints their messages, for
 * lo (index 1) or of no interface, counting the others.  How the messages
 * are packed into datagrams is not printed: Linux packs each kind its own
 * way, and programs may not rely on it. */
static void replies(int fd, int pid)
{
	int others = 0;
	long n;

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from,
				     .msg_iov = &iov, .msg_iovlen = 1 };
		if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) < 0)
			break;
		if (from.nl_pid || from.nl_groups || mh.msg_namelen != sizeof from || mh.msg_flags)
			printf(" datagram from pid %u groups %u namelen %u flags 0x%x\n", from.nl_pid,
			       from.nl_groups, mh.msg_namelen, mh.msg_flags);
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			int index = -1;
			if (h->nlmsg_type == RTM_NEWLINK)
				index = ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
			if (h->nlmsg_type == RTM_NEWADDR)
				index = (int)((struct ifaddrmsg *)NLMSG_DATA(h))->ifa_index;
			if (index > 1)
				others++;
			else
				print_msg(h, pid);
		}
		if (n)
			printf(" %ld bytes left over\n", n);
	}
	if (others)
		printf(" (and messages for other interfaces)\n");
	printf(" recv %s\n", res(n));
}

static int bound_pid(int fd)
{
	struct sockaddr_nl a;
	socklen_t len = sizeof a;

	getsockname(fd, (struct sockaddr *)&a, &len);
	return (int)a.nl_pid;
}

static void creation(void)
{
	int fd;

	printf("socket raw: %s\n", res((fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) < 0 ? -1 : 0));
	close(fd);
	printf("socket dgram: %s\n", res((fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE)) < 0 ? -1 : 0));
	close(fd);
	printf("socket stream: %s\n", res(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE)));
	printf("socket seqpacket: %s\n", res(socket(AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE)));
	printf("socket protocol 32: %s\n", res(socket(AF_NETLINK, SOCK_RAW, 32)));
	printf("socket protocol -1: %s\n", res(socket(AF_NETLINK, SOCK_RAW, -1)));
	printf("socketpair: %s\n", res(socketpair(AF_NETLINK, SOCK_RAW, 0, (int[2]){ 0, 0 })));
}

static void names(void)
{
	int a = nl_socket(), b = nl_socket(), c = nl_socket();
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof sa;

	printf("getsockname unbound: %s", res(getsockname(a, (struct sockaddr *)&sa, &len)));
	printf(" len %u family %u pid %u groups %u\n", len, sa.nl_family, sa.nl_pid, sa.nl_groups);
	printf("bind short: %s\n", res(bind(a, (struct sockaddr *)&sa, 8)));
	sa.nl_family = AF_INET;
	printf("bind inet: %s\n", res(bind(a, (struct sockaddr *)&sa, sizeof sa)));
	sa.nl_family = AF_NETLINK;
	printf("bind 0: %s", res(bind(a, (struct sockaddr *)&sa, sizeof sa)));
	printf(" pid is getpid %d\n", bound_pid(a) == getpid());
	printf("bind again other pid: %s\n",
	       res(bind(a, (struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK, 0, 4242, 0 }, sizeof sa)));
	printf("bind again same pid: %s\n",
	       res(bind(a, (struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK, 0, (unsigned)getpid(), 0 }, sizeof sa)));
	printf("bind taken pid: %s\n",
	       res(bind(b, (struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK, 0, (unsigned)getpid(), 0 }, sizeof sa)));
	printf("bind 0 second: %s", res(bind(b, (struct sockaddr *)&sa, sizeof sa)));
	printf(" negative %d\n", bound_pid(b) < 0);
	printf("bind groups: %s\n",
	       res(bind(c, (struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK, 0, 0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR }, sizeof sa)));
	len = sizeof sa;
	getsockname(c, (struct sockaddr *)&sa, &len);
	printf("getsockname groups: 0x%x\n", sa.nl_groups);
	len = sizeof sa;
	printf("getpeername: %s", res(getpeername(c, (struct sockaddr *)&sa, &len)));
	printf(" len %u pid %u groups %u\n", len, sa.nl_pid, sa.nl_groups);
	printf("connect unspec: %s\n", res(connect(c, (struct sockaddr *)&(struct sockaddr){ AF_UNSPEC }, sizeof(sa_family_t))));
	printf("connect short: %s\n", res(connect(c, (struct sockaddr *)&sa, 4)));
	printf("connect kernel: %s\n", res(connect(c, (struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK }, sizeof sa)));
	printf("connect other pid: %s\n", res(connect(c, (struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK, 0, 4242, 0 }, sizeof sa)));
	printf("listen: %s\n", res(listen(c, 1)));
	printf("accept: %s\n", res(accept(c, NULL, NULL)));
	printf("shutdown: %s\n", res(shutdown(c, SHUT_RDWR)));
	close(a);
	close(b);
	close(c);
}

static void options(void)
{
	int fd = nl_socket(), v = 1, groups[4] = { 0 };
	socklen_t len;

	printf("add membership 0: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 0 }, sizeof v)));
	printf("add membership 1000: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 1000 }, sizeof v)));
	printf("add membership 5: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 5 }, sizeof v)));
	printf("add membership 33: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){ 33 }, sizeof v)));
	len = sizeof groups;
	printf("list memberships: %s", res(getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &len)));
	printf(" len %u 0x%x 0x%x\n", len, groups[0], groups[1]);
	printf("drop membership 5: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &(int){ 5 }, sizeof v)));
	len = 4;
	getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &len);
	printf("list memberships short: len %u 0x%x\n", len, groups[0]);
	printf("ext ack: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof v)));
	len = 2;
	printf("get ext ack short: %s\n", res(getsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, &len)));
	len = sizeof v;
	printf("get ext ack: %s", res(getsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, &len)));
	printf(" %d len %u\n", v, len);
	printf("set short: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &v, 2)));
	printf("unknown option: %s\n", res(setsockopt(fd, SOL_NETLINK, 99, &v, sizeof v)));
	printf("level ip: %s\n", res(setsockopt(fd, 0, 1, &v, sizeof v)));
	printf("rcvbuf: %s", res(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ 100000 }, sizeof v)));
	len = sizeof v;
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len);
	printf(" now %d\n", v);
	len = sizeof v;
	printf("so_type: %s", res(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len)));
	printf(" %d\n", v);
	len = sizeof v;
	printf("so_protocol: %s", res(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len)));
	printf(" %d\n", v);
	close(fd);
}

static void link_and_addresses(void)
{
	int fd = nl_socket(), pid;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };

	bind(fd, (struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK }, sizeof(struct sockaddr_nl));
	pid = bound_pid(fd);
	printf("getlink lo: %s\n", res(request(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi)));
	replies(fd, pid);
	printf("getlink lo with ack: %s\n", res(request(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi)));
	replies(fd, pid);
	ifi.ifi_index = 0;
	struct {
		struct ifinfomsg ifi;
		struct rtattr a;
		char name[4];
	} byname = { ifi, { RTA_LENGTH(3), IFLA_IFNAME }, "lo" };
	printf("getlink by name: %s\n", res(request(fd, RTM_GETLINK, NLM_F_REQUEST, &byname, sizeof byname)));
	replies(fd, pid);
	/* Names Linux's policy refuses (ERANGE) and one it looks for. */
	static const struct { const char *what; const char *name; int len; } names[] = {
		{ "23 bytes", "abcdefghijklmnopqrstuvw", 24 }, { "16 bytes, no NUL", "abcdefghijklmnop", 16 },
		{ "empty", "", 0 }, { "15 bytes", "abcdefghijklmno", 16 },
	};
	for (unsigned k = 0; k < sizeof names / sizeof names[0]; k++) {
		struct {
			struct ifinfomsg ifi;
			struct rtattr a;
			char name[24];
		} m = { { .ifi_index = 0 }, { RTA_LENGTH(names[k].len), IFLA_IFNAME }, "" };
		memcpy(m.name, names[k].name, names[k].len);
		printf("getlink named %s: %s\n", names[k].what,
		       res(request(fd, RTM_GETLINK, NLM_F_REQUEST, &m, sizeof m.ifi + RTA_ALIGN(m.a.rta_len))));
		replies(fd, pid);
	}
	ifi.ifi_index = 9999;
	printf("getlink 9999: %s\n", res(request(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi)));
	replies(fd, pid);
	ifi.ifi_index = 0;
	printf("getlink no index, no name: %s\n", res(request(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi)));
	replies(fd, pid);
	printf("getlink short body: %s\n", res(request(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, 4)));
	replies(fd, pid);
	printf("getlink no body, ack: %s\n", res(request(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, 0)));
	replies(fd, pid);
	printf("newlink no body, ack: %s\n", res(request(fd, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, 0)));
	replies(fd, pid);
	printf("dump links: %s\n", res(request(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifi, sizeof ifi)));
	replies(fd, pid);
	printf("dump v4 addresses: %s\n", res(request(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof ifa)));
	replies(fd, pid);
	ifa.ifa_family = AF_INET6;
	printf("dump v6 addresses: %s\n", res(request(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof ifa)));
	replies(fd, pid);
	close(fd);
}

static void errors(void)
{
	int fd = nl_socket(), pid;
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 8, .ifa_index = 1 };
	struct nlmsghdr small = { .nlmsg_len = 8, .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK };
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	bind(fd, (struct sockaddr *)&to, sizeof to);
	pid = bound_pid(fd);
	printf("newaddr as user: %s\n", res(request(fd, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK, &ifa, sizeof ifa)));
	replies(fd, pid);
	printf("type 200: %s\n", res(request(fd, 200, NLM_F_REQUEST, &ifa, sizeof ifa)));
	replies(fd, pid);
	printf("noop with ack: %s\n", res(request(fd, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, &ifa, sizeof ifa)));
	replies(fd, pid);
	printf("no request flag: %s\n", res(request(fd, RTM_GETLINK, NLM_F_ACK, &ifa, sizeof ifa)));
	replies(fd, pid);
	printf("short header: %s\n", res(sendto(fd, &small, 8, 0, (struct sockaddr *)&to, sizeof to)));
	replies(fd, pid);
	printf("shorter than a header: %s\n", res(sendto(fd, &small, 4, 0, (struct sockaddr *)&to, sizeof to)));
	replies(fd, pid);
	printf("empty: %s\n", res(sendto(fd, &small, 0, 0, (struct sockaddr *)&to, sizeof to)));
	replies(fd, pid);
	printf("to another pid: %s\n", res(sendto(fd, &small, 16, 0,
		(struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK, 0, 4242, 0 }, sizeof to)));
	printf("to a group: %s\n", res(sendto(fd, &small, 16, 0,
		(struct sockaddr *)&(struct sockaddr_nl){ AF_NETLINK, 0, 0, 1 }, sizeof to)));
	printf("to short name: %s\n", res(sendto(fd, &small, 16, 0, (struct sockaddr *)&to, 4)));
	printf("to inet name: %s\n", res(sendto(fd, &small, 16, 0,
		(struct sockaddr *)&(struct sockaddr_nl){ AF_INET }, sizeof to)));
	printf("oob: %s\n", res(send(fd, &small, 16, MSG_OOB)));
	printf("recv oob: %s\n", res(recv(fd, buf, 16, MSG_OOB)));
	close(fd);
}

/* A datagram larger than the receiver's buffer, peeked, truncated, read. */
static void truncation(void)
{
	int fd = nl_socket();
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	long n, full;

	int ready = poll(&p, 1, 0);
	printf("poll empty: %d revents 0x%x\n", ready, p.revents);
	request(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi);
	ready = poll(&p, 1, 0);
	printf("poll ready: %d revents 0x%x\n", ready, p.revents);
	full = recv(fd, buf, 0, MSG_PEEK | MSG_TRUNC);
	printf("peek trunc 0: size over 100 %d\n", full > 100);
	struct iovec iov = { buf, 16 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	n = recvmsg(fd, &mh, MSG_PEEK);
	printf("peek 16: %ld flags 0x%x\n", n, mh.msg_flags);
	n = recvmsg(fd, &mh, MSG_TRUNC);
	printf("recv 16 trunc: equals full %d flags 0x%x\n", n == full, mh.msg_flags);
	printf("then: %s\n", res(recv(fd, buf, sizeof buf, MSG_DONTWAIT)));
	request(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi);
	printf("read: equals full %d\n", read(fd, buf, sizeof buf) == full);
	printf("write garbage: %s\n", res(write(fd, "garbage!", 8)));
	printf("then: %s\n", res(recv(fd, buf, sizeof buf, MSG_DONTWAIT)));
	close(fd);
}

/* musl's getifaddrs and if_nameindex ask NETLINK_ROUTE: lo's entries. */
static void libc(void)
{
	struct ifaddrs *list;

	printf("getifaddrs: %s\n", res(getifaddrs(&list)));
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (strcmp(i->ifa_name, "lo"))
			continue;
		int family = i->ifa_addr ? i->ifa_addr->sa_family : -1;
		printf(" lo family %d flags 0x%x", family, i->ifa_flags);
		if (family == AF_INET)
			printf(" addr %08x mask %08x",
			       ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr,
			       ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
		if (family == AF_INET6)
			printf(" addr ends %d", ((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr.s6_addr[15]);
		printf(" data %s\n", i->ifa_data ? "yes" : "no");
	}
	freeifaddrs(list);
	struct if_nameindex *names = if_nameindex();
	for (struct if_nameindex *n = names; n && n->if_index; n++)
		if (n->if_index == 1)
			printf("if_nameindex: 1 %s\n", n->if_name);
	if_freenameindex(names);
	printf("if_nametoindex lo: %u\n", if_nametoindex("lo"));
	char name[IF_NAMESIZE];
	printf("if_indextoname 1: %s\n", if_indextoname(1, name) ? name : "none");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	creation();
	names();
	options();
	link_and_addresses();
	errors();
	truncation();
	libc();
	return 0;
}
