/* RTM_GETNEIGH: the neighbour tables (`ip neigh`) as Linux's
 * neigh_fill_info describes them: IPv4's from lwIP's ARP table, then
 * IPv6's from its neighbour cache, as Linux dumps its ARP table before
 * its ND one.  lwIP hands out only answered ARP entries, so each is
 * REACHABLE; IPv6's entries keep their own states. */
#include "net/rtnetlink_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "net/sock_info.h"

#define NDA_DST		1
#define NDA_LLADDR	2
#define NDA_CACHEINFO	3
#define NDA_PROBES	4
#define NTF_ROUTER	0x80
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

/* One neighbour of either family, as the message describes it. */
struct neigh {
	struct ndmsg_k m;
	uint8_t ip[16], mac[6];
	bool has_mac;
	uint32_t probes;
};

static bool put_neigh(struct nl_buf *b, const struct neigh *e, const struct nl_dump *d)
{
	struct nlmsghdr_k *h = nlmsg_begin(b, RTM_NEWNEIGH, NLM_F_MULTI, d->seq, d->pid, sizeof e->m);

	if (!h)
		return false;
	*(struct ndmsg_k *)nlmsg_body(h) = e->m;
	struct nda_cacheinfo_k ci = { 0 };	/* lwIP keeps no times to give */
	if (!nla_put(b, NDA_DST, e->ip, e->m.family == AF_INET6_K ? 16 : 4) ||
	    (e->has_mac && !nla_put(b, NDA_LLADDR, e->mac, 6)) || !nla_put_u32(b, NDA_PROBES, e->probes) ||
	    !nla_put(b, NDA_CACHEINFO, &ci, sizeof ci)) {
		nlmsg_cancel(b, h);
		return false;
	}
	nlmsg_end(b, h);
	return true;
}

/* Answered ARP entries (Linux would show the others INCOMPLETE; lwIP
 * gives none), after list[0..*n). */
static int add_arp(struct neigh *list, size_t *n)
{
	struct net_arp_info *arp = kmalloc(ARP_MAX * sizeof *arp);

	if (!arp)
		return -ENOMEM;
	int count = net_arp_list(arp, ARP_MAX);
	for (int k = 0; k < count && k < ARP_MAX; k++) {
		if (!arp[k].complete)
			continue;
		struct neigh *e = &list[(*n)++];
		*e = (struct neigh){ .m = { .family = AF_INET_K, .ifindex = arp[k].ifindex,
					   .state = NET_NUD_REACHABLE, .type = RTN_UNICAST },
				     .has_mac = true };
		memcpy(e->ip, arp[k].ip, 4);
		memcpy(e->mac, arp[k].mac, 6);
	}
	kfree(arp);
	return 0;
}

static int add_nd6(struct neigh *list, size_t *n)
{
	struct net_nd6_info *nd = kmalloc(NET_ND6_MAX * sizeof *nd);

	if (!nd)
		return -ENOMEM;
	int count = net_nd6_list(nd, NET_ND6_MAX);
	for (int k = 0; k < count && k < NET_ND6_MAX; k++) {
		struct neigh *e = &list[(*n)++];
		*e = (struct neigh){ .m = { .family = AF_INET6_K, .ifindex = nd[k].ifindex,
					   .state = nd[k].nud_state, .flags = nd[k].router ? NTF_ROUTER : 0,
					   .type = RTN_UNICAST },
				     .has_mac = nd[k].has_mac, .probes = nd[k].probes };
		memcpy(e->ip, nd[k].ip, 16);
		memcpy(e->mac, nd[k].mac, 6);
	}
	kfree(nd);
	return 0;
}

int rtnl_dump_neigh(struct nl_dump *d, struct nl_buf *b)
{
	bool v4 = d->family == AF_UNSPEC_K || d->family == AF_INET_K;
	bool v6 = d->family == AF_UNSPEC_K || d->family == AF_INET6_K;

	if (!v4 && !v6)
		return NL_DUMP_DONE;
	struct neigh *list = kmalloc((ARP_MAX + NET_ND6_MAX) * sizeof *list);
	if (!list)
		return -ENOMEM;
	size_t n = 0;
	int err = v4 ? add_arp(list, &n) : 0;
	if (!err && v6)
		err = add_nd6(list, &n);
	if (err) {
		kfree(list);
		return err;
	}
	while (d->next < n && put_neigh(b, &list[d->next], d))
		d->next++;
	kfree(list);
	return d->next < n || b->len ? NL_DUMP_MORE : NL_DUMP_DONE;
}
