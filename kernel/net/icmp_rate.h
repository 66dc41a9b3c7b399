/* The rate of ICMP and ICMPv6 error messages (LWIP_HOOK_ICMP_ERROR_ALLOWED
 * in lwipopts.h, tools/patches/lwip/15-icmp-error-rate-hook.patch). */
#ifndef AMPHI_NET_ICMP_RATE_H
#define AMPHI_NET_ICMP_RATE_H

#include <stdbool.h>

/* Under the core lock: whether an error message may go now; each yes
 * spends a token. */
bool icmp_error_allowed(void);

#endif
