/* TCP initial sequence numbers for lwIP (LWIP_HOOK_TCP_ISN in lwipopts.h). */
#ifndef AMPHI_NET_TCP_ISN_H
#define AMPHI_NET_TCP_ISN_H

#include "lwip/ip_addr.h"

/* Under the core lock. */
u32_t tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
	      u16_t remote_port);

#endif
