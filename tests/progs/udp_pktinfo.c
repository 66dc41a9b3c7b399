/* IP_PKTINFO and IPV6_RECVPKTINFO on UDP sockets, over loopback: the
 * options set and read back, and the control messages a receive gives
 * (the interface by name, the addresses as text), for a transcript
 * compared with Linux 6.18's.  With an argument PORT it instead waits
 * for one datagram to 0.0.0.0:PORT from outside and prints its packet
 * information alone. */
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
	if (argc > 1)
		return from_outside(atoi(argv[1]));
	ipv4();
	ipv6();
	tcp();
	return 0;
}
