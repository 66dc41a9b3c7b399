/* The multicast groups each interface belongs to, in the order Linux's
 * /proc/net/igmp and igmp6 list them (newest first): lwIP's IGMP and MLD
 * lists, and the IPv6 all-nodes groups (ff02::1, ff01::1), which Linux
 * joins on every interface and lwIP takes without an entry. */
#include "core/string.h"
#include "net/netif.h"

#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

/* Linux's mca_flags (net/mcast.h). */
#define MAF_TIMER_RUNNING	0x01
#define MAF_LAST_REPORTER	0x02
#define MAF_LOADED		0x04
#define MAF_NOREPORT		0x08

struct walk {
	struct net_mcast_group *out;
	int max, count;
};

static void add(struct walk *w, const struct net_mcast_group *g)
{
	if (w->count < w->max)
		w->out[w->count] = *g;
	w->count++;
}

static void add_igmp(struct walk *w, struct netif *n, const struct igmp_group *g)
{
	struct net_mcast_group e = { .index = netif_get_index(n), .users = g->use,
				     .timer_cs = g->timer * (IGMP_TMR_INTERVAL / 10),
				     .last_reporter = g->last_reporter_flag };

	memcpy(e.addr, &g->group_address.addr, 4);
	add(w, &e);
}

/* lwIP keeps all-systems (224.0.0.1) first and puts each new group after
 * it; Linux lists the newest first and all-systems, joined first, last. */
static void walk_igmp(struct walk *w, struct netif *n)
{
	const struct igmp_group *all = netif_igmp_data(n);

	if (!all)
		return;
	for (const struct igmp_group *g = all->next; g; g = g->next)
		add_igmp(w, n, g);
	add_igmp(w, n, all);
}

/* Linux joins no solicited-node group (ff02::1:ffXX:XXXX) on lo, which
 * does no neighbour discovery; lwIP joins ::1's, unused. */
static bool shown(const struct netif *n, const ip6_addr_t *a)
{
	return !net_netif_is_lo(n) || !ip6_addr_issolicitednode(a);
}

static void walk_mld(struct walk *w, struct netif *n)
{
	static const uint8_t all_nodes[2][16] = {
		{ 0xff, 0x02, [15] = 1 }, { 0xff, 0x01, [15] = 1 },
	};

	for (const struct mld_group *g = netif_mld6_data(n); g; g = g->next) {
		if (!shown(n, &g->group_address))
			continue;
		struct net_mcast_group e = { .index = netif_get_index(n), .v6 = true, .users = g->use,
					     .timer_cs = g->timer * (MLD6_TMR_INTERVAL / 10) };
		e.flags6 = MAF_LOADED | (e.timer_cs ? MAF_TIMER_RUNNING : 0) |
			   (g->last_reporter_flag ? MAF_LAST_REPORTER : 0);
		memcpy(e.addr, g->group_address.addr, 16);
		add(w, &e);
	}
	for (int k = 0; k < 2; k++) {
		struct net_mcast_group e = { .index = netif_get_index(n), .v6 = true, .users = 1,
					     .flags6 = MAF_NOREPORT | (k == 0 ? MAF_LOADED : 0) };
		memcpy(e.addr, all_nodes[k], 16);
		add(w, &e);
	}
}

/* Interface by interface in index order, lo first, as Linux lists them
 * (lwIP's list has the newest first). */
int net_mcast_groups(struct net_mcast_group *out, int max)
{
	struct walk w = { out, max, 0 };
	struct netif *n;

	LOCK_TCPIP_CORE();
	for (int index = 1; index < 256; index++) {
		if (!(n = netif_get_by_index((uint8_t)index)))
			continue;
		walk_igmp(&w, n);
		walk_mld(&w, n);
	}
	UNLOCK_TCPIP_CORE();
	return w.count;
}
