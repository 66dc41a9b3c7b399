/* The sender's half of TCP checksum offload: the port (device) sums the
 * TCP header and data; we give it the pseudo-header's sum in the checksum
 * field, folded and not complemented, as virtio's VIRTIO_NET_HDR_F_NEEDS_CSUM
 * and every NIC with partial checksums expect.  The frames are lwIP's own
 * output, so malformed input is not a concern; anything but plain TCP over
 * IPv4 or IPv6 is left alone (lwIP summed it itself). */
#include "net/netif_csum.h"

#include "csum.h"
#include "net/port.h"

#define ETH_HLEN	14
#define TYPE_IP4	0x0800
#define TYPE_IP6	0x86dd
#define IP6_HLEN	40
#define PROTO_TCP	6
#define TCP_CSUM_OFF	16

static uint16_t be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

/* The IP header's length, or 0 when it does not carry a whole TCP segment. */
static size_t ip_header(const uint8_t *ip, size_t have, uint16_t type, struct netif_tcp_frame *f)
{
	if (type == TYPE_IP4) {
		size_t ihl = (size_t)(ip[0] & 0xf) * 4;
		f->ip_len = be16(ip + 2);
		f->v6 = false;
		if (have < 20 || ip[0] >> 4 != 4 || ihl < 20 || ip[9] != PROTO_TCP ||
		    (be16(ip + 6) & 0x3fff) || f->ip_len < ihl)
			return 0;
		return ihl;
	}
	if (type == TYPE_IP6) {
		f->ip_len = IP6_HLEN + be16(ip + 4);
		f->v6 = true;
		if (have < IP6_HLEN || ip[0] >> 4 != 6 || ip[6] != PROTO_TCP)
			return 0;
		return IP6_HLEN;
	}
	return 0;
}

bool netif_tcp_frame_parse(const uint8_t *hdr, size_t have, struct netif_tcp_frame *f)
{
	if (have < ETH_HLEN)
		return false;
	size_t ihl = ip_header(hdr + ETH_HLEN, have - ETH_HLEN, be16(hdr + 12), f);
	size_t tcp = ETH_HLEN + ihl;
	if (!ihl || have < tcp + 20)
		return false;
	size_t thl = (size_t)(hdr[tcp + 12] >> 4) * 4;
	if (thl < 20 || have < tcp + thl || f->ip_len < ihl + thl)
		return false;
	f->ip = ETH_HLEN;
	f->tcp = (uint16_t)tcp;
	f->hdr_len = (uint16_t)(tcp + thl);
	return true;
}

void netif_csum_prepare(uint8_t *hdr, const struct netif_tcp_frame *f, struct net_tx_offload *o)
{
	const uint8_t *ip = hdr + f->ip;
	uint32_t tcp_len = f->ip_len - (uint32_t)(f->tcp - f->ip);
	uint16_t sum = f->v6 ? csum_fold(ip + 8, 32, PROTO_TCP + tcp_len)
			     : csum_fold(ip + 12, 8, PROTO_TCP + tcp_len);

	hdr[f->tcp + TCP_CSUM_OFF] = (uint8_t)(sum >> 8);
	hdr[f->tcp + TCP_CSUM_OFF + 1] = (uint8_t)sum;
	o->start = f->tcp;
	o->offset = TCP_CSUM_OFF;
}
