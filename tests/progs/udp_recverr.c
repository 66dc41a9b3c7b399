/* IP_RECVERR and IPV6_RECVERR on UDP sockets, over loopback, for a
 * transcript compared with Linux 6.18's: the option set and read back, a
 * datagram to a closed port and the "port unreachable" that comes back
 * as POLLERR, the socket's pending error and an entry of its error queue
 * (recvmsg with MSG_ERRQUEUE: the datagram's bytes, its destination, the
 * extended error and the offender), an empty queue, a short buffer and a
 * short control buffer, the queue emptied by turning the option off, and
 * an unconnected socket without the option hearing nothing.  With
 * "-ttl1 ADDR", a UDP datagram and a raw ICMP echo with TTL 1 to ADDR, a
 * router away, and the "time exceeded" each gets back. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call_result.h"

/* Linux's struct sock_extended_err (linux/errqueue.h, which musl's
 * headers do not carry). */
struct sock_extended_err {
	uint32_t ee_errno;
	uint8_t ee_origin, ee_type, ee_code, ee_pad;
	uint32_t ee_info, ee_data;
};

static int family;
static struct sockaddr_in6 self, closed;	/* either family's, in room for both */
static socklen_t alen;

static const char *addr_text(const void *sa)
{
	static char text[INET6_ADDRSTRLEN + 16];
	const struct sockaddr_in *in = sa;
	const struct sockaddr_in6 *in6 = sa;
	char a[INET6_ADDRSTRLEN];

	if (in->sin_family == AF_INET)
		snprintf(text, sizeof text, "%s port %s", inet_ntop(AF_INET, &in->sin_addr, a, sizeof a),
			 ntohs(in->sin_port) == ntohs(closed.sin6_port) ? "CLOSED" : "other");
	else
		snprintf(text, sizeof text, "%s port %s", inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof a),
			 ntohs(in6->sin6_port) == ntohs(closed.sin6_port) ? "CLOSED" : "other");
	return text;
}

static void option(int fd, int v)
{
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int name = family == AF_INET ? IP_RECVERR : IPV6_RECVERR, got = -1;
	socklen_t len = sizeof got;
	int r = setsockopt(fd, level, name, &v, sizeof v);
	int g = getsockopt(fd, level, name, &got, &len);

	printf(" set %s %d: %s; get %s value %d\n", family == AF_INET ? "IP_RECVERR" : "IPV6_RECVERR", v, res(r),
	       res(g), got);
}

/* Until the ICMP error for what was sent last has been handled: lo keeps
 * order, and a datagram sent after one that has come back follows the
 * error out of the first.  Another socket, sending to itself, so that
 * the one under test is not read. */
static int sync_fd;
static struct sockaddr_in6 sync_addr;

static void settle(void)
{
	char b[16];

	for (int k = 0; k < 2; k++) {
		sendto(sync_fd, "sync", 4, 0, (struct sockaddr *)&sync_addr, alen);
		struct pollfd p = { sync_fd, POLLIN, 0 };
		poll(&p, 1, 2000);
		recv(sync_fd, b, sizeof b, MSG_DONTWAIT);
	}
}

static void probe(int fd, const char *what)
{
	long r = sendto(fd, what, strlen(what), 0, (struct sockaddr *)&closed, alen);

	printf(" sendto the closed port: %s\n", res(r));
}

static void show_poll(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int r = poll(&p, 1, 0);

	printf(" poll: %s revents%s%s\n", res(r), p.revents & POLLERR ? " POLLERR" : "",
	       p.revents & POLLIN ? " POLLIN" : "");
}

static void pending(int fd)
{
	int err = -1;
	socklen_t len = sizeof err;

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	printf(" SO_ERROR: %d\n", err);
}

static void read_error(int fd, size_t room, size_t control_room)
{
	char data[64], control[256];
	struct sockaddr_in6 from;
	struct iovec v = { data, room };
	struct msghdr h = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &v, .msg_iovlen = 1,
			    .msg_control = control, .msg_controllen = control_room };

	memset(&from, 0, sizeof from);
	long n = recvmsg(fd, &h, MSG_ERRQUEUE);
	printf(" recvmsg MSG_ERRQUEUE room %zu control %zu: %s\n", room, control_room, res(n));
	if (n < 0)
		return;
	printf("  \"");
	for (long k = 0; k < n; k++)
		printf(data[k] >= ' ' && data[k] < 127 ? "%c" : "\\x%02x", (unsigned char)data[k]);
	printf("\" to %s, namelen %u, flags%s%s%s\n", addr_text(&from), h.msg_namelen,
	       h.msg_flags & MSG_ERRQUEUE ? " ERRQUEUE" : "", h.msg_flags & MSG_TRUNC ? " TRUNC" : "",
	       h.msg_flags & MSG_CTRUNC ? " CTRUNC" : "");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
		printf("  cmsg level %d type %d len %zu", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
		if (c->cmsg_len >= CMSG_LEN(sizeof(struct sock_extended_err))) {
			struct sock_extended_err e;
			memcpy(&e, CMSG_DATA(c), sizeof e);
			errno = (int)e.ee_errno;
			printf(": errno %s origin %d type %d code %d info %u data %u", res(-1), e.ee_origin,
			       e.ee_type, e.ee_code, e.ee_info, e.ee_data);
			if (c->cmsg_len >= CMSG_LEN(sizeof e + sizeof(struct sockaddr_in))) {
				struct sockaddr_in6 off;
				memset(&off, 0, sizeof off);
				memcpy(&off, CMSG_DATA(c) + sizeof e, c->cmsg_len - CMSG_LEN(sizeof e) < sizeof off ?
				       c->cmsg_len - CMSG_LEN(sizeof e) : sizeof off);
				printf(", offender %s", addr_text(&off));
			}
		}
		printf("\n");
	}
}

static void run(int fam)
{
	family = fam;
	printf("%s:\n", fam == AF_INET ? "IPv4" : "IPv6");
	memset(&self, 0, sizeof self);
	if (fam == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&self;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		alen = sizeof *in;
	} else {
		self.sin6_family = AF_INET6;
		self.sin6_addr = in6addr_loopback;
		alen = sizeof self;
	}
	/* A port bound and closed again: nobody is there. */
	closed = self;
	int gone = socket(fam, SOCK_DGRAM, 0);
	bind(gone, (struct sockaddr *)&closed, alen);
	getsockname(gone, (struct sockaddr *)&closed, &alen);
	close(gone);

	sync_fd = socket(fam, SOCK_DGRAM, 0);
	sync_addr = self;
	bind(sync_fd, (struct sockaddr *)&sync_addr, alen);
	getsockname(sync_fd, (struct sockaddr *)&sync_addr, &alen);
	int fd = socket(fam, SOCK_DGRAM, 0);
	bind(fd, (struct sockaddr *)&self, alen);
	getsockname(fd, (struct sockaddr *)&self, &alen);

	printf(" without the option:\n");
	probe(fd, "unheard");
	settle();
	show_poll(fd);
	pending(fd);
	read_error(fd, 64, 256);

	option(fd, 1);
	probe(fd, "probe one");
	settle();
	show_poll(fd);
	read_error(fd, 64, 256);
	pending(fd);
	show_poll(fd);
	read_error(fd, 64, 256);

	printf(" the error fails the next call:\n");
	probe(fd, "probe two");
	settle();
	char b[16];
	long r = recv(fd, b, sizeof b, MSG_DONTWAIT);
	printf(" recv: %s\n", res(r));
	pending(fd);
	read_error(fd, 3, 256);
	probe(fd, "probe three");
	settle();
	pending(fd);
	read_error(fd, 64, 20);
	printf(" two errors queued:\n");
	probe(fd, "probe four");
	settle();
	probe(fd, "probe five");
	settle();
	read_error(fd, 64, 256);
	pending(fd);
	read_error(fd, 64, 256);
	read_error(fd, 64, 256);
	probe(fd, "probe six");
	settle();
	option(fd, 0);
	show_poll(fd);
	read_error(fd, 64, 256);
	pending(fd);
	close(fd);
	close(sync_fd);
}

/* One datagram with TTL 1 to `to`, from a UDP socket (port 33434, as
 * traceroute) or a raw ICMP one (an echo request), and the error queue's
 * entry the first router's "time exceeded" makes. */
static void time_exceeded(int type, const char *to)
{
	int fd = socket(AF_INET, type, type == SOCK_RAW ? IPPROTO_ICMP : 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(33434) };
	uint8_t echo[12] = { 8, 0, 0x05, 0x25, 0x12, 0x34, 0, 1, 't', 't', 'l', '1' };	/* summed */

	family = AF_INET;
	closed.sin6_port = a.sin_port;
	inet_pton(AF_INET, to, &a.sin_addr);
	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
	setsockopt(fd, IPPROTO_IP, IP_TTL, &one, sizeof one);
	printf("%s with TTL 1:\n", type == SOCK_RAW ? "raw ICMP echo" : "UDP");
	long r = type == SOCK_RAW ? sendto(fd, echo, sizeof echo, 0, (struct sockaddr *)&a, sizeof a) :
				    sendto(fd, "ttl1", 4, 0, (struct sockaddr *)&a, sizeof a);
	printf(" sendto: %s\n", res(r));
	struct pollfd p = { fd, 0, 0 };
	r = poll(&p, 1, 10000);
	printf(" poll: %s revents%s\n", res(r), p.revents & POLLERR ? " POLLERR" : "");
	read_error(fd, 64, 256);
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "-ttl1")) {
		time_exceeded(SOCK_DGRAM, argv[2]);
		time_exceeded(SOCK_RAW, argv[2]);
		return 0;
	}
	run(AF_INET);
	run(AF_INET6);
	return 0;
}
