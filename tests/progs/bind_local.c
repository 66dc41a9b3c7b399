/* All of 127/8 is local, as on Linux: UDP and TCP sockets bound to
 * 127.0.0.2 and 127.1.2.3 take what is sent there and answer from there;
 * an address no interface has is still refused.  Printed for a
 * transcript compared with Linux 6.18's (ports left out). */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call_result.h"

static struct sockaddr_in at(const char *addr)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	inet_pton(AF_INET, addr, &a.sin_addr);
	return a;
}

static const char *name_of(int fd, int peer)
{
	static char text[64];
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int r = peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);

	if (r)
		return res(r);
	inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
	return text;
}

static void udp(const char *addr)
{
	printf("udp %s:\n", addr);
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = at(addr), from;
	socklen_t len = sizeof a;
	char b[32];

	int r = bind(rx, (struct sockaddr *)&a, sizeof a);
	printf(" bind: %s, name %s\n", res(r), name_of(rx, 0));
	getsockname(rx, (struct sockaddr *)&a, &len);
	printf(" sendto: %s\n", res(sendto(tx, "ping", 4, 0, (struct sockaddr *)&a, sizeof a)));
	struct pollfd p = { rx, POLLIN, 0 };
	poll(&p, 1, 2000);
	len = sizeof from;
	long n = recvfrom(rx, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &len);
	printf(" recvfrom: %s from %s\n", res(n), inet_ntop(AF_INET, &from.sin_addr, b, sizeof b));
	printf(" answer: %s\n", res(sendto(rx, "pong", 4, 0, (struct sockaddr *)&from, len)));
	p.fd = tx;
	poll(&p, 1, 2000);
	len = sizeof from;
	n = recvfrom(tx, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &len);
	printf(" the sender's recvfrom: %s from %s\n", res(n), inet_ntop(AF_INET, &from.sin_addr, b, sizeof b));
	close(rx), close(tx);
}

static void tcp(const char *addr)
{
	printf("tcp %s:\n", addr);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = at(addr);
	socklen_t len = sizeof a;
	char b[8];

	int r = bind(l, (struct sockaddr *)&a, sizeof a);
	printf(" bind: %s;", res(r));
	printf(" listen: %s\n", res(listen(l, 1)));
	getsockname(l, (struct sockaddr *)&a, &len);
	printf(" connect: %s\n", res(connect(c, (struct sockaddr *)&a, sizeof a)));
	int s = accept(l, NULL, NULL);
	printf(" accept: %s\n", s < 0 ? res(s) : "a socket");
	if (s < 0)
		return;
	printf(" client %s", name_of(c, 0));
	printf(" -> %s\n", name_of(c, 1));
	printf(" server %s", name_of(s, 0));
	printf(" <- %s\n", name_of(s, 1));
	printf(" write: %s;", res(write(c, "data", 4)));
	printf(" read: %s\n", res(read(s, b, sizeof b)));
	close(s), close(c), close(l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	udp("127.0.0.2");
	udp("127.1.2.3");
	tcp("127.0.0.2");
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in far = at("10.99.99.99");
	printf("bind 10.99.99.99: %s\n", res(bind(fd, (struct sockaddr *)&far, sizeof far)));
	return 0;
}
