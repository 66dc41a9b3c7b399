/* eth0's claims on its port (netif_claims.h).  Ports that need none (a
 * NIC) have no claim operation and all of this costs a pointer test. */
#include "net/netif_claims.h"

#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "core/string.h"
#include "net/netif.h"
#include "net/port.h"

NETIF_DECLARE_EXT_CALLBACK(addr_watch)

/* The port eth0's MAC and addresses are claimed on: the last port with
 * claims it sat on.  While eth0 uses a NIC of its own (direct mode) they
 * stay claimed there, reserved for its return, and follow its addresses:
 * one it drops meanwhile is given back at once.  Core lock. */
static struct net_port *claim_port;

static void claim(struct net_port *port, enum net_claim_kind kind, const void *addr, size_t len,
		  bool release)
{
	struct net_claim c = { .kind = kind };

	memcpy(c.addr, addr, len);
	if (release)
		port->ops->release(port, &c);
	else
		port->ops->claim(port, &c, false);
}

static void claim_ip4(struct net_port *port, const ip4_addr_t *a, bool release)
{
	uint32_t v = ip4_addr_get_u32(a);	/* network order already */

	if (v)
		claim(port, NET_CLAIM_IP4, &v, 4, release);
}

static void claim_ip6(struct net_port *port, const ip6_addr_t *a, bool release)
{
	claim(port, NET_CLAIM_IP6, a->addr, 16, release);
}

/* Caller holds the core lock. */
void net_claims_port_taken(struct net_port *port)
{
	struct netif *n = net_netif_eth();

	if (!port->ops->claim)
		return;
	claim_port = port;	/* claiming again what it holds is no news to it */
	claim(port, NET_CLAIM_MAC, port->mac, 6, false);
	if (!n)
		return;		/* a new eth0 has no addresses yet */
	claim_ip4(port, netif_ip4_addr(n), false);
	for (s8_t i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		if (!ip6_addr_isinvalid(netif_ip6_addr_state(n, i)))
			claim_ip6(port, netif_ip6_addr(n, i), false);
}

/* lwIP's, under the core lock in whatever thread changed eth0. */
static void on_change(struct netif *n, netif_nsc_reason_t reason,
		      const netif_ext_callback_args_t *args)
{
	struct net_port *port = claim_port;

	if (n != net_netif_eth() || !port)
		return;
	if (reason & LWIP_NSC_IPV4_ADDRESS_CHANGED) {
		if (args->ipv4_changed.old_address)
			claim_ip4(port, ip_2_ip4(args->ipv4_changed.old_address), true);
		claim_ip4(port, netif_ip4_addr(n), false);
	}
	if (reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) {
		s8_t i = args->ipv6_addr_state_changed.addr_index;
		bool was = !ip6_addr_isinvalid(args->ipv6_addr_state_changed.old_state);
		bool is = !ip6_addr_isinvalid(netif_ip6_addr_state(n, i));
		if (was != is)
			claim_ip6(port, ip_2_ip6(args->ipv6_addr_state_changed.address), was);
	}
}

void net_claims_watch(void)
{
	netif_add_ext_callback(&addr_watch, on_change);
}

static struct net_port *current_port(void)
{
	LOCK_TCPIP_CORE();
	struct net_port *port = net_netif_port();
	UNLOCK_TCPIP_CORE();
	return port && port->ops->claim ? port : NULL;
}

int net_claims_bind(bool tcp, uint16_t portnum)
{
	struct net_port *port = current_port();
	struct net_claim c = { .kind = tcp ? NET_CLAIM_TCP : NET_CLAIM_UDP, .port = portnum };

	return port ? port->ops->claim(port, &c, true) : 0;
}

void net_claims_unbind(bool tcp, uint16_t portnum)
{
	struct net_port *port = current_port();
	struct net_claim c = { .kind = tcp ? NET_CLAIM_TCP : NET_CLAIM_UDP, .port = portnum };

	if (port)
		port->ops->release(port, &c);
}
