/* The interfaces as ioctl(SIOCGIFCONF, SIOCGIFADDR...) and rtnetlink list
 * them: lwIP's netifs by index, under Linux's names. */
#include "net/netif.h"

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/netif.h"
#include "lwip/priv/nd6_priv.h"
#include "lwip/tcpip.h"

#include "core/format.h"
#include "core/string.h"
#include "net/port.h"

static void fill_ip6(struct net_ifaddr *a, struct netif *n, bool lo)
{
	for (s8_t i = 0; i < LWIP_IPV6_NUM_ADDRESSES && a->nip6 < NET_IF_MAX_IP6; i++) {
		u8_t state = netif_ip6_addr_state(n, i);
		if (ip6_addr_isinvalid(state))
			continue;	/* a failed one stays, marked, as Linux keeps it */
		struct net_if_ip6 *a6 = &a->ip6[a->nip6++];
		memcpy(a6->addr, netif_ip6_addr(n, i)->addr, 16);
		/* lwIP keeps no prefix length: its addresses are a link's
		 * /64s (link-local, autoconfigured), and lo's ::1. */
		a6->prefix = lo ? 128 : 64;
		a6->tentative = ip6_addr_istentative(state);
		a6->dad_failed = ip6_addr_isduplicated(state);
		a6->valid_life = a6->pref_life = NET_LIFE_FOREVER;
		if (!netif_ip6_addr_isstatic(n, i)) {
			a6->autoconf = true;
			a6->valid_life = netif_ip6_addr_valid_life(n, i);
			a6->pref_life = netif_ip6_addr_pref_life(n, i);
		}
	}
}

/* The first default router lwIP learned through n (router
 * advertisements).  Caller holds the core lock. */
static void fill_router6(struct net_ifaddr *a, struct netif *n)
{
	for (int i = 0; i < LWIP_ND6_NUM_ROUTERS; i++) {
		const struct nd6_router_list_entry *r = &default_router_list[i];
		if (r->neighbor_entry && r->neighbor_entry->netif == n && r->invalidation_timer) {
			memcpy(a->gateway6, r->neighbor_entry->next_hop_address.addr, 16);
			return;
		}
	}
}

bool net_netif_is_lo(const struct netif *n)
{
	return n->name[0] == 'l' && n->name[1] == 'o';
}

/* neth: how many Ethernet netifs came before n (eth0, eth1...). */
static void fill(struct net_ifaddr *a, struct netif *n, unsigned neth)
{
	bool lo = net_netif_is_lo(n);
	uint32_t ip = ip4_addr_get_u32(netif_ip4_addr(n));
	uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(n));

	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, lo ? "lo" : "eth%u", neth);
	a->index = netif_get_index(n);
	a->mtu = lo ? 65536 : n->mtu;	/* lwIP's loopback has none; Linux's lo says 65536 */
	if (!lo)
		memcpy(a->mac, n->hwaddr, sizeof a->mac);
	memcpy(a->addr, &ip, 4);		/* lwIP keeps network order */
	memcpy(a->netmask, &mask, 4);
	if (ip && (n->flags & NETIF_FLAG_BROADCAST)) {
		uint32_t bcast = ip | ~mask;
		memcpy(a->broadcast, &bcast, 4);
	}
	uint32_t gw = ip4_addr_get_u32(netif_ip4_gw(n));
	memcpy(a->gateway, &gw, 4);
	a->dhcp = dhcp_supplied_address(n);
	fill_ip6(a, n, lo);
	if (!lo)
		fill_router6(a, n);
	net_netif_stats(n, &a->stats);
	a->flags = (netif_is_up(n) ? NET_IFF_UP : 0) |
		   (netif_is_up(n) && netif_is_link_up(n) ? NET_IFF_RUNNING : 0) |
		   (lo ? NET_IFF_LOOPBACK : 0) |
		   (n->flags & NETIF_FLAG_BROADCAST ? NET_IFF_BROADCAST : 0) |
		   (!lo && n->flags & (NETIF_FLAG_IGMP | NETIF_FLAG_MLD6) ? NET_IFF_MULTICAST : 0);
}

void net_ifaddr_locked(struct netif *n, struct net_ifaddr *out)
{
	struct netif *k;
	unsigned neth = 0;

	NETIF_FOREACH(k) {
		if (k == n)
			break;
		neth += !!(k->flags & NETIF_FLAG_ETHERNET);
	}
	fill(out, n, neth);
}

/* lwIP adds each netif at the head of its list: Linux lists by index. */
static void sort_by_index(struct net_ifaddr *a, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && a[j - 1].index > a[j].index; j--) {
			struct net_ifaddr t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

int net_ifaddrs(struct net_ifaddr *out, int max)
{
	struct netif *n;
	int count = 0;
	unsigned neth = 0;

	LOCK_TCPIP_CORE();
	NETIF_FOREACH(n) {
		if (count < max)
			fill(&out[count], n, neth);
		neth += !!(n->flags & NETIF_FLAG_ETHERNET);
		count++;
	}
	UNLOCK_TCPIP_CORE();
	sort_by_index(out, count < max ? count : max);
	return count;
}

/* ---- eth0's addresses, for the network server to publish -------------------- */

static unsigned prefix_of(uint32_t mask_net_order)
{
	unsigned p = 0;

	for (uint32_t m = lwip_ntohl(mask_net_order); m & 0x80000000u; m <<= 1)
		p++;
	return p;
}

static void ip4_of(struct netif *n, struct net_port_addrs *a)
{
	uint32_t ip = ip4_addr_get_u32(netif_ip4_addr(n)), gw = ip4_addr_get_u32(netif_ip4_gw(n));

	a->have_ip4 = ip != 0;
	memcpy(a->ip4, &ip, 4);
	a->prefix4 = (uint8_t)prefix_of(ip4_addr_get_u32(netif_ip4_netmask(n)));
	a->have_gw4 = gw != 0;
	memcpy(a->gw4, &gw, 4);
}

static void ip6_of(struct netif *n, struct net_port_addrs *a)
{
	for (s8_t i = 0; i < LWIP_IPV6_NUM_ADDRESSES && a->nip6 < NET_PORT_MAX_IP6; i++) {
		if (!ip6_addr_isvalid(netif_ip6_addr_state(n, i)))
			continue;	/* tentative addresses are not ours yet */
		memcpy(a->ip6[a->nip6].addr, netif_ip6_addr(n, i)->addr, 16);
		a->ip6[a->nip6++].prefix = 64;
	}
}

static void dns_of(struct net_port_addrs *a)
{
	for (u8_t i = 0; i < DNS_MAX_SERVERS && a->ndns < NET_PORT_MAX_DNS; i++) {
		const ip_addr_t *d = dns_getserver(i);
		if (ip_addr_isany(d))
			continue;
		bool v6 = IP_IS_V6(d);
		a->dns[a->ndns].v6 = v6;
		memcpy(a->dns[a->ndns++].addr, v6 ? (const void *)ip_2_ip6(d)->addr
						  : (const void *)&ip_2_ip4(d)->addr, v6 ? 16 : 4);
	}
}

void net_eth_addresses(struct net_port_addrs *a)
{
	memset(a, 0, sizeof *a);
	LOCK_TCPIP_CORE();
	struct netif *n = net_netif_eth();
	if (n) {
		ip4_of(n, a);
		ip6_of(n, a);
		dns_of(a);
	}
	UNLOCK_TCPIP_CORE();
}

static void (*watcher)(void);
NETIF_DECLARE_EXT_CALLBACK(eth_watch)

static void on_eth_change(struct netif *n, netif_nsc_reason_t reason,
			  const netif_ext_callback_args_t *args)
{
	(void)args;
	if (n == net_netif_eth() && watcher &&
	    (reason & (LWIP_NSC_IPV4_SETTINGS_CHANGED | LWIP_NSC_IPV6_ADDR_STATE_CHANGED |
		       LWIP_NSC_IPV6_SET)))
		watcher();
}

void net_eth_watch(void (*fn)(void))
{
	LOCK_TCPIP_CORE();
	watcher = fn;
	netif_add_ext_callback(&eth_watch, on_eth_change);
	UNLOCK_TCPIP_CORE();
}
