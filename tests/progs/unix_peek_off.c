/* SO_PEEK_OFF on AF_UNIX sockets: where MSG_PEEK starts, moved on by each
 * peek and back by each ordinary read, -1 (the default) to turn it off.
 * Prints a transcript to compare with Linux's.  "hostile" peeks with the
 * offset far past the data from several threads while others send and
 * read: it must end. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_unix_check.h"

#ifndef SO_PEEK_OFF
#define SO_PEEK_OFF 42
#endif

static void rcv(const char *what, int fd, size_t n, int flags)
{
	char buf[256] = "";
	struct iovec iov = { buf, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r = recvmsg(fd, &mh, flags | MSG_DONTWAIT);

	if (r < 0) {
		printf("%s: %s\n", what, errname(errno));
		return;
	}
	printf("%s: %ld \"%.*s\"%s\n", what, r, (int)(r < (long)n ? r : (long)n), buf,
	       mh.msg_flags & MSG_TRUNC ? " MSG_TRUNC" : "");
}

static void snd(const char *what, int fd, const char *s)
{
	V(what, send(fd, s, strlen(s), MSG_DONTWAIT | MSG_NOSIGNAL));
}

static void set(const char *what, int fd, int v)
{
	T(what, setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &v, sizeof v));
}

static void get(const char *what, int fd)
{
	int v = -7;
	socklen_t len = sizeof v;

	if (getsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &v, &len) < 0)
		printf("%s: %s\n", what, errname(errno));
	else
		printf("%s: %d (len %u)\n", what, v, (unsigned)len);
}

static void stream(void)
{
	int sv[2];

	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	get("stream: default", sv[1]);
	set("stream: set 0", sv[1], 0);
	get("stream: now", sv[1]);
	snd("send abc", sv[0], "abc");
	snd("send defgh", sv[0], "defgh");
	rcv("peek 2", sv[1], 2, MSG_PEEK);
	get("offset", sv[1]);
	rcv("peek 2", sv[1], 2, MSG_PEEK);
	get("offset", sv[1]);
	rcv("peek 100", sv[1], 100, MSG_PEEK);
	get("offset", sv[1]);
	rcv("peek past the data", sv[1], 100, MSG_PEEK);
	rcv("recv 3", sv[1], 3, 0);
	get("offset", sv[1]);
	set("set 1", sv[1], 1);
	rcv("peek 3", sv[1], 3, MSG_PEEK);
	get("offset", sv[1]);
	rcv("recv 100", sv[1], 100, 0);
	get("offset", sv[1]);
	snd("send xyz", sv[0], "xyz");
	rcv("peek", sv[1], 100, MSG_PEEK);
	set("set 10", sv[1], 10);
	rcv("peek at 10", sv[1], 100, MSG_PEEK);
	get("offset", sv[1]);
	snd("send 0123456789", sv[0], "0123456789");
	rcv("peek at 10", sv[1], 100, MSG_PEEK);
	get("offset", sv[1]);
	set("set -1", sv[1], -1);
	rcv("peek off", sv[1], 4, MSG_PEEK);
	get("offset", sv[1]);
	set("set -5", sv[1], -5);
	get("offset", sv[1]);
	rcv("peek", sv[1], 4, MSG_PEEK);
	set("set INT_MAX", sv[1], INT_MAX);
	rcv("peek", sv[1], 4, MSG_PEEK);
	rcv("recv 4", sv[1], 4, 0);
	get("offset", sv[1]);
	short s = 3;
	T("set with 2 bytes", setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &s, sizeof s));
	T("set from a bad pointer", setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, (void *)8, 4));
	int v = 0;
	socklen_t len = 2;
	if (getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len) < 0)
		printf("get into 2 bytes: %s\n", errname(errno));
	else
		printf("get into 2 bytes: len %u\n", (unsigned)len);
	close(sv[0]);
	close(sv[1]);
}

static void dgram(int type, const char *name)
{
	int sv[2];
	char what[64];

	MUST(socketpair(AF_UNIX, type, 0, sv));
	snprintf(what, sizeof what, "%s: default", name);
	get(what, sv[1]);
	snprintf(what, sizeof what, "%s: set 0", name);
	set(what, sv[1], 0);
	snd("send abc", sv[0], "abc");
	snd("send empty", sv[0], "");
	snd("send defgh", sv[0], "defgh");
	rcv("peek 2", sv[1], 2, MSG_PEEK);
	get("offset", sv[1]);
	rcv("peek 100", sv[1], 100, MSG_PEEK);
	get("offset", sv[1]);
	rcv("peek 100", sv[1], 100, MSG_PEEK);
	get("offset", sv[1]);
	rcv("peek 2", sv[1], 2, MSG_PEEK);
	get("offset", sv[1]);
	rcv("peek 2 MSG_TRUNC", sv[1], 2, MSG_PEEK | MSG_TRUNC);
	get("offset", sv[1]);
	rcv("peek past the data", sv[1], 100, MSG_PEEK);
	rcv("recv 1", sv[1], 1, 0);
	get("offset", sv[1]);
	rcv("peek", sv[1], 100, MSG_PEEK);
	get("offset", sv[1]);
	rcv("recv", sv[1], 100, 0);
	get("offset", sv[1]);
	rcv("recv", sv[1], 100, 0);
	get("offset", sv[1]);
	set("set 1", sv[1], 1);
	rcv("peek past the data", sv[1], 100, MSG_PEEK);
	close(sv[0]);
	close(sv[1]);
}

struct job {
	int fd, n;
};

static void *send_later(void *arg)
{
	usleep(200000);
	send(*(int *)arg, "defgh", 5, 0);
	return NULL;
}

/* A blocking peek at an offset past the data waits for more, and starts
 * at the offset when it comes (whether it comes before the peek or
 * after, the answer is the same). */
static void blocking(void)
{
	int sv[2];
	char buf[64] = "";
	pthread_t t;

	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	snd("send abc", sv[0], "abc");
	set("set 5", sv[1], 5);
	pthread_create(&t, NULL, send_later, &sv[0]);
	long r = recv(sv[1], buf, sizeof buf, MSG_PEEK);
	printf("blocking peek at 5, then 5 more sent: %ld \"%.*s\"\n", r, (int)(r > 0 ? r : 0), buf);
	pthread_join(t, NULL);
	get("offset", sv[1]);
	close(sv[0]);
	close(sv[1]);
}

static void *peeker(void *arg)
{
	struct job *j = arg;
	char buf[64];

	for (int i = 0; i < j->n; i++) {
		int v = i % 4 == 0 ? INT_MAX - i : i % 4 == 1 ? -1 : i % 97;
		setsockopt(j->fd, SOL_SOCKET, SO_PEEK_OFF, &v, sizeof v);
		recv(j->fd, buf, 1 + i % 63, MSG_PEEK | MSG_DONTWAIT);
		if (i % 3 == 0)
			recv(j->fd, buf, 1 + i % 17, MSG_DONTWAIT);
	}
	return NULL;
}

static void *sender(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < j->n; i++)
		send(j->fd, "abcdefghijklmnopqrstuvwxyz", 1 + i % 26, MSG_DONTWAIT | MSG_NOSIGNAL);
	return NULL;
}

static void hostile(int type)
{
	int sv[2];
	pthread_t t[4];

	MUST(socketpair(AF_UNIX, type, 0, sv));
	struct job p = { sv[1], 20000 }, s = { sv[0], 20000 };
	pthread_create(&t[0], NULL, peeker, &p);
	pthread_create(&t[1], NULL, peeker, &p);
	pthread_create(&t[2], NULL, sender, &s);
	pthread_create(&t[3], NULL, sender, &s);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	int v = INT_MAX;
	char buf[64];
	setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, sizeof v);
	errno = 0;
	long r = recv(sv[1], buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
	printf("type %d: peek at INT_MAX: %s\n", type, r < 0 ? errname(errno) : "data");
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "hostile")) {
		hostile(SOCK_STREAM);
		hostile(SOCK_DGRAM);
		hostile(SOCK_SEQPACKET);
		return 0;
	}
	stream();
	blocking();
	dgram(SOCK_DGRAM, "dgram");
	dgram(SOCK_SEQPACKET, "seqpacket");
	return 0;
}
