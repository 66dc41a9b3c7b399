/* What eth0 tells its port it uses, for ports where others share the
 * network (the network-server link, docs/netserver.md): its MAC when it
 * takes the port, its addresses as they come and go, and the ports its
 * sockets bind. */
#ifndef AMPHI_NET_NETIF_CLAIMS_H
#define AMPHI_NET_NETIF_CLAIMS_H

#include <stdbool.h>
#include <stdint.h>

struct net_port;

/* eth0 now sits on port: claims its MAC and addresses there (back on a
 * port it held them on, claiming again changes nothing there).  Caller
 * holds the core lock. */
void net_claims_port_taken(struct net_port *port);
/* Watches eth0's addresses (once, at start-up; core lock held). */
void net_claims_watch(void);

/* A socket binding TCP (tcp true) or UDP port `port` on eth0's port: 0 or
 * -EADDRINUSE/-EACCES/-EADDRNOTAVAIL from the port.  May sleep; called
 * without the core lock.  Each success is undone by net_claims_unbind. */
int net_claims_bind(bool tcp, uint16_t port);
void net_claims_unbind(bool tcp, uint16_t port);

#endif
