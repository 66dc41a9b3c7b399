/* RFC 6528 initial sequence numbers: ISN = M + F(addresses, ports, key),
 * M a clock ticking every 4 microseconds, F SipHash-2-4 under a key drawn
 * once per boot.  lwIP's own generator adds its tick count to a counter, so
 * one connection's ISN tells an off-path attacker the next one's; here
 * each connection's sequence space is unguessable, and one connection's
 * successive incarnations still start ever higher (the clock), which
 * TIME-WAIT needs. */
#include "net/tcp_isn.h"

#include <stdbool.h>

#include "core/random.h"
#include "core/string.h"
#include "core/timer.h"
#include "siphash.h"

static uint8_t key[16];
static bool keyed;

/* The 4-tuple as bytes: addresses as 16 bytes each (IPv4 in the first 4),
 * then the ports. */
static size_t tuple(uint8_t *b, const ip_addr_t *lip, u16_t lport, const ip_addr_t *rip,
		    u16_t rport)
{
	memset(b, 0, 36);
	memcpy(b, IP_IS_V6(lip) ? (const void *)ip_2_ip6(lip)->addr
				: (const void *)&ip_2_ip4(lip)->addr, IP_IS_V6(lip) ? 16 : 4);
	memcpy(b + 16, IP_IS_V6(rip) ? (const void *)ip_2_ip6(rip)->addr
				     : (const void *)&ip_2_ip4(rip)->addr, IP_IS_V6(rip) ? 16 : 4);
	memcpy(b + 32, &lport, 2);
	memcpy(b + 34, &rport, 2);
	return 36;
}

u32_t tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
	      u16_t remote_port)
{
	uint8_t b[36];

	if (!keyed) {	/* the core lock serialises the first calls */
		random_fill(key, sizeof key);
		keyed = true;
	}
	size_t n = tuple(b, local_ip, local_port, remote_ip, remote_port);
	return (u32_t)(clock_ns() / 4000) + (u32_t)siphash24(key, b, n);
}
