/* Receive timestamps, for a transcript compared with Linux 6.18's:
 * SO_TIMESTAMP, SO_TIMESTAMPNS and their _NEW forms set and read back,
 * the control message each gives a receive (a datagram's arrival time on
 * the wall clock: printed as whether it lies between the send and the
 * moment the datagram was known to be waiting, never as a number),
 * SIOCGSTAMP and SIOCGSTAMPNS, a peek, a control buffer cut short, the
 * order beside IP_PKTINFO; on UDP over IPv4 and IPv6, a raw ICMP socket,
 * TCP and AF_UNIX datagram and stream sockets. */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "call_result.h"

#define SO_TIMESTAMP_OLD_K	29
#define SO_TIMESTAMPNS_OLD_K	35
#define SO_TIMESTAMP_NEW_K	63
#define SO_TIMESTAMPNS_NEW_K	64
#define SIOCGSTAMP_K		0x8906
#define SIOCGSTAMPNS_K		0x8907

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* When the datagram or bytes were sent, and when they were known to wait
 * (poll said so): a stamp of their arrival lies between, a stamp taken
 * as they are read lies after. */
static int64_t sent_at, waiting_at, last_stamp;

static const char *when(int64_t ns, int64_t granule)
{
	if (ns / granule >= sent_at / granule && ns <= waiting_at)
		return "on arrival";
	return ns > waiting_at ? "after it waited" : "before it was sent";
}

static void show_stamp(const struct cmsghdr *c)
{
	int64_t ns;

	if (c->cmsg_type == SO_TIMESTAMP_OLD_K || c->cmsg_type == SO_TIMESTAMP_NEW_K) {
		int64_t tv[2];	/* struct timeval and __kernel_sock_timeval alike on x86-64 */
		memcpy(tv, CMSG_DATA(c), sizeof tv);
		ns = tv[0] * 1000000000 + tv[1] * 1000;
		printf(": %s (microseconds %s)", when(ns, 1000), tv[1] >= 0 && tv[1] < 1000000 ? "valid" : "invalid");
	} else {
		int64_t ts[2];
		memcpy(ts, CMSG_DATA(c), sizeof ts);
		ns = ts[0] * 1000000000 + ts[1];
		printf(": %s (nanoseconds %s)", when(ns, 1), ts[1] >= 0 && ts[1] < 1000000000 ? "valid" : "invalid");
	}
	last_stamp = ns;
}

static void show_cmsgs(struct msghdr *h)
{
	int n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c), n++) {
		printf("  cmsg level %d type %d len %zu", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_len >= CMSG_LEN(16))
			show_stamp(c);
		printf("\n");
	}
	printf("  %d cmsgs, controllen %zu, flags%s\n", n, (size_t)h->msg_controllen,
	       h->msg_flags & MSG_CTRUNC ? " CTRUNC" : "");
}

static void wait_readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 2000) != 1)
		printf("  nothing within 2 s\n");
	waiting_at = now_ns();
}

static void receive(int fd, size_t room, int flags)
{
	char data[64], control[256];
	struct iovec v = { data, sizeof data };
	struct msghdr h = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = room ? control : NULL,
			    .msg_controllen = room };

	wait_readable(fd);
	long n = recvmsg(fd, &h, flags);
	printf(" recvmsg control %zu%s: %s\n", room, flags & MSG_PEEK ? " peek" : "", res(n));
	if (n >= 0)
		show_cmsgs(&h);
}

static void ioctl_stamp(int fd)
{
	int64_t t[2] = { 0, 0 }, before = now_ns();
	int r = ioctl(fd, SIOCGSTAMP_K, t);

	printf(" SIOCGSTAMP: %s", res(r));
	if (!r) {
		int64_t ns = t[0] * 1000000000 + t[1] * 1000;
		printf(", %s", ns / 1000 == last_stamp / 1000 ? "the last message's" :
		       ns >= before / 1000 * 1000 ? "the time of the call" : when(ns, 1000));
	}
	r = ioctl(fd, SIOCGSTAMPNS_K, t);
	printf("; SIOCGSTAMPNS: %s", res(r));
	if (!r) {
		int64_t ns = t[0] * 1000000000 + t[1];
		printf(", %s", ns == last_stamp ? "the last message's" :
		       ns >= before ? "the time of the call" : when(ns, 1));
	}
	printf("\n");
}

static void option(int fd, int name, const char *text, int v)
{
	int r = setsockopt(fd, SOL_SOCKET, name, &v, sizeof v);

	printf(" set %s %d: %s; get", text, v, res(r));
	static const struct { int name; const char *text; } all[] = {
		{ SO_TIMESTAMP_OLD_K, "TIMESTAMP" }, { SO_TIMESTAMPNS_OLD_K, "TIMESTAMPNS" },
		{ SO_TIMESTAMP_NEW_K, "TIMESTAMP_NEW" }, { SO_TIMESTAMPNS_NEW_K, "TIMESTAMPNS_NEW" },
	};
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
		int got = -1;
		socklen_t len = sizeof got;
		r = getsockopt(fd, SOL_SOCKET, all[k].name, &got, &len);
		printf(" %s %s", all[k].text, r ? res(r) : got ? "on" : "off");
	}
	printf("\n");
}

static void send_to(int tx, const struct sockaddr *to, socklen_t len)
{
	sent_at = now_ns();
	if (sendto(tx, "stamped", 7, 0, to, len) != 7)
		printf(" sendto: %s\n", res(-1));
}

static void udp(int family)
{
	printf("udp over %s:\n", family == AF_INET ? "IPv4" : "IPv6");
	int rx = socket(family, SOCK_DGRAM, 0), tx = socket(family, SOCK_DGRAM, 0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct sockaddr *a = family == AF_INET ? (struct sockaddr *)&a4 : (struct sockaddr *)&a6;
	socklen_t len = family == AF_INET ? sizeof a4 : sizeof a6;
	bind(rx, a, len);
	getsockname(rx, a, &len);

	option(rx, SO_TIMESTAMP_OLD_K, "SO_TIMESTAMP", 0);
	ioctl_stamp(rx);
	send_to(tx, a, len);
	receive(rx, 256, 0);
	ioctl_stamp(rx);	/* as iputils' ping reads a reply's time */
	option(rx, SO_TIMESTAMP_OLD_K, "SO_TIMESTAMP", 1);
	send_to(tx, a, len);
	receive(rx, 256, MSG_PEEK);
	receive(rx, 256, 0);
	ioctl_stamp(rx);
	send_to(tx, a, len);
	receive(rx, 20, 0);
	option(rx, SO_TIMESTAMPNS_OLD_K, "SO_TIMESTAMPNS", 1);
	send_to(tx, a, len);
	receive(rx, 256, 0);
	ioctl_stamp(rx);
	option(rx, SO_TIMESTAMP_NEW_K, "SO_TIMESTAMP_NEW", 1);
	send_to(tx, a, len);
	receive(rx, 256, 0);
	option(rx, SO_TIMESTAMPNS_NEW_K, "SO_TIMESTAMPNS_NEW", 1);
	send_to(tx, a, len);
	receive(rx, 256, 0);
	option(rx, SO_TIMESTAMP_OLD_K, "SO_TIMESTAMP", 1);
	int on = 1;
	if (family == AF_INET)
		setsockopt(rx, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
	else
		setsockopt(rx, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
	printf(" with packet information:\n");
	send_to(tx, a, len);
	receive(rx, 256, 0);
	option(rx, SO_TIMESTAMPNS_OLD_K, "SO_TIMESTAMPNS", 0);
	send_to(tx, a, len);
	receive(rx, 256, 0);
	close(rx), close(tx);
}

static void raw(void)
{
	printf("raw icmp:\n");
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* An echo request with its sum: 0x08 0x00 sum, id 1, seq 1. */
	uint8_t echo[8] = { 8, 0, 0xf7, 0xfd, 0, 1, 0, 1 };

	option(fd, SO_TIMESTAMPNS_OLD_K, "SO_TIMESTAMPNS", 1);
	sent_at = now_ns();
	printf(" sendto: %s\n", res(sendto(fd, echo, sizeof echo, 0, (struct sockaddr *)&a, sizeof a)));
	receive(fd, 256, 0);
	close(fd);
}

static void stream(int family)
{
	printf("%s stream:\n", family == AF_INET ? "tcp" : "unix");
	int pair[2];

	if (family == AF_UNIX) {
		socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
	} else {
		int l = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET };
		socklen_t len = sizeof a;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(l, (struct sockaddr *)&a, sizeof a);
		listen(l, 1);
		getsockname(l, (struct sockaddr *)&a, &len);
		pair[1] = socket(AF_INET, SOCK_STREAM, 0);
		connect(pair[1], (struct sockaddr *)&a, sizeof a);
		pair[0] = accept(l, NULL, NULL);
		close(l);
	}
	option(pair[0], SO_TIMESTAMP_OLD_K, "SO_TIMESTAMP", 1);
	sent_at = now_ns();
	printf(" write: %s\n", res(write(pair[1], "stamped", 7)));
	receive(pair[0], 256, 0);
	ioctl_stamp(pair[0]);
	close(pair[0]), close(pair[1]);
}

static void unix_dgram(void)
{
	printf("unix datagram:\n");
	int pair[2];

	socketpair(AF_UNIX, SOCK_DGRAM, 0, pair);
	option(pair[0], SO_TIMESTAMPNS_OLD_K, "SO_TIMESTAMPNS", 1);
	sent_at = now_ns();
	printf(" write: %s\n", res(write(pair[1], "stamped", 7)));
	receive(pair[0], 256, 0);
	ioctl_stamp(pair[0]);
	close(pair[0]), close(pair[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Linux stamps arriving packets only while some socket asks (a
	 * static key, switched on a moment after the first asks): one that
	 * asks from the start, and a moment for the switch, make the rest
	 * of this run stamp every packet on arrival, as amphi always does. */
	int keep = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
	setsockopt(keep, SOL_SOCKET, SO_TIMESTAMP_OLD_K, &on, sizeof on);
	usleep(200 * 1000);
	udp(AF_INET);
	udp(AF_INET6);
	raw();
	stream(AF_INET);
	stream(AF_UNIX);
	unix_dgram();
	close(keep);
	return 0;
}
