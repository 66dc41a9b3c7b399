/* membarrier(2): a thread makes every other thread of its process (or of
 * the machine) execute a full memory barrier, so the others' fast paths
 * can do with compiler barriers alone (liburcu, .NET's and HotSpot's
 * garbage collectors).  The barrier is an interrupt on each CPU that may
 * be running them (core/mm.h's mm_barrier); a CPU that runs none of them
 * has switched threads since, which orders as much.
 *
 * The expedited commands need their REGISTER_ command first (EPERM), as
 * on Linux; the plain GLOBAL command, slow there (an RCU grace period),
 * is the same interrupt round here.  The rseq commands are EINVAL and not
 * in QUERY's answer, as on a Linux without CONFIG_RSEQ: amphi has no rseq. */
#include "core/errno.h"
#include "core/mm.h"
#include "linux/process.h"
#include "linux/syscall.h"

#define CMD_QUERY				0
#define CMD_GLOBAL				(1u << 0)
#define CMD_GLOBAL_EXPEDITED			(1u << 1)
#define CMD_REGISTER_GLOBAL_EXPEDITED		(1u << 2)
#define CMD_PRIVATE_EXPEDITED			(1u << 3)
#define CMD_REGISTER_PRIVATE_EXPEDITED		(1u << 4)
#define CMD_PRIVATE_EXPEDITED_SYNC_CORE		(1u << 5)
#define CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1u << 6)
#define CMD_GET_REGISTRATIONS			(1u << 9)
#define REGISTRATIONS	(CMD_REGISTER_GLOBAL_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED | \
			 CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE)
#define SUPPORTED	(CMD_GLOBAL | CMD_GLOBAL_EXPEDITED | CMD_PRIVATE_EXPEDITED | \
			 CMD_PRIVATE_EXPEDITED_SYNC_CORE | CMD_GET_REGISTRATIONS | REGISTRATIONS)

static unsigned registered(void)
{
	return __atomic_load_n(&process_current()->membarrier_registered, __ATOMIC_RELAXED);
}

/* The private barrier, once its registration was made. */
static long private_barrier(unsigned registration)
{
	if (!(registered() & registration))
		return -EPERM;
	mm_barrier(mm_current());
	return 0;
}

static long sys_membarrier(const struct sysargs *a)
{
	unsigned cmd = (unsigned)a->a[0];

	if (a->a[1] || (cmd & (cmd - 1)) || (cmd && !(cmd & SUPPORTED)))
		return -EINVAL;	/* flags only go with the rseq command */
	switch (cmd) {
	case CMD_QUERY:
		return SUPPORTED;
	case CMD_GET_REGISTRATIONS:
		return registered();
	case CMD_PRIVATE_EXPEDITED:
		return private_barrier(CMD_REGISTER_PRIVATE_EXPEDITED);
	case CMD_PRIVATE_EXPEDITED_SYNC_CORE:
		return private_barrier(CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE);
	case CMD_GLOBAL:
	case CMD_GLOBAL_EXPEDITED:
		mm_barrier(NULL);
		return 0;
	default:	/* one of REGISTRATIONS */
		__atomic_fetch_or(&process_current()->membarrier_registered, cmd, __ATOMIC_RELAXED);
		return 0;
	}
}

static const struct syscall_entry membarrier_calls[] = {
	{ 324, sys_membarrier },
};

SYSCALL_TABLE(membarrier_calls);
