/* The headers of eth0's outgoing TCP frames, for the work a port does on
 * them: checksums (NET_PORT_TX_CSUM) and segmentation (netif_tx.c). */
#ifndef AMPHI_NET_NETIF_CSUM_H
#define AMPHI_NET_NETIF_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_tx_offload;

/* Ethernet + IP (options included) + TCP with options, at most. */
#define NETIF_CSUM_HDR_MAX	(14 + 60 + 60)

/* Where the headers of a TCP frame lie, as offsets from the frame's start. */
struct netif_tcp_frame {
	bool v6;
	uint16_t ip, tcp, hdr_len;	/* hdr_len: Ethernet, IP and TCP headers */
	uint32_t ip_len;		/* the IP packet's length, headers included */
};

/* Reads the headers at hdr (have bytes of them copied from the frame):
 * true and *f for an unfragmented TCP segment over IPv4 or IPv6 without
 * extension headers, false for anything else. */
bool netif_tcp_frame_parse(const uint8_t *hdr, size_t have, struct netif_tcp_frame *f);

/* Puts the pseudo-header sum (over the lengths now in the IP header) in
 * hdr's TCP checksum field, folded and not complemented, and tells the
 * port where the sum goes (o's start and offset). */
void netif_csum_prepare(uint8_t *hdr, const struct netif_tcp_frame *f, struct net_tx_offload *o);

#endif
