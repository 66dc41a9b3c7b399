/* Building Ethernet frames for the network server's tests (test_pkt.c,
 * test_ns_route.c): each helper appends one header in network byte order.
 * Checksums are left zero; nothing here looks at them. */
#ifndef AMPHI_TESTS_UNIT_FRAMES_H
#define AMPHI_TESTS_UNIT_FRAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct fb {
	uint8_t b[4096];
	size_t len;
};

static inline void fb_put(struct fb *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static inline void fb_zero(struct fb *f, size_t n)
{
	memset(f->b + f->len, 0, n);
	f->len += n;
}

static inline void fb_u8(struct fb *f, uint8_t v) { f->b[f->len++] = v; }

static inline void fb_u16(struct fb *f, uint16_t v)
{
	fb_u8(f, (uint8_t)(v >> 8));
	fb_u8(f, (uint8_t)v);
}

static inline void fb_u32(struct fb *f, uint32_t v)
{
	fb_u16(f, (uint16_t)(v >> 16));
	fb_u16(f, (uint16_t)v);
}

static inline void eth(struct fb *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	f->len = 0;
	fb_put(f, dst, 6);
	fb_put(f, src, 6);
	fb_u16(f, type);
}

/* Ethernet, IPv4 ARP. */
static inline void arp(struct fb *f, uint16_t htype, uint16_t op, const uint8_t *sha,
		       const uint8_t *spa, const uint8_t *tha, const uint8_t *tpa)
{
	fb_u16(f, htype);
	fb_u16(f, 0x0800);
	fb_u8(f, 6);
	fb_u8(f, 4);
	fb_u16(f, op);
	fb_put(f, sha, 6);
	fb_put(f, spa, 4);
	fb_put(f, tha, 6);
	fb_put(f, tpa, 4);
}

/* IPv4 with ihl 32-bit words of header (options are NOPs) and the
 * flags/fragment-offset field as given. */
static inline void ip4(struct fb *f, uint8_t proto, const uint8_t *src, const uint8_t *dst,
		       unsigned ihl, uint16_t frag, uint16_t id)
{
	fb_u8(f, (uint8_t)(0x40 | (ihl & 15)));
	fb_u8(f, 0);
	fb_u16(f, 1500);
	fb_u16(f, id);
	fb_u16(f, frag);
	fb_u8(f, 64);
	fb_u8(f, proto);
	fb_u16(f, 0);
	fb_put(f, src, 4);
	fb_put(f, dst, 4);
	for (unsigned i = 20; i < ihl * 4; i++)
		fb_u8(f, 1);
}

static inline void ip6(struct fb *f, uint8_t next, const uint8_t *src, const uint8_t *dst)
{
	fb_u32(f, 0x60000000);
	fb_u16(f, 1000);
	fb_u8(f, next);
	fb_u8(f, 64);
	fb_put(f, src, 16);
	fb_put(f, dst, 16);
}

/* An IPv6 extension header: hop-by-hop (0), routing (43), destination
 * options (60) in units of 8 bytes after the first 8, AH (51) in units of
 * 4 bytes after the first 8.  Padded with zeros (Pad1 options). */
static inline void ext6(struct fb *f, uint8_t type, uint8_t next, uint8_t hdrlen)
{
	size_t n = type == 51 ? (hdrlen + 2u) * 4 : (hdrlen + 1u) * 8;

	fb_u8(f, next);
	fb_u8(f, hdrlen);
	fb_zero(f, n - 2);
}

/* The fragment header: offset in 8-byte units. */
static inline void frag6(struct fb *f, uint8_t next, uint16_t offset, bool more, uint32_t id)
{
	fb_u8(f, next);
	fb_u8(f, 0);
	fb_u16(f, (uint16_t)(offset << 3 | more));
	fb_u32(f, id);
}

/* A TCP (20 bytes) or UDP (8 bytes) header: ports, then zeros. */
static inline void tcp(struct fb *f, uint16_t sport, uint16_t dport)
{
	fb_u16(f, sport);
	fb_u16(f, dport);
	fb_zero(f, 16);
}

static inline void udp(struct fb *f, uint16_t sport, uint16_t dport)
{
	fb_u16(f, sport);
	fb_u16(f, dport);
	fb_zero(f, 4);
}

/* An ICMP or ICMPv6 header, 8 bytes. */
static inline void icmp(struct fb *f, uint8_t type, uint8_t code)
{
	fb_u8(f, type);
	fb_u8(f, code);
	fb_zero(f, 6);
}

/* An ND message: NS, NA or redirect (and their target), RS, RA. */
static inline void nd(struct fb *f, uint8_t type, const uint8_t *target)
{
	icmp(f, type, 0);
	if (type == 134)
		fb_zero(f, 8);		/* reachable time, retransmission timer */
	if (target)
		fb_put(f, target, 16);
	if (type == 137)
		fb_zero(f, 16);		/* the redirect's destination */
}

/* xorshift64: the random tests' numbers, the same on every run. */
static inline uint32_t frames_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state >> 11);
}

/* An ND option: source (1) or target (2) link-layer address. */
static inline void nd_opt(struct fb *f, uint8_t type, const uint8_t *mac)
{
	fb_u8(f, type);
	fb_u8(f, 1);
	fb_put(f, mac, 6);
}

#endif
