/* What lwIP calls through the hooks lwipopts.h defines; lwIP's own files
 * include this (LWIP_HOOK_FILENAME). */
#ifndef AMPHI_NET_LWIP_HOOKS_H
#define AMPHI_NET_LWIP_HOOKS_H

#include "net/icmp_rate.h"
#include "net/inet_icmp.h"
#include "net/tcp_isn.h"

struct tcp_seg;
/* net/sys_arch.c: takes a segment an ACK acknowledged, to free once the
 * core lock is let go.  Core lock held. */
void net_acked_seg_free(struct tcp_seg *seg);

/* net/netif_stats.c: lwIP's loopback queue took a packet of len bytes,
 * refused one, gave one to input; lo counts them.  Core lock held. */
void net_lo_sent(unsigned len);
void net_lo_dropped(void);
void net_lo_received(unsigned len);

#endif
