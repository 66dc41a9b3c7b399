/* Identity and limits: uname, ids, getrandom, rlimits, prctl. */
#include "core/errno.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "linux/host.h"
#include "linux/process.h"
#include "linux/syscall.h"

#define RLIMIT_NLIMITS	16
#define RLIMIT_NOFILE	7
#define RLIM_INFINITY	(~0ull)
#define PR_SET_NAME	15
#define PR_GET_NAME	16

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct rlimit {
	uint64_t cur, max;
};

static struct rlimit limits[RLIMIT_NLIMITS];

static void init_limits(void)
{
	for (int i = 0; i < RLIMIT_NLIMITS; i++)
		limits[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	limits[3] = (struct rlimit){ 8 << 20, RLIM_INFINITY };	/* RLIMIT_STACK */
	limits[4] = (struct rlimit){ 0, RLIM_INFINITY };	/* RLIMIT_CORE */
	limits[7] = (struct rlimit){ 1024, 4096 };		/* RLIMIT_NOFILE */
}

/* The descriptor table enforces RLIMIT_NOFILE itself. */
static void set_limit(unsigned res, const struct rlimit *r)
{
	limits[res] = *r;
	if (res == RLIMIT_NOFILE)
		fd_set_limit(r->cur > FD_MAX ? FD_MAX : (int)r->cur);
}

static long sys_uname(const struct sysargs *a)
{
	struct utsname u = { "Linux", "", "6.1.0-amphi", "#1 SMP amphi", "x86_64", "" };

	host_names(u.nodename, u.domainname);	/* sethostname may have changed them */
	return copy_to_user(a->a[0], &u, sizeof u);
}

static long sys_getpid(const struct sysargs *a) { (void)a; return proc.pid; }
static long sys_getppid(const struct sysargs *a) { (void)a; return 1; }
static long sys_getid(const struct sysargs *a) { (void)a; return 0; }	/* root */

static long sys_getrandom(const struct sysargs *a)
{
	uint8_t chunk[256];
	uint64_t dst = a->a[0], len = a->a[1];

	if (a->a[2] & ~7ull)
		return -EINVAL;
	if (len > 33554431)
		len = 33554431;	/* Linux's cap for one call */
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
		random_fill(chunk, n);
		if (copy_to_user(dst + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}

static long sys_prlimit64(const struct sysargs *a)
{
	unsigned res = a->a[1];
	struct rlimit new;

	if (a->a[0] && a->a[0] != (uint64_t)proc.pid)
		return -ESRCH;
	if (res >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (a->a[2] && copy_from_user(&new, a->a[2], sizeof new))
		return -EFAULT;
	if (a->a[3] && copy_to_user(a->a[3], &limits[res], sizeof limits[res]))
		return -EFAULT;
	if (a->a[2]) {
		if (new.cur > new.max)
			return -EINVAL;
		set_limit(res, &new);
	}
	return 0;
}

static long sys_getrlimit(const struct sysargs *a)
{
	if (a->a[0] >= RLIMIT_NLIMITS)
		return -EINVAL;
	return copy_to_user(a->a[1], &limits[a->a[0]], sizeof limits[0]);
}

static long sys_setrlimit(const struct sysargs *a)
{
	struct rlimit new;

	if (a->a[0] >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&new, a->a[1], sizeof new))
		return -EFAULT;
	if (new.cur > new.max)
		return -EINVAL;
	set_limit(a->a[0], &new);
	return 0;
}

static long sys_prctl(const struct sysargs *a)
{
	struct thread *t = current();
	char name[16];
	long n;

	switch (a->a[0]) {
	case PR_SET_NAME:
		n = copy_string_from_user(name, a->a[1], sizeof name);
		if (n == -ENAMETOOLONG) {
			if (copy_from_user(name, a->a[1], sizeof name - 1))
				return -EFAULT;
			n = sizeof name - 1;
		}
		if (n < 0)
			return n;
		memset(t->name, 0, sizeof t->name);
		memcpy(t->name, name, n);
		return 0;
	case PR_GET_NAME:
		return copy_to_user(a->a[1], t->name, sizeof t->name);
	default:
		return -EINVAL;
	}
}

void sys_misc_register(void)
{
	init_limits();
	syscall_register(63, sys_uname);
	syscall_register(39, sys_getpid);
	syscall_register(110, sys_getppid);
	syscall_register(102, sys_getid);	/* getuid */
	syscall_register(107, sys_getid);	/* geteuid */
	syscall_register(104, sys_getid);	/* getgid */
	syscall_register(108, sys_getid);	/* getegid */
	syscall_register(318, sys_getrandom);
	syscall_register(302, sys_prlimit64);
	syscall_register(97, sys_getrlimit);
	syscall_register(160, sys_setrlimit);
	syscall_register(157, sys_prctl);
}
