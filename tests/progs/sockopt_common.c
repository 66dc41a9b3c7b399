/* The SOL_SOCKET options every socket has in Linux (sock_setsockopt and
 * sk_getsockopt), whatever its family: on a netlink socket, AF_UNIX
 * stream and datagram sockets, TCP and UDP.  Each line one call and what
 * it gave, and the value read back, for a transcript compared with Linux
 * 6.18's, as root or as a user (the privileged values differ). */
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "call_result.h"

#ifndef SO_BUSY_POLL
#define SO_BUSY_POLL	46
#endif
#ifndef SO_INCOMING_CPU
#define SO_INCOMING_CPU	49
#endif
#ifndef SO_COOKIE
#define SO_COOKIE	57
#endif
#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59
#endif
#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY	60
#endif
#define SO_PASSSEC_K	34
#define SO_RXQ_OVFL_K	40

static int fd;

static void set_int(const char *what, int name, int v)
{
	const char *set = res(setsockopt(fd, SOL_SOCKET, name, &v, sizeof v));	/* before errno moves */
	int got = -99;
	socklen_t len = sizeof got;
	int g = getsockopt(fd, SOL_SOCKET, name, &got, &len);

	printf("  %s %d: %s; get %s len %d value %d\n", what, v, set, res(g), g ? -1 : (int)len,
	       g ? 0 : got);
}

static void get_only(const char *what, int name)
{
	int v[4] = { -99, -99, -99, -99 };
	socklen_t len = sizeof v;
	int g = getsockopt(fd, SOL_SOCKET, name, v, &len);

	printf("  get %s: %s len %d values %d %d %d\n", what, res(g), g ? -1 : (int)len, v[0], v[1], v[2]);
	int one = 1;
	printf("  set %s: %s\n", what, res(setsockopt(fd, SOL_SOCKET, name, &one, sizeof one)));
}

static void linger(void)
{
	struct linger l = { 1, 5 }, got = { -1, -1 };
	socklen_t len = sizeof got;
	int s1 = setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, 4);
	int s2 = setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	int g = getsockopt(fd, SOL_SOCKET, SO_LINGER, &got, &len);

	printf("  linger short %s, whole %s; get %s len %d %d %d\n", res(s1), res(s2), res(g), (int)len,
	       got.l_onoff, got.l_linger);
}

/* Each socket's cookie is its own and stays. */
static void cookie(void)
{
	unsigned long long a = 0, b = 0, c = 0;
	socklen_t len = sizeof a;
	int other = socket(AF_INET, SOCK_DGRAM, 0);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &a, &len);
	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &b, &len);
	getsockopt(other, SOL_SOCKET, SO_COOKIE, &c, &len);
	printf("  cookie len %d: nonzero %d, stays %d, others differ %d; short buffer %s\n", (int)len, a != 0,
	       a == b, a != c, res(getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &(socklen_t){ 4 })));
	close(other);
}

static void family(const char *what, int domain, int type, int protocol)
{
	printf("%s:\n", what);
	fd = socket(domain, type, protocol);
	set_int("debug", SO_DEBUG, 1);
	set_int("debug", SO_DEBUG, 0);
	set_int("priority", SO_PRIORITY, 6);
	set_int("priority", SO_PRIORITY, 7);
	set_int("priority", SO_PRIORITY, -1);
	set_int("mark", SO_MARK, 5);
	set_int("rcvlowat", SO_RCVLOWAT, 10);
	set_int("rcvlowat", SO_RCVLOWAT, -1);
	set_int("rcvlowat", SO_RCVLOWAT, 0);
	set_int("sndlowat", SO_SNDLOWAT, 10);
	set_int("bsdcompat", SO_BSDCOMPAT, 1);
	set_int("no_check", SO_NO_CHECK, 1);
	set_int("dontroute", SO_DONTROUTE, 1);
	set_int("oobinline", SO_OOBINLINE, 1);
	set_int("busy_poll", SO_BUSY_POLL, 5);
	set_int("busy_poll", SO_BUSY_POLL, -1);
	set_int("incoming_cpu", SO_INCOMING_CPU, 1);
	set_int("passsec", SO_PASSSEC_K, 1);
	set_int("passcred", SO_PASSCRED, 1);
	set_int("rxq_ovfl", SO_RXQ_OVFL_K, 1);
	set_int("reuseaddr", SO_REUSEADDR, 1);
	set_int("reuseport", SO_REUSEPORT, 1);
	set_int("keepalive", SO_KEEPALIVE, 1);
	set_int("broadcast", SO_BROADCAST, 1);
	get_only("peercred", SO_PEERCRED);
	get_only("peergroups", SO_PEERGROUPS);
	get_only("bindtodevice", SO_BINDTODEVICE);
	get_only("zerocopy", SO_ZEROCOPY);
	linger();
	cookie();
	close(fd);
}

/* A TCP read under SO_RCVLOWAT 10 waits for 10 bytes though 5 came
 * first (8 more come 0.2 s later, 2 more after that); a non-blocking one
 * then takes what is left, though less. */
static void rcvlowat_read(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0), lowat = 10;
	char buf[100];

	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&a, &alen);
	if (fork() == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		connect(c, (struct sockaddr *)&a, sizeof a);
		write(c, "12345", 5);
		usleep(200 * 1000);
		write(c, "67890abc", 8);
		usleep(200 * 1000);
		write(c, "de", 2);
		usleep(200 * 1000);
		_exit(0);
	}
	int c = accept(l, NULL, NULL);
	setsockopt(c, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
	/* poll says readable only with 10 bytes there (what came meanwhile
	 * may make either answer right: judged by the count before and after). */
	int before = 0, after = 0;
	struct pollfd p = { c, POLLIN, 0 };
	ioctl(c, FIONREAD, &before);
	int readable = poll(&p, 1, 100) == 1;
	ioctl(c, FIONREAD, &after);
	printf("rcvlowat 10, poll: %s\n", (before >= 10 && !readable) || (after < 10 && readable) ? "wrong" : "right");
	long n = recv(c, buf, sizeof buf, 0);
	if (n >= 10)
		printf("rcvlowat 10, blocking: 10 or more\n");
	else
		printf("rcvlowat 10, blocking: %ld\n", n);
	usleep(300 * 1000);
	long more = recv(c, buf, sizeof buf, MSG_DONTWAIT);	/* what came after, if any */
	printf("rcvlowat 10, then non-blocking: all 15 read %s\n", n + (more > 0 ? more : 0) == 15 ? "yes" : "no");
	close(c);
	close(l);
}

/* The same on an AF_UNIX stream, whose reads also wait for the mark. */
static void rcvlowat_unix(void)
{
	int sv[2], lowat = 10;
	char buf[100];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if (fork() == 0) {
		write(sv[1], "12345", 5);
		usleep(200 * 1000);
		write(sv[1], "67890abc", 8);
		_exit(0);
	}
	setsockopt(sv[0], SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
	long n = recv(sv[0], buf, sizeof buf, 0);
	if (n >= 10)
		printf("unix rcvlowat 10, blocking: 10 or more\n");
	else
		printf("unix rcvlowat 10, blocking: %ld\n", n);
	close(sv[0]);
	close(sv[1]);
}

/* A low mark beyond what the socket can queue: Linux grows the buffer
 * to fit it, amphi's poll says readable once its queue is full; either
 * way a poll comes back readable and a blocking read takes the mark,
 * never waiting for ever while the sender waits for room. */
static void rcvlowat_huge(void)
{
	static char big[1 << 20];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a, olen = sizeof(int);
	int l = socket(AF_INET, SOCK_STREAM, 0), lowat = 1 << 20;

	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&a, &alen);
	if (fork() == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		connect(c, (struct sockaddr *)&a, sizeof a);
		for (long sent = 0; sent < 4 << 20;) {
			long n = write(c, big, 65536);
			if (n <= 0)
				break;
			sent += n;
		}
		_exit(0);
	}
	int c = accept(l, NULL, NULL);
	setsockopt(c, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
	getsockopt(c, SOL_SOCKET, SO_RCVLOWAT, &lowat, &olen);
	struct pollfd p = { c, POLLIN, 0 };
	int readable = poll(&p, 1, 20000) == 1;
	long n = recv(c, big, sizeof big, 0);
	printf("rcvlowat 1 MiB: poll readable %s, the mark there %s\n", readable ? "yes" : "no",
	       n >= lowat ? "yes" : "no");
	close(c);
	close(l);
}

int main(void)
{
	family("netlink", AF_NETLINK, SOCK_RAW, 0);
	family("unix stream", AF_UNIX, SOCK_STREAM, 0);
	family("unix dgram", AF_UNIX, SOCK_DGRAM, 0);
	family("tcp", AF_INET, SOCK_STREAM, 0);
	family("udp", AF_INET6, SOCK_DGRAM, 0);
	rcvlowat_read();
	rcvlowat_huge();
	rcvlowat_unix();
	return 0;
}
