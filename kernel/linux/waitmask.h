/* The signal mask that ppoll, pselect6 and epoll_pwait take for as long as
 * they wait.  sigsuspend's rule: replaced now, put back on the way to user
 * mode (after the handler, if one runs).  The replacing is the signal
 * layer's (signal_mask_for_wait); until it offers it, the mask is checked
 * (size, readable) and not applied. */
#ifndef AMPHI_LINUX_WAITMASK_H
#define AMPHI_LINUX_WAITMASK_H

#include <stdint.h>

#include "core/errno.h"
#include "core/uaccess.h"

#define WAITMASK_SIZE 8		/* sizeof(kernel sigset_t) */

__attribute__((weak)) void signal_mask_for_wait(uint64_t mask);

/* umask 0: none.  0, -EINVAL (size), -EFAULT. */
static inline long waitmask_apply(uint64_t umask, uint64_t size)
{
	uint64_t mask;

	if (!umask)
		return 0;
	if (size != WAITMASK_SIZE)
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof mask))
		return -EFAULT;
	if (signal_mask_for_wait)
		signal_mask_for_wait(mask);
	return 0;
}

#endif
