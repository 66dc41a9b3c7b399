/* Raw IP sockets (SOCK_RAW), over loopback, for a transcript compared with
 * Linux 6.18's: which protocols socket() takes, the names a raw socket
 * gives, an ICMP echo to 127.0.0.1 seen as the IPv4 header and message
 * the socket receives (the request itself, then the reply), ICMP_FILTER,
 * connect, bind and the refusals; the same over IPv6 (no header; the
 * kernel sums ICMPv6, IPV6_CHECKSUM, ICMP6_FILTER, IPV6_RECVHOPLIMIT);
 * a raw UDP socket's copy of a datagram sent over lo; /proc/net/raw and
 * raw6; and that a process without CAP_NET_RAW gets none. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call_result.h"
#include "inet_sum.h"

#define SOL_RAW_K	255
#define ICMP_FILTER_K	1
#define PAYLOAD		"amphi raw"

/* An echo request of type `type`; the sum filled in unless zero is asked. */
static size_t echo(uint8_t *b, uint8_t type, uint16_t id, uint16_t seq, int sum)
{
	b[0] = type, b[1] = 0, b[2] = b[3] = 0;
	b[4] = (uint8_t)(id >> 8), b[5] = (uint8_t)id, b[6] = (uint8_t)(seq >> 8), b[7] = (uint8_t)seq;
	memcpy(b + 8, PAYLOAD, sizeof PAYLOAD - 1);
	size_t len = 8 + sizeof PAYLOAD - 1;
	if (sum) {
		uint16_t s = (uint16_t)~sum16(b, len, 0);
		b[2] = (uint8_t)(s >> 8), b[3] = (uint8_t)s;
	}
	return len;
}

static void show_icmp(const uint8_t *m, long len, uint32_t pseudo)
{
	if (len < 8) {
		printf("  short message of %ld bytes\n", len);
		return;
	}
	printf("  icmp type %d code %d id %#x seq %d payload \"%.*s\" sum %s\n", m[0], m[1],
	       m[4] << 8 | m[5], m[6] << 8 | m[7], (int)len - 8, (const char *)m + 8,
	       sum16(m, (size_t)len, pseudo) == 0xffff ? "good" : "bad");
}

static const char *addr_text(int family, const void *a)
{
	static char text[INET6_ADDRSTRLEN];

	return inet_ntop(family, a, text, sizeof text) ? text : "?";
}

static void show_name(const char *what, int fd, int peer)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof a;

	memset(&a, 0, sizeof a);
	int r = peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);
	if (r) {
		printf(" %s: %s\n", what, res(r));
		return;
	}
	if (a.sin6_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&a;
		printf(" %s: len %u port %d addr %s\n", what, len, ntohs(in->sin_port), addr_text(AF_INET, &in->sin_addr));
	} else {
		printf(" %s: len %u port %d addr %s\n", what, len, ntohs(a.sin6_port), addr_text(AF_INET6, &a.sin6_addr));
	}
}

/* The next packet within two seconds, or -1 (and why). */
static long next_packet(int fd, uint8_t *buf, size_t room, struct sockaddr_in6 *from, struct msghdr *h,
			char *control, size_t control_room)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct iovec v = { buf, room };

	if (poll(&p, 1, 2000) != 1) {
		printf("  nothing within 2 s\n");
		return -1;
	}
	memset(h, 0, sizeof *h);
	h->msg_name = from, h->msg_namelen = sizeof *from;
	h->msg_iov = &v, h->msg_iovlen = 1;
	h->msg_control = control, h->msg_controllen = control_room;
	long n = recvmsg(fd, h, 0);
	if (n < 0)
		printf("  recvmsg: %s\n", res(n));
	return n;
}

static void receive4(int fd, int count)
{
	for (int k = 0; k < count; k++) {
		uint8_t b[256];
		struct sockaddr_in6 from;
		struct msghdr h;
		long n = next_packet(fd, b, sizeof b, &from, &h, NULL, 0);
		if (n < 20)
			return;
		struct sockaddr_in *in = (struct sockaddr_in *)&from;
		size_t ihl = (size_t)(b[0] & 15) * 4;
		printf("  %ld bytes from %s port %d namelen %u: version %d ihl %zu total %d ttl %d protocol %d",
		       n, addr_text(AF_INET, &in->sin_addr), ntohs(in->sin_port), h.msg_namelen, b[0] >> 4, ihl,
		       b[2] << 8 | b[3], b[8], b[9]);
		printf(" %s", addr_text(AF_INET, b + 12));
		printf(" -> %s\n", addr_text(AF_INET, b + 16));
		if (b[9] == IPPROTO_ICMP)
			show_icmp(b + ihl, n - (long)ihl, 0);
		else if (b[9] == IPPROTO_UDP && n >= (long)ihl + 8)
			printf("  udp %d -> %d length %d \"%.*s\"\n", b[ihl] << 8 | b[ihl + 1],
			       b[ihl + 2] << 8 | b[ihl + 3], b[ihl + 4] << 8 | b[ihl + 5], (int)(n - (long)ihl - 8),
			       (const char *)b + ihl + 8);
	}
}

static void send_echo4(int fd, uint16_t seq, int flags, int to)
{
	uint8_t b[64];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(4242) };	/* ignored */

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	size_t len = echo(b, 8, 0x1234, seq, 1);
	long r = to ? sendto(fd, b, len, flags, (struct sockaddr *)&a, sizeof a) : send(fd, b, len, flags);
	printf(" echo %d%s%s: %s\n", seq, to ? "" : " (connected)", flags & MSG_OOB ? " MSG_OOB" : "", res(r));
}

static void create(void)
{
	printf("create:\n");
	static const struct { int family, protocol; } asks[] = {
		{ AF_INET, 0 }, { AF_INET, IPPROTO_ICMP }, { AF_INET, IPPROTO_UDP }, { AF_INET, -1 },
		{ AF_INET, 263 }, { AF_INET6, 0 }, { AF_INET6, IPPROTO_ICMPV6 },
	};
	for (size_t k = 0; k < sizeof asks / sizeof asks[0]; k++) {
		int fd = socket(asks[k].family, SOCK_RAW, asks[k].protocol);
		printf(" socket(%s, SOCK_RAW, %d): %s\n", asks[k].family == AF_INET ? "AF_INET" : "AF_INET6",
		       asks[k].protocol, fd < 0 ? res(fd) : "a socket");
		if (fd < 0)
			continue;
		int type = 0, proto = 0;
		socklen_t len = sizeof type;
		getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
		len = sizeof proto;
		getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
		printf("  SO_TYPE %d SO_PROTOCOL %d\n", type, proto);
		show_name(" getsockname", fd, 0);
		close(fd);
	}
}

static void ipv4(void)
{
	printf("ipv4 echo:\n");
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	send_echo4(fd, 1, 0, 1);
	receive4(fd, 2);
	uint32_t mask = 0;
	socklen_t len = sizeof mask;
	int r = getsockopt(fd, SOL_RAW_K, ICMP_FILTER_K, &mask, &len);
	printf(" get ICMP_FILTER: %s mask %#x len %u\n", res(r), mask, len);
	mask = 1u << 8;	/* no echo requests */
	r = setsockopt(fd, SOL_RAW_K, ICMP_FILTER_K, &mask, sizeof mask);
	mask = 0, len = sizeof mask;
	int g = getsockopt(fd, SOL_RAW_K, ICMP_FILTER_K, &mask, &len);
	printf(" set ICMP_FILTER 1 << 8: %s; get %s mask %#x\n", res(r), res(g), mask);
	send_echo4(fd, 2, 0, 1);
	receive4(fd, 1);
	send_echo4(fd, 3, MSG_OOB, 1);
	send_echo4(fd, 4, 0, 0);
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_port = htons(7) };
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(fd, (struct sockaddr *)&lo, sizeof lo);
	printf(" connect 127.0.0.1: %s\n", res(r));
	show_name("getpeername", fd, 1);
	send_echo4(fd, 5, 0, 0);
	receive4(fd, 1);
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	r = poll(&p, 1, 0);
	printf(" poll: %s revents %#x\n", res(r), p.revents);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	uint8_t b[64];
	printf(" recv when empty: %s\n", res(recv(fd, b, sizeof b, 0)));
	close(fd);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	r = bind(fd, (struct sockaddr *)&lo, sizeof lo);
	printf(" bind 127.0.0.1 port 7: %s\n", res(r));
	show_name("getsockname", fd, 0);
	r = bind(fd, (struct sockaddr *)&lo, sizeof lo);
	printf(" bind again: %s\n", res(r));
	struct sockaddr_in far = { .sin_family = AF_INET };
	far.sin_addr.s_addr = htonl(0x0a636363);
	r = bind(fd, (struct sockaddr *)&far, sizeof far);
	printf(" bind 10.99.99.99: %s\n", res(r));
	r = bind(fd, (struct sockaddr *)&lo, 8);
	printf(" bind with a short address: %s\n", res(r));
	close(fd);
}

static void raw_udp(void)
{
	printf("raw udp:\n");
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(40123) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct sockaddr_in b = a;
	b.sin_port = htons(40124);
	bind(rx, (struct sockaddr *)&a, sizeof a);
	bind(tx, (struct sockaddr *)&b, sizeof b);
	printf(" sendto: %s\n", res(sendto(tx, "datagram", 8, 0, (struct sockaddr *)&a, sizeof a)));
	receive4(raw, 1);
	char got[16];
	printf(" the UDP socket's recv: %s\n", res(recv(rx, got, sizeof got, 0)));
	close(raw), close(rx), close(tx);
}

static void receive6(int fd, int count)
{
	/* The pseudo-header's sum for ::1 to ::1, next header 58: the length
	 * is added per message. */
	static const uint8_t lo6[16] = { [15] = 1 };
	uint32_t base = 2u * sum16(lo6, 16, 0) + IPPROTO_ICMPV6;

	for (int k = 0; k < count; k++) {
		uint8_t b[256];
		char control[128];
		struct sockaddr_in6 from;
		struct msghdr h;
		long n = next_packet(fd, b, sizeof b, &from, &h, control, sizeof control);
		if (n < 0)
			return;
		printf("  %ld bytes from %s port %d namelen %u", n, addr_text(AF_INET6, &from.sin6_addr),
		       ntohs(from.sin6_port), h.msg_namelen);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
			int v = 0;
			memcpy(&v, CMSG_DATA(c), sizeof v);
			printf(" cmsg %d/%d %d", c->cmsg_level, c->cmsg_type, v);
		}
		printf("\n");
		show_icmp(b, n, base + (uint32_t)n);
	}
}

static void send_echo6(int fd, uint16_t seq)
{
	uint8_t b[64];
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	size_t len = echo(b, ICMP6_ECHO_REQUEST, 0x4321, seq, 0);	/* the kernel sums it */

	printf(" echo %d: %s\n", seq, res(sendto(fd, b, len, 0, (struct sockaddr *)&a, sizeof a)));
}

static void ipv6(void)
{
	printf("ipv6 echo:\n");
	int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), on = 1, v = 0;
	socklen_t len = sizeof v;
	int r = getsockopt(fd, SOL_RAW_K, IPV6_CHECKSUM, &v, &len);
	printf(" get IPV6_CHECKSUM at SOL_RAW: %s value %d\n", res(r), v);
	v = 4;
	printf(" set IPV6_CHECKSUM 4 at IPPROTO_IPV6: %s\n",
	       res(setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof v)));
	v = 3;
	printf(" set IPV6_CHECKSUM 3 at SOL_RAW: %s\n", res(setsockopt(fd, SOL_RAW_K, IPV6_CHECKSUM, &v, sizeof v)));
	printf(" set IPV6_RECVHOPLIMIT: %s\n", res(setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on)));
	send_echo6(fd, 1);
	receive6(fd, 2);

	struct icmp6_filter f;
	len = sizeof f;
	r = getsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, &len);
	printf(" get ICMP6_FILTER: %s len %u passes all %d\n", res(r), len, ICMP6_FILTER_WILLPASS(0, &f) &&
	       ICMP6_FILTER_WILLPASS(128, &f) && ICMP6_FILTER_WILLPASS(255, &f));
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	printf(" set ICMP6_FILTER replies only: %s\n", res(setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f)));
	printf(" set ICMP6_FILTER 8 bytes: %s\n", res(setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, 8)));
	send_echo6(fd, 2);
	receive6(fd, 1);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				  .sin6_port = htons(7) };
	uint8_t b[64];
	size_t n = echo(b, ICMP6_ECHO_REQUEST, 0x4321, 3, 0);
	printf(" sendto port 7: %s\n", res(sendto(fd, b, n, 0, (struct sockaddr *)&a, sizeof a)));
	a.sin6_port = htons(IPPROTO_ICMPV6);
	printf(" set IPV6_2292PKTINFO: %s\n", res(setsockopt(fd, IPPROTO_IPV6, IPV6_2292PKTINFO, &on, sizeof on)));
	printf(" set IPV6_2292HOPLIMIT: %s\n", res(setsockopt(fd, IPPROTO_IPV6, IPV6_2292HOPLIMIT, &on, sizeof on)));
	printf(" sendto port 58: %s\n", res(sendto(fd, b, n, 0, (struct sockaddr *)&a, sizeof a)));
	receive6(fd, 1);
	show_name("getsockname", fd, 0);
	close(fd);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* /proc/net/raw or raw6, each socket's line without what differs from
 * Linux's by design (sl, a hash bucket; rx_queue, skb memory there and
 * bytes here: only whether it is empty) or run to run (inode, pointer),
 * the lines sorted. */
static void show_table(const char *path)
{
	FILE *f = fopen(path, "r");
	static char line[512], out[8][512];
	char *sorted[8];
	int lines = 0;

	printf(" %s:%s\n", path, f ? "" : " cannot open");
	if (f && fgets(line, sizeof line, f)) {
		printf(" ");
		for (char *t = strtok(line, " \n"); t; t = strtok(NULL, " \n"))
			printf(" %s", t);
		printf("\n");
	}
	while (f && lines < 8 && fgets(line, sizeof line, f)) {
		char *field[20];
		int n = 0, used = 0;
		for (char *t = strtok(line, " \n"); t && n < 20; t = strtok(NULL, " \n"))
			field[n++] = t;
		for (int k = 1; k < n; k++) {
			if (k == 9 || k == 11)
				continue;
			const char *v = field[k], *rx = k == 4 ? strchr(v, ':') : NULL;
			if (rx)
				v = strcmp(rx + 1, "00000000") ? "rx:queued" : "rx:empty";
			used += snprintf(out[lines] + used, sizeof out[0] - (size_t)used, " %s", v);
		}
		sorted[lines] = out[lines];
		lines++;
	}
	qsort(sorted, (size_t)lines, sizeof sorted[0], by_text);
	for (int k = 0; k < lines; k++)
		printf(" %s\n", sorted[k]);
	if (f)
		fclose(f);
}

static void proc_tables(void)
{
	printf("proc:\n");
	struct sockaddr_in lo = { .sin_family = AF_INET };
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int icmp = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), udp = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	int six = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	bind(icmp, (struct sockaddr *)&lo, sizeof lo);
	connect(udp, (struct sockaddr *)&lo, sizeof lo);
	uint8_t b[64];
	size_t len = echo(b, 8, 0x1234, 9, 1);
	send(udp, "x", 0, 0);
	sendto(icmp, b, len, 0, (struct sockaddr *)&lo, sizeof lo);
	struct pollfd p = { icmp, POLLIN, 0 };
	poll(&p, 1, 2000);	/* lo keeps order: the UDP socket's packet is in too */
	show_table("/proc/net/raw");
	show_table("/proc/net/raw6");
	close(icmp), close(udp), close(six);
}

/* Without CAP_NET_RAW, as nobody: no raw socket. */
static void unprivileged(void)
{
	printf("as nobody:\n");
	if (setuid(65534)) {
		printf(" setuid: %s\n", res(-1));
		return;
	}
	printf(" socket(AF_INET, SOCK_RAW, 1): %s\n", res(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)));
	printf(" socket(AF_INET6, SOCK_RAW, 58): %s\n", res(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	create();
	ipv4();
	raw_udp();
	ipv6();
	proc_tables();
	unprivileged();
	return 0;
}
