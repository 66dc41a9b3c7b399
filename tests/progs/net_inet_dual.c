/* Dual-stack AF_INET6 sockets (IPv4 peers as ::ffff:a.b.c.d, IPV6_V6ONLY),
 * SO_REUSEADDR over a TIME_WAIT, options on dual-stack and accepted
 * sockets, and the loopback interface as SIOCGIF* describe it.  One line
 * per check (net_inet_check.h); only lo's entries are printed, since the
 * host has other interfaces. */
#define _GNU_SOURCE
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "net_inet_check.h"

/* An AF_INET6 socket of type t bound to [::]:0 (v6only as given); its
 * port in *port. */
static int any6(int type, int v6only, unsigned short *port)
{
	int s = socket(AF_INET6, type, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = in6addr_any };
	socklen_t n = sizeof a;

	if (v6only >= 0)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	if (bind(s, (void *)&a, sizeof a) < 0)
		return -1;
	getsockname(s, (void *)&a, &n);
	*port = a.sin6_port;
	return s;
}

static void show_name(const char *what, int s, int peer)
{
	struct sockaddr_storage ss;
	socklen_t n = sizeof ss;
	memset(&ss, 0, sizeof ss);
	long r = peer ? getpeername(s, (void *)&ss, &n) : getsockname(s, (void *)&ss, &n);
	if (r < 0)
		printf("%s: %s\n", what, errname(errno));
	else
		printf("%s: %s len %u\n", what, addr_str(&ss), n);
}

static int opt(int s, int level, int name)
{
	int v = -1;
	socklen_t n = sizeof v;
	return getsockopt(s, level, name, &v, &n) < 0 ? -errno : v;
}

static void print_opt(const char *what, int s, int level, int name)
{
	int v = opt(s, level, name);
	if (v < 0)
		printf("%s: %s\n", what, errname(-v));
	else
		printf("%s: %d\n", what, v);
}

static void dual_tcp(void)
{
	unsigned short port;
	int l = any6(SOCK_STREAM, -1, &port);
	struct sockaddr_storage ss;
	char buf[8] = { 0 };

	print_opt("IPV6_V6ONLY default", l, IPPROTO_IPV6, IPV6_V6ONLY);
	check("listen on [::]", listen(l, 8));
	show_name("listener name", l, 0);
	int c4 = socket(AF_INET, SOCK_STREAM, 0);
	check("IPv4 connect", connect(c4, (void *)&ss, loopback(AF_INET, port, &ss)));
	int a = accept(l, NULL, NULL);
	check("accept", a);
	show_name("accepted peer", a, 1);
	show_name("accepted name", a, 0);
	show_name("IPv4 client's peer", c4, 1);
	num("send to IPv4", send(a, "v4", 2, 0));
	num("IPv4 client reads", recv(c4, buf, sizeof buf, 0));
	num("IPv4 client sends", send(c4, "ok", 2, 0));
	num("read from IPv4", recv(a, buf, sizeof buf, 0));
	close(a);
	close(c4);

	int c6 = socket(AF_INET6, SOCK_STREAM, 0);
	check("IPv6 connect", connect(c6, (void *)&ss, loopback(AF_INET6, port, &ss)));
	a = accept(l, NULL, NULL);
	show_name("accepted IPv6 peer", a, 1);
	close(a);
	close(c6);

	/* A v4-mapped destination from an AF_INET6 client. */
	struct sockaddr_in6 m = { .sin6_family = AF_INET6, .sin6_port = port };
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &m.sin6_addr);
	c6 = socket(AF_INET6, SOCK_STREAM, 0);
	check("connect to ::ffff:127.0.0.1", connect(c6, (void *)&m, sizeof m));
	show_name("its name", c6, 0);
	show_name("its peer", c6, 1);
	a = accept(l, NULL, NULL);
	show_name("accepted peer", a, 1);
	close(a);
	close(c6);
	close(l);
}

static void v6only(void)
{
	unsigned short port;
	int one = 1, l = any6(SOCK_STREAM, 1, &port);
	struct sockaddr_storage ss;

	print_opt("IPV6_V6ONLY set", l, IPPROTO_IPV6, IPV6_V6ONLY);
	check("IPV6_V6ONLY after bind", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
	listen(l, 8);
	int c4 = socket(AF_INET, SOCK_STREAM, 0);
	check("IPv4 connect to a v6-only listener", connect(c4, (void *)&ss, loopback(AF_INET, port, &ss)));
	close(c4);
	int c6 = socket(AF_INET6, SOCK_STREAM, 0);
	check("IPv6 connect", connect(c6, (void *)&ss, loopback(AF_INET6, port, &ss)));
	int a = accept(l, NULL, NULL);
	check("accept", a);
	close(a);
	close(c6);

	struct sockaddr_in6 m = { .sin6_family = AF_INET6, .sin6_port = port };
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &m.sin6_addr);
	c6 = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(c6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	check("v6-only connect to ::ffff:127.0.0.1", connect(c6, (void *)&m, sizeof m));
	close(c6);
	int u = socket(AF_INET, SOCK_STREAM, 0);
	print_opt("IPV6_V6ONLY on AF_INET", u, IPPROTO_IPV6, IPV6_V6ONLY);
	close(u);
	close(l);
}

static void dual_udp(void)
{
	unsigned short p6, p4;
	int u6 = any6(SOCK_DGRAM, -1, &p6);
	struct sockaddr_storage ss, from;
	socklen_t n;
	char buf[8] = { 0 };
	int u4 = socket(AF_INET, SOCK_DGRAM, 0);

	bind(u4, (void *)&ss, loopback(AF_INET, 0, &ss));
	n = sizeof ss;
	getsockname(u4, (void *)&ss, &n);
	p4 = port_of(&ss);
	num("IPv4 sendto [::]'s port", sendto(u4, "a", 1, 0, (void *)&ss, loopback(AF_INET, p6, &ss)));
	n = sizeof from;
	long r = recvfrom(u6, buf, sizeof buf, 0, (void *)&from, &n);
	printf("AF_INET6 receives: %ld from %s len %u\n", r, addr_str(&from), n);
	struct sockaddr_in6 m = { .sin6_family = AF_INET6, .sin6_port = p4 };
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &m.sin6_addr);
	num("AF_INET6 sendto ::ffff:127.0.0.1", sendto(u6, "b", 1, 0, (void *)&m, sizeof m));
	n = sizeof from;
	r = recvfrom(u4, buf, sizeof buf, 0, (void *)&from, &n);
	printf("AF_INET receives: %ld from %s len %u\n", r, addr_str(&from), n);
	close(u4);
	close(u6);
}

/* Closes a connection from the server's side first, so the TIME_WAIT is
 * on the listener's port. */
static void reuseaddr(int f)
{
	struct sockaddr_storage ss;
	int one = 1, l = socket(f, SOCK_STREAM, 0);
	socklen_t n = loopback(f, 0, &ss);
	char buf[4];

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bind(l, (void *)&ss, n);
	listen(l, 8);
	n = sizeof ss;
	getsockname(l, (void *)&ss, &n);
	int c = socket(f, SOCK_STREAM, 0);
	connect(c, (void *)&ss, n);
	int a = accept(l, NULL, NULL);
	close(a);
	num("client sees EOF", recv(c, buf, sizeof buf, 0));
	close(c);
	close(l);
	int s = socket(f, SOCK_STREAM, 0);
	check("rebind without SO_REUSEADDR", bind(s, (void *)&ss, n));
	close(s);
	s = socket(f, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	check("rebind with SO_REUSEADDR", bind(s, (void *)&ss, n));
	check("listen", listen(s, 8));
	c = socket(f, SOCK_STREAM, 0);
	check("connect to it", connect(c, (void *)&ss, n));
	a = accept(s, NULL, NULL);
	check("accept", a);
	close(a);
	close(c);
	close(s);
}

static void options(void)
{
	unsigned short port;
	int l = any6(SOCK_STREAM, -1, &port), one = 1, v;
	struct sockaddr_storage ss;

	setsockopt(l, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	setsockopt(l, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	v = 60;
	setsockopt(l, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v);
	v = 10;
	setsockopt(l, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v);
	v = 4;
	setsockopt(l, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v);
	v = 65536;
	setsockopt(l, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	setsockopt(l, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	listen(l, 8);
	print_opt("listener SO_ACCEPTCONN", l, SOL_SOCKET, SO_ACCEPTCONN);
	print_opt("listener SO_KEEPALIVE", l, SOL_SOCKET, SO_KEEPALIVE);
	print_opt("listener TCP_NODELAY", l, IPPROTO_TCP, TCP_NODELAY);
	print_opt("listener TCP_KEEPIDLE", l, IPPROTO_TCP, TCP_KEEPIDLE);
	print_opt("listener TCP_KEEPINTVL", l, IPPROTO_TCP, TCP_KEEPINTVL);
	print_opt("listener TCP_KEEPCNT", l, IPPROTO_TCP, TCP_KEEPCNT);
	print_opt("listener SO_RCVBUF", l, SOL_SOCKET, SO_RCVBUF);
	print_opt("listener SO_SNDBUF", l, SOL_SOCKET, SO_SNDBUF);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (void *)&ss, loopback(AF_INET, port, &ss));
	int a = accept(l, NULL, NULL);
	print_opt("accepted SO_ACCEPTCONN", a, SOL_SOCKET, SO_ACCEPTCONN);
	print_opt("accepted SO_TYPE", a, SOL_SOCKET, SO_TYPE);
	print_opt("accepted SO_KEEPALIVE", a, SOL_SOCKET, SO_KEEPALIVE);
	print_opt("accepted TCP_NODELAY", a, IPPROTO_TCP, TCP_NODELAY);
	print_opt("accepted TCP_KEEPIDLE", a, IPPROTO_TCP, TCP_KEEPIDLE);
	print_opt("accepted TCP_KEEPINTVL", a, IPPROTO_TCP, TCP_KEEPINTVL);
	print_opt("accepted TCP_KEEPCNT", a, IPPROTO_TCP, TCP_KEEPCNT);
	print_opt("accepted SO_RCVBUF", a, SOL_SOCKET, SO_RCVBUF);
	print_opt("accepted SO_SNDBUF", a, SOL_SOCKET, SO_SNDBUF);
	print_opt("accepted IPV6_V6ONLY", a, IPPROTO_IPV6, IPV6_V6ONLY);
	print_opt("client TCP_NODELAY", c, IPPROTO_TCP, TCP_NODELAY);
	print_opt("unknown SOL_SOCKET option", a, SOL_SOCKET, 9999);
	print_opt("unknown TCP option", a, IPPROTO_TCP, 9999);
	v = 1;
	check("set unknown TCP option", setsockopt(a, IPPROTO_TCP, 9999, &v, sizeof v));
	check("set unknown SOL_SOCKET option", setsockopt(a, SOL_SOCKET, 9999, &v, sizeof v));
	close(a);
	close(c);
	close(l);

	static const int fams[2] = { AF_INET, AF_INET6 }, types[2] = { SOCK_STREAM, SOCK_DGRAM };
	for (int i = 0; i < 4; i++) {
		int f = fams[i / 2], t = types[i % 2], s = socket(f, t, 0);
		char what[64];
		snprintf(what, sizeof what, "%s %s", f == AF_INET ? "AF_INET" : "AF_INET6", t == SOCK_STREAM ? "TCP" : "UDP");
		printf("%s: get level 277 %s", what, errname(-opt(s, 277, 1)));
		printf(", TCP_NODELAY %d", opt(s, IPPROTO_TCP, TCP_NODELAY));
		printf(", IP_TOS %d", opt(s, IPPROTO_IP, IP_TOS));
		printf(", IPV6_V6ONLY %d", opt(s, IPPROTO_IPV6, IPV6_V6ONLY));
		printf(", IP 9999 %d", opt(s, IPPROTO_IP, 9999));
		printf(", IPV6 9999 %d\n", opt(s, IPPROTO_IPV6, 9999));
		printf("%s: set level 277 %s", what, setsockopt(s, 277, 1, &one, sizeof one) < 0 ? errname(errno) : "ok");
		printf(", TCP_NODELAY %s", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ? errname(errno) : "ok");
		printf(", IPV6_V6ONLY %s\n", setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0 ? errname(errno) : "ok");
		close(s);
	}

	int u = socket(AF_INET, SOCK_DGRAM, 0);
	print_opt("UDP SO_TYPE", u, SOL_SOCKET, SO_TYPE);
	print_opt("UDP SO_ACCEPTCONN", u, SOL_SOCKET, SO_ACCEPTCONN);
	check("UDP set TCP_NODELAY", setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	v = 65536;
	setsockopt(u, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	print_opt("UDP SO_RCVBUF set 65536", u, SOL_SOCKET, SO_RCVBUF);
	setsockopt(u, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
	print_opt("UDP SO_BROADCAST set", u, SOL_SOCKET, SO_BROADCAST);
	close(u);
}

static void interfaces(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), found = 0;
	struct ifreq reqs[32];
	struct ifconf ic = { .ifc_len = sizeof reqs, .ifc_req = reqs };
	char ip[INET_ADDRSTRLEN];

	check("SIOCGIFCONF", ioctl(s, SIOCGIFCONF, &ic));
	printf("whole entries: %d\n", ic.ifc_len % (int)sizeof(struct ifreq) == 0);
	for (int i = 0; i < ic.ifc_len / (int)sizeof(struct ifreq); i++) {
		struct sockaddr_in *a = (void *)&reqs[i].ifr_addr;
		if (strcmp(reqs[i].ifr_name, "lo"))
			continue;
		found++;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
		printf("SIOCGIFCONF entry: %s family %d %s\n", reqs[i].ifr_name, a->sin_family, ip);
	}
	printf("lo entries: %d\n", found);
	struct ifconf none = { .ifc_len = 0, .ifc_req = NULL };
	check("SIOCGIFCONF sizing", ioctl(s, SIOCGIFCONF, &none));
	printf("sizing matches: %d\n", none.ifc_len == ic.ifc_len);

	struct ifreq r = { 0 };
	strcpy(r.ifr_name, "lo");
	long e = ioctl(s, SIOCGIFFLAGS, &r);
	value("lo flags up|loopback|running|broadcast", e, r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_BROADCAST));
	e = ioctl(s, SIOCGIFADDR, &r);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_addr)->sin_addr, ip, sizeof ip);
	printf("lo SIOCGIFADDR: %s\n", e < 0 ? errname(errno) : ip);
	e = ioctl(s, SIOCGIFNETMASK, &r);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_netmask)->sin_addr, ip, sizeof ip);
	printf("lo SIOCGIFNETMASK: %s\n", e < 0 ? errname(errno) : ip);
	e = ioctl(s, SIOCGIFINDEX, &r);
	int index = r.ifr_ifindex;
	value("lo index", e, index);
	e = ioctl(s, SIOCGIFHWADDR, &r);
	value("lo hardware type", e, r.ifr_hwaddr.sa_family);
	memset(&r, 0, sizeof r);
	r.ifr_ifindex = index;
	e = ioctl(s, SIOCGIFNAME, &r);
	printf("SIOCGIFNAME of lo's index: %s\n", e < 0 ? errname(errno) : r.ifr_name);
	strcpy(r.ifr_name, "nosuchif0");
	check("SIOCGIFADDR of nosuchif0", ioctl(s, SIOCGIFADDR, &r));
	printf("if_nametoindex(lo) matches: %d\n", if_nametoindex("lo") == (unsigned)index);
	check("TCGETS on a socket", ioctl(s, TCGETS, &r));
	close(s);
}

/* TCP_CORK: kept and reported (an accepted connection takes the
 * listener's), and the bytes written while corked all arrive, in order,
 * once it is taken off. */
static void cork(void)
{
	unsigned short port;
	int l = any6(SOCK_STREAM, -1, &port), one = 1, zero = 0;
	struct sockaddr_storage ss;
	char buf[1000];
	size_t got = 0;

	setsockopt(l, IPPROTO_TCP, TCP_CORK, &one, sizeof one);
	listen(l, 8);
	print_opt("listener TCP_CORK", l, IPPROTO_TCP, TCP_CORK);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (void *)&ss, loopback(AF_INET, port, &ss));
	int a = accept(l, NULL, NULL);
	print_opt("accepted TCP_CORK", a, IPPROTO_TCP, TCP_CORK);
	print_opt("client TCP_CORK", c, IPPROTO_TCP, TCP_CORK);
	check("client cork", setsockopt(c, IPPROTO_TCP, TCP_CORK, &one, sizeof one));
	print_opt("client TCP_CORK now", c, IPPROTO_TCP, TCP_CORK);
	for (int i = 0; i < 100; i++)
		if (write(c, "0123456789", 10) != 10)
			printf("write %d: %s\n", i, errname(errno));
	check("client uncork", setsockopt(c, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero));
	print_opt("client TCP_CORK after", c, IPPROTO_TCP, TCP_CORK);
	struct pollfd p = { .fd = a, .events = POLLIN };
	while (got < sizeof buf && poll(&p, 1, 5000) == 1) {
		ssize_t n = read(a, buf + got, sizeof buf - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	int in_order = 1;
	for (size_t i = 0; i < got; i++)
		in_order &= buf[i] == '0' + (char)(i % 10);
	printf("corked bytes arrived: %zu, in order %d\n", got, in_order);
	close(a);
	close(c);
	close(l);
}

/* Accepts what is waiting on l within 200 ms of quiet; how many. */
static int accept_waiting(int l)
{
	int n = 0;
	struct pollfd p = { .fd = l, .events = POLLIN };

	while (poll(&p, 1, 200) == 1) {
		int a = accept(l, NULL, NULL);
		if (a < 0)
			break;
		close(a);
		n++;
	}
	return n;
}

/* Clients c[from..to) connected to the IPv4 address in ss. */
static void connect_clients(int *c, int from, int to, const struct sockaddr_storage *ss)
{
	for (int i = from; i < to; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c[i], (const void *)ss, sizeof(struct sockaddr_in)) < 0)
			printf("connect %d: %s\n", i, errname(errno));
	}
}

/* SO_REUSEPORT: sockets that all set it share a port, a socket without it
 * cannot join them, and connections and datagrams are spread over the
 * sockets (Linux by a hash of the peer; 32 peers all on one of two has
 * odds 2^-31). */
static void reuseport(void)
{
	struct sockaddr_storage ss;
	int one = 1, l[2], c[40];
	socklen_t n = sizeof ss;

	for (int i = 0; i < 2; i++) {
		l[i] = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(l[i], SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	}
	loopback(AF_INET, 0, &ss);
	check("bind the first", bind(l[0], (void *)&ss, sizeof(struct sockaddr_in)));
	getsockname(l[0], (void *)&ss, &n);
	check("bind the second to its port", bind(l[1], (void *)&ss, sizeof(struct sockaddr_in)));
	int other = socket(AF_INET, SOCK_STREAM, 0);
	check("bind one without SO_REUSEPORT", bind(other, (void *)&ss, sizeof(struct sockaddr_in)));
	close(other);
	check("listen on the first", listen(l[0], 64));
	check("listen on the second", listen(l[1], 64));
	print_opt("SO_REUSEPORT", l[1], SOL_SOCKET, SO_REUSEPORT);
	connect_clients(c, 0, 32, &ss);
	int got0 = accept_waiting(l[0]), got1 = accept_waiting(l[1]);
	printf("accepted: %d in all, by both listeners %d\n", got0 + got1, got0 > 0 && got1 > 0);
	close(l[0]);
	connect_clients(c, 32, 40, &ss);
	printf("after closing the first, the second accepts: %d\n", accept_waiting(l[1]));
	for (int i = 0; i < 40; i++)
		close(c[i]);
	close(l[1]);

	int u[3];
	for (int i = 0; i < 3; i++) {
		u[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (i < 2)
			setsockopt(u[i], SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	}
	loopback(AF_INET, 0, &ss);
	n = sizeof ss;
	check("UDP bind the first", bind(u[0], (void *)&ss, sizeof(struct sockaddr_in)));
	getsockname(u[0], (void *)&ss, &n);
	check("UDP bind the second to its port", bind(u[1], (void *)&ss, sizeof(struct sockaddr_in)));
	check("UDP bind one without SO_REUSEPORT", bind(u[2], (void *)&ss, sizeof(struct sockaddr_in)));
	for (int i = 0; i < 32; i++) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);	/* a new sender, a new port */
		sendto(s, "x", 1, 0, (void *)&ss, sizeof(struct sockaddr_in));
		close(s);
	}
	int got[2] = { 0, 0 };
	char b;
	for (int i = 0; i < 2; i++) {
		struct pollfd p = { .fd = u[i], .events = POLLIN };
		while (poll(&p, 1, 200) == 1 && recv(u[i], &b, 1, 0) == 1)
			got[i]++;
	}
	printf("UDP datagrams: %d in all, to both sockets %d\n", got[0] + got[1], got[0] > 0 && got[1] > 0);
	for (int i = 0; i < 3; i++)
		close(u[i]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("== dual-stack TCP\n");
	dual_tcp();
	printf("== IPV6_V6ONLY\n");
	v6only();
	printf("== dual-stack UDP\n");
	dual_udp();
	printf("== SO_REUSEADDR over TIME_WAIT, IPv4\n");
	reuseaddr(AF_INET);
	printf("== SO_REUSEADDR over TIME_WAIT, IPv6\n");
	reuseaddr(AF_INET6);
	printf("== options\n");
	options();
	printf("== TCP_CORK\n");
	cork();
	printf("== SO_REUSEPORT\n");
	reuseport();
	printf("== interfaces\n");
	interfaces();
	return 0;
}
