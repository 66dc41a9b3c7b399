/* RTM_GETRULE: the policy routing rules.  amphi has none of its own (lwIP
 * routes by its interfaces); these are the rules Linux starts with, which
 * give the same answers: IPv4's local, main and default tables, IPv6's
 * local and main, as Linux's fib_nl_fill_rule describes them.  A family
 * without rules ends the dump with EAFNOSUPPORT, as fib_nl_dumprule's. */
#include "net/rtnetlink_internal.h"

#include "core/errno.h"

#define FRA_PRIORITY		6
#define FRA_SUPPRESS_PREFIXLEN	14
#define FRA_TABLE		15
#define FRA_PROTOCOL		21
#define FR_ACT_TO_TBL		1
#define RTPROT_KERNEL		2
#define NO_SUPPRESS		0xffffffffu	/* FRA_SUPPRESS_PREFIXLEN's "none" */

struct fib_rule_hdr_k {
	uint8_t family, dst_len, src_len, tos, table, res1, res2, action;
	uint32_t flags;
};

static const struct rule {
	uint8_t family, table;
	uint32_t pref;			/* 0: none shown */
} rules[] = {
	{ AF_INET_K, 255, 0 }, { AF_INET_K, 254, 32766 }, { AF_INET_K, 253, 32767 },
	{ AF_INET6_K, 255, 0 }, { AF_INET6_K, 254, 32766 },
};

#define NRULES	(sizeof rules / sizeof rules[0])

static bool put_rule(struct nl_buf *b, const struct rule *r, uint32_t seq, uint32_t pid)
{
	struct nlmsghdr_k *h = nlmsg_begin(b, RTM_NEWRULE, NLM_F_MULTI, seq, pid,
					   sizeof(struct fib_rule_hdr_k));

	if (!h)
		return false;
	struct fib_rule_hdr_k *f = nlmsg_body(h);
	f->family = r->family;
	f->table = r->table;
	f->action = FR_ACT_TO_TBL;
	if (!nla_put_u32(b, FRA_TABLE, r->table) || !nla_put_u32(b, FRA_SUPPRESS_PREFIXLEN, NO_SUPPRESS) ||
	    !nla_put_u8(b, FRA_PROTOCOL, RTPROT_KERNEL) || (r->pref && !nla_put_u32(b, FRA_PRIORITY, r->pref))) {
		nlmsg_cancel(b, h);
		return false;
	}
	nlmsg_end(b, h);
	return true;
}

int rtnl_dump_rules(struct nl_dump *d, struct nl_buf *b)
{
	bool all = d->family == AF_UNSPEC_K;

	if (!all && d->family != AF_INET_K && d->family != AF_INET6_K)
		return -EAFNOSUPPORT;
	for (; d->next < NRULES; d->next++) {
		const struct rule *r = &rules[d->next];
		if ((all || r->family == d->family) && !put_rule(b, r, d->seq, d->pid))
			return NL_DUMP_MORE;
	}
	return NL_DUMP_DONE;
}
