/* IP_PKTINFO and IPV6_RECVPKTINFO on UDP sockets, over loopback: the
 * options set and read back, the control messages a receive gives (the
 * interface by name, the addresses as text; the TTL or hop limit and TOS
 * or traffic class of the header), and what an IPv4 send takes
 * (IP_PKTINFO's source, IP_TTL, IP_TOS, and what it refuses) and an IPv6
 * one (IPV6_PKTINFO, IPV6_HOPLIMIT, IPV6_TCLASS, and mapped destinations),
 * given ADDR and ADDR6, a second IPv4 and an IPv6 address of the
 * machine's (printed so), for a transcript compared with Linux 6.18's.  With "-outside PORT" it instead waits for
 * one datagram to 0.0.0.0:PORT from outside and prints its packet
 * information alone; with "-send HOST HOST6 PORT" it sends HOST:PORT
 * "plain", "ttl7" (IP_TTL 7) and "tos16" (IP_TOS 0x10), and [HOST6]:PORT
 * "plain6", "hop9" (IPV6_HOPLIMIT 9) and "tclass32" (IPV6_TCLASS 0x20),
 * every 0.1 s for 4 s, for the host to read the headers. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call_result.h"

static const char *ifname(int index)
{
	static char name[IF_NAMESIZE];

	return if_indextoname((unsigned)index, name) ? name : "?";
}

static void show_cmsgs(struct msghdr *h)
{
	int n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c), n++) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		printf("  cmsg level %d type %d len %zu", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo i;
			memcpy(&i, CMSG_DATA(c), sizeof i);
			printf(": ifindex of %s, spec_dst %s, addr %s", ifname(i.ipi_ifindex),
			       inet_ntop(AF_INET, &i.ipi_spec_dst, a, sizeof a),
			       inet_ntop(AF_INET, &i.ipi_addr, b, sizeof b));
		} else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
			   (c->cmsg_level == IPPROTO_IPV6 && (c->cmsg_type == IPV6_HOPLIMIT ||
							      c->cmsg_type == IPV6_TCLASS))) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof v);
			printf(": %d", v);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
			printf(": %#x", *CMSG_DATA(c));
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo i;
			memcpy(&i, CMSG_DATA(c), sizeof i);
			printf(": ifindex of %s, addr %s", ifname((int)i.ipi6_ifindex),
			       inet_ntop(AF_INET6, &i.ipi6_addr, a, sizeof a));
		}
		printf("\n");
	}
	printf("  %d cmsgs, controllen %zu, flags%s%s\n", n, (size_t)h->msg_controllen,
	       h->msg_flags & MSG_CTRUNC ? " CTRUNC" : "", h->msg_flags & MSG_TRUNC ? " TRUNC" : "");
}

static void receive(int fd, size_t room, int flags)
{
	char data[64], control[256];
	struct iovec v = { data, sizeof data };
	struct msghdr h = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = room ? control : NULL,
			    .msg_controllen = room };

	memset(control, 0, sizeof control);
	long n = recvmsg(fd, &h, flags);
	printf(" recvmsg control %zu%s: %s\n", room, flags & MSG_PEEK ? " peek" : "", res(n));
	if (n >= 0)
		show_cmsgs(&h);
}

static void opt(int fd, int level, int name, const char *what, int v)
{
	const char *set = res(setsockopt(fd, level, name, &v, sizeof v));
	int got = -1;
	socklen_t len = sizeof got;
	int g = getsockopt(fd, level, name, &got, &len);

	printf(" set %s %d: %s; get %s value %d\n", what, v, set, res(g), g ? -1 : got);
}

/* A socket of family bound to the loopback address `to` at some port, and
 * one datagram sent to it from `from` (a socket of the same family). */
static int bound_pair(int family, const char *to, int *sender, struct sockaddr_storage *a, socklen_t *alen)
{
	int fd = socket(family, SOCK_DGRAM, 0);

	memset(a, 0, sizeof *a);
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)a;
		s->sin_family = AF_INET;
		inet_pton(AF_INET, to, &s->sin_addr);
		*alen = sizeof *s;
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)a;
		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, to, &s->sin6_addr);
		*alen = sizeof *s;
	}
	bind(fd, (struct sockaddr *)a, *alen);
	getsockname(fd, (struct sockaddr *)a, alen);
	*sender = socket(family, SOCK_DGRAM, 0);
	return fd;
}

static void send_to(int sender, struct sockaddr_storage *a, socklen_t alen)
{
	sendto(sender, "hello", 5, 0, (struct sockaddr *)a, alen);
}

static void ipv4(void)
{
	struct sockaddr_storage a;
	socklen_t alen;
	int s, fd = bound_pair(AF_INET, "127.0.0.1", &s, &a, &alen);

	printf("ipv4:\n");
	send_to(s, &a, alen);
	receive(fd, 256, 0);	/* not asked: no control */
	opt(fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", 1);
	opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO", 1);
	send_to(s, &a, alen);
	receive(fd, 256, MSG_PEEK);
	receive(fd, 256, 0);
	send_to(s, &a, alen);
	receive(fd, CMSG_LEN(4), 0);		/* cut short */
	send_to(s, &a, alen);
	receive(fd, 8, 0);			/* not even the header */
	send_to(s, &a, alen);
	receive(fd, 0, 0);
	opt(fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", 0);
	send_to(s, &a, alen);
	receive(fd, 256, 0);
	close(fd);
	close(s);
}

static void ipv6(void)
{
	struct sockaddr_storage a;
	socklen_t alen;
	int s, fd = bound_pair(AF_INET6, "::1", &s, &a, &alen);

	printf("ipv6:\n");
	opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO", 1);
	opt(fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", 1);
	send_to(s, &a, alen);
	receive(fd, 256, 0);
	close(fd);
	close(s);

	/* A dual-stack socket and an IPv4 datagram: both messages, the
	 * IPv6 one with the mapped address first. */
	fd = bound_pair(AF_INET6, "::", &s, &a, &alen);
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = ((struct sockaddr_in6 *)&a)->sin6_port };
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	printf("dual stack, from IPv4:\n");
	opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO", 1);
	opt(fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", 1);
	sendto(s, "hello", 5, 0, (struct sockaddr *)&to, sizeof to);
	receive(fd, 256, 0);
	opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO", 0);
	sendto(s, "hello", 5, 0, (struct sockaddr *)&to, sizeof to);
	receive(fd, 256, 0);
	close(fd);
	close(s);
}

static void tcp(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	printf("tcp:\n");
	opt(fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", 1);
	close(fd);
}

static const char *addr_word, *addr6_word;

/* payload to `to` with one control message of len bytes of data (data
 * NULL: none). */
static long send_payload(int s, const void *to, const char *payload, int level, int type,
			 const void *data, size_t len)
{
	char control[CMSG_SPACE(64)];
	struct iovec v = { (void *)payload, strlen(payload) };
	socklen_t tolen = ((const struct sockaddr *)to)->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
										 : sizeof(struct sockaddr_in);
	struct msghdr h = { .msg_name = (void *)to, .msg_namelen = tolen, .msg_iov = &v,
			    .msg_iovlen = 1, .msg_control = control, .msg_controllen = CMSG_SPACE(len) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&h);

	if (!data) {
		h.msg_control = NULL;
		h.msg_controllen = 0;
		return sendmsg(s, &h, 0);
	}
	memset(control, 0, sizeof control);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	return sendmsg(s, &h, 0);
}

/* "hello" with one control message, as a send takes it. */
static long send_ctl(int s, const void *to, int level, int type, const void *data, size_t len)
{
	return send_payload(s, to, "hello", level, type, data, len);
}

/* Where the datagram came from, if one came within a second. */
static void came(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct sockaddr_in6 from;
	socklen_t len = sizeof from;
	char buf[16], a[INET6_ADDRSTRLEN];

	if (poll(&p, 1, 1000) != 1) {
		printf("  nothing came\n");
		return;
	}
	recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
	if (from.sin6_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, a, sizeof a);
	else
		inet_ntop(AF_INET6, &from.sin6_addr, a, sizeof a);
	printf("  came from %s\n", !strcmp(a, addr_word) ? "ADDR" : !strcmp(a, addr6_word) ? "ADDR6" : a);
}

static void sending(void)
{
	struct sockaddr_storage to;
	socklen_t len;
	int s, r = bound_pair(AF_INET, "127.0.0.1", &s, &to, &len), v;
	struct in_pktinfo i = { 0 };

	printf("ipv4 send:\n");
	inet_pton(AF_INET, addr_word, &i.ipi_spec_dst);
	printf(" IP_PKTINFO source ADDR: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_PKTINFO, &i, sizeof i)));
	came(r);
	i.ipi_spec_dst.s_addr = 0;
	printf(" IP_PKTINFO no source: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_PKTINFO, &i, sizeof i)));
	came(r);
	inet_pton(AF_INET, "10.99.99.99", &i.ipi_spec_dst);
	printf(" IP_PKTINFO source not ours: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_PKTINFO, &i, sizeof i)));
	i.ipi_spec_dst.s_addr = 0;
	printf(" IP_PKTINFO short: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_PKTINFO, &i, 8)));
	i.ipi_ifindex = 999;
	printf(" IP_PKTINFO ifindex 999: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_PKTINFO, &i, sizeof i)));
	i.ipi_ifindex = (int)if_nametoindex("lo");
	printf(" IP_PKTINFO ifindex of lo: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_PKTINFO, &i, sizeof i)));
	came(r);
	v = 0;
	printf(" IP_TTL 0: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_TTL, &v, sizeof v)));
	v = 256;
	printf(" IP_TTL 256: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_TTL, &v, sizeof v)));
	v = 7;
	printf(" IP_TTL 7: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_TTL, &v, sizeof v)));
	came(r);
	printf(" IP_TTL as a byte: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_TTL, "\x07", 1)));
	printf(" IP_TOS as a byte: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_TOS, "\x10", 1)));
	came(r);
	v = 300;
	printf(" IP_TOS 300: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_TOS, &v, sizeof v)));
	v = 0;
	printf(" IP type 99: %s\n", res(send_ctl(s, &to, IPPROTO_IP, 99, &v, sizeof v)));
	printf(" SCM_RIGHTS: %s\n", res(send_ctl(s, &to, SOL_SOCKET, SCM_RIGHTS, &s, sizeof s)));
	came(r);
	printf(" SOL_SOCKET type 29: %s\n", res(send_ctl(s, &to, SOL_SOCKET, 29, &v, sizeof v)));
	printf(" level TCP: %s\n", res(send_ctl(s, &to, IPPROTO_TCP, 1, &v, sizeof v)));
	came(r);
	close(r);
	close(s);
}

/* Whether ADDR6 is in /proc/net/if_inet6 without IFA_F_TENTATIVE (0x40):
 * past its duplicate check. */
static int addr6_ready(void)
{
	struct in6_addr a;
	char want[33], hex[33];
	unsigned index, prefix, scope, flags;
	FILE *f = fopen("/proc/net/if_inet6", "r");
	int ready = 0;

	inet_pton(AF_INET6, addr6_word, &a);
	for (int k = 0; k < 16; k++)
		sprintf(want + 2 * k, "%02x", a.s6_addr[k]);
	while (f && fscanf(f, "%32s %x %x %x %x %*s", hex, &index, &prefix, &scope, &flags) == 5)
		if (!strcmp(hex, want) && !(flags & 0x40))
			ready = 1;
	if (f)
		fclose(f);
	return ready;
}

/* Until ADDR6 may be a source, at most 10 s. */
static void wait_for_addr6(void)
{
	for (int i = 0; i < 100 && !addr6_ready(); i++)
		usleep(100 * 1000);
}

static void sending6(void)
{
	struct sockaddr_storage to;
	struct sockaddr_in to4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len;
	int s, r, v;
	int r4 = socket(AF_INET, SOCK_DGRAM, 0);
	struct in6_pktinfo i = { 0 };
	struct in_pktinfo i4 = { 0 };

	wait_for_addr6();
	r = bound_pair(AF_INET6, "::1", &s, &to, &len);
	printf("ipv6 send:\n");
	inet_pton(AF_INET6, addr6_word, &i.ipi6_addr);
	printf(" IPV6_PKTINFO source ADDR6: %s\n", res(send_ctl(s, &to, IPPROTO_IPV6, IPV6_PKTINFO, &i, sizeof i)));
	came(r);
	memset(&i, 0, sizeof i);
	printf(" IPV6_PKTINFO no source: %s\n", res(send_ctl(s, &to, IPPROTO_IPV6, IPV6_PKTINFO, &i, sizeof i)));
	came(r);
	inet_pton(AF_INET6, "fd00:99::99", &i.ipi6_addr);
	printf(" IPV6_PKTINFO source not ours: %s\n", res(send_ctl(s, &to, IPPROTO_IPV6, IPV6_PKTINFO, &i, sizeof i)));
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &i.ipi6_addr);
	printf(" IPV6_PKTINFO mapped source: %s\n", res(send_ctl(s, &to, IPPROTO_IPV6, IPV6_PKTINFO, &i, sizeof i)));
	memset(&i, 0, sizeof i);
	printf(" IPV6_PKTINFO short: %s\n", res(send_ctl(s, &to, IPPROTO_IPV6, IPV6_PKTINFO, &i, 16)));
	i.ipi6_ifindex = 999;
	printf(" IPV6_PKTINFO ifindex 999: %s\n", res(send_ctl(s, &to, IPPROTO_IPV6, IPV6_PKTINFO, &i, sizeof i)));
	for (int k = 0, hops[] = { -2, 256, -1, 9 }; k < 4; k++) {
		v = hops[k];
		printf(" IPV6_HOPLIMIT %d: %s\n", v, res(send_ctl(s, &to, IPPROTO_IPV6, IPV6_HOPLIMIT, &v, sizeof v)));
	}
	came(r);
	came(r);
	v = 0x20;
	printf(" IPV6_TCLASS 0x20: %s\n", res(send_ctl(s, &to, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof v)));
	came(r);
	v = 7;
	printf(" IP_TTL to IPv6: %s\n", res(send_ctl(s, &to, IPPROTO_IP, IP_TTL, &v, sizeof v)));
	came(r);
	printf(" IPv6 type 99: %s\n", res(send_ctl(s, &to, IPPROTO_IPV6, 99, &v, sizeof v)));

	/* To a mapped IPv4 address: Linux's IPv4 rules, IPV6_PKTINFO taken
	 * with a mapped source only. */
	bind(r4, (struct sockaddr *)&to4, sizeof to4);
	len = sizeof to4;
	getsockname(r4, (struct sockaddr *)&to4, &len);
	struct sockaddr_in6 mapped = { .sin6_family = AF_INET6, .sin6_port = to4.sin_port };
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
	printf("ipv6 send to a mapped address:\n");
	char m6[64];
	snprintf(m6, sizeof m6, "::ffff:%s", addr_word);
	inet_pton(AF_INET6, m6, &i.ipi6_addr);
	i.ipi6_ifindex = 0;
	printf(" IPV6_PKTINFO source ::ffff:ADDR: %s\n", res(send_ctl(s, &mapped, IPPROTO_IPV6, IPV6_PKTINFO, &i, sizeof i)));
	came(r4);
	memset(&i, 0, sizeof i);
	printf(" IPV6_PKTINFO no source: %s\n", res(send_ctl(s, &mapped, IPPROTO_IPV6, IPV6_PKTINFO, &i, sizeof i)));
	inet_pton(AF_INET, addr_word, &i4.ipi_spec_dst);
	printf(" IP_PKTINFO source ADDR: %s\n", res(send_ctl(s, &mapped, IPPROTO_IP, IP_PKTINFO, &i4, sizeof i4)));
	came(r4);
	v = 5;
	printf(" IPV6_HOPLIMIT: %s\n", res(send_ctl(s, &mapped, IPPROTO_IPV6, IPV6_HOPLIMIT, &v, sizeof v)));
	came(r4);
	close(r);
	close(r4);
	close(s);
}

/* One datagram to `to` with one int-valued control message (level 0: none). */
static void send_marked(int s, const void *to, const char *what, int level, int type, int v)
{
	if (send_payload(s, to, what, level, type, level || type ? &v : NULL, sizeof v) != (long)strlen(what))
		perror(what);
}

/* IP_RECVTTL, IP_RECVTOS, IPV6_RECVHOPLIMIT and IPV6_RECVTCLASS: what a
 * header carried, from a send that set some of it. */
static void header_fields(void)
{
	struct sockaddr_storage to, to6;
	socklen_t len, len6;
	int s, r = bound_pair(AF_INET, "127.0.0.1", &s, &to, &len), v = 0x10;
	int s6, r6 = bound_pair(AF_INET6, "::1", &s6, &to6, &len6);

	printf("header fields, ipv4:\n");
	opt(r, IPPROTO_IP, IP_RECVTTL, "IP_RECVTTL", 1);
	opt(r, IPPROTO_IP, IP_RECVTOS, "IP_RECVTOS", 1);
	opt(r, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", 1);
	opt(r, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT", 1);
	send_ctl(s, &to, IPPROTO_IP, IP_TOS, &v, sizeof v);
	receive(r, 256, 0);
	v = 9;
	send_ctl(s, &to, IPPROTO_IP, IP_TTL, &v, sizeof v);
	receive(r, 256, 0);
	printf("header fields, ipv6:\n");
	opt(r6, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT", 1);
	opt(r6, IPPROTO_IPV6, IPV6_RECVTCLASS, "IPV6_RECVTCLASS", 1);
	opt(r6, IPPROTO_IP, IP_RECVTTL, "IP_RECVTTL", 1);
	v = 0x20;
	send_ctl(s6, &to6, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof v);
	receive(r6, 256, 0);
	v = 5;
	send_ctl(s6, &to6, IPPROTO_IPV6, IPV6_HOPLIMIT, &v, sizeof v);
	receive(r6, 256, 0);
	close(r);
	close(s);
	close(r6);
	close(s6);
}

static int send_outside(const char *host, const char *host6, int port)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in6 to6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);

	inet_pton(AF_INET, host, &to.sin_addr);
	inet_pton(AF_INET6, host6, &to6.sin6_addr);
	for (int i = 0; i < 40; i++) {	/* 4 s: past the IPv6 address's duplicate check */
		send_marked(s, &to, "plain", 0, 0, 0);
		send_marked(s, &to, "ttl7", IPPROTO_IP, IP_TTL, 7);
		send_marked(s, &to, "tos16", IPPROTO_IP, IP_TOS, 0x10);
		send_marked(s6, &to6, "plain6", 0, 0, 0);
		send_marked(s6, &to6, "hop9", IPPROTO_IPV6, IPV6_HOPLIMIT, 9);
		send_marked(s6, &to6, "tclass32", IPPROTO_IPV6, IPV6_TCLASS, 0x20);
		usleep(100 * 1000);
	}
	return 0;
}

static int from_outside(int port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a)) {
		perror("bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	receive(fd, 256, 0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "-outside"))
		return from_outside(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "-send"))
		return send_outside(argv[2], argv[3], atoi(argv[4]));
	if (argc != 3) {
		fprintf(stderr, "usage: udp_pktinfo ADDR ADDR6 | -outside PORT | -send HOST HOST6 PORT\n");
		return 2;
	}
	addr_word = argv[1];
	addr6_word = argv[2];
	ipv4();
	ipv6();
	tcp();
	sending();
	sending6();
	header_fields();
	return 0;
}
