/* A UDP echo server: every datagram goes back to its sender, unchanged.
 *
 *   net_udpecho [-6] PORT
 *
 * Prints "net_udpecho: listening on port PORT" once bound.  Datagrams of
 * any size up to 64 KiB; a failed send (no route, full buffers) drops that
 * one answer, as UDP would. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	static char buf[65536];
	int v6 = argc > 1 && !strcmp(argv[1], "-6");
	argv += v6;
	argc -= v6;
	if (argc != 2 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: net_udpecho [-6] PORT\n");
		return 2;
	}
	int port = atoi(argv[1]), zero = 0;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	if (fd >= 0 && v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	if (fd < 0 || (v6 ? bind(fd, (struct sockaddr *)&a6, sizeof a6)
			  : bind(fd, (struct sockaddr *)&a4, sizeof a4)) < 0) {
		fprintf(stderr, "net_udpecho: %s\n", strerror(errno));
		return 1;
	}
	printf("net_udpecho: listening on port %d\n", port);
	fflush(stdout);
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof from;
		ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "net_udpecho: recvfrom: %s\n", strerror(errno));
			return 1;
		}
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
	}
}
