/* NETLINK_SOCK_DIAG as Linux 6 answers it (what iproute2's ss asks):
 * dumps of TCP and UDP over IPv4 and IPv6 and of AF_UNIX sockets, their
 * filters (states, ports, INET_DIAG_BC bytecode), one socket by its
 * addresses or inode, and the errors of bad requests.  The program makes
 * its own sockets on chosen ports (a TCP listener with a connection to
 * itself, a TCP6 listener, UDP of both versions, AF_UNIX pairs and bound
 * ones) and prints what is deterministic of each: Linux 6.18's transcript,
 * run natively as nobody, is the expected one.
 *
 * "@hostile": threads dump while others open and close sockets, and
 * malformed requests of every length are sent; the kernel must answer
 * each with an error or a dump, never crash or hang. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "call_result.h"

#define NETLINK_SOCK_DIAG	4
#define SOCK_DIAG_BY_FAMILY	20
#define SOCK_DESTROY		21
#define TCPDIAG_GETSOCK		18
#define NLMSG_ERROR		2
#define NLMSG_DONE		3
#define NLM_F_REQUEST		1
#define NLM_F_MULTI		2
#define NLM_F_ACK		4
#define NLM_F_DUMP		0x300
#define ALL_STATES		0xfff
#define NOCOOKIE		0xffffffffu

struct nlmsghdr {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};

struct nlattr {
	uint16_t len, type;
};

struct sockid {
	uint16_t sport, dport;
	uint32_t src[4], dst[4];
	uint32_t ifindex;
	uint32_t cookie[2];
};

struct inet_req {
	uint8_t family, protocol, ext, pad;
	uint32_t states;
	struct sockid id;
};

struct inet_req_old {
	uint8_t family, src_len, dst_len, ext;
	struct sockid id;
	uint32_t states, dbs;
};

struct inet_msg {
	uint8_t family, state, timer, retrans;
	struct sockid id;
	uint32_t expires, rqueue, wqueue, uid, inode;
};

struct unix_req {
	uint8_t family, protocol;
	uint16_t pad;
	uint32_t states, ino, show;
	uint32_t cookie[2];
};

struct unix_msg {
	uint8_t family, type, state, pad;
	uint32_t ino;
	uint32_t cookie[2];
};

#define ALIGN4(n)	(((n) + 3) & ~3u)

/* ---- talking to the kernel ----------------------------------------------- */

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	struct timeval tv = { 5, 0 };

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/* One request: the header, body, then attrs (already laid out). */
static long send_req(int fd, uint16_t type, uint16_t flags, const void *body, size_t blen,
		     const void *attrs, size_t alen)
{
	static uint8_t buf[65536];
	/* exactly blen bytes of body unless attributes follow it */
	struct nlmsghdr h = { (uint32_t)(sizeof h + (alen ? ALIGN4(blen) + alen : blen)), type, flags, 7, 0 };
	struct sockaddr_nl { uint16_t f, pad; uint32_t pid, groups; } to = { AF_NETLINK, 0, 0, 0 };

	memset(buf, 0, sizeof h + ALIGN4(blen));
	memcpy(buf, &h, sizeof h);
	memcpy(buf + sizeof h, body, blen);
	memcpy(buf + sizeof h + ALIGN4(blen), attrs, alen);
	return sendto(fd, buf, h.len, 0, (void *)&to, sizeof to);
}

/* What came back: every message until DONE or an error (dump), or until
 * one not NLM_F_MULTI (and an ack, when asked for). */
struct reply {
	int n;
	struct nlmsghdr *m[4096];
	uint8_t *store;
	size_t used;
};

static struct reply rep;

static void collect(int fd, int want_ack)
{
	static uint8_t dgram[65536];

	free(rep.store);
	rep.store = malloc(8 << 20);
	rep.used = 0;
	rep.n = 0;
	for (;;) {
		long len = recv(fd, dgram, sizeof dgram, 0);
		if (len <= 0)
			return;
		int end = 0;
		for (size_t off = 0; off + sizeof(struct nlmsghdr) <= (size_t)len;) {
			struct nlmsghdr *h = (void *)(dgram + off);
			if (h->len < sizeof *h || off + h->len > (size_t)len || rep.used + h->len > (8u << 20))
				break;
			struct nlmsghdr *copy = (void *)(rep.store + rep.used);
			memcpy(copy, h, h->len);
			rep.used += ALIGN4(h->len);
			if (rep.n < 4096)
				rep.m[rep.n++] = copy;
			if (h->type == NLMSG_DONE || h->type == NLMSG_ERROR)
				end = 1;
			else if (!(h->flags & NLM_F_MULTI) && !want_ack)
				end = 1;
			off += ALIGN4(h->len);
		}
		if (end)
			return;
	}
}

/* The last message's verdict: "done" or "done ERR", "error ERR", "ack". */
static const char *verdict(void)
{
	static char s[64];

	if (!rep.n)
		return "nothing";
	struct nlmsghdr *h = rep.m[rep.n - 1];
	int err = *(int *)(h + 1);
	errno = -err;
	if (h->type == NLMSG_DONE)
		snprintf(s, sizeof s, err ? "done %s" : "done", res(-1));
	else if (h->type == NLMSG_ERROR)
		snprintf(s, sizeof s, err ? "error %s" : "ack", res(-1));
	else
		snprintf(s, sizeof s, "message type %d", h->type);
	return s;
}

static struct nlattr *attr_of(struct nlmsghdr *h, size_t hdr, int type)
{
	for (size_t off = sizeof *h + hdr; off + 4 <= h->len;) {
		struct nlattr *a = (void *)((uint8_t *)h + off);
		if (a->len < 4 || off + a->len > h->len)
			return NULL;
		if (a->type == type)
			return a;
		off += ALIGN4(a->len);
	}
	return NULL;
}

static void attr_list(struct nlmsghdr *h, size_t hdr, char *out, size_t room)
{
	size_t k = 0;

	out[0] = 0;
	for (size_t off = sizeof *h + hdr; off + 4 <= h->len && k + 8 < room;) {
		struct nlattr *a = (void *)((uint8_t *)h + off);
		if (a->len < 4 || off + a->len > h->len)
			break;
		k += snprintf(out + k, room - k, "%s%d", k ? "," : "", a->type);
		off += ALIGN4(a->len);
	}
}

/* ---- the sockets ----------------------------------------------------------- */

static int tcp_l, tcp_c, tcp_a, tcp6_l, udp4, udp6, udp4c, dual_l, dual_c, dual_a;
static int us[2], ud[2], ulist, uconn, uabs;
static uint16_t client_port, udpc_port, dual_port;
static uid_t me;
static char upath[64];

static uint64_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static int bound(int family, int type, const char *addr, int port)
{
	int fd = socket(family, type, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET) {
		struct sockaddr_in a = { AF_INET, htons(port) };
		inet_pton(AF_INET, addr, &a.sin_addr);
		if (bind(fd, (void *)&a, sizeof a))
			perror("bind");
	} else {
		struct sockaddr_in6 a = { AF_INET6, htons(port) };
		inet_pton(AF_INET6, addr, &a.sin6_addr);
		if (bind(fd, (void *)&a, sizeof a))
			perror("bind6");
	}
	return fd;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof a;

	getsockname(fd, (void *)&a, &len);
	return ntohs(a.sin6_port);
}

static void make_sockets(void)
{
	tcp_l = bound(AF_INET, SOCK_STREAM, "127.0.0.1", 47101);
	listen(tcp_l, 7);
	tcp_c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = { AF_INET, htons(47101), { htonl(0x7f000001) } };
	if (connect(tcp_c, (void *)&to, sizeof to))
		perror("connect");
	tcp_a = accept(tcp_l, NULL, NULL);
	client_port = port_of(tcp_c);
	write(tcp_c, "hello", 5);
	tcp6_l = bound(AF_INET6, SOCK_STREAM, "::1", 47102);
	listen(tcp6_l, 3);
	/* dual stack: an IPv6 listener on ::, an IPv4 client; the accepted
	 * socket is IPv6, its addresses v4-mapped */
	dual_l = bound(AF_INET6, SOCK_STREAM, "::", 47106);
	listen(dual_l, 2);
	dual_c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in dt = { AF_INET, htons(47106), { htonl(0x7f000001) } };
	if (connect(dual_c, (void *)&dt, sizeof dt))
		perror("connect dual");
	dual_a = accept(dual_l, NULL, NULL);
	dual_port = port_of(dual_c);
	udp4 = bound(AF_INET, SOCK_DGRAM, "127.0.0.1", 47103);
	udp6 = bound(AF_INET6, SOCK_DGRAM, "::1", 47104);
	udp4c = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ut = { AF_INET, htons(47103), { htonl(0x7f000001) } };
	connect(udp4c, (void *)&ut, sizeof ut);
	udpc_port = port_of(udp4c);

	socketpair(AF_UNIX, SOCK_STREAM, 0, us);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, ud);
	write(ud[0], "abc", 3);
	shutdown(us[0], SHUT_WR);
	snprintf(upath, sizeof upath, "/tmp/sock_diag_probe.sock");
	unlink(upath);
	ulist = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un ua = { AF_UNIX };
	strcpy(ua.sun_path, upath);
	bind(ulist, (void *)&ua, sizeof ua);
	listen(ulist, 4);
	uconn = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(uconn, (void *)&ua, sizeof ua);	/* left waiting: not accepted */
	uabs = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un ab = { AF_UNIX };
	memcpy(ab.sun_path, "\0sock_diag.abstract", 19);
	bind(uabs, (void *)&ab, offsetof(struct sockaddr_un, sun_path) + 19);
	/* the client's data acknowledged (lwIP may delay its ACK) */
	for (int i = 0, n = 1; i < 500 && n; i++) {
		if (ioctl(tcp_c, TIOCOUTQ, &n))
			break;
		if (n)
			usleep(10000);
	}
}

/* ---- inet ------------------------------------------------------------------- */

static void addr_str(const struct inet_msg *m, const uint32_t *a, uint16_t port, char *out)
{
	char s[64];

	inet_ntop(m->family, a, s, sizeof s);
	sprintf(out, m->family == AF_INET6 ? "[%s]:%u" : "%s:%u", s, ntohs(port));
}

static void show_inet(const char *name, struct nlmsghdr *h, int fd)
{
	struct inet_msg *m = (void *)(h + 1);
	char src[80], dst[80], attrs[128];

	addr_str(m, m->id.src, m->id.sport, src);
	addr_str(m, m->id.dst, m->id.dport, dst);
	if (strstr(src, ":") && ntohs(m->id.sport) == client_port)
		strcpy(strrchr(src, ':') + 1, "client port");
	if (ntohs(m->id.dport) == client_port)
		strcpy(strrchr(dst, ':') + 1, "client port");
	if (ntohs(m->id.sport) == udpc_port)
		strcpy(strrchr(src, ':') + 1, "udp client port");
	if (ntohs(m->id.sport) == dual_port)
		strcpy(strrchr(src, ':') + 1, "dual client port");
	if (ntohs(m->id.dport) == dual_port)
		strcpy(strrchr(dst, ':') + 1, "dual client port");
	attr_list(h, sizeof *m, attrs, sizeof attrs);
	printf("%s: type %d flags %x family %d state %d timer %d retrans %d rq %u wq %u uid %s inode %s "
	       "src %s dst %s if %u cookie %s attrs %s", name, h->type, h->flags, m->family, m->state,
	       m->timer, m->retrans, m->rqueue, m->wqueue, m->uid == me ? "ours" : "other",
	       m->inode == (uint32_t)ino_of(fd) ? "as fstat" : "other", src, dst, m->id.ifindex,
	       m->id.cookie[0] || m->id.cookie[1] ? "set" : "0", attrs);
	struct nlattr *a;
	if ((a = attr_of(h, sizeof *m, 8)))
		printf(" shutdown %d", *(uint8_t *)(a + 1));
	if ((a = attr_of(h, sizeof *m, 11)))
		printf(" v6only %d", *(uint8_t *)(a + 1));
	if ((a = attr_of(h, sizeof *m, 22)))
		printf(" sockopt %02x%02x", ((uint8_t *)(a + 1))[0], ((uint8_t *)(a + 1))[1]);
	if ((a = attr_of(h, sizeof *m, 21)))
		printf(" cgroup %d", a->len == 12);
	if ((a = attr_of(h, sizeof *m, 2)))
		printf(" info %d state %d", a->len - 4, ((uint8_t *)(a + 1))[0]);
	if ((a = attr_of(h, sizeof *m, 4)))
		printf(" cong %s", a->len > 5 ? "named" : "empty");
	if ((a = attr_of(h, sizeof *m, 5)))
		printf(" tos %d", *(uint8_t *)(a + 1));
	if ((a = attr_of(h, sizeof *m, 1)))
		printf(" meminfo %d", a->len - 4);
	if ((a = attr_of(h, sizeof *m, 7))) {
		uint32_t *v = (void *)(a + 1);
		int rb, sb;
		socklen_t l = sizeof rb;
		getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, &l);
		getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, &l);
		printf(" skmeminfo %d rcvbuf %s sndbuf %s", a->len - 4,
		       v[1] == (uint32_t)rb ? "as SO_RCVBUF" : "other",
		       v[3] == (uint32_t)sb ? "as SO_SNDBUF" : "other");
	}
	printf("\n");
}

/* Which of ours a message is: by its ports. */
static int ours(const struct inet_msg *m, int proto, const char **name)
{
	unsigned sp = ntohs(m->id.sport), dp = ntohs(m->id.dport);

	if (proto == IPPROTO_TCP) {
		if (sp == 47101 && !dp) { *name = "tcp listener"; return tcp_l; }
		if (sp == 47101 && dp == client_port) { *name = "tcp accepted"; return tcp_a; }
		if (sp == client_port && dp == 47101) { *name = "tcp client"; return tcp_c; }
		if (sp == 47102) { *name = "tcp6 listener"; return tcp6_l; }
		if (sp == 47106 && !dp) { *name = "dual listener"; return dual_l; }
		if (sp == 47106 && dp == dual_port) { *name = "dual accepted"; return dual_a; }
		if (sp == dual_port && dp == 47106) { *name = "dual client"; return dual_c; }
	} else {
		if (sp == 47103) { *name = "udp socket"; return udp4; }
		if (sp == 47104) { *name = "udp6 socket"; return udp6; }
		if (sp == udpc_port && dp == 47103) { *name = "udp connected"; return udp4c; }
	}
	return -1;
}

static struct inet_req inet_req(int family, int proto, uint32_t states)
{
	struct inet_req r = { family, proto, 0, 0, states };
	return r;
}

/* A dump's messages that are ours, in a fixed order (Linux's is its hash
 * tables'), then its end. */
static void dump_inet(const char *what, int fd, struct inet_req r, const void *bc, size_t bclen, int full)
{
	static const char *order[] = { "tcp listener", "tcp client", "tcp accepted", "tcp6 listener",
				       "dual listener", "dual client", "dual accepted",
				       "udp socket", "udp6 socket", "udp connected" };
	uint8_t attrs[512];
	size_t alen = 0;

	if (bc) {
		struct nlattr a = { (uint16_t)(4 + bclen), 1 };
		memcpy(attrs, &a, 4);
		memcpy(attrs + 4, bc, bclen);
		alen = ALIGN4(4 + bclen);
	}
	send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof r, attrs, alen);
	collect(fd, 0);
	char seen[256] = "";
	for (unsigned k = 0; k < sizeof order / sizeof order[0]; k++)
		for (int i = 0; i < rep.n; i++) {
			const char *name;
			struct nlmsghdr *h = rep.m[i];
			if (h->type != SOCK_DIAG_BY_FAMILY)
				continue;
			int sfd = ours((void *)(h + 1), r.protocol, &name);
			if (sfd < 0 || strcmp(name, order[k]))
				continue;
			if (full)
				show_inet(name, h, sfd);
			else
				sprintf(seen + strlen(seen), "%s%s", seen[0] ? ", " : "", name);
		}
	if (full)
		printf("%s: %s\n", what, verdict());
	else
		printf("%s: [%s] %s\n", what, seen, verdict());
}

/* Two ops: the test (port in a second op), jump on. */
struct bcop { uint8_t code, yes; uint16_t no; };

static void bytecode(int fd)
{
	struct inet_req all = inet_req(AF_INET, IPPROTO_TCP, ALL_STATES);
	/* S_COND 127.0.0.1/32 port 47101 */
	struct { struct bcop op; uint8_t family, plen; int32_t port; uint32_t addr; } scond = {
		{ 7, 16, 20 }, AF_INET, 32, 47101, htonl(0x7f000001) };
	dump_inet("bc src 127.0.0.1/32:47101", fd, all, &scond, sizeof scond, 0);
	/* D_GE 47101 then D_LE 47101 */
	struct bcop drange[4] = { { 4, 8, 20 }, { 0, 0, 47101 }, { 5, 8, 12 }, { 0, 0, 47101 } };
	dump_inet("bc dport 47101..47101", fd, all, drange, sizeof drange, 0);
	/* not sport 47101: S_EQ jumps to a failing JMP */
	struct bcop notsp[3] = { { 11, 8, 12 }, { 0, 0, 47101 }, { 1, 4, 8 } };
	dump_inet("bc sport 47101 then jump off", fd, all, notsp, sizeof notsp, 0);
	/* AUTO: the port was not bound by hand (the client's) */
	struct bcop autop[1] = { { 6, 4, 8 } };
	dump_inet("bc auto port", fd, all, autop, sizeof autop, 0);
	/* an IPv4 condition on an IPv6 dump: only v4-mapped addresses pass */
	struct inet_req all6 = inet_req(AF_INET6, IPPROTO_TCP, ALL_STATES);
	struct { struct bcop op; uint8_t family, plen; int32_t port; uint32_t addr; } v4on6 = {
		{ 7, 16, 20 }, AF_INET, 8, -1, htonl(0x7f000000) };
	dump_inet("bc v4 src on tcp6", fd, all6, &v4on6, sizeof v4on6, 0);
	struct { struct bcop op; uint8_t family, plen; int32_t port; } anyc = { { 7, 12, 16 }, 0, 0, 47102 };
	dump_inet("bc any family port 47102 on tcp6", fd, all6, &anyc, sizeof anyc, 0);
	struct bcop dev[2] = { { 9, 8, 12 }, { 0, 0, 0 } };
	dump_inet("bc dev 0", fd, all, dev, sizeof dev, 0);
	struct bcop nop[1] = { { 0, 4, 0 } };
	dump_inet("bc nop", fd, all, nop, sizeof nop, 0);
	/* bad programs */
	struct bcop bad[2] = { { 99, 4, 8 } };
	dump_inet("bc unknown op", fd, all, bad, 4, 0);
	dump_inet("bc 2 bytes", fd, all, bad, 2, 0);
	struct bcop odd[2] = { { 6, 6, 8 } };
	dump_inet("bc yes not a multiple of 4", fd, all, odd, 4, 0);
	struct bcop far[2] = { { 6, 4, 16 } };
	dump_inet("bc no past the end", fd, all, far, 4, 0);
	struct bcop mid[3] = { { 11, 8, 10 }, { 0, 0, 1 }, { 0, 4, 0 } };
	dump_inet("bc no into an op", fd, all, mid, sizeof mid, 0);
	struct bcop shortp[1] = { { 11, 8, 12 } };
	dump_inet("bc port op without its port", fd, all, shortp, sizeof shortp, 0);
	struct { struct bcop op; uint8_t family, plen; int32_t port; } badfam = { { 7, 8, 12 }, 99, 0, -1 };
	dump_inet("bc hostcond family 99", fd, all, &badfam, sizeof badfam, 0);
	struct { struct bcop op; uint8_t family, plen; int32_t port; uint32_t a; } longp = {
		{ 7, 16, 20 }, AF_INET, 33, -1, 0 };
	dump_inet("bc prefix 33 on IPv4", fd, all, &longp, sizeof longp, 0);
	struct { struct bcop op; uint32_t mark, mask; } mark = { { 10, 12, 16 }, 0, 0 };
	dump_inet("bc mark as nobody", fd, all, &mark, sizeof mark, 0);
	/* (not 0 or 1: amphi has no cgroups, its sockets' id is 0) */
	struct { struct bcop op; uint32_t id[2]; } cg = { { 13, 12, 16 }, { 0x12345, 0 } };
	dump_inet("bc cgroup 0x12345", fd, all, &cg, sizeof cg, 0);
}

static void inet_dumps(int fd)
{
	printf("-- inet dumps\n");
	dump_inet("tcp4 all", fd, inet_req(AF_INET, IPPROTO_TCP, ALL_STATES), NULL, 0, 1);
	struct inet_req ext = inet_req(AF_INET, IPPROTO_TCP, 1 << 1);
	ext.ext = 1 << 1 | 1 << 3 | 1 << 6 | 1 << 0 | 1 << 4;	/* INFO CONG SKMEMINFO MEMINFO TOS */
	dump_inet("tcp4 established with extensions", fd, ext, NULL, 0, 1);
	struct inet_req lext = inet_req(AF_INET, IPPROTO_TCP, 1 << 10);
	lext.ext = 1 << 1;
	dump_inet("tcp4 listening with info", fd, lext, NULL, 0, 1);
	dump_inet("udp4 all", fd, inet_req(AF_INET, IPPROTO_UDP, ALL_STATES), NULL, 0, 1);
	struct inet_req uext = inet_req(AF_INET, IPPROTO_UDP, ALL_STATES);
	uext.ext = 1 << 1 | 1 << 3 | 1 << 6;
	dump_inet("udp4 with extensions", fd, uext, NULL, 0, 1);
	dump_inet("tcp6 all", fd, inet_req(AF_INET6, IPPROTO_TCP, ALL_STATES), NULL, 0, 1);
	dump_inet("udp6 all", fd, inet_req(AF_INET6, IPPROTO_UDP, ALL_STATES), NULL, 0, 1);

	printf("-- inet filters\n");
	dump_inet("tcp4 listening", fd, inet_req(AF_INET, IPPROTO_TCP, 1 << 10), NULL, 0, 0);
	dump_inet("tcp4 established", fd, inet_req(AF_INET, IPPROTO_TCP, 1 << 1), NULL, 0, 0);
	dump_inet("tcp4 no states", fd, inet_req(AF_INET, IPPROTO_TCP, 0), NULL, 0, 0);
	struct inet_req sp = inet_req(AF_INET, IPPROTO_TCP, ALL_STATES);
	sp.id.sport = htons(47101);
	dump_inet("tcp4 sport 47101", fd, sp, NULL, 0, 0);
	struct inet_req dp = inet_req(AF_INET, IPPROTO_TCP, ALL_STATES);
	dp.id.dport = htons(47101);
	dump_inet("tcp4 dport 47101", fd, dp, NULL, 0, 0);
	struct inet_req src = inet_req(AF_INET, IPPROTO_TCP, ALL_STATES);
	src.id.src[0] = htonl(0x01020304);	/* addresses do not filter a dump */
	dump_inet("tcp4 src 1.2.3.4 (ignored)", fd, src, NULL, 0, 0);
	dump_inet("udp4 unconnected", fd, inet_req(AF_INET, IPPROTO_UDP, 1 << 7), NULL, 0, 0);
	dump_inet("udp4 connected", fd, inet_req(AF_INET, IPPROTO_UDP, 1 << 1), NULL, 0, 0);
	struct inet_req udp_dp = inet_req(AF_INET, IPPROTO_UDP, ALL_STATES);
	udp_dp.id.dport = htons(47103);
	dump_inet("udp4 dport 47103", fd, udp_dp, NULL, 0, 0);
	printf("-- bytecode\n");
	bytecode(fd);
}

/* A connection to itself closed from both ends, the client's first: its
 * end waits in TIME-WAIT, which has no socket (uid, inode 0, no
 * attributes). */
static void time_wait(int fd)
{
	int l = bound(AF_INET, SOCK_STREAM, "127.0.0.1", 47105), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = { AF_INET, htons(47105), { htonl(0x7f000001) } };

	listen(l, 1);
	connect(c, (void *)&to, sizeof to);
	int a = accept(l, NULL, NULL);
	uint16_t port = port_of(c);
	close(c);
	usleep(100000);
	close(a);
	close(l);
	struct inet_req r = inet_req(AF_INET, IPPROTO_TCP, 1 << 6);
	r.id.dport = htons(47105);
	for (int tries = 0; tries < 300; tries++) {
		send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof r, NULL, 0);
		collect(fd, 0);
		for (int i = 0; i < rep.n; i++) {
			struct inet_msg *m = (void *)(rep.m[i] + 1);
			char attrs[64];
			if (rep.m[i]->type != SOCK_DIAG_BY_FAMILY || ntohs(m->id.sport) != port)
				continue;
			attr_list(rep.m[i], sizeof *m, attrs, sizeof attrs);
			printf("tcp time-wait: family %d state %d timer %d retrans %d rq %u wq %u uid %u inode %u "
			       "dst port %u attrs [%s]\n", m->family, m->state, m->timer, m->retrans, m->rqueue,
			       m->wqueue, m->uid, m->inode, ntohs(m->id.dport), attrs);
			return;
		}
		usleep(10000);
	}
	printf("tcp time-wait: not seen\n");
}

static void get_one(const char *what, int fd, uint16_t type, struct inet_req r, int flags, int sfd)
{
	send_req(fd, type, NLM_F_REQUEST | flags, &r, sizeof r, NULL, 0);
	collect(fd, !!(flags & NLM_F_ACK));
	if (rep.n && (rep.m[0]->type == SOCK_DIAG_BY_FAMILY || rep.m[0]->type == TCPDIAG_GETSOCK))
		show_inet(what, rep.m[0], sfd);
	printf("%s: %d messages, %s\n", what, rep.n, verdict());
}

static void inet_gets(int fd)
{
	printf("-- inet look-ups\n");
	struct inet_req l = inet_req(AF_INET, IPPROTO_TCP, 0);
	l.id.sport = htons(47101);
	l.id.src[0] = htonl(0x7f000001);
	l.id.cookie[0] = l.id.cookie[1] = NOCOOKIE;
	get_one("get tcp listener", fd, SOCK_DIAG_BY_FAMILY, l, 0, tcp_l);
	get_one("get tcp listener with ack", fd, SOCK_DIAG_BY_FAMILY, l, NLM_F_ACK, tcp_l);
	struct inet_req c = l;
	c.id.sport = htons(client_port);
	c.id.dport = htons(47101);
	c.id.dst[0] = htonl(0x7f000001);
	get_one("get tcp client", fd, SOCK_DIAG_BY_FAMILY, c, 0, tcp_c);
	struct inet_req a = c;
	a.id.sport = htons(47101);
	a.id.dport = htons(client_port);
	get_one("get tcp accepted", fd, SOCK_DIAG_BY_FAMILY, a, 0, tcp_a);
	struct inet_req bad = l;
	bad.id.cookie[0] = 0x12345;
	bad.id.cookie[1] = 0x6789;
	get_one("get tcp listener, another's cookie", fd, SOCK_DIAG_BY_FAMILY, bad, 0, tcp_l);
	struct inet_req none = l;
	none.id.sport = htons(47199);
	get_one("get tcp port 47199", fd, SOCK_DIAG_BY_FAMILY, none, 0, -1);
	struct inet_req l6 = inet_req(AF_INET6, IPPROTO_TCP, 0);
	l6.id.sport = htons(47102);
	inet_pton(AF_INET6, "::1", l6.id.src);
	l6.id.cookie[0] = l6.id.cookie[1] = NOCOOKIE;
	get_one("get tcp6 listener", fd, SOCK_DIAG_BY_FAMILY, l6, 0, tcp6_l);
	/* UDP: the socket's own address in dst, as Linux's udp_dump_one */
	struct inet_req u = inet_req(AF_INET, IPPROTO_UDP, 0);
	u.id.dport = htons(47103);
	u.id.dst[0] = htonl(0x7f000001);
	u.id.cookie[0] = u.id.cookie[1] = NOCOOKIE;
	get_one("get udp by dst", fd, SOCK_DIAG_BY_FAMILY, u, 0, udp4);
	struct inet_req us_ = u;
	us_.id.sport = htons(47103);
	us_.id.src[0] = htonl(0x7f000001);
	us_.id.dport = 0;
	us_.id.dst[0] = 0;
	get_one("get udp by src", fd, SOCK_DIAG_BY_FAMILY, us_, 0, udp4);
	struct inet_req ub = u;
	ub.id.cookie[0] = 0x12345;
	get_one("get udp, another's cookie", fd, SOCK_DIAG_BY_FAMILY, ub, 0, udp4);
	struct inet_req icmp = l;
	icmp.protocol = IPPROTO_ICMP;
	get_one("get icmp", fd, SOCK_DIAG_BY_FAMILY, icmp, 0, -1);
	get_one("destroy tcp listener as nobody", fd, SOCK_DESTROY, l, 0, -1);
	get_one("destroy tcp port 47199", fd, SOCK_DESTROY, none, 0, -1);
}

/* ---- AF_UNIX ------------------------------------------------------------------ */

static const char *unix_name(uint32_t ino, int *fd)
{
	static const char *names[] = { "stream pair 0", "stream pair 1", "dgram pair 0", "dgram pair 1",
				       "listener", "waiting client", "abstract dgram" };
	int fds[] = { us[0], us[1], ud[0], ud[1], ulist, uconn, uabs };

	for (int i = 0; i < 7; i++)
		if (ino == (uint32_t)ino_of(fds[i])) {
			*fd = fds[i];
			return names[i];
		}
	return NULL;
}

static const char *ino_name(uint32_t ino)
{
	int fd;
	const char *n = unix_name(ino, &fd);
	return n ? n : ino ? "other" : "0";
}

static void show_unix(const char *name, struct nlmsghdr *h)
{
	struct unix_msg *m = (void *)(h + 1);
	char attrs[128];
	struct nlattr *a;

	attr_list(h, sizeof *m, attrs, sizeof attrs);
	printf("%s: type %d flags %x family %d socktype %d state %d cookie %s attrs %s", name, h->type,
	       h->flags, m->family, m->type, m->state, m->cookie[0] || m->cookie[1] ? "set" : "0", attrs);
	if ((a = attr_of(h, sizeof *m, 0))) {
		char *p = (char *)(a + 1);
		int n = a->len - 4;
		printf(" name %s%.*s (%d bytes)", p[0] ? "" : "@", p[0] ? (int)strnlen(p, n) : n - 1,
		       p[0] ? p : p + 1, n);
	}
	if ((a = attr_of(h, sizeof *m, 1))) {
		uint32_t *v = (void *)(a + 1);
		struct stat st;
		stat(upath, &st);
		printf(" vfs ino %s dev %s", v[0] == st.st_ino ? "as stat" : "other",
		       (v[1] >> 20) == major(st.st_dev) && (v[1] & 0xfffff) == minor(st.st_dev) ? "as stat" : "other");
	}
	if ((a = attr_of(h, sizeof *m, 2)))
		printf(" peer %s", ino_name(*(uint32_t *)(a + 1)));
	if ((a = attr_of(h, sizeof *m, 3))) {
		printf(" icons [");
		for (int i = 0; i < (a->len - 4) / 4; i++)
			printf("%s%s", i ? " " : "", ino_name(((uint32_t *)(a + 1))[i]));
		printf("]");
	}
	if ((a = attr_of(h, sizeof *m, 4))) {
		uint32_t *v = (void *)(a + 1);
		printf(" rqlen %u %s", v[0], m->state == 10 ? "" : "");
		if (m->state == 10)
			printf("backlog %u", v[1]);
		else
			printf("wq %s", v[1] ? "some" : "0");
	}
	if ((a = attr_of(h, sizeof *m, 5)))
		printf(" meminfo %d", a->len - 4);
	if ((a = attr_of(h, sizeof *m, 6)))
		printf(" shutdown %d", *(uint8_t *)(a + 1));
	if ((a = attr_of(h, sizeof *m, 7)))
		printf(" uid %s", *(uint32_t *)(a + 1) == me ? "ours" : "other");
	printf("\n");
}

static void dump_unix(const char *what, int fd, uint32_t states, uint32_t show, int full)
{
	static const char *order[] = { "stream pair 0", "stream pair 1", "dgram pair 0", "dgram pair 1",
				       "listener", "waiting client", "abstract dgram" };
	struct unix_req r = { AF_UNIX, 0, 0, states, 0, show, { 0, 0 } };
	char seen[256] = "";

	send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof r, NULL, 0);
	collect(fd, 0);
	for (unsigned k = 0; k < 7; k++)
		for (int i = 0; i < rep.n; i++) {
			struct nlmsghdr *h = rep.m[i];
			int sfd;
			const char *name;
			if (h->type != SOCK_DIAG_BY_FAMILY)
				continue;
			name = unix_name(((struct unix_msg *)(h + 1))->ino, &sfd);
			if (!name || strcmp(name, order[k]))
				continue;
			if (full)
				show_unix(name, h);
			else
				sprintf(seen + strlen(seen), "%s%s", seen[0] ? ", " : "", name);
		}
	if (full)
		printf("%s: %s\n", what, verdict());
	else
		printf("%s: [%s] %s\n", what, seen, verdict());
}

static void get_unix(const char *what, int fd, uint32_t ino, uint32_t c0, uint32_t c1, int flags)
{
	struct unix_req r = { AF_UNIX, 0, 0, 0, ino, 0x7f, { c0, c1 } };
	int sfd;

	send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | flags, &r, sizeof r, NULL, 0);
	collect(fd, !!(flags & NLM_F_ACK));
	if (rep.n && rep.m[0]->type == SOCK_DIAG_BY_FAMILY)
		show_unix(unix_name(((struct unix_msg *)(rep.m[0] + 1))->ino, &sfd) ?: "other", rep.m[0]);
	printf("%s: %d messages, %s\n", what, rep.n, verdict());
}

static void unix_tests(int fd)
{
	printf("-- unix\n");
	dump_unix("unix all, ss's show", fd, ALL_STATES, 0x01 | 0x04 | 0x10, 1);
	dump_unix("unix all, everything", fd, ALL_STATES, 0x7f, 1);
	dump_unix("unix all, nothing shown", fd, ALL_STATES, 0, 1);
	dump_unix("unix listening", fd, 1 << 10, 0, 0);
	dump_unix("unix established", fd, 1 << 1, 0, 0);
	dump_unix("unix close", fd, 1 << 7, 0, 0);
	get_unix("get unix listener", fd, (uint32_t)ino_of(ulist), NOCOOKIE, NOCOOKIE, 0);
	get_unix("get unix listener with ack", fd, (uint32_t)ino_of(ulist), NOCOOKIE, NOCOOKIE, NLM_F_ACK);
	get_unix("get unix listener, cookie 0", fd, (uint32_t)ino_of(ulist), 0, 0, 0);
	get_unix("get unix ino 0", fd, 0, NOCOOKIE, NOCOOKIE, 0);
	get_unix("get unix ino 0x7ffffff0", fd, 0x7ffffff0, NOCOOKIE, NOCOOKIE, 0);
	/* the cookie a dump gave */
	struct unix_req r = { AF_UNIX, 0, 0, 1 << 10, 0, 0, { 0, 0 } };
	send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof r, NULL, 0);
	collect(fd, 0);
	uint32_t ck[2] = { 0, 0 };
	for (int i = 0; i < rep.n; i++) {
		struct unix_msg *m = (void *)(rep.m[i] + 1);
		if (rep.m[i]->type == SOCK_DIAG_BY_FAMILY && m->ino == (uint32_t)ino_of(ulist))
			memcpy(ck, m->cookie, sizeof ck);
	}
	get_unix("get unix listener, its cookie", fd, (uint32_t)ino_of(ulist), ck[0], ck[1], 0);
}

/* ---- bad requests ---------------------------------------------------------------- */

static void raw(const char *what, int fd, uint16_t type, uint16_t flags, const void *body, size_t len)
{
	send_req(fd, type, flags, body, len, NULL, 0);
	collect(fd, !!(flags & NLM_F_ACK));
	printf("%s: %d messages, %s\n", what, rep.n, verdict());
}

static void errors(int fd)
{
	uint8_t body[128] = { 0 };

	printf("-- errors\n");
	raw("empty body", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 0);
	raw("one byte", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 1);
	body[0] = 46;
	raw("family 46", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 2);
	body[0] = 255;
	raw("family 255", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 2);
	body[0] = 5;	/* AF_APPLETALK: no diag */
	raw("family 5", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 56);
	body[0] = 0;
	raw("family 0", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 56);
	body[0] = AF_INET;
	body[1] = IPPROTO_TCP;
	raw("inet 2 bytes", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 2);
	raw("inet 55 bytes", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 55);
	raw("inet 55 bytes, get", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, body, 55);
	body[1] = IPPROTO_ICMP;
	raw("inet icmp dump", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 56);
	body[1] = IPPROTO_TCP;
	body[0] = AF_UNIX;
	raw("unix 23 bytes", fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, body, 23);
	raw("unix destroy", fd, SOCK_DESTROY, NLM_F_REQUEST, body, 24);
	body[0] = AF_INET;
	raw("type 16", fd, 16, NLM_F_REQUEST | NLM_F_DUMP, body, 56);
	raw("type 22", fd, 22, NLM_F_REQUEST | NLM_F_DUMP, body, 56);
	raw("type 20 without NLM_F_REQUEST", fd, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP | NLM_F_ACK, body, 56);
	raw("type 3 with ack", fd, NLMSG_DONE, NLM_F_REQUEST | NLM_F_ACK, body, 56);
	/* the old request: both versions, the reply's type its own */
	struct inet_req_old old = { 0, 0, 0, 0, { 0 }, ALL_STATES, 0 };
	send_req(fd, TCPDIAG_GETSOCK, NLM_F_REQUEST | NLM_F_DUMP, &old, sizeof old, NULL, 0);
	collect(fd, 0);
	int l4 = 0, l6 = 0;
	for (int i = 0; i < rep.n; i++) {
		struct inet_msg *m = (void *)(rep.m[i] + 1);
		if (rep.m[i]->type == TCPDIAG_GETSOCK && ntohs(m->id.sport) == 47101)
			l4 |= m->family == AF_INET;
		if (rep.m[i]->type == TCPDIAG_GETSOCK && ntohs(m->id.sport) == 47102)
			l6 |= m->family == AF_INET6;
	}
	printf("TCPDIAG_GETSOCK dump: tcp listener %d tcp6 listener %d, %s\n", l4, l6, verdict());
	raw("TCPDIAG_GETSOCK 59 bytes", fd, TCPDIAG_GETSOCK, NLM_F_REQUEST | NLM_F_DUMP, &old, 59);
	raw("DCCPDIAG_GETSOCK dump", fd, 19, NLM_F_REQUEST | NLM_F_DUMP, &old, sizeof old);
	/* a request's attributes: one that is not a filter, then a malformed one */
	struct inet_req r = inet_req(AF_INET, IPPROTO_TCP, ALL_STATES);
	uint8_t at[8] = { 8, 0, 3, 0, IPPROTO_UDP, 0, 0, 0 };	/* INET_DIAG_REQ_PROTOCOL: UDP */
	send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof r, at, 8);
	collect(fd, 0);
	int udp = 0;
	for (int i = 0; i < rep.n; i++)
		udp |= rep.m[i]->type == SOCK_DIAG_BY_FAMILY &&
		       ntohs(((struct inet_msg *)(rep.m[i] + 1))->id.sport) == 47103;
	printf("protocol attribute UDP over TCP: udp socket %d, %s\n", udp, verdict());
	uint8_t junk[8] = { 200, 0, 1, 0 };
	send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof r, junk, 8);
	collect(fd, 0);
	printf("attribute longer than the message: %s\n", verdict());
	/* two dumps in one datagram */
	static uint8_t two[256];
	struct nlmsghdr h = { 16 + sizeof r, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0 };
	memcpy(two, &h, 16);
	memcpy(two + 16, &r, sizeof r);
	h.seq = 2;
	memcpy(two + h.len, &h, 16);
	memcpy(two + h.len + 16, &r, sizeof r);
	send(fd, two, 2 * h.len, 0);
	collect(fd, 0);
	printf("two dumps in one send: first ends %s", verdict());
	collect(fd, 0);
	printf(", then %s\n", verdict());
}

/* NETLINK_SOCK_DIAG's groups (SOCK_DESTROY's notices use four): 32, as Linux gives
 * every protocol at least, and anyone's. */
static void groups(void)
{
	struct sockaddr_nl { uint16_t f, pad; uint32_t pid, groups; } a = { AF_NETLINK, 0, 0, ~0u };
	socklen_t len = sizeof a;
	int fd = nl_open(), g = 5;
	uint32_t list[4] = { 0 };

	printf("-- groups\n");
	printf("bind groups ~0: %s", res(bind(fd, (void *)&a, sizeof a)));
	getsockname(fd, (void *)&a, &len);
	printf(", getsockname groups %#x\n", a.groups);
	printf("add membership 5: %s\n", res(setsockopt(fd, 270, 1, &g, sizeof g)));
	g = 4;
	printf("add membership 4: %s\n", res(setsockopt(fd, 270, 1, &g, sizeof g)));
	len = sizeof list;
	printf("list memberships: %s", res(getsockopt(fd, 270, 9, list, &len)));
	printf(", %u bytes, %#x\n", len, list[0]);
	close(fd);
}

/* ---- hostile ---------------------------------------------------------------------- */

static volatile int stop;

static void *churn(void *arg)
{
	(void)arg;
	while (!stop) {
		int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), p[2];
		struct sockaddr_in a = { AF_INET, 0, { htonl(0x7f000001) } };
		socklen_t len = sizeof a;
		bind(l, (void *)&a, sizeof a);
		listen(l, 1);
		getsockname(l, (void *)&a, &len);
		connect(c, (void *)&a, sizeof a);
		int x = accept(l, NULL, NULL);
		socketpair(AF_UNIX, SOCK_STREAM, 0, p);
		close(x);
		close(c);
		close(l);
		close(p[0]);
		close(p[1]);
	}
	return NULL;
}

static void *dumper(void *arg)
{
	long k = (long)arg;
	int fd = nl_open();
	static uint8_t buf[65536];

	for (int i = 0; i < 60; i++) {
		struct inet_req r = inet_req(i & 1 ? AF_INET6 : AF_INET, i & 2 ? IPPROTO_UDP : IPPROTO_TCP,
					     ALL_STATES);
		struct unix_req u = { AF_UNIX, 0, 0, ALL_STATES, 0, 0x7f, { 0, 0 } };
		if ((i + k) % 3 == 0)
			send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &u, sizeof u, NULL, 0);
		else
			send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof r, NULL, 0);
		/* read part, sometimes leave it half read: the next request says EBUSY or starts */
		for (int n = 0; n < (i % 5 == 4 ? 1 : 1000); n++) {
			long len = recv(fd, buf, i % 7 == 6 ? 100 : sizeof buf, 0);
			if (len <= 0)
				break;
			struct nlmsghdr *h = (void *)buf;
			int done = 0;
			for (long off = 0; off + 16 <= len; off += ALIGN4(h->len)) {
				h = (void *)(buf + off);
				if (h->len < 16)
					break;
				done |= h->type == NLMSG_DONE || h->type == NLMSG_ERROR;
			}
			if (done)
				break;
		}
		if (i % 11 == 10) {
			close(fd);	/* mid-dump */
			fd = nl_open();
		}
	}
	close(fd);
	return NULL;
}

static void hostile(void)
{
	int fd = nl_open();
	uint8_t body[300];
	pthread_t t[6];

	/* every length of every kind of request, garbage inside */
	for (int len = 0; len < 200; len++) {
		for (int i = 0; i < len; i++)
			body[i] = (uint8_t)(len * 31 + i * 7);
		for (int kind = 0; kind < 6; kind++) {
			uint16_t types[] = { 20, 20, 20, 21, 18, 19 };
			body[0] = kind == 1 ? AF_UNIX : kind == 2 ? AF_INET6 : body[0];
			if (kind == 0 && len > 0)
				body[0] = AF_INET;
			send_req(fd, types[kind], NLM_F_REQUEST | (len & 1 ? NLM_F_DUMP : 0) | NLM_F_ACK,
				 body, len, body, len & ~3u);
			collect(fd, 1);
		}
	}
	/* the longest filter: 16382 ops, each jumping to the next either way
	 * (Linux checks each jump by walking from the start) */
	static struct { uint16_t len, type; uint8_t ops[65528]; } bc = { 65532, 1 };
	for (int i = 0; i < 65528; i += 4)
		memcpy(bc.ops + i, &(struct bcop){ 6, 4, 4 }, 4);
	struct inet_req all = inet_req(AF_INET, IPPROTO_TCP, ALL_STATES);
	send_req(fd, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &all, sizeof all, &bc, sizeof bc);
	collect(fd, 0);
	printf("longest filter: %s\n", verdict());
	close(fd);
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, churn, NULL);
	for (long i = 2; i < 6; i++)
		pthread_create(&t[i], NULL, dumper, (void *)i);
	for (int i = 2; i < 6; i++)
		pthread_join(t[i], NULL);
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	/* still answering */
	fd = nl_open();
	dump_inet("after: tcp4 listening", fd, inet_req(AF_INET, IPPROTO_TCP, 1 << 10), NULL, 0, 0);
	printf("hostile: ok\n");
}

int main(int argc, char **argv)
{
	me = geteuid();
	int fd = nl_open();
	printf("socket NETLINK_SOCK_DIAG: %s\n", fd < 0 ? res(-1) : "ok");
	if (fd < 0)
		return 1;
	make_sockets();
	if (argc > 1 && !strcmp(argv[1], "@hostile")) {
		hostile();
		return 0;
	}
	inet_dumps(fd);
	time_wait(fd);
	inet_gets(fd);
	unix_tests(fd);
	errors(fd);
	groups();
	unlink(upath);
	printf("sock_diag ok\n");
	return 0;
}
