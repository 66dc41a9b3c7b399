/* TCP checksums left to a port with NET_PORT_TX_CSUM (netif_csum.c). */
#ifndef AMPHI_NET_NETIF_CSUM_H
#define AMPHI_NET_NETIF_CSUM_H

#include <stddef.h>
#include <stdint.h>

struct pbuf;
struct net_tx_csum;

/* Ethernet + IP (options included) + TCP with options, at most. */
#define NETIF_CSUM_HDR_MAX	(14 + 60 + 60)

/* For a TCP frame: copies its headers into hdr (NETIF_CSUM_HDR_MAX bytes),
 * puts the pseudo-header sum in the copy's checksum field, fills *csum and
 * returns the headers' length.  0 for any other frame (nothing to do). */
size_t netif_csum_prepare(struct pbuf *p, uint8_t *hdr, struct net_tx_csum *csum);

#endif
