/* /proc/net/arp's entries: lwIP's ARP table, through its own accessor,
 * under the core lock.  Entries still waiting for an answer are not
 * shown (lwIP does not hand them out); Linux shows them incomplete. */
#include "net/sock_info.h"

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "core/string.h"
#include "net/net_config.h"

int net_arp_list(struct net_arp_info *out, int max)
{
	int count = 0;

	if (!net_lwip_started())
		return 0;
	LOCK_TCPIP_CORE();
	for (size_t i = 0; i < ARP_TABLE_SIZE; i++) {
		ip4_addr_t *ip;
		struct netif *n;
		struct eth_addr *mac;
		if (!etharp_get_entry(i, &ip, &n, &mac))
			continue;
		if (count < max) {
			struct net_arp_info *e = &out[count];
			memcpy(e->ip, &ip->addr, 4);
			memcpy(e->mac, mac->addr, 6);
			e->complete = true;
			e->ifindex = netif_get_index(n);
		}
		count++;
	}
	UNLOCK_TCPIP_CORE();
	return count;
}
