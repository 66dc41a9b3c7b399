/* The signal mask that ppoll, pselect6 and epoll_pwait take for as long as
 * they wait (sigsuspend's rule, linux/signal.h: signal_mask_for_wait). */
#ifndef AMPHI_LINUX_WAITMASK_H
#define AMPHI_LINUX_WAITMASK_H

#include <stdint.h>

#include "core/errno.h"
#include "core/uaccess.h"
#include "linux/signal.h"

#define WAITMASK_SIZE 8		/* sizeof(kernel sigset_t) */

/* Applies the mask at umask (0: none, nothing changes).  0, -EINVAL for a
 * size other than the kernel's sigset_t, -EFAULT. */
static inline long waitmask_apply(uint64_t umask, uint64_t size)
{
	uint64_t mask;

	if (!umask)
		return 0;
	if (size != WAITMASK_SIZE)
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof mask))
		return -EFAULT;
	signal_mask_for_wait(mask);
	return 0;
}

#endif
