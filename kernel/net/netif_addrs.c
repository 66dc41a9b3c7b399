/* The interfaces as ioctl(SIOCGIFCONF, SIOCGIFADDR...) lists them: lwIP's
 * netifs in its own order (lo is added first, at start-up), under Linux's
 * names. */
#include "net/netif.h"

#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "core/format.h"
#include "core/string.h"

/* neth: how many Ethernet netifs came before n (eth0, eth1...). */
static void fill(struct net_ifaddr *a, struct netif *n, unsigned neth)
{
	bool lo = n->name[0] == 'l' && n->name[1] == 'o';
	uint32_t ip = ip4_addr_get_u32(netif_ip4_addr(n));
	uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(n));

	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, lo ? "lo" : "eth%u", neth);
	a->index = netif_get_index(n);
	a->mtu = n->mtu;
	if (!lo)
		memcpy(a->mac, n->hwaddr, sizeof a->mac);
	memcpy(a->addr, &ip, 4);		/* lwIP keeps network order */
	memcpy(a->netmask, &mask, 4);
	if (ip && (n->flags & NETIF_FLAG_BROADCAST)) {
		uint32_t bcast = ip | ~mask;
		memcpy(a->broadcast, &bcast, 4);
	}
	a->flags = (netif_is_up(n) ? NET_IFF_UP : 0) |
		   (netif_is_up(n) && netif_is_link_up(n) ? NET_IFF_RUNNING : 0) |
		   (lo ? NET_IFF_LOOPBACK : 0) |
		   (n->flags & NETIF_FLAG_BROADCAST ? NET_IFF_BROADCAST : 0) |
		   (n->flags & (NETIF_FLAG_IGMP | NETIF_FLAG_MLD6) ? NET_IFF_MULTICAST : 0);
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
	return count;
}
