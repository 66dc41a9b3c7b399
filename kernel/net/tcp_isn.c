/* RFC 6528 initial sequence numbers: ISN = M + F(addresses, ports, key),
 * M a clock ticking every 4 microseconds, F SipHash-2-4 under a key drawn
 * once per boot.  lwIP's own generator adds its tick count to a counter, so
 * one connection's ISN tells an off-path attacker the next one's; here
 * each connection's sequence space is unguessable, and one connection's
 * successive incarnations still start ever higher (the clock), which
 * TIME-WAIT needs.  SYN cookies (lwIP's LWIP_HOOK_TCP_SYN_COOKIE) are the
 * same keyed hash of the connection, with the peer's ISN and lwIP's
 * counter added. */
#include "net/tcp_isn.h"

#include <stdbool.h>

#include "core/random.h"
#include "core/string.h"
#include "core/timer.h"
#include "siphash.h"

static uint8_t key[16];
static bool keyed;

#define TUPLE_LEN 36	/* both addresses, then both ports */

/* An address in 16 bytes (IPv4 in the first 4, the rest zero). */
static void put_addr(uint8_t *at, const ip_addr_t *a)
{
	memset(at, 0, 16);
	if (IP_IS_V6(a))
		memcpy(at, ip_2_ip6(a)->addr, 16);
	else
		memcpy(at, &ip_2_ip4(a)->addr, 4);
}

/* The connection's addresses and ports in b; draws the key on first use
 * (the core lock serialises the first calls). */
static void put_tuple(uint8_t *b, const ip_addr_t *local_ip, u16_t local_port,
		      const ip_addr_t *remote_ip, u16_t remote_port)
{
	if (!keyed) {
		random_fill(key, sizeof key);
		keyed = true;
	}
	put_addr(b, local_ip);
	put_addr(b + 16, remote_ip);
	memcpy(b + 32, &local_port, 2);
	memcpy(b + 34, &remote_port, 2);
}

u32_t tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
	      u16_t remote_port)
{
	uint8_t b[TUPLE_LEN];

	put_tuple(b, local_ip, local_port, remote_ip, remote_port);
	return (u32_t)(clock_ns() / 4000) + (u32_t)siphash24(key, b, sizeof b);
}

u32_t tcp_syn_cookie_hash(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
			  u16_t remote_port, u32_t peer_isn, u32_t count)
{
	uint8_t b[TUPLE_LEN + 8];

	put_tuple(b, local_ip, local_port, remote_ip, remote_port);
	memcpy(b + TUPLE_LEN, &peer_isn, 4);
	memcpy(b + TUPLE_LEN + 4, &count, 4);
	return (u32_t)siphash24(key, b, sizeof b);
}
