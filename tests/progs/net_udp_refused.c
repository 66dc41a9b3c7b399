/* net_udp_refused ADDR PORT [ADDR PORT...]: for each, a UDP socket
 * connected to ADDR:PORT (IPv4 or IPv6) sends a datagram once a second
 * until a call fails, at most 10 times (a send that finds no route, as
 * before IPv6 has checked the address is unique, is tried again), and prints "ADDR PORT: ERRNO" (the
 * error's name, "none" if every send and receive went through).  Against
 * a closed port the peer answers with an ICMP port unreachable, which
 * Linux reports as ECONNREFUSED. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *name(int err)
{
	switch (err) {
	case ECONNREFUSED: return "ECONNREFUSED";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENETUNREACH: return "ENETUNREACH";
	case EACCES: return "EACCES";
	case EAGAIN: return "EAGAIN";
	default: return strerror(err);
	}
}

/* The first error a connected socket reports, 0 if none came. */
static int first_error(int s)
{
	char c;

	for (int i = 0; i < 10; i++) {
		if (send(s, "x", 1, 0) < 0) {
			if (errno != ENETUNREACH || i == 9)
				return errno;
			sleep(1);	/* no usable address yet (IPv6 DAD) */
			continue;
		}
		struct pollfd p = { s, POLLIN, 0 };
		if (poll(&p, 1, 1000) == 1 && recv(s, &c, 1, MSG_DONTWAIT) < 0 && errno != EAGAIN)
			return errno;
	}
	return 0;
}

static int probe(const char *addr, const char *port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a4 = (void *)&ss;
	struct sockaddr_in6 *a6 = (void *)&ss;
	socklen_t len;

	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)atoi(port));
		len = sizeof *a4;
	} else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)atoi(port));
		len = sizeof *a6;
	} else {
		fprintf(stderr, "net_udp_refused: %s: not an address\n", addr);
		return 2;
	}
	int s = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (void *)&ss, len) < 0) {
		perror("net_udp_refused: socket/connect");
		return 1;
	}
	int err = first_error(s);
	printf("%s %s: %s\n", addr, port, err ? name(err) : "none");
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc % 2 != 1) {
		fprintf(stderr, "usage: net_udp_refused ADDR PORT [ADDR PORT...]\n");
		return 2;
	}
	for (int i = 1; i < argc; i += 2) {
		int r = probe(argv[i], argv[i + 1]);
		if (r)
			return r;
	}
	return 0;
}
