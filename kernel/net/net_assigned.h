/* eth0 configured from what its port imposes (net_port_addrs). */
#ifndef AMPHI_NET_NET_ASSIGNED_H
#define AMPHI_NET_NET_ASSIGNED_H

struct netif;
struct net_port_addrs;

/* Caller holds the core lock.  Again whenever the port's addresses change. */
void net_assigned_apply(struct netif *n, const struct net_port_addrs *a);

/* After eth0 came up (caller holds the core lock). */
void net_assigned_started(struct netif *n);

#endif
