/* IPv6's neighbours (ip -6 neigh): lwIP's neighbour cache, read under the
 * core lock, each entry's state as Linux's NUD_ names it.  lwIP's states
 * are RFC 4861's, as Linux's are, so they map one to one. */
#include "net/sock_info.h"

#include "lwip/netif.h"
#include "lwip/priv/nd6_priv.h"
#include "lwip/tcpip.h"

#include "core/string.h"
#include "net/net_config.h"

_Static_assert(LWIP_ND6_NUM_NEIGHBORS <= NET_ND6_MAX, "a list of NET_ND6_MAX holds every entry");

static uint16_t nud_of(u8_t state)
{
	switch (state) {
	case ND6_INCOMPLETE:	return NET_NUD_INCOMPLETE;
	case ND6_REACHABLE:	return NET_NUD_REACHABLE;
	case ND6_STALE:		return NET_NUD_STALE;
	case ND6_DELAY:		return NET_NUD_DELAY;
	default:		return NET_NUD_PROBE;
	}
}

static void fill(struct net_nd6_info *e, const struct nd6_neighbor_cache_entry *c)
{
	*e = (struct net_nd6_info){ .nud_state = nud_of(c->state), .router = c->isrouter,
				    .ifindex = netif_get_index(c->netif) };
	memcpy(e->ip, c->next_hop_address.addr, 16);
	if (c->state != ND6_INCOMPLETE) {	/* only an answer brings the address */
		memcpy(e->mac, c->lladdr, 6);
		e->has_mac = true;
	}
	if (c->state == ND6_INCOMPLETE || c->state == ND6_PROBE)
		e->probes = c->counter.probes_sent;
}

int net_nd6_list(struct net_nd6_info *out, int max)
{
	int count = 0;

	if (!net_lwip_started())
		return 0;
	LOCK_TCPIP_CORE();
	for (size_t i = 0; i < LWIP_ND6_NUM_NEIGHBORS; i++) {
		const struct nd6_neighbor_cache_entry *c = &neighbor_cache[i];
		if (c->state == ND6_NO_ENTRY || !c->netif)
			continue;
		if (count < max)
			fill(&out[count], c);
		count++;
	}
	UNLOCK_TCPIP_CORE();
	return count;
}
