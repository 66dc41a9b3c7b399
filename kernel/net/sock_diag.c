/* NETLINK_SOCK_DIAG: which family answers a request, as Linux's
 * sock_diag.c.  A request names its family in its first byte; the family's
 * code (sock_diag_inet.c, sock_diag_unix.c) reads the rest.  Families
 * amphi has no listing for (netlink, packet...) are ENOENT, as on a Linux
 * built without their diag modules. */
#include "net/sock_diag_internal.h"

#include "core/errno.h"

int diag_check_cookie(uint64_t cookie, const uint32_t want[2])
{
	if (want[0] == DIAG_NOCOOKIE && want[1] == DIAG_NOCOOKIE)
		return 0;
	return want[0] == (uint32_t)cookie && want[1] == (uint32_t)(cookie >> 32) ? 0 : -ESTALE;
}

int diag_reply(struct nl_sock *s, struct nl_buf *b)
{
	int err = nl_reply(s, b);

	nl_buf_free(b);
	return err == -ENOBUFS ? 0 : err;	/* lost as on Linux: the next receive says so */
}

/* Linux's __sock_diag_cmd: a two-byte family and protocol at least. */
static int by_family(struct nl_sock *s, const struct nl_request *r)
{
	const uint8_t *body = diag_body(r->h);

	if (diag_len(r->h) < 2 || body[0] >= AF_MAX_K)
		return -EINVAL;
	switch (body[0]) {
	case AF_INET_K:
	case AF_INET6_K:
		return inet_diag_request(s, r);
	case AF_UNIX_K:
		/* unix_diag has no SOCK_DESTROY */
		return r->h->type == SOCK_DESTROY ? -EOPNOTSUPP : unix_diag_request(s, r);
	default:
		return -ENOENT;
	}
}

int sock_diag_request(struct nl_sock *s, const struct nl_request *r)
{
	switch (r->h->type) {
	case TCPDIAG_GETSOCK:	/* Linux 6.18 has no DCCP: DCCPDIAG_GETSOCK is EINVAL */
		return inet_diag_request(s, r);
	case SOCK_DIAG_BY_FAMILY:
	case SOCK_DESTROY:
		return by_family(s, r);
	default:
		return -EINVAL;
	}
}
