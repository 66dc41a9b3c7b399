/* The sender's half of TCP checksum offload: the port (device) sums the
 * TCP header and data; we give it the pseudo-header's sum in the checksum
 * field, folded and not complemented, as virtio's VIRTIO_NET_HDR_F_NEEDS_CSUM
 * and every NIC with partial checksums expect.  The frames are lwIP's own
 * output, so malformed input is not a concern; anything but plain TCP over
 * IPv4 or IPv6 is left alone (lwIP summed it itself). */
#include "net/netif_csum.h"

#include "lwip/pbuf.h"

#include "net/port.h"

#define ETH_HLEN	14
#define TYPE_IP4	0x0800
#define TYPE_IP6	0x86dd
#define PROTO_TCP	6
#define TCP_CSUM_OFF	16

static uint16_t be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

static uint32_t sum_words(const uint8_t *b, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += be16(b + i);
	return s;
}

/* The pseudo-header's sum for the IP header at ip, and the TCP header's
 * offset from it; 0 offset when it is not an unfragmented TCP packet. */
static size_t pseudo_sum(const uint8_t *ip, size_t have, uint16_t type, uint32_t *sum)
{
	if (type == TYPE_IP4) {
		size_t ihl = (size_t)(ip[0] & 0xf) * 4;
		uint16_t total = be16(ip + 2);
		if (have < 20 || ip[0] >> 4 != 4 || ihl < 20 || ip[9] != PROTO_TCP ||
		    (be16(ip + 6) & 0x3fff) || total < ihl)
			return 0;
		*sum = sum_words(ip + 12, 8) + PROTO_TCP + (uint32_t)(total - ihl);
		return ihl;
	}
	if (type == TYPE_IP6) {
		if (have < 40 || ip[0] >> 4 != 6 || ip[6] != PROTO_TCP)
			return 0;
		*sum = sum_words(ip + 8, 32) + PROTO_TCP + be16(ip + 4);
		return 40;
	}
	return 0;
}

size_t netif_csum_prepare(struct pbuf *p, uint8_t *hdr, struct net_tx_csum *csum)
{
	size_t have = pbuf_copy_partial(p, hdr, NETIF_CSUM_HDR_MAX, 0);
	uint32_t sum = 0;

	if (have < ETH_HLEN)
		return 0;
	size_t ihl = pseudo_sum(hdr + ETH_HLEN, have - ETH_HLEN, be16(hdr + 12), &sum);
	size_t tcp = ETH_HLEN + ihl;
	if (!ihl || have < tcp + 20)
		return 0;
	size_t thl = (size_t)(hdr[tcp + 12] >> 4) * 4;
	if (thl < 20 || have < tcp + thl)
		return 0;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	hdr[tcp + TCP_CSUM_OFF] = (uint8_t)(sum >> 8);
	hdr[tcp + TCP_CSUM_OFF + 1] = (uint8_t)sum;
	csum->start = (uint16_t)tcp;
	csum->offset = TCP_CSUM_OFF;
	return tcp + thl;
}
