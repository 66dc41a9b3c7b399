/* What lwIP calls through the hooks lwipopts.h defines; lwIP's own files
 * include this (LWIP_HOOK_FILENAME). */
#ifndef AMPHI_NET_LWIP_HOOKS_H
#define AMPHI_NET_LWIP_HOOKS_H

#include "net/icmp_rate.h"
#include "net/inet_icmp.h"
#include "net/tcp_isn.h"

struct pbuf;
struct tcp_seg;
/* net/sys_arch.c: takes a segment an ACK acknowledged, to free once the
 * core lock is let go.  Core lock held. */
void net_acked_seg_free(struct tcp_seg *seg);

/* net/netif_stats.c: lwIP's loopback queue took a packet of len bytes,
 * refused one, gave one to input; lo counts them.  Core lock held. */
void net_lo_sent(unsigned len);
void net_lo_dropped(void);
void net_lo_received(unsigned len);

/* net/inet_recv_ctl.c: keep the TTL or hop limit and the TOS or traffic
 * class of an IP packet about to be input on its pbuf (the header is at
 * its payload, not yet checked).  Core lock held. */
void inet_rx_header4(struct pbuf *p);
void inet_rx_header6(struct pbuf *p);

#endif
