/* ICMP errors for the UDP, raw and TCP sockets they concern, which lwIP
 * drops (inet_icmp.c says how each hears of them).  lwIP calls these for every IP packet
 * it receives, before its own checks (LWIP_HOOK_IP4_INPUT/IP6_INPUT in
 * lwipopts.h), under the core lock; they never consume the packet. */
#ifndef AMPHI_NET_INET_ICMP_H
#define AMPHI_NET_INET_ICMP_H

struct pbuf;
struct netif;

int inet_icmp4_input(struct pbuf *p, struct netif *inp);
int inet_icmp6_input(struct pbuf *p, struct netif *inp);

#endif
