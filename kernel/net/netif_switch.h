/* Direct and server mode (docs/netserver.md, "Switching"): eth0 lives on
 * its home port, the network-server link; a NIC that arrives while it runs
 * takes eth0 over, and eth0 goes home before that NIC leaves.  Addresses
 * and connections stay with eth0 throughout. */
#ifndef AMPHI_NET_NETIF_SWITCH_H
#define AMPHI_NET_NETIF_SWITCH_H

struct net_port;

/* eth0's first port: the network-server link when one is registered,
 * whatever came first (a NIC hot-added while the kernel booted may have),
 * else port. */
struct net_port *net_switch_home(struct net_port *port);
/* Once eth0 exists: a NIC registered before it takes eth0 over now. */
void net_switch_adopt(void);

/* From net_port_register and net_port_unregister (any thread, no lock). */
void net_switch_port_added(struct net_port *port);
void net_switch_port_leaving(struct net_port *port);

/* The automatic policy (amphi run --switch auto): above `high` frames a
 * second for a few seconds, eth0's home port is asked for a NIC; below
 * `low` for longer, to take it back. */
void net_switch_policy_start(unsigned high, unsigned low);

#endif
