/* RTM_GETNEIGH: the neighbour table (`ip neigh`) as Linux's
 * neigh_fill_info describes it, from lwIP's ARP table.  lwIP hands out
 * only answered entries, so each is REACHABLE; IPv6's neighbour cache is
 * lwIP's own, and a dump of it lists nothing. */
#include "net/rtnetlink_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "net/sock_info.h"

#define NDA_DST		1
#define NDA_LLADDR	2
#define NDA_CACHEINFO	3
#define NDA_PROBES	4
#define NUD_REACHABLE	0x02
#define RTN_UNICAST	1
#define ARP_MAX		64	/* entries looked at; lwIP's table holds fewer */

struct ndmsg_k {
	uint8_t family, pad1;
	uint16_t pad2;
	int32_t ifindex;
	uint16_t state;
	uint8_t flags, type;
};

struct nda_cacheinfo_k {
	uint32_t confirmed, used, updated, refcnt;
};

static bool put_neigh(struct nl_buf *b, const struct net_arp_info *e, const struct nl_dump *d)
{
	struct nlmsghdr_k *h = nlmsg_begin(b, RTM_NEWNEIGH, NLM_F_MULTI, d->seq, d->pid, sizeof(struct ndmsg_k));

	if (!h)
		return false;
	*(struct ndmsg_k *)nlmsg_body(h) = (struct ndmsg_k){ .family = AF_INET_K, .ifindex = e->ifindex,
							   .state = NUD_REACHABLE, .type = RTN_UNICAST };
	struct nda_cacheinfo_k ci = { 0 };	/* lwIP keeps no times to give */
	if (!nla_put(b, NDA_DST, e->ip, 4) || !nla_put(b, NDA_LLADDR, e->mac, 6) ||
	    !nla_put_u32(b, NDA_PROBES, 0) || !nla_put(b, NDA_CACHEINFO, &ci, sizeof ci)) {
		nlmsg_cancel(b, h);
		return false;
	}
	nlmsg_end(b, h);
	return true;
}

int rtnl_dump_neigh(struct nl_dump *d, struct nl_buf *b)
{
	if (d->family != AF_UNSPEC_K && d->family != AF_INET_K)
		return NL_DUMP_DONE;
	struct net_arp_info *list = kmalloc(ARP_MAX * sizeof *list);
	if (!list)
		return -ENOMEM;
	int n = net_arp_list(list, ARP_MAX);
	n = n < ARP_MAX ? n : ARP_MAX;
	while (d->next < (size_t)n && list[d->next].complete && put_neigh(b, &list[d->next], d))
		d->next++;
	while (d->next < (size_t)n && !list[d->next].complete)
		d->next++;	/* not answered yet: Linux would show INCOMPLETE, lwIP gives none */
	kfree(list);
	return d->next < (size_t)n || b->len ? NL_DUMP_MORE : NL_DUMP_DONE;
}
