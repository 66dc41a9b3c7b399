/* AF_UNIX stream sockets: socketpair, 1 MiB each way between threads,
 * peek/dontwait/waitall, FIONREAD, shutdown and EOF, EPIPE and SIGPIPE,
 * ECONNRESET, names in the file system and abstract ones, listen/accept
 * with a backlog, options.  Usage: net_unix_stream BASE.  One line per step. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include "net_unix_check.h"

#define BIG (1 << 20)

static volatile int sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static unsigned char pattern(size_t i, int seed) { return (unsigned char)(i * 31 + (i >> 9) + seed); }

struct side {
	int fd, seed, ok;
};

/* Writes BIG bytes of its pattern in uneven pieces. */
static void *writer(void *arg)
{
	struct side *s = arg;
	static __thread unsigned char buf[7000];
	size_t done = 0;

	while (done < BIG) {
		size_t n = BIG - done < sizeof buf ? BIG - done : (done % 5 + 1) * 1000;
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(done + i, s->seed);
		ssize_t w = write(s->fd, buf, n);
		if (w <= 0)
			return NULL;
		done += (size_t)w;
	}
	s->ok = 1;
	return NULL;
}

/* Reads BIG bytes and checks them against the other side's pattern. */
static int read_all(int fd, int seed)
{
	unsigned char buf[5000];
	size_t done = 0;
	int good = 1;

	while (done < BIG) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return 0;
		for (ssize_t i = 0; i < n; i++)
			good &= buf[i] == pattern(done + (size_t)i, seed);
		done += (size_t)n;
	}
	return good;
}

static void *reader(void *arg)
{
	struct side *s = arg;

	s->ok = read_all(s->fd, s->seed);
	return NULL;
}

static void big_exchange(void)
{
	int sv[2];
	pthread_t t[3];

	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct side w0 = { sv[0], 1, 0 }, w1 = { sv[1], 2, 0 }, r1 = { sv[1], 1, 0 };
	pthread_create(&t[0], NULL, writer, &w0);
	pthread_create(&t[1], NULL, writer, &w1);
	pthread_create(&t[2], NULL, reader, &r1);
	int r0 = read_all(sv[0], 2);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("1 MiB each way, verified: %d %d %d %d\n", w0.ok, w1.ok, r0, r1.ok);
	close(sv[0]);
	close(sv[1]);
}

static void *slow_pieces(void *arg)
{
	int fd = *(int *)arg;
	for (int i = 0; i < 4; i++) {
		usleep(20000);
		write(fd, "abcd", 4);
	}
	return NULL;
}

static unsigned short events(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
	poll(&p, 1, 0);
	return p.revents & (POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLERR);
}

static void pair_semantics(void)
{
	int sv[2], n, v;
	char buf[64] = { 0 };
	socklen_t len = sizeof v;
	pthread_t t;

	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	MUST(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len));
	printf("SO_TYPE: %d\n", v);
	struct ucred cr;
	len = sizeof cr;
	MUST(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len));
	printf("SO_PEERCRED: pid is mine %d, uid %u, gid %u, len %u\n", cr.pid == getpid(), cr.uid, cr.gid, len);
	printf("poll, idle pair: %#x\n", events(sv[0]));
	T("recv MSG_DONTWAIT on empty", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
	write(sv[1], "hello", 5);
	write(sv[1], " world", 6);
	MUST(ioctl(sv[0], FIONREAD, &n));
	printf("FIONREAD: %d\n", n);
	printf("poll, data waiting: %#x\n", events(sv[0]));
	printf("MSG_PEEK 3: %zd\n", recv(sv[0], buf, 3, MSG_PEEK));
	printf("read gathers both writes: %zd \"%.*s\"\n", read(sv[0], buf, sizeof buf), 11, buf);

	pthread_create(&t, NULL, slow_pieces, &sv[1]);
	printf("MSG_WAITALL 16 bytes from 4 writes: %zd\n", recv(sv[0], buf, 16, MSG_WAITALL));
	pthread_join(t, NULL);

	struct timeval tv = { 0, 100000 };
	MUST(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	T("recv with SO_RCVTIMEO 100 ms", recv(sv[0], buf, sizeof buf, 0));
	len = sizeof tv;
	MUST(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
	printf("SO_RCVTIMEO reads back: %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	tv.tv_usec = 2000000;
	T("SO_RCVTIMEO with 2000000 us", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));

	v = 65536;
	MUST(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
	len = sizeof v;
	MUST(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len));
	printf("SO_SNDBUF after setting 65536: %d\n", v);
	T("IPPROTO_TCP option on AF_UNIX", setsockopt(sv[0], IPPROTO_TCP, 1, &v, sizeof v));
	T("unknown SOL_SOCKET option", setsockopt(sv[0], SOL_SOCKET, 4242, &v, sizeof v));

	MUST(shutdown(sv[1], SHUT_WR));
	printf("read after the peer's SHUT_WR: %zd\n", read(sv[0], buf, sizeof buf));
	printf("poll after the peer's SHUT_WR: %#x\n", events(sv[0]));
	printf("the other way still works: %zd\n", write(sv[0], "x", 1));
	T("write after own SHUT_WR", send(sv[1], "x", 1, MSG_NOSIGNAL));
	T("shutdown bad how", shutdown(sv[0], 7));
	close(sv[1]);
	printf("poll after the peer closed: %#x\n", events(sv[0]));
	sigpipes = 0;
	T("write to a closed peer", write(sv[0], "x", 1));
	printf("SIGPIPE raised: %d\n", sigpipes);
	T("send MSG_NOSIGNAL to a closed peer", send(sv[0], "x", 1, MSG_NOSIGNAL));
	printf("SIGPIPE raised: %d\n", sigpipes);
	close(sv[0]);

	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	write(sv[0], "unread", 6);
	close(sv[1]);
	T("read after the peer closed with data unread", read(sv[0], buf, sizeof buf));
	printf("then: %zd\n", read(sv[0], buf, sizeof buf));
	close(sv[0]);
}

static socklen_t path_addr(struct sockaddr_un *a, const char *base, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", base, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

static void show_name(const char *what, int fd, int peer, const char *base)
{
	struct sockaddr_un a;
	socklen_t len = sizeof a;

	memset(&a, 0, sizeof a);
	if ((peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len)) < 0) {
		printf("%s: %s\n", what, errname(errno));
		return;
	}
	const char *p = a.sun_path;
	if (*p && !strncmp(p, base, strlen(base)))
		p += strlen(base);
	/* Lengths count the base, which differs between hosts: shown without. */
	unsigned skip = p != a.sun_path ? (unsigned)strlen(base) : 0;
	printf("%s: len %u family %d \"%s%s\"\n", what, len - skip, a.sun_family, skip ? "BASE" : "", p);
}

static void paths(const char *base)
{
	struct sockaddr_un a, b;
	struct stat st;
	socklen_t len = path_addr(&a, base, "s1");
	char buf[16] = { 0 };

	int l = MUST(socket(AF_UNIX, SOCK_STREAM, 0));
	T("listen unbound", listen(l, 5));
	T("bind to a path", bind(l, (struct sockaddr *)&a, len));
	MUST(stat(a.sun_path, &st));
	printf("node is a socket: %d, mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777 & ~022);
	T("bind again", bind(l, (struct sockaddr *)&a, len));
	int l2 = MUST(socket(AF_UNIX, SOCK_STREAM, 0));
	T("bind another to the same path", bind(l2, (struct sockaddr *)&a, len));
	T("open the node", open(a.sun_path, O_RDWR));
	int c = MUST(socket(AF_UNIX, SOCK_STREAM, 0));
	T("connect before listen", connect(c, (struct sockaddr *)&a, len));
	T("listen", listen(l, 5));
	T("connect", connect(c, (struct sockaddr *)&a, len));
	T("connect again", connect(c, (struct sockaddr *)&a, len));
	int s = MUST(accept(l, NULL, NULL));
	show_name("listener's name", l, 0, base);
	show_name("client's name", c, 0, base);
	show_name("client's peer", c, 1, base);
	show_name("accepted's name", s, 0, base);
	show_name("accepted's peer", s, 1, base);
	show_name("listener's peer", l, 1, base);
	printf("client to server: %zd", write(c, "ping", 4));
	printf(" %zd %s\n", read(s, buf, sizeof buf), buf);
	close(s);
	close(c);

	int d = MUST(socket(AF_UNIX, SOCK_DGRAM, 0));
	T("dgram connect to a stream listener", connect(d, (struct sockaddr *)&a, len));
	close(d);
	MUST(unlink(a.sun_path));
	c = MUST(socket(AF_UNIX, SOCK_STREAM, 0));
	T("connect after unlink", connect(c, (struct sockaddr *)&a, len));
	T("bind l2 to the freed path", bind(l2, (struct sockaddr *)&a, len));
	close(l2);
	T("connect to a closed socket's node", connect(c, (struct sockaddr *)&a, len));
	len = path_addr(&b, base, "plain");
	close(MUST(open(b.sun_path, O_CREAT | O_WRONLY, 0644)));
	T("connect to a regular file", connect(c, (struct sockaddr *)&b, len));
	len = path_addr(&b, base, "nodir/s");
	T("bind in a missing directory", bind(c, (struct sockaddr *)&b, len));
	close(c);
	close(l);
	unlink(a.sun_path);
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static void abstract_names(void)
{
	struct sockaddr_un a, got;
	socklen_t len = abstract_addr(&a, "amphi-net-unix-test"), glen = sizeof got;
	int l = MUST(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));

	T("bind abstract", bind(l, (struct sockaddr *)&a, len));
	MUST(getsockname(l, (struct sockaddr *)&got, &glen));
	printf("abstract name: len %u, same bytes %d\n", glen, glen == len && !memcmp(&got, &a, len));
	int l2 = MUST(socket(AF_UNIX, SOCK_STREAM, 0));
	T("bind the same abstract name", bind(l2, (struct sockaddr *)&a, len));
	MUST(listen(l, 1));
	T("accept with nothing pending", accept(l, NULL, NULL));
	int c[3];
	for (int i = 0; i < 3; i++) {
		c[i] = MUST(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
		char what[64];
		snprintf(what, sizeof what, "non-blocking connect %d, backlog 1", i + 1);
		T(what, connect(c[i], (struct sockaddr *)&a, len));
	}
	struct pollfd p = { l, POLLIN, 0 };
	int ready = poll(&p, 1, 0);
	printf("poll on the listener: %d %#x\n", ready, p.revents);
	int s = MUST(accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
	printf("accept4 flags: nonblock %d cloexec %d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK),
	       !!(fcntl(s, F_GETFD) & FD_CLOEXEC));
	int v;
	socklen_t vl = sizeof v;
	MUST(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	printf("SO_ACCEPTCONN: %d\n", v);
	close(s);
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(l);
	T("bind the name after its socket closed", bind(l2, (struct sockaddr *)&a, len));
	close(l2);

	int u = MUST(socket(AF_UNIX, SOCK_DGRAM, 0));
	struct sockaddr_un fam = { AF_UNIX };
	T("autobind", bind(u, (struct sockaddr *)&fam, sizeof(sa_family_t)));
	glen = sizeof got;
	MUST(getsockname(u, (struct sockaddr *)&got, &glen));
	printf("autobound name: len %u, abstract %d\n", glen, got.sun_path[0] == 0);
	close(u);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: net_unix_stream BASE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, on_sigpipe);
	char base[256];
	snprintf(base, sizeof base, "%s/net_unix_stream", argv[1]);
	mkdir(base, 0755);
	big_exchange();
	pair_semantics();
	paths(base);
	abstract_names();
	return 0;
}
