/* lwIP includes <string.h>; the kernel has no C library, so this folder
 * (on the include path for network code only) points it at core/string.h. */
#ifndef AMPHI_NET_LWIP_STRING_H
#define AMPHI_NET_LWIP_STRING_H

#include "core/string.h"

#endif
