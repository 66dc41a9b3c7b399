/* The errno numbers lwIP's err_to_errno() maps to: Linux's, from the
 * kernel, plus the alias lwIP uses that errno.h leaves out. */
#ifndef AMPHI_NET_LWIP_ERRNO_H
#define AMPHI_NET_LWIP_ERRNO_H

#include "core/errno.h"

#ifndef EWOULDBLOCK
#define EWOULDBLOCK EAGAIN
#endif

#endif
