/* A token bucket for the ICMP and ICMPv6 errors lwIP sends (port
 * unreachable, time exceeded, packet too big...), shared by both families
 * as Linux shares its net.ipv4.icmp_msgs_per_sec (1000) and
 * icmp_msgs_burst (50), whose values these are.  Without it a flood of
 * datagrams for closed ports doubles the guest's work, every one
 * answered, and makes it a reflector; RFC 4443 2.4 (f) requires the
 * limit for ICMPv6.  Errors for the guest's own loopback traffic are not
 * limited (Linux's per-peer limit spares loopback too): a program that
 * tries closed local ports quickly must see each refusal. */
#include "net/icmp_rate.h"

#include <stdint.h>

#include "lwip/ip.h"

#include "core/timer.h"

#define ERRORS_PER_SEC	1000
#define BURST		50
#define NS_PER_TOKEN	(1000000000ull / ERRORS_PER_SEC)

static uint64_t tokens = BURST;
static uint64_t refilled_at;	/* ns: tokens are counted up to here */

bool icmp_error_allowed(void)
{
	if (ip_addr_isloopback(ip_current_src_addr()))
		return true;	/* during input: the packet the error is for */
	uint64_t now = clock_ns(), earned = (now - refilled_at) / NS_PER_TOKEN;

	if (earned) {
		tokens = tokens + earned > BURST ? BURST : tokens + earned;
		refilled_at += earned * NS_PER_TOKEN;
	}
	if (!tokens)
		return false;
	tokens--;
	return true;
}
