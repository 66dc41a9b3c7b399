/* lwIP's compiler and platform definitions for amphi: x86_64, little-endian,
 * no C library.  Diagnostics go to the kernel log, a failed lwIP assertion
 * (an internal invariant, never input from the network) panics. */
#ifndef AMPHI_NET_LWIP_ARCH_CC_H
#define AMPHI_NET_LWIP_ARCH_CC_H

#include <limits.h>
#include <stdint.h>

#include "core/printk.h"

#define BYTE_ORDER LITTLE_ENDIAN

/* No inttypes.h, ctype.h or unistd.h: lwIP's own fallbacks, and these. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"
typedef long ssize_t;
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* Linux's errno numbers, so err_to_errno() gives what programs expect. */
#define LWIP_ERRNO_INCLUDE "lwip_errno.h"

/* lwIP's byte swapping through the compiler's builtins. */
#define lwip_htons(x) __builtin_bswap16(x)
#define lwip_htonl(x) __builtin_bswap32(x)

#define LWIP_PLATFORM_DIAG(x) do { printk x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) panic("lwIP: %s at %s:%d", (x), __FILE__, __LINE__)

uint32_t net_rand32(void);
#define LWIP_RAND() net_rand32()

#endif
