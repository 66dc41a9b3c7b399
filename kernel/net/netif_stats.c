/* Interfaces' counters for /proc/net/dev, ifconfig and IFLA_STATS64.
 * eth0 counts in netif.c, where its frames pass.  lo is lwIP's loopback
 * queue, which every packet for one of our own addresses goes through
 * (to 127.0.0.1, ::1 or eth0's own): its hooks (lwIP patch 18) count
 * here, as Linux counts all of them on lo.  Both run under the core lock,
 * which lwIP holds around the queue: plain counters, no line of their
 * own to bounce between CPUs. */
#include "net/netif.h"

#include "lwip/netif.h"

#include "core/string.h"
#include "net/lwip_hooks.h"
#include "net/netif_internal.h"

static struct net_if_stats lo;	/* under the core lock */

void net_lo_sent(unsigned len)
{
	lo.tx_packets++;
	lo.tx_bytes += len;
}

void net_lo_dropped(void)
{
	lo.tx_dropped++;
}

void net_lo_received(unsigned len)
{
	lo.rx_packets++;
	lo.rx_bytes += len;
}

void net_netif_stats(struct netif *n, struct net_if_stats *out)
{
	if (n && net_netif_is_lo(n))
		*out = lo;
	else if (!net_netif_eth_stats(n, out))
		memset(out, 0, sizeof *out);
}
