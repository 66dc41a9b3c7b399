/* bindtodevice IFNAME: SO_BINDTODEVICE and SO_BINDTOIFINDEX as Linux has
 * them, on TCP and UDP sockets, with IFNAME the machine's NIC (printed as
 * "IF"): the names and indexes they take and give back, a listener bound
 * to one interface deaf to connections that come through another, the
 * same for datagrams, accepted connections keeping the listener's
 * binding, AF_UNIX and netlink sockets keeping a binding they make
 * nothing of, and an ordinary user's binding fixed once made.
 * bindtodevice IFNAME ss: a listener bound to lo, as `ss -tln` and
 * `ss -tln dev lo` (iproute2's, at /usr/bin/ss) show it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

static const char *ifname;

static const char *shown(const char *name) { return strcmp(name, ifname) ? name : "IF"; }

static void set_name(int fd, const char *what, const char *name, socklen_t len)
{
	printf("%s: set %s: %s\n", what, shown(name), res(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, len)));
}

static void set_index(int fd, const char *what, int index)
{
	printf("%s: set index %d: %s\n", what, index,
	       res(setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &index, sizeof index)));
}

static void show(int fd, const char *what)
{
	char name[16] = "";
	socklen_t len = sizeof name;
	int index = -1;
	socklen_t ilen = sizeof index;
	long r = getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, &len);
	long ri = getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &index, &ilen);

	printf("%s: bound to \"%s\" (%s, %s), index %s%s\n", what, shown(name),
	       len == strlen(name) + 1 ? "its length" : len ? "another length" : "length 0", res(r),
	       res(ri), ri ? "" : index == 0 ? " 0" : index == 1 ? " 1 (lo)" : " IF's");
}

static int listener(int type, const char *dev, int port)
{
	int fd = socket(AF_INET, type, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (dev)
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev) + 1);
	bind(fd, (struct sockaddr *)&a, sizeof a);
	if (type == SOCK_STREAM)
		listen(fd, 4);
	return fd;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void tcp_through_lo(const char *dev, int port)
{
	int l = listener(SOCK_STREAM, dev, port), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(port);

	printf("tcp listener on %s: connect to 127.0.0.1: %s\n", shown(dev),
	       res(connect(c, (struct sockaddr *)&a, sizeof a)));
	struct pollfd p = { l, POLLIN, 0 };
	if (poll(&p, 1, 1000) == 1) {
		int s = accept(l, NULL, NULL);
		show(s, "  accepted");
		close(s);
	}
	close(c);
	close(l);
}

static void udp_through_lo(const char *dev, int port)
{
	int r = listener(SOCK_DGRAM, dev, port), s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(port);
	struct pollfd p = { r, POLLIN, 0 };

	sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
	printf("udp receiver on %s: datagram to 127.0.0.1 %s\n", shown(dev),
	       poll(&p, 1, 300) == 1 ? "came" : "did not come");
	close(s);
	close(r);
}

static void run_ss(const char *filter)
{
	if (fork() == 0) {
		execl("/usr/bin/ss", "ss", "-tln", filter ? "dev" : NULL, filter, (char *)NULL);
		_exit(127);
	}
	wait(NULL);
}

static void listed_by_ss(void)
{
	int l = listener(SOCK_STREAM, "lo", 40200);

	run_ss(NULL);
	run_ss("lo");
	close(l);
}

/* Linux keeps the binding in every socket, whatever its family. */
static void other_family(const char *what, int fd)
{
	char name[16] = "";
	socklen_t len = sizeof name;

	set_name(fd, what, "lo", 3);
	printf("%s: get: %s \"%s\"\n", what, res(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, &len)),
	       name);
	set_index(fd, what, 0);
	show(fd, what);
	close(fd);
}

static void as_a_user(void)
{
	if (fork() == 0) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (setuid(65534))
			_exit(1);
		set_name(fd, "user", "lo", 3);
		set_name(fd, "user", ifname, strlen(ifname) + 1);
		set_name(fd, "user", "", 1);
		set_index(fd, "user", 0);
		show(fd, "user");
		int fresh = socket(AF_INET, SOCK_DGRAM, 0);
		set_name(fresh, "user, fresh socket", ifname, strlen(ifname) + 1);
		_exit(0);
	}
	wait(NULL);
}

int main(int argc, char **argv)
{
	char small[2];
	socklen_t len = sizeof small;

	if (argc < 2)
		return 2;
	ifname = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[2], "ss")) {
		listed_by_ss();
		return 0;
	}
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	show(fd, "fresh tcp");
	set_name(fd, "tcp", "nosuch", 7);
	set_name(fd, "tcp", "lo", 3);
	show(fd, "tcp");
	printf("tcp: get into 2 bytes: %s\n", res(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, small, &len)));
	set_name(fd, "tcp", ifname, (socklen_t)strlen(ifname));	/* no NUL in the length */
	show(fd, "tcp");
	set_name(fd, "tcp", "", 0);
	show(fd, "tcp");
	set_index(fd, "tcp", -1);
	set_index(fd, "tcp", 999);
	set_index(fd, "tcp", 1);
	show(fd, "tcp");
	set_index(fd, "tcp", 0);
	show(fd, "tcp");
	close(fd);
	tcp_through_lo(ifname, 40101);
	tcp_through_lo("lo", 40102);
	udp_through_lo(ifname, 40103);
	udp_through_lo("lo", 40104);
	other_family("unix stream", socket(AF_UNIX, SOCK_STREAM, 0));
	other_family("unix datagram", socket(AF_UNIX, SOCK_DGRAM, 0));
	other_family("netlink", socket(AF_NETLINK, SOCK_RAW, 0));	/* NETLINK_ROUTE */
	as_a_user();
	return 0;
}
