/* /proc/net as Linux shows it: opens a TCP listener and a connection to
 * it over 127.0.0.1, a TCP listener on ::1, UDP sockets on both versions
 * and AF_UNIX sockets (a listener with a connection, an abstract
 * datagram), then finds each in /proc/net's files by address and port
 * and checks its state, its owner and that its inode is the one fstat
 * gives.  Prints one line per check, the header lines as they are (their
 * padding between | and |), and the interfaces' counters growing.
 * The ports are fixed (47001-47005), so that Linux's lines and amphi's
 * match.  Then each argument is a shell command, run with every socket
 * still open (close-on-exec: the tools see them through /proc/1/fd), after "=== CMD" (one named "@traffic" instead sends bytes
 * over lo, "@eth" tries a TCP connection to 10.0.2.2:9). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT_TCP	47001
#define PORT_TCP6	47002
#define PORT_UDP	47003
#define PORT_UDP6	47004
#define UNIX_PATH	"/tmp/net_procnet.sock"
#define ABSTRACT	"net_procnet.dgram"

static unsigned long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st)) {
		printf("FAIL: fstat %d\n", fd);
		exit(1);
	}
	return (unsigned long)st.st_ino;
}

static int must(int r, const char *what)
{
	if (r < 0) {
		printf("FAIL: %s\n", what);
		exit(1);
	}
	return r;
}

static int inet_sock(int family, int type, const char *addr, int port, int listening)
{
	int s = must(socket(family, type | SOCK_CLOEXEC, 0), "socket");
	int one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
		inet_pton(AF_INET, addr, &a.sin_addr);
		must(bind(s, (struct sockaddr *)&a, sizeof a), "bind");
	} else {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
		inet_pton(AF_INET6, addr, &a.sin6_addr);
		must(bind(s, (struct sockaddr *)&a, sizeof a), "bind6");
	}
	if (listening)
		must(listen(s, 5), "listen");
	return s;
}

/* The file's first line, as it is. */
static void header(const char *file)
{
	char path[64], line[512];

	snprintf(path, sizeof path, "/proc/net/%s", file);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(line, sizeof line, f)) {
		printf("%s: cannot read\n", file);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	printf("%s header (%zu): |%s|\n", file, strlen(line), line);
}

/* One parsed line of tcp, tcp6, udp or udp6. */
struct ent {
	char local[64], remote[64];
	unsigned lport, rport, st;
	unsigned long uid, ino;
};

static int parse(const char *line, struct ent *e)
{
	char l[64], r[64];

	if (sscanf(line, "%*d: %63s %63s %x %*x:%*x %*x:%*x %*x %lu %*d %lu", l, r, &e->st, &e->uid,
		   &e->ino) != 5)
		return 0;
	char *lc = strrchr(l, ':'), *rc = strrchr(r, ':');
	if (!lc || !rc)
		return 0;
	*lc = *rc = 0;
	snprintf(e->local, sizeof e->local, "%s", l);
	snprintf(e->remote, sizeof e->remote, "%s", r);
	e->lport = (unsigned)strtoul(lc + 1, NULL, 16);
	e->rport = (unsigned)strtoul(rc + 1, NULL, 16);
	return 1;
}

/* Finds the entry of file with these ports (rport 0: any) and says what
 * it shows. */
static void find(const char *file, const char *what, unsigned lport, unsigned rport, unsigned long ino,
		 const char *local)
{
	char path[64], line[512];
	struct ent e;
	int found = 0;

	snprintf(path, sizeof path, "/proc/net/%s", file);
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("%s %s: cannot open\n", file, what);
		return;
	}
	fgets(line, sizeof line, f);
	while (fgets(line, sizeof line, f))
		if (parse(line, &e) && e.lport == lport && (!rport || e.rport == rport) && !found++)
			printf("%s %s: local %s state %02X inode %s uid %s remote %s\n", file, what,
			       strcmp(e.local, local) ? e.local : "as bound", e.st,
			       e.ino == ino ? "as fstat" : "differs", e.uid == geteuid() ? "ours" : "other",
			       rport ? (e.rport == rport ? "port as connected" : "other") : e.remote);
	fclose(f);
	if (!found)
		printf("%s %s: not found\n", file, what);
}

/* The unix line with this inode: flags, type, state, path. */
static void find_unix(const char *what, unsigned long ino)
{
	char line[512], path[256];
	unsigned refs, proto, flags, type, st;
	unsigned long i;
	int found = 0;
	FILE *f = fopen("/proc/net/unix", "r");

	if (!f) {
		printf("unix %s: cannot open\n", what);
		return;
	}
	fgets(line, sizeof line, f);
	while (fgets(line, sizeof line, f)) {
		path[0] = 0;
		if (sscanf(line, "%*x: %x %x %x %x %x %lu %255s", &refs, &proto, &flags, &type, &st, &i,
			   path) >= 6 && i == ino && !found++)
			printf("unix %s: flags %08X type %04X state %02X path '%s'\n", what, flags, type,
			       st, path);
	}
	fclose(f);
	if (!found)
		printf("unix %s: not found\n", what);
}

/* lo's received and sent packets in /proc/net/dev. */
static void lo_packets(unsigned long *rx, unsigned long *tx)
{
	char line[512];
	FILE *f = fopen("/proc/net/dev", "r");

	*rx = *tx = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, " lo: %*u %lu %*u %*u %*u %*u %*u %*u %*u %lu", rx, tx) == 2)
			break;
	if (f)
		fclose(f);
}

/* The value under name in the group's pair of lines of /proc/net/snmp. */
static long snmp(const char *group, const char *name)
{
	char names[4096], values[4096];
	FILE *f = fopen("/proc/net/snmp", "r");
	long v = -1;

	while (f && fgets(names, sizeof names, f) && fgets(values, sizeof values, f)) {
		size_t g = strlen(group);
		if (strncmp(names, group, g) || names[g] != ':')
			continue;
		char *sn, *sv, *n = strtok_r(names + g + 1, " \n", &sn), *val = strtok_r(values + g + 1, " \n", &sv);
		for (; n && val; n = strtok_r(NULL, " \n", &sn), val = strtok_r(NULL, " \n", &sv))
			if (!strcmp(n, name))
				v = atol(val);
	}
	if (f)
		fclose(f);
	return v;
}

static int tcp_pair(int listener, int *accepted)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT_TCP) };
	int c = must(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "client");

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	must(connect(c, (struct sockaddr *)&a, sizeof a), "connect");
	*accepted = must(accept4(listener, NULL, NULL, SOCK_CLOEXEC), "accept");
	return c;
}

static void traffic(int c, int s)
{
	static char buf[65536];

	for (int k = 0; k < 4; k++) {
		size_t got = 0;
		must((int)write(c, buf, sizeof buf), "write");
		while (got < sizeof buf)
			got += (size_t)must((int)read(s, buf, sizeof buf - got), "read");
	}
}

static void eth_try(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int c = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "10.0.2.2", &a.sin_addr);
	connect(c, (struct sockaddr *)&a, sizeof a);
	close(c);
}

static volatile int churning;

/* Connections to the listener on PORT_TCP, made and dropped. */
static void *churn_tcp(void *arg)
{
	int l = *(int *)arg;

	while (churning) {
		int a, c = tcp_pair(l, &a);
		close(c);
		close(a);
	}
	return NULL;
}

static void *churn_unix(void *arg)
{
	(void)arg;
	while (churning) {
		int sv[2];
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		memcpy(a.sun_path + 1, "churn", 5);
		must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
		bind(sv[0], (struct sockaddr *)&a, 2 + 6);
		close(sv[0]);
		close(sv[1]);
	}
	return NULL;
}

/* Every file read whole, rounds times, while the sockets come and go:
 * each read must end (no hang, no fault) with its header line. */
static void churn(int listener)
{
	static const char *files[] = { "tcp", "tcp6", "udp", "udp6", "unix", "dev", "snmp",
				       "sockstat", "sockstat6", "arp", "route", "if_inet6",
				       "ipv6_route", "netstat" };
	static char buf[1 << 16];
	pthread_t t[3];
	int bad = 0;

	churning = 1;
	pthread_create(&t[0], NULL, churn_tcp, &listener);
	pthread_create(&t[1], NULL, churn_unix, NULL);
	pthread_create(&t[2], NULL, churn_unix, NULL);
	for (int round = 0; round < 100; round++)
		for (unsigned k = 0; k < sizeof files / sizeof files[0]; k++) {
			char path[64];
			snprintf(path, sizeof path, "/proc/net/%s", files[k]);
			FILE *f = fopen(path, "r");
			size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
			bad += !f || (n == 0 && strcmp(files[k], "if_inet6") && strcmp(files[k], "ipv6_route"));
			if (f)
				fclose(f);
		}
	churning = 0;
	for (int k = 0; k < 3; k++)
		pthread_join(t[k], NULL);
	printf("churn: %s\n", bad ? "a read failed" : "every read whole");
}

static int count_lines(const char *path)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof line, f))
		n++;
	if (f)
		fclose(f);
	return n;
}

/* Tables longer than a first guess: 200 socket pairs, 50 connections. */
static void many(int listener)
{
	int u0 = count_lines("/proc/net/unix"), t0 = count_lines("/proc/net/tcp");

	for (int k = 0; k < 200; k++) {
		int sv[2];
		must(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
	}
	for (int k = 0; k < 50; k++) {
		int a;
		tcp_pair(listener, &a);
	}
	printf("many: unix lines %+d, tcp lines %+d\n", count_lines("/proc/net/unix") - u0,
	       count_lines("/proc/net/tcp") - t0);
}

static void run(const char *cmd)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(p, &status, 0);
}

int main(int argc, char **argv)
{
	static const char *files[] = { "tcp", "tcp6", "udp", "udp6", "unix", "raw", "raw6", "packet",
				       "route", "arp", "dev" };
	unsigned long rx0, tx0, rx1, tx1;

	for (unsigned k = 0; k < sizeof files / sizeof files[0]; k++)
		header(files[k]);
	printf("/proc/self/net/tcp: %s\n", count_lines("/proc/self/net/tcp") > 0 ? "read" : "missing");
	int l4 = inet_sock(AF_INET, SOCK_STREAM, "127.0.0.1", PORT_TCP, 1);
	int l6 = inet_sock(AF_INET6, SOCK_STREAM, "::1", PORT_TCP6, 1);
	int u4 = inet_sock(AF_INET, SOCK_DGRAM, "0.0.0.0", PORT_UDP, 0);
	int u6 = inet_sock(AF_INET6, SOCK_DGRAM, "::1", PORT_UDP6, 0);
	int srv, cli = tcp_pair(l4, &srv);
	struct sockaddr_in me;
	socklen_t len = sizeof me;
	getsockname(cli, (struct sockaddr *)&me, &len);
	unsigned cport = ntohs(me.sin_port);

	find("tcp", "listener", PORT_TCP, 0, ino_of(l4), "0100007F");
	find("tcp", "client", cport, PORT_TCP, ino_of(cli), "0100007F");
	find("tcp", "accepted", PORT_TCP, cport, ino_of(srv), "0100007F");
	find("tcp6", "listener", PORT_TCP6, 0, ino_of(l6), "00000000000000000000000001000000");
	find("udp", "socket", PORT_UDP, 0, ino_of(u4), "00000000");
	find("udp6", "socket", PORT_UDP6, 0, ino_of(u6), "00000000000000000000000001000000");
	find("tcp6", "v4 listener", PORT_TCP, 0, 0, "");

	struct sockaddr_un ua = { .sun_family = AF_UNIX, .sun_path = UNIX_PATH };
	unlink(UNIX_PATH);
	int ul = must(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "unix socket");
	must(bind(ul, (struct sockaddr *)&ua, sizeof ua), "unix bind");
	must(listen(ul, 5), "unix listen");
	int uc = must(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "unix client");
	must(connect(uc, (struct sockaddr *)&ua, sizeof ua), "unix connect");
	int us = must(accept4(ul, NULL, NULL, SOCK_CLOEXEC), "unix accept");
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	memcpy(ab.sun_path + 1, ABSTRACT, strlen(ABSTRACT));
	int ud = must(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), "unix dgram");
	must(bind(ud, (struct sockaddr *)&ab, (socklen_t)(2 + 1 + strlen(ABSTRACT))), "abstract bind");
	find_unix("listener", ino_of(ul));
	find_unix("client", ino_of(uc));
	find_unix("accepted", ino_of(us));
	find_unix("abstract dgram", ino_of(ud));

	lo_packets(&rx0, &tx0);
	long in0 = snmp("Ip", "InReceives"), seg0 = snmp("Tcp", "OutSegs");
	traffic(cli, srv);
	lo_packets(&rx1, &tx1);
	printf("lo: rx packets %s, tx packets %s\n", rx1 > rx0 ? "grew" : "did not grow",
	       tx1 > tx0 ? "grew" : "did not grow");
	printf("snmp: Ip InReceives %s, Tcp OutSegs %s, Tcp CurrEstab %s\n",
	       snmp("Ip", "InReceives") > in0 ? "grew" : "did not grow",
	       snmp("Tcp", "OutSegs") > seg0 ? "grew" : "did not grow",
	       snmp("Tcp", "CurrEstab") >= 2 ? "at least 2" : "under 2");
	printf("net_procnet ok\n");
	for (int k = 1; k < argc; k++) {
		printf("=== %s\n", argv[k]);
		if (!strcmp(argv[k], "@traffic"))
			traffic(cli, srv);
		else if (!strcmp(argv[k], "@eth"))
			eth_try();
		else if (!strcmp(argv[k], "@churn"))
			churn(l4);
		else if (!strcmp(argv[k], "@many"))
			many(l4);
		else
			run(argv[k]);
	}
	return 0;
}
