/* The machine and what the program used of it: times, getrusage, sysinfo,
 * and the host and domain names that uname reports. */
#include "linux/host.h"

#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/cred.h"
#include "linux/loadavg.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define TICK_NS		10000000ull	/* clock_t ticks: USER_HZ = 100 */
#define RUSAGE_SELF	0
#define RUSAGE_THREAD	1
#define RUSAGE_CHILDREN	(-1)

static struct spinlock names_lock = SPINLOCK_INIT;	/* guards both names */
static char nodename[HOST_NAME_LEN] = "amphi";
static char domainname[HOST_NAME_LEN] = "(none)";

void host_names(char node[HOST_NAME_LEN], char domain[HOST_NAME_LEN])
{
	spin_lock(&names_lock);
	memcpy(node, nodename, HOST_NAME_LEN);
	memcpy(domain, domainname, HOST_NAME_LEN);
	spin_unlock(&names_lock);
}

void host_set_nodename(const char *name)
{
	size_t n = strnlen(name, HOST_NAME_LEN - 1);

	spin_lock(&names_lock);
	memcpy(nodename, name, n);
	nodename[n] = '\0';
	spin_unlock(&names_lock);
}

/* sethostname, setdomainname: len bytes, not NUL-terminated, at most 64;
 * CAP_SYS_ADMIN only. */
static long set_name(char *name, uint64_t uname, uint64_t len)
{
	char buf[HOST_NAME_LEN] = { 0 };

	if (!cred_capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len >= HOST_NAME_LEN)
		return -EINVAL;
	if (copy_from_user(buf, uname, len))
		return -EFAULT;
	spin_lock(&names_lock);
	memcpy(name, buf, HOST_NAME_LEN);
	spin_unlock(&names_lock);
	return 0;
}

static long sys_sethostname(const struct sysargs *a) { return set_name(nodename, a->a[0], a->a[1]); }
static long sys_setdomainname(const struct sysargs *a) { return set_name(domainname, a->a[0], a->a[1]); }

struct tms {
	int64_t utime, stime, cutime, cstime;
};

/* CPU time of the children the caller waited for, with their own
 * waited-for children's (process_reap adds it up). */
static uint64_t children_cpu_ns(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint64_t ns = process_current()->children_ns;

	spin_unlock_irqrestore(&sig_lock, flags);
	return ns;
}

/* All CPU time counts as user time: the kernel does not split it. */
static long sys_times(const struct sysargs *a)
{
	struct tms t = { .utime = signal_threads_cpu_ns() / TICK_NS,
			 .cutime = children_cpu_ns() / TICK_NS };

	if (a->a[0] && copy_to_user(a->a[0], &t, sizeof t))
		return -EFAULT;
	return clock_ns() / TICK_NS;
}

struct rusage {
	struct linux_timeval utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap;
	int64_t inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

static long sys_getrusage(const struct sysargs *a)
{
	struct rusage ru = { 0 };
	struct thread *t = current();
	uint64_t ns;

	switch ((int)a->a[0]) {
	case RUSAGE_SELF: ns = signal_threads_cpu_ns(); break;
	case RUSAGE_THREAD: ns = thread_cpu_ns(t); break;
	case RUSAGE_CHILDREN: ns = children_cpu_ns(); break;
	default: return -EINVAL;
	}
	ru.utime = (struct linux_timeval){ ns / 1000000000u, ns % 1000000000u / 1000 };
	/* The machine's memory in use stands in for the peak resident set. */
	if ((int)a->a[0] != RUSAGE_CHILDREN)
		ru.maxrss = (page_total_count() - page_free_count()) * 4;
	return copy_to_user(a->a[1], &ru, sizeof ru) ? -EFAULT : 0;
}

struct sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
};

#define SI_LOAD_SHIFT	16	/* sysinfo's loads' fixed point */

static long sys_sysinfo(const struct sysargs *a)
{
	struct sysinfo si;
	unsigned long avg[3];

	memset(&si, 0, sizeof si);	/* the padding too: it is copied out */
	si.uptime = (int64_t)(clock_ns() / 1000000000u);
	loadavg_get(avg);
	for (int k = 0; k < 3; k++)
		si.loads[k] = (uint64_t)avg[k] << (SI_LOAD_SHIFT - LOADAVG_SHIFT);
	si.totalram = page_total_count() * 4096;
	si.freeram = page_free_count() * 4096;
	si.procs = (uint16_t)sched_thread_count();
	si.mem_unit = 1;
	return copy_to_user(a->a[0], &si, sizeof si) ? -EFAULT : 0;
}

static const struct syscall_entry resource_calls[] = {
	{ 170, sys_sethostname },
	{ 171, sys_setdomainname },
	{ 100, sys_times },
	{ 98, sys_getrusage },
	{ 99, sys_sysinfo },
};

SYSCALL_TABLE(resource_calls);
