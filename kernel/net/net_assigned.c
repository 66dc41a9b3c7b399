/* eth0's configuration when its port imposes one: the network server's
 * shared address (docs/netserver.md).  The server's own stack speaks for
 * that address in ARP and neighbour discovery, so eth0 takes its addresses
 * as final: no DHCP, no duplicate address detection, no autoconfiguration,
 * and source ports only from the share the server gave this app. */
#include "net/net_assigned.h"

#include "lwip/dns.h"
#include "lwip/netif.h"

#include "core/string.h"
#include "net/net_config_internal.h"
#include "net/port.h"

unsigned short net_ephemeral_lo = 0xc000, net_ephemeral_hi = 0xffff;

static void set_ip4(struct netif *n, const struct net_port_addrs *a)
{
	ip4_addr_t ip, mask, gw;
	uint32_t m = a->prefix4 ? ~0u << (32 - a->prefix4) : 0;

	IP4_ADDR(&ip, a->ip4[0], a->ip4[1], a->ip4[2], a->ip4[3]);
	ip4_addr_set_u32(&mask, lwip_htonl(m));
	if (a->have_gw4)
		IP4_ADDR(&gw, a->gw4[0], a->gw4[1], a->gw4[2], a->gw4[3]);
	else
		ip4_addr_set_zero(&gw);
	netif_set_addr(n, &ip, &mask, &gw);
}

/* The slots past the given addresses are emptied: the set may shrink. */
static void set_ip6(struct netif *n, const struct net_port_addrs *a)
{
	for (int i = a->nip6; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		netif_ip6_addr_set_state(n, (s8_t)i, IP6_ADDR_INVALID);
	for (int i = 0; i < a->nip6 && i < LWIP_IPV6_NUM_ADDRESSES; i++) {
		ip6_addr_t addr;
		memcpy(addr.addr, a->ip6[i].addr, 16);
		ip6_addr_clear_zone(&addr);
		ip6_addr_assign_zone(&addr, IP6_UNICAST, n);
		netif_ip6_addr_set(n, (s8_t)i, &addr);
		netif_ip6_addr_set_state(n, (s8_t)i, IP6_ADDR_PREFERRED);
	}
}

/* The run's own name servers (net.dns) win over the server's. */
static void set_dns(const struct net_port_addrs *a)
{
	if (net_config.ndns)
		return;
	for (int i = 0; i < a->ndns; i++) {
		ip_addr_t d;
		if (a->dns[i].v6) {
			IP_SET_TYPE_VAL(d, IPADDR_TYPE_V6);
			memcpy(ip_2_ip6(&d)->addr, a->dns[i].addr, 16);
			ip6_addr_clear_zone(ip_2_ip6(&d));
		} else {
			IP_SET_TYPE_VAL(d, IPADDR_TYPE_V4);
			IP4_ADDR(ip_2_ip4(&d), a->dns[i].addr[0], a->dns[i].addr[1], a->dns[i].addr[2],
				 a->dns[i].addr[3]);
		}
		dns_setserver((u8_t)i, &d);
	}
}

void net_assigned_apply(struct netif *n, const struct net_port_addrs *a)
{
	n->flags &= ~NETIF_FLAG_MLD6;	/* the server's stack reports for the address */
	if (a->have_ip4)
		set_ip4(n, a);
	set_ip6(n, a);
	netif_set_ip6_autoconfig_enabled(n, 0);
	set_dns(a);
	if (a->port_lo && a->port_hi > a->port_lo) {
		net_ephemeral_lo = a->port_lo;
		net_ephemeral_hi = a->port_hi;
	}
}

/* The netif is up: no router solicitations either (the server forwards
 * the routers' advertisements to every app on its address). */
void net_assigned_started(struct netif *n)
{
	n->rs_count = 0;
}
