/* NETLINK_ROUTE's notifications: what `ip monitor` and a program waiting
 * for an address hear when an interface comes up or down or an address is
 * added, removed or leaves duplicate detection (DHCP, autoconfiguration,
 * a switch between NIC and network server).  lwIP calls on_change with its
 * core lock held, in whichever thread changed the interface; the message
 * is built and queued there, as nothing in netlink's delivery sleeps or
 * takes the core lock. */
#include "net/rtnetlink_internal.h"

#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "core/kmalloc.h"
#include "core/string.h"

/* Linux's groups (RTMGRP_LINK is 1 << (RTNLGRP_LINK - 1)...). */
#define RTNLGRP_LINK		1
#define RTNLGRP_IPV4_IFADDR	5
#define RTNLGRP_IPV6_IFADDR	9

#define NOTIFY_SIZE		1024	/* one link or address message */

static void notify(uint32_t group, const struct net_ifaddr *i, const struct net_if_ip6 *a6,
		   uint16_t type)
{
	struct nl_buf b;

	if (!nl_listened(NETLINK_ROUTE, group) || nl_buf_alloc(&b, NOTIFY_SIZE))
		return;
	bool ok = group == RTNLGRP_LINK ? rtnl_put_link(&b, i, type, 0, 0, 0)
					: rtnl_put_addr(&b, i, a6, type, 0, 0, 0);
	if (ok)
		nl_notify(NETLINK_ROUTE, group, &b);
	nl_buf_free(&b);
}

static void ipv4_changed(struct net_ifaddr *i, const netif_ext_callback_args_t *args, bool address)
{
	uint32_t now;

	memcpy(&now, i->addr, 4);
	if (address && args && !ip_addr_isany(args->ipv4_changed.old_address)) {
		struct net_ifaddr old = *i;
		uint32_t was = ip4_addr_get_u32(ip_2_ip4(args->ipv4_changed.old_address));
		memcpy(old.addr, &was, 4);
		notify(RTNLGRP_IPV4_IFADDR, &old, NULL, RTM_DELADDR);
	}
	if (now)
		notify(RTNLGRP_IPV4_IFADDR, i, NULL, RTM_NEWADDR);
}

/* What Linux tells of an IPv6 address's state: lwIP also counts its
 * duplicate-detection probes in it, which nobody hears of. */
static int state_class(u8_t state)
{
	return ip6_addr_isinvalid(state) ? 0 : ip6_addr_istentative(state) ? 1
	       : ip6_addr_isduplicated(state) ? 4 : ip6_addr_isdeprecated(state) ? 2 : 3;
}

/* An address is new when it appears (tentative), again when it leaves
 * duplicate detection or is deprecated, and gone when it becomes invalid. */
static void ipv6_changed(struct net_ifaddr *i, struct netif *n, const netif_ext_callback_args_t *args)
{
	const ip6_addr_t *a = ip_2_ip6(args->ipv6_addr_state_changed.address);
	s8_t k = args->ipv6_addr_state_changed.addr_index;

	if (state_class(args->ipv6_addr_state_changed.old_state) == state_class(netif_ip6_addr_state(n, k)))
		return;

	for (int j = 0; j < i->nip6; j++)
		if (!memcmp(i->ip6[j].addr, a->addr, 16)) {
			notify(RTNLGRP_IPV6_IFADDR, i, &i->ip6[j], RTM_NEWADDR);
			return;
		}
	if (ip6_addr_isinvalid(args->ipv6_addr_state_changed.old_state))
		return;
	struct net_if_ip6 gone = { .prefix = 64, .valid_life = NET_LIFE_FOREVER,
				   .pref_life = NET_LIFE_FOREVER };
	memcpy(gone.addr, a->addr, 16);
	notify(RTNLGRP_IPV6_IFADDR, i, &gone, RTM_DELADDR);
}

static void on_change(struct netif *n, netif_nsc_reason_t reason, const netif_ext_callback_args_t *args)
{
	struct net_ifaddr *i = kmalloc(sizeof *i);

	if (!i)
		return;	/* a notification lost, as Linux's when memory is short */
	net_ifaddr_locked(n, i);
	if (reason & (LWIP_NSC_NETIF_ADDED | LWIP_NSC_LINK_CHANGED | LWIP_NSC_STATUS_CHANGED))
		notify(RTNLGRP_LINK, i, NULL, RTM_NEWLINK);
	if (reason & LWIP_NSC_NETIF_REMOVED)
		notify(RTNLGRP_LINK, i, NULL, RTM_DELLINK);
	if (reason & (LWIP_NSC_IPV4_ADDRESS_CHANGED | LWIP_NSC_IPV4_NETMASK_CHANGED))
		ipv4_changed(i, args, reason & LWIP_NSC_IPV4_ADDRESS_CHANGED);
	if ((reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) && args)
		ipv6_changed(i, n, args);
	kfree(i);
}

NETIF_DECLARE_EXT_CALLBACK(rtnl_watch)

void rtnl_notify_init(void)
{
	static bool started;

	if (__atomic_exchange_n(&started, true, __ATOMIC_ACQ_REL))
		return;
	LOCK_TCPIP_CORE();
	netif_add_ext_callback(&rtnl_watch, on_change);
	UNLOCK_TCPIP_CORE();
}
