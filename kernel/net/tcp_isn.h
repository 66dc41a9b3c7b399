/* TCP initial sequence numbers and SYN cookies' hashes for lwIP
 * (LWIP_HOOK_TCP_ISN and LWIP_HOOK_TCP_SYN_COOKIE in lwipopts.h). */
#ifndef AMPHI_NET_TCP_ISN_H
#define AMPHI_NET_TCP_ISN_H

#include "lwip/ip_addr.h"

/* Under the core lock. */
u32_t tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
	      u16_t remote_port);
/* Under the core lock: SipHash of the connection, the peer's ISN and the
 * cookie counter, under the same secret key. */
u32_t tcp_syn_cookie_hash(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
			  u16_t remote_port, u32_t peer_isn, u32_t count);

#endif
