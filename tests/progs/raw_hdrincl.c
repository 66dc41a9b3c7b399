/* Raw sockets that send whole packets, IP header and all (IPPROTO_RAW,
 * IP_HDRINCL, IPV6_HDRINCL), over loopback, for a transcript compared
 * with Linux 6.18's: what the kernel fills in of an IPv4 header left
 * blank (length, identification, checksum, source) and what it keeps (TTL,
 * TOS, protocol, destination), as a raw ICMP socket sees the packet and
 * the echo reply it brings; what it refuses (too short, a header longer
 * than the packet, over 65535 bytes); IP_HDRINCL on an ICMP socket and on
 * a UDP one; an IPv6 packet sent as it is; and that an IPPROTO_RAW socket
 * receives nothing. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call_result.h"
#include "inet_sum.h"

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL	36
#endif

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* An ICMP echo request at b, its sum filled in (pseudo: ICMPv6's). */
static size_t echo(uint8_t *b, uint8_t type, uint16_t seq, uint32_t pseudo)
{
	static const char text[] = "hdrincl";

	memset(b, 0, 8);
	b[0] = type;
	put16(b + 4, 0x1234);
	put16(b + 6, seq);
	memcpy(b + 8, text, sizeof text - 1);
	size_t len = 8 + sizeof text - 1;
	put16(b + 2, (uint16_t)~sum16(b, len, pseudo));
	return len;
}

/* An IPv4 header, the fields a program may leave to the kernel zero. */
static size_t ip4(uint8_t *b, uint8_t ihl, uint8_t proto, const char *dst)
{
	memset(b, 0, 20);
	b[0] = (uint8_t)(0x40 | ihl);
	b[1] = 0x10;	/* TOS */
	b[8] = 33;	/* TTL */
	b[9] = proto;
	inet_pton(AF_INET, dst, b + 16);
	return 20;
}

static struct sockaddr_in lo4(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	return a;
}

static int opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof v;
	int r = getsockopt(fd, level, name, &v, &len);

	return r ? -1000 - errno : v;
}

/* The next ICMP packet a raw IPv4 ICMP socket holds, header first. */
static void show4(int fd)
{
	uint8_t b[256];
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 10000) != 1) {
		printf("  nothing\n");
		return;
	}
	ssize_t n = recv(fd, b, sizeof b, 0);
	if (n < 28) {
		printf("  recv: %s\n", res(n));
		return;
	}
	char s[16], d[16];
	inet_ntop(AF_INET, b + 12, s, sizeof s);
	inet_ntop(AF_INET, b + 16, d, sizeof d);
	int ihl = (b[0] & 0xf) * 4;
	printf("  %zd bytes: length %u, tos 0x%02x, id %s, ttl %u, protocol %u, %s -> %s, header sum %s, "
	       "icmp type %u seq %u \"%.*s\"\n",
	       n, b[2] << 8 | b[3], b[1], b[4] | b[5] ? "set" : "0", b[8], b[9], s, d,
	       sum16(b, (size_t)ihl, 0) == 0xffff ? "good" : "bad", b[ihl], b[ihl + 6] << 8 | b[ihl + 7],
	       (int)(n - ihl - 8), (const char *)b + ihl + 8);
}

static void send4(int fd, const uint8_t *b, size_t len, const char *what)
{
	struct sockaddr_in to = lo4();

	printf(" %s: %s\n", what, res(sendto(fd, b, len, 0, (struct sockaddr *)&to, sizeof to)));
}

static void v4(void)
{
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW), icmp = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	uint8_t b[70000];
	size_t len;

	printf("IPv4:\n");
	printf(" IPPROTO_RAW: IP_HDRINCL %d, SO_PROTOCOL %d\n", opt(raw, IPPROTO_IP, IP_HDRINCL),
	       opt(raw, SOL_SOCKET, SO_PROTOCOL));
	len = ip4(b, 5, IPPROTO_ICMP, "127.0.0.1");
	len += echo(b + len, 8, 1, 0);
	send4(raw, b, len, "echo request, length, id, sum and source left 0");
	show4(icmp);
	show4(icmp);
	b[4] = 0x56, b[5] = 0x78;	/* an id of its own */
	inet_pton(AF_INET, "127.0.0.1", b + 12);
	put16(b + 2, 999);	/* a wrong length: the kernel's wins */
	echo(b + 20, 8, 2, 0);
	send4(raw, b, len, "with id, source and a wrong length");
	show4(icmp);
	show4(icmp);
	send4(raw, b, 19, "19 bytes");
	b[0] = 0x4f;	/* a 60-byte header in 36 bytes */
	send4(raw, b, len, "header longer than the packet");
	memset(b, 0, sizeof b);
	send4(raw, b, 65536, "65536 bytes");
	char c;
	printf(" IPPROTO_RAW recv: %s\n", res(recv(raw, &c, 1, MSG_DONTWAIT)));

	int one = 1;
	printf(" ICMP socket: IP_HDRINCL %d\n", opt(icmp, IPPROTO_IP, IP_HDRINCL));
	printf(" set IP_HDRINCL 1: %s\n", res(setsockopt(icmp, IPPROTO_IP, IP_HDRINCL, &one, sizeof one)));
	printf(" ICMP socket: IP_HDRINCL %d\n", opt(icmp, IPPROTO_IP, IP_HDRINCL));
	len = ip4(b, 5, IPPROTO_ICMP, "127.0.0.1");
	len += echo(b + len, 8, 3, 0);
	send4(icmp, b, len, "echo request through it");
	show4(icmp);
	show4(icmp);

	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	printf(" UDP socket: set IP_HDRINCL %s, get %d\n",
	       res(setsockopt(udp, IPPROTO_IP, IP_HDRINCL, &one, sizeof one)), opt(udp, IPPROTO_IP, IP_HDRINCL));
	close(udp);
	close(raw);
	close(icmp);
}

static void v6(void)
{
	int raw = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW), icmp = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	uint8_t b[128];

	printf("IPv6:\n");
	printf(" IPPROTO_RAW: IPV6_HDRINCL %d, SO_PROTOCOL %d\n", opt(raw, IPPROTO_IPV6, IPV6_HDRINCL),
	       opt(raw, SOL_SOCKET, SO_PROTOCOL));
	memset(b, 0, 40);
	b[0] = 0x60;
	b[6] = IPPROTO_ICMPV6;
	b[7] = 44;	/* hop limit */
	memcpy(b + 8, &to.sin6_addr, 16);
	memcpy(b + 24, &to.sin6_addr, 16);
	/* ICMPv6's pseudo-header: both addresses, the length, the protocol. */
	uint32_t pseudo = 2 + 15 + IPPROTO_ICMPV6;	/* ::1 twice, 15 bytes */
	size_t len = echo(b + 40, 128, 4, pseudo);
	put16(b + 4, (uint16_t)len);
	printf(" echo request: %s\n", res(sendto(raw, b, 40 + len, 0, (struct sockaddr *)&to, sizeof to)));
	int hops = 1;
	setsockopt(icmp, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &hops, sizeof hops);
	for (int k = 0; k < 2; k++) {
		char ctl[64];
		struct iovec iov = { b, sizeof b };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
		struct pollfd p = { icmp, POLLIN, 0 };
		ssize_t n = poll(&p, 1, 10000) == 1 ? recvmsg(icmp, &m, 0) : -1;
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		printf("  %s bytes: icmp type %u seq %u, hop limit %d\n", res(n), b[0], b[6] << 8 | b[7],
		       n > 0 && c ? *(int *)CMSG_DATA(c) : -1);
	}
	printf(" 39 bytes: %s\n", res(sendto(raw, b, 39, 0, (struct sockaddr *)&to, sizeof to)));
	close(raw);
	close(icmp);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	v4();
	v6();
	return 0;
}
