/* RTM_GETROUTE for one address as a hostile or careless program asks:
 * no destination, one too short or too long, a body too short, a family
 * without routes, 0.0.0.0 and the rest of 0/8, a loopback address.  One
 * line each, the reply's header fields and addresses, for a transcript
 * compared with Linux 6.18's (nothing here depends on the machine's
 * interfaces beyond lo).  Then IPv6's: ::1, a destination or an
 * interface index too short, a body too short; each reply's attributes
 * by type and length, with the values that do not change. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netlink_abi.h"
struct rtm { unsigned char family, dst_len, src_len, tos, table, protocol, scope, type; unsigned flags; };
static char buf[65536];
static void q(int family, int bodylen, int alen, const char *addr, const char *what)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct { struct nlmsghdr h; struct rtm m; struct rtattr a; char d[16]; } req;
	memset(&req, 0, sizeof req);
	req.m.family = family;
	int len = 16 + bodylen;
	if (alen >= 0) { req.a.rta_type = 1; req.a.rta_len = 4 + alen; memcpy(req.d, addr, alen); len = 16 + 12 + ((4 + alen + 3) & ~3); }
	req.h = (struct nlmsghdr){ len, RTM_GETROUTE, NLM_F_REQUEST, 1, 0 };
	send(fd, &req, len, 0);
	recv(fd, buf, sizeof buf, 0);
	struct nlmsghdr *h = (void *)buf;
	printf("%s: type %d", what, h->nlmsg_type);
	if (h->nlmsg_type == 2) printf(" err %d", *(int *)(buf + 16));
	else { struct rtm *m = (void *)(buf + 16); printf(" type %d dst_len %d flags 0x%x table %d scope %d proto %d", m->type, m->dst_len, m->flags, m->table, m->scope, m->protocol); for (struct rtattr *a = (void *)(m + 1); (char *)a < buf + h->nlmsg_len; a = (void *)((char *)a + ((a->rta_len + 3) & ~3))) { if (a->rta_type == 4 || a->rta_type == 15) printf(" attr%d %d", a->rta_type, *(int *)(a + 1)); if (a->rta_type == 1 || a->rta_type == 7 || a->rta_type == 5) printf(" attr%d %d.%d.%d.%d", a->rta_type, ((unsigned char*)(a+1))[0], ((unsigned char*)(a+1))[1], ((unsigned char*)(a+1))[2], ((unsigned char*)(a+1))[3]); if (a->rta_len < 4) break; } }
	printf("\n");
	close(fd);
}
/* One IPv6 request: dst (alen bytes of it; -1: none), then an RTA_OIF of
 * olen bytes (-1: none), in a body of bodylen bytes. */
static void q6(int bodylen, int alen, int olen, const char *what)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct { struct nlmsghdr h; struct rtm m; char attrs[64]; } req;
	static const unsigned char loopback[16] = { [15] = 1 };
	int len = 16 + bodylen;

	memset(&req, 0, sizeof req);
	req.m.family = 10;
	if (alen >= 0) {
		struct rtattr *a = (void *)req.attrs;
		a->rta_type = 1;
		a->rta_len = 4 + alen;
		memcpy(a + 1, loopback, alen);
		len = 16 + 12 + ((4 + alen + 3) & ~3);
	}
	if (olen >= 0) {
		struct rtattr *a = (void *)((char *)&req + len);
		a->rta_type = 4;
		a->rta_len = 4 + olen;
		memset(a + 1, 1, olen);
		len += (4 + olen + 3) & ~3;
	}
	req.h = (struct nlmsghdr){ len, RTM_GETROUTE, NLM_F_REQUEST, 1, 0 };
	send(fd, &req, len, 0);
	recv(fd, buf, sizeof buf, 0);
	struct nlmsghdr *h = (void *)buf;
	printf("%s: type %d", what, h->nlmsg_type);
	if (h->nlmsg_type == 2) {
		printf(" err %d\n", *(int *)(buf + 16));
		close(fd);
		return;
	}
	struct rtm *m = (void *)(buf + 16);
	printf(" type %d dst_len %d src_len %d flags 0x%x table %d scope %d proto %d", m->type, m->dst_len,
	       m->src_len, m->flags, m->table, m->scope, m->protocol);
	for (struct rtattr *a = (void *)(m + 1); (char *)a < buf + h->nlmsg_len && a->rta_len >= 4;
	     a = (void *)((char *)a + ((a->rta_len + 3) & ~3))) {
		unsigned char *d = RTA_DATA(a);
		printf(" %d/%d", a->rta_type, a->rta_len);
		if (a->rta_type == 4 || a->rta_type == 6 || a->rta_type == 15)
			printf("=%d", *(int *)d);
		if ((a->rta_type == 1 || a->rta_type == 2 || a->rta_type == 7) && a->rta_len == 20)
			printf("=%s", !memcmp(d, loopback, 16) ? "::1" : d[0] | d[15] ? "?" : "::");
	}
	printf("\n");
	close(fd);
}

int main(void)
{
	q(2, 12, -1, "", "no dst");
	q(2, 12, 4, "\x7f\0\0\x01", "dst 127.0.0.1");
	q(2, 12, 2, "\x7f\0", "dst 2 bytes");
	q(2, 12, 8, "\x7f\0\0\x01\x7f\0\0\x02", "dst 8 bytes");
	q(2, 1, -1, "", "body 1 byte");
	q(2, 8, -1, "", "body 8 bytes");
	q(0, 12, 4, "\x7f\0\0\x01", "family 0");
	q(7, 12, 4, "\x7f\0\0\x01", "family 7");
	q(2, 12, 4, "\x7f\0\0\x05", "dst 127.0.0.5");
	q(2, 12, 4, "\0\0\0\0", "dst 0.0.0.0");
	q6(12, 16, -1, "v6 dst ::1");
	q6(12, 4, -1, "v6 dst 4 bytes");
	q6(12, 20, -1, "v6 dst 20 bytes");
	q6(12, 16, 2, "v6 oif 2 bytes");
	q6(8, -1, -1, "v6 body 8 bytes");
	return 0;
}
