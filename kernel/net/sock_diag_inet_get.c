/* One TCP or UDP endpoint by its addresses, as Linux's
 * inet_diag_find_one_icsk and udp_dump_one find it: TCP as a packet from
 * the request's destination to its source would (the connection, else a
 * listener on the source's port); UDP with the two swapped, as Linux has
 * always done there.  A cookie that names another socket is ENOENT for
 * TCP, ESTALE for UDP; SOCK_DESTROY needs CAP_NET_ADMIN, and amphi does
 * not destroy even then. */
#include "net/sock_diag_inet.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

static bool any_addr(const uint8_t *a, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i])
			return false;
	return true;
}

/* How well e takes a packet from (raddr, rport) to (laddr, lport): -1 not
 * at all; a bound address and a connected peer count for more. */
static int score(const struct net_inet_info *e, const uint8_t *laddr, uint16_t lport,
		 const uint8_t *raddr, uint16_t rport, size_t alen)
{
	int sc = 0;

	if (e->lport != lport)
		return -1;
	if (!memcmp(e->local, laddr, alen))
		sc += 2;
	else if (!any_addr(e->local, alen))
		return -1;
	if (e->rport) {
		if (e->rport != rport || memcmp(e->remote, raddr, alen))
			return -1;
		sc += 4;
	}
	return sc;
}

/* The index of the best endpoint, or -ENOENT. */
static int find(const struct net_inet_info *a, int n, const struct inet_diag_query *q, size_t alen)
{
	const struct inet_diag_sockid_k *id = &q->req.id;
	bool tcp = q->req.protocol == IPPROTO_TCP_K;
	/* TCP: local is the source; UDP: the destination */
	const uint8_t *laddr = (const uint8_t *)(tcp ? id->src : id->dst);
	const uint8_t *raddr = (const uint8_t *)(tcp ? id->dst : id->src);
	uint16_t lport = __builtin_bswap16(tcp ? id->sport : id->dport);
	uint16_t rport = __builtin_bswap16(tcp ? id->dport : id->sport);
	int best = -ENOENT, best_score = -1;

	for (int i = 0; i < n; i++) {
		/* TCP: a connection only for its exact four, a listener for any peer */
		if (tcp && a[i].state != NET_TCP_LISTEN && (a[i].rport != rport || a[i].lport != lport ||
		    memcmp(a[i].local, laddr, alen) || memcmp(a[i].remote, raddr, alen)))
			continue;
		int sc = score(&a[i], laddr, lport, raddr, rport, alen);
		if (sc > best_score) {
			best = i;
			best_score = sc;
		}
	}
	return best;
}

static int answer(struct nl_sock *s, const struct nl_request *r, const struct inet_diag_query *q,
		  const struct net_inet_info *e)
{
	struct nl_buf b;
	int err = nl_buf_alloc(&b, r->reply_size);

	if (err)
		return err;
	if (!inet_diag_put(&b, q, e, q->req.family, 0, r->h->seq, r->pid)) {
		nl_buf_free(&b);
		return -EMSGSIZE;
	}
	return diag_reply(s, &b);
}

int inet_diag_lookup(struct nl_sock *s, const struct nl_request *r, const struct inet_diag_query *q)
{
	bool tcp = q->req.protocol == IPPROTO_TCP_K;
	uint8_t family = q->req.family;
	struct net_inet_info *a;

	if (!tcp && q->req.protocol != IPPROTO_UDP_K)
		return -ENOENT;	/* no handler */
	if (family != AF_INET_K && family != AF_INET6_K)
		return -EINVAL;
	int n = inet_diag_snapshot(tcp, family == AF_INET6_K, &a);
	if (n < 0)
		return n;
	int i = find(a, n, q, family == AF_INET6_K ? 16 : 4), err = i < 0 ? i : 0;
	if (!err && diag_check_cookie(diag_cookie(a[i].ino), q->req.id.cookie))
		err = tcp ? -ENOENT : -ESTALE;
	if (!err && r->h->type == SOCK_DESTROY)
		err = r->net_admin ? -EOPNOTSUPP : -EPERM;
	else if (!err)
		err = answer(s, r, q, &a[i]);
	kfree(a);
	return err;
}
