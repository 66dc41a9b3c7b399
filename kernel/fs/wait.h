/* Blocking operations on files: the interruptible sleep of core/wait.h,
 * and whether a file lets its caller sleep at all. */
#ifndef AMPHI_FS_WAIT_H
#define AMPHI_FS_WAIT_H

#include "core/errno.h"
#include "core/sched.h"
#include "core/wait.h"
#include "fs/file.h"

/* Why a blocking operation on f may not sleep now: -EAGAIN for O_NONBLOCK,
 * -ERESTARTSYS for a pending signal; 0 if it may. */
static inline long wait_refusal(const struct file *f)
{
	return f->flags & O_NONBLOCK ? -EAGAIN : thread_signalled() ? -ERESTARTSYS : 0;
}

#endif
