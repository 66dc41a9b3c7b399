/* The small system calls every runtime makes at start-up, each checked for a
 * Linux-like answer.  argv[1] is the program's absolute path as the host
 * sees it: readlink("/proc/self/exe") must name it.  Prints one "<what> ok"
 * line per check and "misc ok" at the end; a failure prints "FAIL: ..." and
 * the status is 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static int failures;

__attribute__((format(printf, 2, 3)))
static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok) {
		printf("FAIL: ");
		failures++;
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void check_uname(void)
{
	struct utsname u;

	if (uname(&u)) {
		result(0, "uname: errno %d", errno);
		return;
	}
	if (strcmp(u.sysname, "Linux") == 0 && strcmp(u.machine, "x86_64") == 0 &&
	    u.release[0] >= '1' && u.release[0] <= '9')
		result(1, "uname ok");
	else
		result(0, "uname: sysname=%s machine=%s release=%s", u.sysname, u.machine,
		       u.release);
}

static void check_ids(void)
{
	pid_t pid = getpid(), tid = (pid_t)syscall(SYS_gettid), ppid = getppid();

	if (pid > 0 && tid == pid && ppid >= 0)
		result(1, "pid ok");
	else
		result(0, "pid: getpid %d, gettid %d, getppid %d", pid, tid, ppid);
	if (getuid() == geteuid() && getgid() == getegid())
		result(1, "uid ok");
	else
		result(0, "uid: uid %d euid %d gid %d egid %d", getuid(), geteuid(), getgid(),
		       getegid());
}

static void check_random(void)
{
	unsigned char b[32] = { 0 };
	ssize_t n = getrandom(b, sizeof b, 0);
	int nonzero = 0;

	for (size_t i = 0; i < sizeof b; i++)
		nonzero |= b[i];
	if (n != (ssize_t)sizeof b)
		result(0, "getrandom returned %zd (errno %d)", n, errno);
	else
		result(nonzero, "getrandom%s", nonzero ? " ok" : ": 32 zero bytes");
}

static void check_exe(const char *want)
{
	char buf[PATH_MAX + 1];
	ssize_t n = readlink("/proc/self/exe", buf, PATH_MAX);

	if (n < 0) {
		result(0, "readlink /proc/self/exe: errno %d", errno);
		return;
	}
	buf[n] = 0;
	if (want ? strcmp(buf, want) == 0 : buf[0] == '/')
		result(1, "exe ok");
	else
		result(0, "exe: /proc/self/exe is %s, expected %s", buf, want ? want : "a full path");
}

static void check_rlimit(void)
{
	struct rlimit r, p;

	if (getrlimit(RLIMIT_STACK, &r)) {
		result(0, "getrlimit(RLIMIT_STACK): errno %d", errno);
		return;
	}
	if (prlimit(0, RLIMIT_STACK, NULL, &p)) {
		result(0, "prlimit(RLIMIT_STACK): errno %d", errno);
		return;
	}
	int sane = r.rlim_cur >= 64 * 1024 && (r.rlim_max == RLIM_INFINITY || r.rlim_cur <= r.rlim_max) &&
		   p.rlim_cur == r.rlim_cur && p.rlim_max == r.rlim_max;
	result(sane, "rlimit%s", sane ? " ok" : ": RLIMIT_STACK not sane");
}

/* Whatever the answer (a pipe is not a tty), the calls must return. */
static void check_tty(void)
{
	struct winsize ws;

	(void)isatty(0);
	(void)isatty(1);
	(void)ioctl(1, TIOCGWINSZ, &ws);
	result(1, "tty ok");
}

static void check_clock(void)
{
	struct timespec rt, mono1, mono2;
	struct timeval tv;
	time_t t;

	clock_gettime(CLOCK_MONOTONIC, &mono1);
	clock_gettime(CLOCK_REALTIME, &rt);
	gettimeofday(&tv, NULL);
	t = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &mono2);

	long long y2020 = 1577836800;	/* 2020-01-01 00:00:00 UTC */
	int ok = rt.tv_sec > y2020 && tv.tv_sec >= rt.tv_sec && tv.tv_sec - rt.tv_sec < 5 &&
		 t >= rt.tv_sec && t - rt.tv_sec < 5 && rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000 &&
		 (mono2.tv_sec > mono1.tv_sec ||
		  (mono2.tv_sec == mono1.tv_sec && mono2.tv_nsec >= mono1.tv_nsec));
	if (ok)
		result(1, "clock ok");
	else
		result(0, "clock: realtime %lld.%09ld, gettimeofday %lld, time %lld",
		       (long long)rt.tv_sec, rt.tv_nsec, (long long)tv.tv_sec, (long long)t);
}

static void check_cpus(void)
{
	cpu_set_t set;
	unsigned cpu = ~0u, node = ~0u;

	if (sched_getaffinity(0, sizeof set, &set)) {
		result(0, "sched_getaffinity: errno %d", errno);
		return;
	}
	int n = CPU_COUNT(&set);
	long r = syscall(SYS_getcpu, &cpu, &node, NULL);
	int ok = n >= 1 && r == 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set) &&
		 sysconf(_SC_NPROCESSORS_ONLN) == n;
	result(ok, "cpus%s", ok ? " ok" : ": affinity, getcpu and sysconf disagree");
	result(sched_yield() == 0, "sched_yield ok");
}

/* A system call nobody implements must fail cleanly with ENOSYS. */
static void check_enosys(void)
{
	long r = syscall(1000, 0, 0, 0);

	if (r == -1 && errno == ENOSYS)
		result(1, "enosys ok");
	else
		result(0, "enosys: syscall 1000 returned %ld, errno %d", r, errno);
}

int main(int argc, char **argv)
{
	check_uname();
	check_ids();
	check_random();
	check_exe(argc > 1 ? argv[1] : NULL);
	check_rlimit();
	check_tty();
	check_clock();
	check_cpus();
	check_enosys();
	if (failures)
		return 1;
	printf("misc ok\n");
	return 0;
}
