/* Identity and limits: uname, ids, personality, getrandom, rlimits (each process's,
 * inherited on fork), prctl. */
#include "core/errno.h"
#include "core/mm.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "fs/fdtable.h"
#include "linux/cred.h"
#include "linux/fd.h"
#include "linux/host.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define NR_OPEN		1048576	/* Linux's fs.nr_open */
#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME	15
#define PR_GET_NAME	16
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

/* Guards every process's limits; taken with interrupts off, since the
 * RLIMIT_CPU timer raises a soft limit (rlimit_cpu.c). */
static struct spinlock limits_lock = SPINLOCK_INIT;

/* The caller's limit res: the old one to *old, and *new (if not NULL) in
 * its place; raising the hard limit takes CAP_SYS_RESOURCE.  Checked and
 * set in one hold of the lock, so a hard limit lowered meanwhile (by
 * another thread, or another process's prlimit) is not raised back.  The
 * descriptor table enforces RLIMIT_NOFILE itself (for the caller's own
 * limits: another process's table keeps its limit until it sets one). */
static long set_own_limit(unsigned res, const struct rlimit *new, struct rlimit *old)
{
	struct process *p = process_current();
	bool privileged = new && cred_capable(CAP_SYS_RESOURCE);
	long err = 0;

	uint64_t flags = spin_lock_irqsave(&limits_lock);
	*old = p->limits[res];
	if (new && new->max > old->max && !privileged)
		err = -EPERM;
	else if (new)
		p->limits[res] = *new;
	if (new && !err && res == RLIMIT_NOFILE)
		fd_set_limit(new->cur > FD_MAX ? FD_MAX : (int)new->cur);
	if (new && !err)
		process_limit_to_mm(mm_current(), res, new);
	spin_unlock_irqrestore(&limits_lock, flags);
	if (new && !err && res == RLIMIT_CPU)
		cpu_limit_update(p);
	return err;
}

void process_limit_to_mm(struct mm *mm, unsigned res, const struct rlimit *r)
{
	if (res == RLIMIT_AS)
		vm_set_limit(mm, VM_LIMIT_AS, r->cur);
	else if (res == RLIMIT_DATA)	/* a soft limit of 0 is the hard one (Linux's Valgrind rule) */
		vm_set_limit(mm, VM_LIMIT_DATA, r->cur ? r->cur : r->max);
	else if (res == RLIMIT_MEMLOCK)
		vm_set_limit(mm, VM_LIMIT_LOCKED, r->cur);
}

void process_limits_to_mm(struct process *p, struct mm *mm)
{
	static const unsigned kept[] = { RLIMIT_AS, RLIMIT_DATA, RLIMIT_MEMLOCK };

	for (unsigned k = 0; k < sizeof kept / sizeof kept[0]; k++) {
		struct rlimit r = process_limit(p, kept[k]);
		process_limit_to_mm(mm, kept[k], &r);
	}
}

struct rlimit process_limit(struct process *p, unsigned res)
{
	uint64_t flags = spin_lock_irqsave(&limits_lock);
	struct rlimit r = p->limits[res];
	spin_unlock_irqrestore(&limits_lock, flags);
	return r;
}

void process_limit_raise_soft(struct process *p, unsigned res, uint64_t from)
{
	uint64_t flags = spin_lock_irqsave(&limits_lock);

	if (p->limits[res].cur == from)
		p->limits[res].cur = from + 1;
	spin_unlock_irqrestore(&limits_lock, flags);
}

uint64_t process_soft_limit(struct process *p, unsigned res)
{
	return __atomic_load_n(&p->limits[res].cur, __ATOMIC_RELAXED);
}

/* A limit no process may be given: a soft one above its hard one, or
 * more descriptors than Linux's fs.nr_open default, whoever asks. */
static long limit_invalid(unsigned res, const struct rlimit *new)
{
	if (new->cur > new->max)
		return -EINVAL;
	return res == RLIMIT_NOFILE && new->max > NR_OPEN ? -EPERM : 0;
}

/* Another process's limits: one whose ids are all the caller's, or
 * CAP_SYS_RESOURCE (Linux's check_prlimit_permission).  Caller holds
 * sig_lock. */
static bool may_reach_limits(const struct process *p)
{
	const struct process_cred *me = &process_current()->cred, *c = &p->cred;

	if (me->cap_effective >> CAP_SYS_RESOURCE & 1)
		return true;
	return me->uid[0] == c->uid[0] && me->uid[0] == c->uid[1] && me->uid[0] == c->uid[2] &&
	       me->gid[0] == c->gid[0] && me->gid[0] == c->gid[1] && me->gid[0] == c->gid[2];
}

static long sys_uname(const struct sysargs *a)
{
	struct utsname u = { "Linux", "", "6.1.0-amphi", "#1 SMP amphi", "x86_64", "" };

	host_names(u.nodename, u.domainname);	/* sethostname may have changed them */
	return copy_to_user(a->a[0], &u, sizeof u);
}

static long sys_getpid(const struct sysargs *a) { (void)a; return current()->tgid; }

/* init's parent is outside the container: 0, as there. */
static long sys_getppid(const struct sysargs *a)
{
	(void)a;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *parent = process_current()->parent;
	int ppid = parent ? parent->pid : 0;
	spin_unlock_irqrestore(&sig_lock, flags);
	return ppid;
}

/* Copies chunk[n] to dst as far as dst is mapped: the bytes before the
 * first that faults (a copy that fails writes nothing, so the chunk that
 * meets the end of the buffer goes a byte at a time). */
static size_t copy_to_user_partial(uint64_t dst, const uint8_t *chunk, size_t n)
{
	size_t i = 0;

	if (!copy_to_user(dst, chunk, n))
		return n;
	while (i < n && !copy_to_user(dst + i, chunk + i, 1))
		i++;
	return i;
}

/* A buffer mapped for less than len gets what fits, and its length, as
 * on Linux; -EFAULT only when not a byte fits. */
static long sys_getrandom(const struct sysargs *a)
{
	uint8_t chunk[256];
	uint64_t dst = a->a[0], len = a->a[1];

	/* GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE; the last two exclude
	 * each other (Linux: EINVAL). */
	if ((a->a[2] & ~7ull) || (a->a[2] & 6) == 6)
		return -EINVAL;
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	uint64_t done = 0;
	while (done < len) {
		size_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
		random_fill(chunk, n);
		size_t put = copy_to_user_partial(dst + done, chunk, n);
		done += put;
		if (put < n)
			break;
		/* A long call ends at a page for a signal, as Linux's does:
		 * 2 GiB takes minutes under TCG, and SIGKILL must not wait. */
		if (done % 4096 == 0 && done < len) {
			if (thread_signalled())
				break;
			sched_yield_if_queued();
		}
	}
	return done || !len ? (long)done : -EFAULT;
}

/* Another process's limits: read and set under sig_lock, so it cannot be
 * freed meanwhile.  Its descriptor table keeps the RLIMIT_NOFILE it had
 * until it sets one itself; its address space takes RLIMIT_AS, RLIMIT_DATA
 * and RLIMIT_MEMLOCK at once. */
static long other_limit(int pid, unsigned res, const struct rlimit *new, struct rlimit *old)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = pid > 0 ? process_find(pid) : NULL;
	long err = p && p->state == PROCESS_ALIVE ? 0 : -ESRCH;
	bool privileged = process_current()->cred.cap_effective >> CAP_SYS_RESOURCE & 1;

	if (!err && !may_reach_limits(p))
		err = -EPERM;
	if (!err) {	/* checked and set in one hold, as set_own_limit */
		spin_lock(&limits_lock);
		*old = p->limits[res];
		if (new && new->max > old->max && !privileged)
			err = -EPERM;
		else if (new)
			p->limits[res] = *new;
		spin_unlock(&limits_lock);
		struct thread *t = process_any_thread(p);
		if (!err && new && t)
			process_limit_to_mm(t->mm, res, new);
		if (!err && new && res == RLIMIT_CPU)
			cpu_limit_update(p);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

static long sys_prlimit64(const struct sysargs *a)
{
	int pid = (int)a->a[0];
	unsigned res = a->a[1];
	struct rlimit new, old;
	long err = 0;

	if (res >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (a->a[2] && copy_from_user(&new, a->a[2], sizeof new))
		return -EFAULT;
	if (a->a[2] && (err = limit_invalid(res, &new)))
		return err;
	if (pid && pid != current()->tgid) {
		err = other_limit(pid, res, a->a[2] ? &new : NULL, &old);
	} else {
		err = set_own_limit(res, a->a[2] ? &new : NULL, &old);
	}
	if (!err && a->a[3] && copy_to_user(a->a[3], &old, sizeof old))
		err = -EFAULT;
	return err;
}

static long sys_getrlimit(const struct sysargs *a)
{
	if (a->a[0] >= RLIMIT_NLIMITS)
		return -EINVAL;
	struct rlimit r = process_limit(process_current(), a->a[0]);
	return copy_to_user(a->a[1], &r, sizeof r);
}

static long sys_setrlimit(const struct sysargs *a)
{
	struct rlimit new;

	if (a->a[0] >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&new, a->a[1], sizeof new))
		return -EFAULT;
	struct rlimit old;
	long err = limit_invalid(a->a[0], &new);

	return err ? err : set_own_limit(a->a[0], &new, &old);
}

/* PR_SET_NAME's name: at most 15 bytes, read one by one as Linux's
 * strncpy_from_user reads them, so a name with no NUL in them is cut and
 * nothing past them is looked at (a name ending just before unmapped
 * memory is taken, as there). */
static long comm_from_user(char name[16], uint64_t uname)
{
	memset(name, 0, 16);
	for (int i = 0; i < 15; i++) {
		if (copy_from_user(&name[i], uname + i, 1))
			return -EFAULT;
		if (!name[i])
			break;
	}
	return 0;
}

static long sys_prctl(const struct sysargs *a)
{
	struct thread *t = current();
	char name[16];
	long n;

	switch (a->a[0]) {
	case PR_SET_PDEATHSIG:
		if (a->a[1] > NSIG)
			return -EINVAL;
		process_current()->pdeath_signal = (int)a->a[1];
		return 0;
	case PR_GET_PDEATHSIG: {
		int sig = process_current()->pdeath_signal;
		return copy_to_user(a->a[1], &sig, sizeof sig);
	}
	case PR_SET_DUMPABLE:	/* nothing is ever dumped: kept to be read back */
		if (a->a[1] > 1)
			return -EINVAL;
		process_current()->undumpable = !a->a[1];
		return 0;
	case PR_GET_DUMPABLE:
		return !process_current()->undumpable;
	case PR_SET_CHILD_SUBREAPER:
		process_current()->child_subreaper = a->a[1] != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int on = process_current()->child_subreaper;
		return copy_to_user(a->a[1], &on, sizeof on);
	}
	case PR_SET_NAME:
		if (comm_from_user(name, a->a[1]))
			return -EFAULT;
		memcpy(t->name, name, sizeof t->name);
		if (t->tid == t->tgid)	/* the process's name is its first thread's */
			memcpy(process_current()->comm, t->name, sizeof t->name);
		return 0;
	case PR_GET_NAME:
		return copy_to_user(a->a[1], t->name, sizeof t->name);
	default:
		n = sys_caps_prctl(a);
		return n == -ENOSYS ? -EINVAL : n;
	}
}

/* personality(2): 0xffffffff asks; anything else is taken, as Linux's
 * takes it; the old one comes back. */
static long sys_personality(const struct sysargs *a)
{
	unsigned *p = &process_current()->personality, want = (unsigned)a->a[0];

	if (want == 0xffffffffu)
		return __atomic_load_n(p, __ATOMIC_RELAXED);
	return __atomic_exchange_n(p, want, __ATOMIC_RELAXED);
}

static const struct syscall_entry misc_calls[] = {
	{ 135, sys_personality },
	{ 63, sys_uname },
	{ 39, sys_getpid },
	{ 110, sys_getppid },
	{ 318, sys_getrandom },
	{ 302, sys_prlimit64 },
	{ 97, sys_getrlimit },
	{ 160, sys_setrlimit },
	{ 157, sys_prctl },
};

SYSCALL_TABLE(misc_calls);
