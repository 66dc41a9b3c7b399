/* What the network server needs to know of an Ethernet frame to decide
 * where it goes: addresses, protocol, ports, and for ICMP errors the ports
 * of the packet they quote.  The frame comes from the wire or from an app
 * (untrusted either way): every header is bounds-checked against the
 * frame's length before it is read.  Freestanding. */
#ifndef AMPHI_LIB_PKT_H
#define AMPHI_LIB_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_ETH_ARP	0x0806
#define PKT_ETH_IP4	0x0800
#define PKT_ETH_IP6	0x86dd

#define PKT_PROTO_ICMP	1
#define PKT_PROTO_TCP	6
#define PKT_PROTO_UDP	17
#define PKT_PROTO_ICMP6	58

/* ICMPv6 types the server cares about (RFC 4443, 4861). */
#define PKT_ICMP6_RS	133
#define PKT_ICMP6_RA	134
#define PKT_ICMP6_NS	135
#define PKT_ICMP6_NA	136
#define PKT_ICMP6_REDIRECT 137

enum pkt_l3 { PKT_OTHER, PKT_ARP, PKT_IP4, PKT_IP6 };

/* The transport-level view of a packet: an IP packet's own, or the one an
 * ICMP error quotes. */
struct pkt_flow {
	uint8_t proto;		/* upper-layer protocol; 0 if not reached */
	bool has_ports;		/* TCP or UDP with its first 4 bytes present */
	uint16_t src_port, dst_port;
	uint8_t src[16], dst[16];	/* IPv4 in the first 4 bytes */
};

struct pkt_info {
	const uint8_t *dst_mac, *src_mac;	/* into the frame */
	uint16_t ethertype;
	enum pkt_l3 l3;

	/* ARP (Ethernet/IPv4 only; other hardware types are PKT_OTHER). */
	uint16_t arp_op;
	uint8_t arp_sha[6], arp_spa[4], arp_tpa[4];

	/* IPv4 and IPv6. */
	struct pkt_flow flow;
	bool fragment;		/* part of a fragmented datagram */
	bool later_fragment;	/* not the first: no transport header */
	uint32_t frag_id;
	uint8_t icmp_type, icmp_code;	/* ICMP or ICMPv6 */
	bool icmp_error;	/* quotes a packet: `inner` is its flow */
	struct pkt_flow inner;
	uint8_t nd_target[16];	/* NS, NA, redirect */
	/* The MAC that the source or target link-layer address options of an
	 * ND message (RS, RA, NS, NA, redirect) tell the receiver; all ones
	 * when two of them disagree.  Options after a malformed one do not
	 * count: the receiver drops the message. */
	bool nd_has_lladdr;
	uint8_t nd_lladdr[6];
};

/* Fills *pi from a frame.  Returns 0, or -EINVAL (-22) when the frame is
 * shorter than an Ethernet header or its IP header is malformed (bad
 * version, lengths that do not fit).  Anything it does not understand
 * beyond that is left as "unknown" (PKT_OTHER, proto 0), never an error. */
int pkt_parse(const void *frame, size_t len, struct pkt_info *pi);

bool pkt_mac_is_multicast(const uint8_t *mac);	/* broadcast included */

#endif
