/* Shared by netif*.c. */
#ifndef AMPHI_NET_NETIF_INTERNAL_H
#define AMPHI_NET_NETIF_INTERNAL_H

#include <stdbool.h>

#include "net/netif.h"

/* eth0's counters into *out when n is eth0; false otherwise.  Caller holds
 * the core lock. */
bool net_netif_eth_stats(const struct netif *n, struct net_if_stats *out);

#endif
