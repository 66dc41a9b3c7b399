/* The futex system call: decoding op, the timeout, FUTEX_WAKE_OP's
 * arithmetic, in the order Linux checks them (the timeout before the
 * operation, so a bad timespec gives EFAULT or EINVAL even for an operation
 * that then fails).  The queues are in futex.c. */
#include <stdbool.h>

#include "core/errno.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/futex_internal.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAKE_OP		5
#define FUTEX_LOCK_PI		6
#define FUTEX_UNLOCK_PI		7
#define FUTEX_TRYLOCK_PI	8
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_WAIT_REQUEUE_PI	11
#define FUTEX_CMP_REQUEUE_PI	12
#define FUTEX_LOCK_PI2		13
#define FUTEX_PRIVATE		128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_CMD_MASK		(~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME))
#define FUTEX_OP_OPARG_SHIFT	8

static int32_t sign_extend12(uint32_t v) { return (int32_t)(v << 20) >> 20; }

static uint32_t op_result(int op, uint32_t old, uint32_t oparg)
{
	switch (op) {
	case 0: return oparg;
	case 1: return old + oparg;
	case 2: return old | oparg;
	case 3: return old & ~oparg;
	default: return old ^ oparg;
	}
}

static long op_compare(int cmp, int32_t old, int32_t cmparg)
{
	switch (cmp) {
	case 0: return old == cmparg;
	case 1: return old != cmparg;
	case 2: return old < cmparg;
	case 3: return old <= cmparg;
	case 4: return old > cmparg;
	case 5: return old >= cmparg;
	default: return -ENOSYS;
	}
}

long futex_op_apply(uint64_t uaddr, uint32_t encoded)
{
	int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	uint32_t oparg = (uint32_t)sign_extend12(encoded >> 12), old, found;
	int32_t cmparg = sign_extend12(encoded);

	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28))
		oparg = 1u << (oparg & 31);	/* Linux masks a bad shift (and logs it) */
	if (op > 4)
		return -ENOSYS;
	if (copy_from_user(&old, uaddr, sizeof old))
		return -EFAULT;
	/* Atomic against every other CPU's stores, as the x86 instructions
	 * Linux uses are: retry until the word did not change under us. */
	for (;; old = found) {
		if (cmpxchg_user32(uaddr, old, op_result(op, old, oparg), &found))
			return -EFAULT;
		if (found == old)
			break;
	}
	return op_compare(cmp, (int32_t)old, cmparg);
}

static long wait_restart(struct thread *t)
{
	return futex_wait(t->restart.uaddr, t->restart.shared, t->restart.val, t->restart.deadline,
			  t->restart.bitset);
}

long futex_wait_interrupted(uint64_t uaddr, bool shared, uint32_t val, uint64_t deadline,
			    uint32_t bitset)
{
	struct thread *t = current();

	t->restart.fn = wait_restart;
	t->restart.uaddr = uaddr;
	t->restart.shared = shared;
	t->restart.val = val;
	t->restart.deadline = deadline;
	t->restart.bitset = bitset;
	return -ERESTART_RESTARTBLOCK;
}

static bool has_timeout(int cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
	       cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI;
}

/* The deadline in clock_ns() terms: FUTEX_WAIT's timeout is relative, the
 * others' absolute (monotonic, or the wall clock with FUTEX_CLOCK_REALTIME). */
static long read_deadline(uint64_t uts, int cmd, bool realtime, uint64_t *deadline)
{
	uint64_t ns;
	long err = timespec_read_ns(uts, &ns);

	if (err)
		return err;
	if (cmd == FUTEX_WAIT)
		*deadline = clock_ns() + ns;
	else if (realtime)
		*deadline = ns > time_realtime_offset_ns() ? ns - time_realtime_offset_ns() : 1;
	else
		*deadline = ns ? ns : 1;
	return 0;
}

static long sys_futex(const struct sysargs *a)
{
	uint64_t uaddr = a->a[0], uts = a->a[3], uaddr2 = a->a[4];
	int cmd = (int)a->a[1] & FUTEX_CMD_MASK;
	bool shared = !(a->a[1] & FUTEX_PRIVATE), realtime = a->a[1] & FUTEX_CLOCK_REALTIME;
	uint32_t val = (uint32_t)a->a[2], val3 = (uint32_t)a->a[5];
	int val2 = (int)(uint32_t)uts;	/* a count, where the operation takes no timeout */
	uint64_t deadline = 0;
	long err;

	if (uts && has_timeout(cmd) && (err = read_deadline(uts, cmd, realtime, &deadline)))
		return err;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI &&
	    cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, shared, val, deadline, ~0u);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, shared, val, deadline, val3);
	case FUTEX_WAKE:
		return futex_wake_checked(uaddr, shared, (int)val, ~0u);
	case FUTEX_WAKE_BITSET:
		return futex_wake_checked(uaddr, shared, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, shared, (int)val, val2, uaddr2, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, shared, (int)val, val2, uaddr2, &val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, shared, (int)val, uaddr2, val2, val3);
	default:
		/* Unknown, and the priority-inheritance operations (LOCK_PI,
		 * UNLOCK_PI, TRYLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI,
		 * LOCK_PI2): not built, as on a Linux without CONFIG_FUTEX_PI. */
		return -ENOSYS;
	}
}

static const struct syscall_entry futex_calls[] = {
	{ 202, sys_futex },
};

SYSCALL_TABLE(futex_calls);
