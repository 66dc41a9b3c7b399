/* The network's configuration: the run's "net.*" settings, bringing the
 * interfaces up, and the /etc files that follow from them. */
#ifndef AMPHI_NET_NET_CONFIG_H
#define AMPHI_NET_NET_CONFIG_H

#include <stdbool.h>

/* One setting whose key starts with "net." (net.ip=ADDR/PREFIX, net.gw,
 * net.dns (repeatable, IPv4 or IPv6), net.ip6=ADDR/PREFIX, net.hostname).
 * 0, or -EINVAL for a value that does not parse; unknown net.* keys are
 * for later versions and ignored. */
int net_config_set(const char *key, const char *value);

/* Brings up eth0 on port (starting lwIP first; without a port nothing
 * happens: lwIP and lo start with a program's first inet socket, or
 * net_lwip_start).  net.mac gives eth0 its MAC; the addresses are the
 * ones the port imposes if it does, else the static IPv4 address or DHCP
 * (waiting up to 5 s for a lease), IPv6 link-local, SLAAC and the static
 * IPv6 address.  Logs one line.  0, or
 * -ETIMEDOUT when DHCP got no lease in time (it keeps trying). */
struct net_port;
int net_start(struct net_port *port);
/* Starts lwIP (and lo) if it has not started: before anything uses it.
 * May sleep.  net_lwip_started: whether it has. */
void net_lwip_start(void);
bool net_lwip_started(void);
/* eth0's port imposes new addresses: take them (net_port_addresses_changed). */
void net_config_addresses_changed(struct net_port *port);

/* After net_start's -ETIMEDOUT: sleeps until DHCP gets its lease, however
 * long that takes, then puts the settings' name servers back in front of
 * DHCP's and logs the configuration as net_start does. */
void net_wait_late_lease(void);

/* /etc/resolv.conf and /etc/hosts for this configuration, after net_start:
 * kmalloc'd NUL-terminated text, NULL when out of memory. */
char *net_config_resolv_conf(void);
char *net_config_hosts(void);

#endif
