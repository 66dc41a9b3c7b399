/* sock_diag for TCP and UDP over IPv4 and IPv6, as Linux's inet_diag.c,
 * tcp_diag.c and udp_diag.c answer: a dump of every endpoint of a family
 * and protocol that passes the request's states, ports and filter, or one
 * endpoint looked up by its addresses.  Endpoints come from inet_list.c's
 * snapshot of lwIP's PCBs, taken again for each datagram of a dump: a
 * dump is a cursor into that order (listeners, connections, TIME-WAIT),
 * which, as Linux's into its hash tables, may miss or repeat what moves
 * while it runs. */
#include "net/sock_diag_inet.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

#define INET_DIAG_REQ_BYTECODE		1
#define INET_DIAG_REQ_SK_BPF_STORAGES	2
#define INET_DIAG_REQ_PROTOCOL		3
#define IPPROTO_UDPLITE_K		136
#define TCPF_NEW_SYN_RECV		(1u << 12)

/* ---- snapshots ------------------------------------------------------------- */

int inet_diag_snapshot(bool tcp, bool v6, struct net_inet_info **out)
{
	int max = 64;

	for (;;) {
		struct net_inet_info *a = kmalloc((size_t)max * sizeof *a);
		if (!a)
			return -ENOMEM;
		int n = net_inet_list(tcp, v6, a, max);
		if (n <= max) {
			*out = a;
			return n;
		}
		kfree(a);
		max = n + n / 4;	/* room for those that came meanwhile */
	}
}

/* What the filter sees of e: its addresses as words, ports in host order. */
static void entry_of(const struct net_inet_info *e, uint8_t family, uint32_t words[8],
		     struct diag_entry *de)
{
	memcpy(words, e->local, 16);
	memcpy(words + 4, e->remote, 16);
	*de = (struct diag_entry){
		.family = family, .saddr = words, .daddr = words + 4, .sport = e->lport,
		.dport = e->rport, .port_locked = e->port_locked, .ifindex = e->bound_if,
		.cgroup_id = 0,		/* none, as sock_diag_inet_msg.c says */
	};
}

static bool filter_passes(const struct inet_diag_query *q, const struct net_inet_info *e, uint8_t family)
{
	uint32_t words[8];
	struct diag_entry de;

	if (!q->bc)
		return true;
	entry_of(e, family, words, &de);
	return diag_bc_run(q->bc, q->bc_len, &de);
}

/* Linux's checks in a dump without a socket to start from: the state, the
 * ports (a destination port rules out listeners), then the filter. */
static bool wanted(const struct inet_diag_query *q, const struct net_inet_info *e, uint8_t family)
{
	const struct inet_diag_sockid_k *id = &q->req.id;

	if (!(q->req.states & (1u << e->state)))
		return false;
	if (e->state == NET_TCP_LISTEN && q->req.protocol == IPPROTO_TCP_K && id->dport)
		return false;
	if ((id->sport && id->sport != __builtin_bswap16(e->lport)) ||
	    (id->dport && id->dport != __builtin_bswap16(e->rport)))
		return false;
	return filter_passes(q, e, family);
}

/* ---- dumps ------------------------------------------------------------------- */

static void query_free(void *priv)
{
	struct inet_diag_query *q = priv;

	kfree(q->bc);
	kfree(q);
}

/* One version's endpoints from d->next on; false when b filled first. */
static int dump_family(struct nl_dump *d, struct nl_buf *b, const struct inet_diag_query *q,
		       uint8_t family)
{
	struct net_inet_info *a;
	int n = inet_diag_snapshot(q->req.protocol == IPPROTO_TCP_K, family == AF_INET6_K, &a);

	if (n < 0)
		return n;
	int r = NL_DUMP_DONE;
	for (; d->next < (size_t)n; d->next++) {
		const struct net_inet_info *e = &a[d->next];
		if (wanted(q, e, family) && !inet_diag_put(b, q, e, family, NLM_F_MULTI, d->seq, d->pid)) {
			r = NL_DUMP_MORE;
			break;
		}
	}
	kfree(a);
	return r;
}

/* d->index: which version is under way (0: the request's, or IPv4 of an
 * old request's both; 1: then IPv6). */
static int dump(struct nl_dump *d, struct nl_buf *b)
{
	const struct inet_diag_query *q = d->priv;
	uint8_t p = q->req.protocol;

	if (p == IPPROTO_UDPLITE_K)
		return NL_DUMP_DONE;	/* amphi has no UDP-Lite: none to list */
	if (p != IPPROTO_TCP_K && p != IPPROTO_UDP_K)
		return -ENOENT;		/* Linux's answer for a protocol without a diag handler */
	for (; d->index < (q->req.family ? 1 : 2); d->index++, d->next = 0) {
		uint8_t family = q->req.family ? q->req.family : d->index ? AF_INET6_K : AF_INET_K;
		int r = dump_family(d, b, q, family);
		if (r)
			return r;
	}
	return NL_DUMP_DONE;
}

/* ---- requests ------------------------------------------------------------------ */

/* The attributes after the fixed header (hdrlen bytes): the last of each
 * kind, as Linux's nlmsg_parse; a malformed one ends the walk. */
static void find_attrs(const struct nlmsghdr_k *h, size_t hdrlen, const struct nlattr_k *tb[4])
{
	size_t off = NLMSG_HDRLEN + NL_ALIGN(hdrlen);

	memset(tb, 0, 4 * sizeof tb[0]);
	while (off + sizeof(struct nlattr_k) <= h->len) {
		const struct nlattr_k *a = (const void *)((const uint8_t *)h + off);
		if (a->len < sizeof *a || a->len > h->len - off)
			return;
		if ((a->type & 0x3fff) < 4)
			tb[a->type & 0x3fff] = a;
		off += NL_ALIGN(a->len);
	}
}

/* The request in v2's form, from either kind. */
static int parse(const struct nl_request *r, struct inet_diag_query *q, size_t *hdrlen)
{
	const struct nlmsghdr_k *h = r->h;
	bool old = h->type == TCPDIAG_GETSOCK;

	*hdrlen = old ? sizeof(struct inet_diag_req_k) : sizeof(struct inet_diag_req_v2_k);
	if (diag_len(h) < *hdrlen)
		return -EINVAL;
	memset(q, 0, sizeof *q);
	q->type = h->type;
	q->net_admin = r->net_admin;
	if (!old) {
		memcpy(&q->req, diag_body(h), sizeof q->req);
		return 0;
	}
	struct inet_diag_req_k rc;
	memcpy(&rc, diag_body(h), sizeof rc);
	q->req = (struct inet_diag_req_v2_k){
		.family = rc.family, .ext = rc.ext, .states = rc.states, .id = rc.id,
		.protocol = IPPROTO_TCP_K,
	};
	return 0;
}

/* INET_DIAG_REQ_PROTOCOL's protocol, for a new request: Linux reads a
 * u32 there unchecked (we read what there is).  Past 255 (MPTCP's 262)
 * there is no handler either: 0 stands for that. */
static void protocol_attr(const struct nlattr_k *tb[4], struct inet_diag_query *q)
{
	const struct nlattr_k *a = tb[INET_DIAG_REQ_PROTOCOL];
	uint32_t p = 0;

	if (!a || (q->type != SOCK_DIAG_BY_FAMILY && q->type != SOCK_DESTROY))
		return;
	memcpy(&p, nla_data(a), nla_len(a) < 4 ? nla_len(a) : 4);
	q->req.protocol = p > 255 ? 0 : (uint8_t)p;
}

/* The filter, checked, into q->bc; and INET_DIAG_REQ_PROTOCOL's protocol. */
static int take_attrs(const struct nl_request *r, size_t hdrlen, struct inet_diag_query *q)
{
	const struct nlattr_k *tb[4];
	bool old = q->type != SOCK_DIAG_BY_FAMILY;

	find_attrs(r->h, hdrlen, tb);
	protocol_attr(tb, q);
	if (tb[INET_DIAG_REQ_SK_BPF_STORAGES] && !old)
		return r->net_admin ? -EBADF : -EPERM;	/* amphi has no BPF maps */
	/* The old request's attributes must hold a filter (Linux audits NULL). */
	bool any = r->h->len > NLMSG_HDRLEN + NL_ALIGN(hdrlen);
	const struct nlattr_k *bc = tb[INET_DIAG_REQ_BYTECODE];
	if (!bc && !(old && any))
		return 0;
	int err = bc ? diag_bc_audit(nla_data(bc), (int)nla_len(bc), r->net_admin) : -EINVAL;
	if (err)
		return err;
	if (!(q->bc = kmalloc(nla_len(bc))))
		return -ENOMEM;
	memcpy(q->bc, nla_data(bc), nla_len(bc));
	q->bc_len = (int)nla_len(bc);
	return 0;
}

static int start_dump(struct nl_sock *s, const struct nl_request *r, const struct inet_diag_query *q0,
		      size_t hdrlen)
{
	struct inet_diag_query *q = kmalloc(sizeof *q);

	if (!q)
		return -ENOMEM;
	*q = *q0;
	if (q->type != SOCK_DIAG_BY_FAMILY)
		q->req.family = 0;	/* the old dump lists both versions */
	int err = take_attrs(r, hdrlen, q);
	if (err) {
		query_free(q);
		return err;
	}
	struct nl_dump d = { dump, r->h->seq, r->pid, 0, 0, 0, true, q, query_free };
	err = nl_dump_start(s, &d);
	if (err < 0)
		query_free(q);
	return err;
}

int inet_diag_request(struct nl_sock *s, const struct nl_request *r)
{
	struct inet_diag_query q;
	size_t hdrlen;
	int err = parse(r, &q, &hdrlen);

	if (err)
		return err;
	if (r->h->type != SOCK_DESTROY && (r->h->flags & NLM_F_DUMP))
		return start_dump(s, r, &q, hdrlen);
	const struct nlattr_k *tb[4];
	find_attrs(r->h, hdrlen, tb);
	protocol_attr(tb, &q);
	return inet_diag_lookup(s, r, &q);
}
