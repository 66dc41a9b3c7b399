/* Between futex.c (the queues) and sys_futex.c (the system call). */
#ifndef AMPHI_LINUX_FUTEX_INTERNAL_H
#define AMPHI_LINUX_FUTEX_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/* futex.c.  Each checks its words as Linux's get_futex_key does: -EINVAL
 * when misaligned, -EFAULT outside the user half or, for a shared futex,
 * when the word cannot be read. */
int futex_key_check(uint64_t uaddr, bool shared);
/* Sleeps while the word holds val, until a wake-up that meets bitset or
 * deadline (clock_ns terms, 0: none): 0, -EAGAIN, -ETIMEDOUT, -EFAULT,
 * -ERESTARTSYS, or -ERESTART_RESTARTBLOCK for a timed wait a signal ended
 * (restart_syscall resumes it with the same deadline). */
long futex_wait(uint64_t uaddr, bool shared, uint32_t val, uint64_t deadline, uint32_t bitset);
long futex_wake_checked(uint64_t uaddr, bool shared, int n, uint32_t bitset);
/* REQUEUE (cmpval NULL) and CMP_REQUEUE: woken plus moved, or -errno. */
long futex_requeue(uint64_t uaddr, bool shared, int nwake, int nmove, uint64_t uaddr2,
		   const uint32_t *cmpval);
long futex_wake_op(uint64_t uaddr, bool shared, int n, uint64_t uaddr2, int n2, uint32_t encoded);

/* sys_futex.c */
/* Applies FUTEX_WAKE_OP's operation to the word at uaddr atomically: 1 if
 * its comparison holds for the old value, 0 if not, -ENOSYS (an unknown
 * operation or comparison), or -EFAULT with the word unchanged.  Under the
 * bucket locks, as a no-sleep copy (core/uaccess.h). */
long futex_op_apply(uint64_t uaddr, uint32_t encoded);
/* Records a timed wait a signal ended, for restart_syscall. */
long futex_wait_interrupted(uint64_t uaddr, bool shared, uint32_t val, uint64_t deadline,
			    uint32_t bitset);

#endif
