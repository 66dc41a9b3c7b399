/* A hostile NETLINK_ROUTE client: random requests from several threads,
 * requests never read, dumps left half read, sockets closed mid-dump.  The
 * kernel must answer each with well-formed datagrams (messages that tile
 * the datagram exactly, each echoing a sequence number that was sent),
 * never queue without bound, and still answer a plain request at the end.
 * Prints one summary line per part. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink_abi.h"

#define THREADS		4
#define ROUNDS		400
#define SEQ_BASE	1000000

static uint64_t seed = 88172645463325252ull;

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A request of random type, flags, length and body; a valid header most
 * of the time, so the kernel looks deeper than the first check. */
static size_t random_request(uint64_t *s, unsigned char *m, uint32_t seq)
{
	size_t len = 16 + next_random(s) % 200;
	struct nlmsghdr *h = (void *)m;

	for (size_t i = 0; i < len; i++)
		m[i] = (unsigned char)next_random(s);
	h->nlmsg_len = next_random(s) % 8 ? (uint32_t)len : (uint32_t)next_random(s);
	h->nlmsg_type = (uint16_t)(next_random(s) % 4 ? 16 + next_random(s) % 20 : next_random(s));
	h->nlmsg_flags = (uint16_t)(next_random(s) % 3 ? NLM_F_REQUEST | (next_random(s) & 0x3ff) : next_random(s));
	h->nlmsg_seq = seq;
	if (len > 20 && next_random(s) % 2) {
		/* an attribute chain whose lengths lie */
		struct rtattr *a = (void *)(m + 16 + 16);
		if (len > 36)
			a->rta_len = (unsigned short)(next_random(s) % 64);
	}
	return len;
}

/* Checks every datagram waiting: messages tile it, and each reply's
 * sequence number is one of ours.  Returns the count of bad ones. */
static int drain(int fd, unsigned char *buf, size_t size)
{
	int bad = 0;
	long n;

	while ((n = recv(fd, buf, size, MSG_DONTWAIT | MSG_TRUNC)) > 0) {
		if ((size_t)n > size)
			continue;	/* truncated: only its start was read */
		long left = n;
		struct nlmsghdr *h = (void *)buf;
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
			if (h->nlmsg_seq < SEQ_BASE || h->nlmsg_seq >= SEQ_BASE + THREADS * ROUNDS * 4)
				bad++;
		if (left)
			bad++;
	}
	if (n < 0 && errno != EAGAIN && errno != ENOBUFS)
		bad++;
	return bad;
}

static void *fuzz_thread(void *arg)
{
	long id = (long)arg;
	uint64_t s = seed + (uint64_t)id * 7919;
	unsigned char m[256], *buf = malloc(65536);
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), bad = 0;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	for (int r = 0; r < ROUNDS; r++) {
		size_t len = random_request(&s, m, SEQ_BASE + (uint32_t)(id * ROUNDS + r));
		sendto(fd, m, len, 0, (struct sockaddr *)&to, sizeof to);
		if (r % 7 == 0)
			bad += drain(fd, buf, next_random(&s) % 2 ? 65536 : 64);
		if (r % 50 == 0) {	/* a socket closed with a dump under way */
			struct {
				struct nlmsghdr h;
				struct ifinfomsg i;
			} dump = { { sizeof dump, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, SEQ_BASE, 0 }, { 0 } };
			int other = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
			setsockopt(other, SOL_SOCKET, SO_RCVBUF, &(int){ 1 }, sizeof(int));
			send(other, &dump, sizeof dump, 0);
			close(other);
		}
	}
	bad += drain(fd, buf, 65536);
	close(fd);
	free(buf);
	return (void *)(long)bad;
}

/* Requests nobody reads: the queue stops at the receive buffer. */
static void unread(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), enobufs = 0, rcvbuf;
	socklen_t len = sizeof rcvbuf;
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { { sizeof req, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, SEQ_BASE, 0 }, { .ifi_index = 1 } };
	long n, bytes = 0;
	static unsigned char buf[65536];

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ 8192 }, sizeof(int));
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len);
	for (int i = 0; i < 5000; i++)
		send(fd, &req, sizeof req, 0);
	while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) != -1 || errno == ENOBUFS) {
		if (n < 0)
			enobufs++;
		else
			bytes += n;
	}
	printf("unread: ENOBUFS once %d, queued under twice the buffer %d\n", enobufs == 1,
	       bytes < 2L * rcvbuf + 65536);
	close(fd);
}

/* A dump read 20 bytes at a time: every datagram truncated, none lost
 * to the next request. */
static void dribble(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), datagrams = 0, done = 0;
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg a;
	} req = { { sizeof req, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, SEQ_BASE, 0 }, { 0 } };
	unsigned char buf[20];
	long n;

	send(fd, &req, sizeof req, 0);
	while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC)) > 0) {
		datagrams++;
		done += ((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_DONE;
	}
	printf("dribble: datagrams %d, ends with done %d\n", datagrams > 0, done == 1);
	close(fd);
}

int main(void)
{
	pthread_t t[THREADS];
	long bad = 0;
	void *r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, fuzz_thread, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf("fuzz: bad datagrams %ld\n", bad);
	unread();
	dribble();
	/* And the kernel still answers. */
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { { sizeof req, RTM_GETLINK, NLM_F_REQUEST, 7, 0 }, { .ifi_index = 1 } };
	unsigned char buf[4096];
	send(fd, &req, sizeof req, 0);
	long n = recv(fd, buf, sizeof buf, 0);
	printf("after: lo answers %d\n", n > 16 && ((struct nlmsghdr *)buf)->nlmsg_type == RTM_NEWLINK);
	return 0;
}
