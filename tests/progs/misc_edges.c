/* Bad arguments a hostile program may give the time, credential and
 * miscellaneous calls, one case per argument; each prints what it got
 * (a result or errno's name), the same as on Linux.
 *   sysinfo   the bytes of struct sysinfo no field covers (after procs'
 *             padding, after mem_unit): Linux writes them as 0, never
 *             what its stack held.
 *   comm      PR_SET_NAME with 15 bytes and no NUL before an unmapped
 *             page: Linux reads 15 bytes at most, so it is taken.
 *   grnd      getrandom's flags: GRND_RANDOM with GRND_INSECURE is
 *             EINVAL, as an unknown bit is; a buffer mapped for less than
 *             asked gets what fits, and its length; 40 MiB comes whole,
 *             or in whole pages if a signal comes first.
 *   affinity  sched_setaffinity with an empty mask, one of CPUs that do
 *             not exist, a bad pointer, a pid nobody has, another user's
 *             process; getaffinity with a size not a multiple of 8.
 *   tz        gettimeofday with a struct timezone: filled (zeros).
 *   sleeps    nanosleep and clock_nanosleep with tv_nsec out of range,
 *             negative times, bad clocks, an absolute time long past.
 *   timers    timer_create with bad signals and notify kinds, another
 *             process's thread; timer_settime with a bad time.
 *   ids       setresuid and friends as uid 1000: no way back to root.
 *   caps      capget/capset with a bad version, capset raising what is
 *             not permitted.
 *   prctl     bad arguments of prctl's options; the parent-death signal
 *             forgotten when the effective or fs ids change.
 *   rlimit    setrlimit raising a hard limit without privilege, the
 *             RLIMIT_NOFILE limit honoured, a bad resource.
 *   timerfd   timerfd_create and timerfd_settime with bad flags, clocks,
 *             times, descriptors and pointers; the alarm clocks, which
 *             take CAP_WAKE_ALARM.
 *   pdeath    exec as uid 1000 with a parent-death signal: kept into a
 *             plain program, forgotten by a set-uid root one and by a
 *             secure exec (real uid 0, effective 1000: AT_SECURE).
 *   children  getrusage(RUSAGE_CHILDREN) and times() count the CPU time
 *             of a child waited for.
 *   cpuclocks the CPU-time clocks of processes and threads as the C
 *             libraries name them (clock_getcpuclockid asks clock_getres
 *             whether the clock is there).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "call_result.h"

static void case_sysinfo(void)
{
	unsigned char b[112];

	memset(b, 0xa5, sizeof b);
	long r = syscall(SYS_sysinfo, b);
	int dirty = 0;
	for (int i = 84; i < 88; i++)
		dirty |= b[i];
	for (int i = 108; i < 112; i++)
		dirty |= b[i];
	printf("sysinfo: %s, padding %s\n", res(r), dirty ? "not zero" : "zero");
}

static void case_comm(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char got[17] = { 0 };

	munmap(p + 4096, 4096);
	memset(p + 4096 - 15, 'n', 15);
	long r = syscall(SYS_prctl, PR_SET_NAME, p + 4096 - 15, 0, 0, 0);
	syscall(SYS_prctl, PR_GET_NAME, got, 0, 0, 0);
	printf("PR_SET_NAME, 15 bytes before a hole: %s, name %s\n", res(r), got);
	r = syscall(SYS_prctl, PR_SET_NAME, p + 4096 - 3, 0, 0, 0);
	printf("PR_SET_NAME, 3 bytes before a hole: %s\n", res(r));
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	alarmed = sig;
}

static void case_grnd(void)
{
	char b[8];

	printf("getrandom RANDOM|INSECURE: %s\n", res(syscall(SYS_getrandom, b, 8, 6)));
	printf("getrandom flag 8: %s\n", res(syscall(SYS_getrandom, b, 8, 8)));
	printf("getrandom INSECURE: %s\n", res(syscall(SYS_getrandom, b, 8, 4)));
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + 4096, 4096);
	printf("getrandom 2^40 into 8 bytes before a hole: %s\n",
	       res(syscall(SYS_getrandom, p + 4088, 1L << 40, 0)));
	printf("getrandom 300 into 300 bytes before a hole: %s\n",
	       res(syscall(SYS_getrandom, p + 4096 - 300, 300, 0)));
	printf("getrandom into the hole: %s\n", res(syscall(SYS_getrandom, p + 4096, 8, 0)));
	printf("getrandom 0 bytes to NULL: %s\n", res(syscall(SYS_getrandom, NULL, 0, 0)));
	/* More than 32 MiB (an old Linux's cap), with a signal on the way: all
	 * of it, or whole pages if the signal came first (Linux 6.x's). */
	size_t n = 40 << 20;
	char *big = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	signal(SIGALRM, on_alarm);
	alarm(1);
	long r = syscall(SYS_getrandom, big, n, 0);
	printf("getrandom 40 MiB: %s\n", r == (long)n || (r > 0 && r % 4096 == 0 && alarmed) ?
	       "all, or whole pages before a signal" : res(r));
}

static void case_affinity(void)
{
	uint64_t m[2] = { 0, 0 };

	printf("setaffinity empty: %s\n", res(syscall(SYS_sched_setaffinity, 0, 8, m)));
	m[0] = 1ull << 63;
	printf("setaffinity CPU 63 only: %s\n", res(syscall(SYS_sched_setaffinity, 0, 8, m)));
	printf("setaffinity bad pointer: %s\n", res(syscall(SYS_sched_setaffinity, 0, 8, 16)));
	m[0] = 1;
	printf("setaffinity pid 99999: %s\n", res(syscall(SYS_sched_setaffinity, 99999, 8, m)));
	printf("setaffinity CPU 0, 3 bytes: %s\n", res(syscall(SYS_sched_setaffinity, 0, 3, m)));
	printf("setaffinity CPU 0: %s\n", res(syscall(SYS_sched_setaffinity, 0, 8, m)));
	m[0] = ~0ull;
	printf("setaffinity all: %s\n", res(syscall(SYS_sched_setaffinity, 0, 16, m)));
	printf("getaffinity 9 bytes: %s\n", res(syscall(SYS_sched_getaffinity, 0, 9, m)));
	printf("getaffinity pid 99999: %s\n", res(syscall(SYS_sched_getaffinity, 99999, 8, m)));
	printf("getaffinity pid 1: %s\n", res(syscall(SYS_sched_getaffinity, 1, 8, m)));
	syscall(SYS_setresuid, 1000, 1000, 1000);
	m[0] = 1;
	printf("setaffinity of root's process as 1000: %s\n",
	       res(syscall(SYS_sched_setaffinity, getppid(), 8, m)));
	printf("setaffinity of its own as 1000: %s\n", res(syscall(SYS_sched_setaffinity, getpid(), 8, m)));
}

static void case_tz(void)
{
	struct timeval tv;
	int tz[2] = { -1, -1 };

	long r = syscall(SYS_gettimeofday, &tv, tz);
	printf("gettimeofday with tz: %s, tz %d %d\n", res(r), tz[0], tz[1]);
	printf("gettimeofday bad tz: %s\n", res(syscall(SYS_gettimeofday, &tv, 16)));
}

static void case_sleeps(void)
{
	struct timespec ts;

	ts = (struct timespec){ 0, 1000000000 };
	printf("nanosleep nsec 1e9: %s\n", res(syscall(SYS_nanosleep, &ts, NULL)));
	ts = (struct timespec){ -1, 0 };
	printf("nanosleep -1 s: %s\n", res(syscall(SYS_nanosleep, &ts, NULL)));
	ts = (struct timespec){ 0, -1 };
	printf("clock_nanosleep nsec -1: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL)));
	ts = (struct timespec){ 0, 1 };
	printf("clock_nanosleep clock 99: %s\n", res(syscall(SYS_clock_nanosleep, 99, 0, &ts, NULL)));
	printf("clock_nanosleep clock -1: %s\n", res(syscall(SYS_clock_nanosleep, -1, 0, &ts, NULL)));
	printf("clock_nanosleep THREAD_CPUTIME: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL)));
	printf("clock_nanosleep MONOTONIC_RAW: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &ts, NULL)));
	printf("clock_nanosleep REALTIME_COARSE: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_REALTIME_COARSE, 0, &ts, NULL)));
	printf("clock_nanosleep REALTIME_ALARM: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_REALTIME_ALARM, 0, &ts, NULL)));
	printf("clock_nanosleep BOOTTIME_ALARM: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME_ALARM, 0, &ts, NULL)));
	printf("clock_nanosleep TAI abs 1: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_TAI, TIMER_ABSTIME, &ts, NULL)));
	printf("clock_nanosleep REALTIME abs 1: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL)));
	printf("clock_nanosleep MONOTONIC abs 1: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)));
	printf("clock_nanosleep bad ts: %s\n",
	       res(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, 16, NULL)));
	printf("clock_nanosleep bad clock, bad ts: %s\n", res(syscall(SYS_clock_nanosleep, 99, 0, 16, NULL)));
	printf("clock_gettime clock 99: %s\n", res(syscall(SYS_clock_gettime, 99, &ts)));
	printf("clock_gettime pid 1's CPU clock: %s\n", res(syscall(SYS_clock_gettime, ~1 << 3 | 2, &ts)));
	printf("clock_getres clock 99: %s\n", res(syscall(SYS_clock_getres, 99, &ts)));
	printf("clock_getres NULL: %s\n", res(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL)));
	struct itimerval it = { { 0, 1000000 }, { 0, 0 } };
	printf("setitimer usec 1e6: %s\n", res(syscall(SYS_setitimer, ITIMER_REAL, &it, NULL)));
	it = (struct itimerval){ { 0, 0 }, { 0, -1 } };
	printf("setitimer usec -1: %s\n", res(syscall(SYS_setitimer, ITIMER_REAL, &it, NULL)));
	printf("setitimer which 3: %s\n", res(syscall(SYS_setitimer, 3, &it, NULL)));
	printf("getitimer which -1: %s\n", res(syscall(SYS_getitimer, -1, &it)));
	printf("alarm 0xffffffff: %s\n", res(syscall(SYS_alarm, 0xffffffffu)));
	printf("alarm 0: %s\n", res(syscall(SYS_alarm, 0)) );
}

struct ksigevent {
	uint64_t value;
	int32_t signo, notify, tid, pad[11];
};

static void case_timers(void)
{
	struct ksigevent ev = { 0, 0, SIGEV_SIGNAL, 0 };
	int id, id2;

	printf("timer_create signal 0: %s\n", res(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id)));
	ev.signo = 65;
	printf("timer_create signal 65: %s\n", res(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id)));
	ev.signo = SIGUSR1;
	ev.notify = 99;
	printf("timer_create notify 99: %s\n", res(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id)));
	ev.notify = 4;	/* SIGEV_THREAD_ID */
	ev.tid = getppid();
	printf("timer_create THREAD_ID of another process: %s\n",
	       res(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id)));
	ev.tid = 99999;
	printf("timer_create THREAD_ID of nobody: %s\n",
	       res(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id)));
	printf("timer_create clock 99: %s\n", res(syscall(SYS_timer_create, 99, NULL, &id)));
	printf("timer_create bad sigevent: %s\n", res(syscall(SYS_timer_create, CLOCK_MONOTONIC, 16, &id)));
	printf("timer_create bad id pointer: %s\n", res(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, 16)));
	long r = syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &id);
	printf("timer_create: %s\n", res(r));
	struct itimerspec its = { { 0, 0 }, { 0, 1000000000 } };
	printf("timer_settime nsec 1e9: %s\n", res(syscall(SYS_timer_settime, id, 0, &its, NULL)));
	its = (struct itimerspec){ { -1, 0 }, { 1, 0 } };
	printf("timer_settime interval -1 s: %s\n", res(syscall(SYS_timer_settime, id, 0, &its, NULL)));
	its = (struct itimerspec){ { 0, 0 }, { 1000, 0 } };
	printf("timer_settime id 1000: %s\n", res(syscall(SYS_timer_settime, 1000, 0, &its, NULL)));
	printf("timer_settime id -1: %s\n", res(syscall(SYS_timer_settime, -1, 0, &its, NULL)));
	printf("timer_settime bad value: %s\n", res(syscall(SYS_timer_settime, id, 0, 16, NULL)));
	printf("timer_gettime bad pointer: %s\n", res(syscall(SYS_timer_gettime, id, 16)));
	printf("timer_create REALTIME_ALARM: %s\n", res(syscall(SYS_timer_create, CLOCK_REALTIME_ALARM, NULL, &id2)));
	printf("timer_create BOOTTIME_ALARM: %s\n", res(syscall(SYS_timer_create, CLOCK_BOOTTIME_ALARM, NULL, &id2)));
	printf("timer_create TAI: %s\n", res(syscall(SYS_timer_create, CLOCK_TAI, NULL, &id2)));
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, NULL);
	its = (struct itimerspec){ { 0, 0 }, { 1, 0 } };	/* 1970: long past */
	printf("timer_settime TAI abs 1 s: %s\n", res(syscall(SYS_timer_settime, id2, TIMER_ABSTIME, &its, NULL)));
	struct timespec w = { 5, 0 };
	printf("its signal: %s\n", res(sigtimedwait(&alrm, NULL, &w)));
	printf("timer_delete: %s\n", res(syscall(SYS_timer_delete, id)));
	printf("timer_delete again: %s\n", res(syscall(SYS_timer_delete, id)));
}

static void case_ids(void)
{
	gid_t g[3] = { 5, 3, 4 };

	printf("setgroups 65537: %s\n", res(syscall(SYS_setgroups, 65537, g)));
	printf("setgroups -1: %s\n", res(syscall(SYS_setgroups, -1, g)));
	printf("setgroups 3: %s\n", res(syscall(SYS_setgroups, 3, g)));
	printf("getgroups 2: %s\n", res(syscall(SYS_getgroups, 2, g)));
	printf("getgroups 3: %s: %u %u %u\n", res(syscall(SYS_getgroups, 3, g)), g[0], g[1], g[2]);
	printf("setresuid 1000, 1000, 0: %s\n", res(syscall(SYS_setresuid, 1000, 1000, 0)));
	printf("setresuid -1, 0, -1: %s\n", res(syscall(SYS_setresuid, -1, 0, -1)));
	printf("setresuid -1, 1000, -1: %s\n", res(syscall(SYS_setresuid, -1, 1000, -1)));
	printf("setresuid -1, -1, 1000: %s\n", res(syscall(SYS_setresuid, -1, -1, 1000)));
	printf("setresuid -1, 0, -1: %s\n", res(syscall(SYS_setresuid, -1, 0, -1)));
	printf("setuid 0: %s\n", res(syscall(SYS_setuid, 0)));
	printf("setreuid 0, -1: %s\n", res(syscall(SYS_setreuid, 0, -1)));
	printf("setreuid -1, 0: %s\n", res(syscall(SYS_setreuid, -1, 0)));
	printf("setfsuid 0: %s\n", res(syscall(SYS_setfsuid, 0)));
	printf("setfsuid -1: %s\n", res(syscall(SYS_setfsuid, -1)));
	printf("setgroups as 1000: %s\n", res(syscall(SYS_setgroups, 0, g)));
	printf("setgroups 65537 as 1000: %s\n", res(syscall(SYS_setgroups, 65537, g)));
	printf("setresgid 0, 0, 0: %s\n", res(syscall(SYS_setresgid, 0, 0, 0)));
	printf("setgid 7: %s\n", res(syscall(SYS_setgid, 7)));
	printf("setuid -1: %s\n", res(syscall(SYS_setuid, -1)));
	uid_t r, e, s;
	syscall(SYS_getresuid, &r, &e, &s);
	printf("now %u %u %u\n", r, e, s);
	printf("getresuid bad pointer: %s\n", res(syscall(SYS_getresuid, &r, 16, &s)));
}

struct cap_header {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

static void case_caps(void)
{
	struct cap_header h = { 0x12345678, 0 };
	struct cap_data d[2];

	const char *r = res(syscall(SYS_capget, &h, d));
	printf("capget bad version: %s, version %#x\n", r, h.version);
	h.version = 0x12345678;
	r = res(syscall(SYS_capget, &h, NULL));
	printf("capget bad version, NULL data: %s, version %#x\n", r, h.version);
	h = (struct cap_header){ 0x20080522, -1 };
	printf("capget pid -1: %s\n", res(syscall(SYS_capget, &h, d)));
	h.pid = 99999;
	printf("capget pid 99999: %s\n", res(syscall(SYS_capget, &h, d)));
	h.pid = getppid();
	printf("capset parent: %s\n", res(syscall(SYS_capset, &h, d)));
	h.pid = 0;
	printf("capget: %s\n", res(syscall(SYS_capget, &h, d)));
	printf("capset bad data: %s\n", res(syscall(SYS_capset, &h, 16)));
	d[0].inheritable = d[0].permitted = 1u << 7;
	d[0].effective = 1u << 7;
	printf("capset CAP_SETUID in all: %s\n", res(syscall(SYS_capset, &h, d)));
	d[0].effective = 1u << 8;
	printf("capset effective not permitted: %s\n", res(syscall(SYS_capset, &h, d)));
	d[0].effective = 1u << 7;
	d[0].permitted = 3u << 7;
	printf("capset permitted grown: %s\n", res(syscall(SYS_capset, &h, d)));
	d[0].permitted = 1u << 7;
	d[0].inheritable = 1u << 9;
	printf("capset inheritable grown: %s\n", res(syscall(SYS_capset, &h, d)));
	printf("setuid 5 with CAP_SETUID: %s\n", res(syscall(SYS_setuid, 5)));
	printf("setuid 0 after: %s\n", res(syscall(SYS_setuid, 0)));
	printf("CAPBSET_READ 64: %s\n", res(syscall(SYS_prctl, PR_CAPBSET_READ, 64, 0, 0, 0)));
	printf("CAPBSET_DROP 1 unprivileged: %s\n", res(syscall(SYS_prctl, PR_CAPBSET_DROP, 1, 0, 0, 0)));
	printf("AMBIENT_RAISE 7: %s\n", res(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 7, 0, 0)));
}

static void case_prctl(void)
{
	int v = -1;

	printf("PDEATHSIG 65: %s\n", res(syscall(SYS_prctl, PR_SET_PDEATHSIG, 65, 0, 0, 0)));
	printf("PDEATHSIG -1: %s\n", res(syscall(SYS_prctl, PR_SET_PDEATHSIG, -1L, 0, 0, 0)));
	printf("PDEATHSIG 64: %s\n", res(syscall(SYS_prctl, PR_SET_PDEATHSIG, 64, 0, 0, 0)));
	printf("GET_PDEATHSIG bad pointer: %s\n", res(syscall(SYS_prctl, PR_GET_PDEATHSIG, 16, 0, 0, 0)));
	syscall(SYS_prctl, PR_GET_PDEATHSIG, &v, 0, 0, 0);
	printf("GET_PDEATHSIG: %d\n", v);
	printf("NO_NEW_PRIVS 2: %s\n", res(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0)));
	printf("NO_NEW_PRIVS 1, 1: %s\n", res(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0)));
	printf("NO_NEW_PRIVS 1: %s\n", res(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)));
	printf("GET_NO_NEW_PRIVS: %s\n", res(syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)));
	printf("SET_DUMPABLE 2: %s\n", res(syscall(SYS_prctl, PR_SET_DUMPABLE, 2, 0, 0, 0)));
	printf("SET_KEEPCAPS 2: %s\n", res(syscall(SYS_prctl, PR_SET_KEEPCAPS, 2, 0, 0, 0)));
	printf("SET_NAME bad pointer: %s\n", res(syscall(SYS_prctl, PR_SET_NAME, 16, 0, 0, 0)));
	printf("GET_NAME bad pointer: %s\n", res(syscall(SYS_prctl, PR_GET_NAME, 16, 0, 0, 0)));
	printf("option 9999: %s\n", res(syscall(SYS_prctl, 9999, 0, 0, 0, 0)));
	/* A parent-death signal must not reach a process whose privileges
	 * changed: Linux forgets it when the effective or fs ids change. */
	static const struct { const char *what; long nr, a, b, c; } changes[] = {
		{ "setresuid(-1, -1, -1)", SYS_setresuid, -1, -1, -1 },
		{ "setresuid(-1, 1000, -1)", SYS_setresuid, -1, 1000, -1 },
		{ "setresuid(-1, 0, -1)", SYS_setresuid, -1, 0, -1 },
		{ "setfsuid(5)", SYS_setfsuid, 5, 0, 0 },
		{ "setresgid(-1, 7, -1)", SYS_setresgid, -1, 7, -1 },
		{ "setuid(0)", SYS_setuid, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
		syscall(changes[i].nr, changes[i].a, changes[i].b, changes[i].c);
		v = -1;
		syscall(SYS_prctl, PR_GET_PDEATHSIG, &v, 0, 0, 0);
		printf("PDEATHSIG after %s: %d\n", changes[i].what, v);
	}
}

static void case_rlimit(void)
{
	struct rlimit rl;

	printf("getrlimit 16: %s\n", res(syscall(SYS_getrlimit, 16, &rl)));
	printf("getrlimit bad pointer: %s\n", res(syscall(SYS_getrlimit, RLIMIT_NOFILE, 16)));
	rl = (struct rlimit){ 20, 10 };
	printf("setrlimit cur above max: %s\n", res(syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl)));
	rl = (struct rlimit){ 10, 2000000 };
	printf("setrlimit NOFILE max 2000000: %s\n", res(syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl)));
	rl = (struct rlimit){ 10, 20 };
	printf("setrlimit NOFILE 10, 20: %s\n", res(syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl)));
	int fd, n = 0;
	while ((fd = open("/", O_RDONLY)) >= 0 && n < 100)
		n++;
	printf("opened up to fd %d: %s\n", n + 2, res(fd));
	syscall(SYS_setresuid, 1000, 1000, 1000);
	rl = (struct rlimit){ 10, 30 };
	printf("setrlimit raising max as 1000: %s\n", res(syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl)));
	rl = (struct rlimit){ 20, 20 };
	printf("setrlimit cur to max as 1000: %s\n", res(syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl)));
	printf("prlimit parent as 1000: %s\n", res(syscall(SYS_prlimit64, getppid(), RLIMIT_NOFILE, NULL, &rl)));
	printf("prlimit pid 99999: %s\n", res(syscall(SYS_prlimit64, 99999, RLIMIT_NOFILE, NULL, &rl)));
}

static void case_timerfd(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 1000000000 } };
	int fd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0);

	printf("timerfd_create flags 1: %s\n", res(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 1)));
	printf("timerfd_create clock 99: %s\n", res(syscall(SYS_timerfd_create, 99, 0)));
	printf("timerfd_create MONOTONIC_RAW: %s\n", res(syscall(SYS_timerfd_create, CLOCK_MONOTONIC_RAW, 0)));
	printf("timerfd_create CPU clock: %s\n", res(syscall(SYS_timerfd_create, CLOCK_PROCESS_CPUTIME_ID, 0)));
	printf("timerfd_settime nsec 1e9: %s\n", res(syscall(SYS_timerfd_settime, fd, 0, &its, NULL)));
	its.it_value.tv_nsec = 0;
	its.it_interval.tv_sec = -1;
	printf("timerfd_settime interval -1: %s\n", res(syscall(SYS_timerfd_settime, fd, 0, &its, NULL)));
	its.it_interval.tv_sec = 0;
	printf("timerfd_settime flags 4: %s\n", res(syscall(SYS_timerfd_settime, fd, 4, &its, NULL)));
	printf("timerfd_settime bad pointer: %s\n", res(syscall(SYS_timerfd_settime, fd, 0, 16, NULL)));
	printf("timerfd_settime on stdout: %s\n", res(syscall(SYS_timerfd_settime, 1, 0, &its, NULL)));
	printf("timerfd_settime fd 999: %s\n", res(syscall(SYS_timerfd_settime, 999, 0, &its, NULL)));
	printf("timerfd_settime bad old: %s\n", res(syscall(SYS_timerfd_settime, fd, 0, &its, 16)));
	printf("timerfd_gettime bad pointer: %s\n", res(syscall(SYS_timerfd_gettime, fd, 16)));
	printf("timerfd_gettime on stdout: %s\n", res(syscall(SYS_timerfd_gettime, 1, &its)));
	char b[8];
	printf("read 4 bytes: %s\n", res(read(fd, b, 4)));
	syscall(SYS_setresuid, 1000, 1000, 1000);
	printf("timerfd_create REALTIME_ALARM as 1000: %s\n",
	       res(syscall(SYS_timerfd_create, CLOCK_REALTIME_ALARM, 0)));
	printf("timerfd_create BOOTTIME_ALARM as 1000: %s\n",
	       res(syscall(SYS_timerfd_create, CLOCK_BOOTTIME_ALARM, 0)));
}

/* Copies this program to path with mode (root's: a set-uid copy runs
 * as root). */
static void copy_self(const char *path, mode_t mode)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY), out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	long n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, n);
	close(in);
	close(out);
	chmod(path, mode);
}

/* Runs path (a copy of this program) as real uid ruid and effective uid
 * 1000 with SIGUSR1 as its parent-death signal: it reports what it
 * still has. */
static void exec_with_pdeathsig(const char *path, int ruid)
{
	pid_t pid = fork();

	if (!pid) {
		syscall(SYS_setresuid, ruid, 1000, 1000);
		syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
		execl(path, "misc_edges", "pdeath-report", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

static void case_pdeath(void)
{
	copy_self("/tmp/misc_edges_plain", 0755);
	copy_self("/tmp/misc_edges_suid", 04755);
	printf("exec of a plain copy: ");
	exec_with_pdeathsig("/tmp/misc_edges_plain", 1000);
	printf("exec of a set-uid root copy: ");
	exec_with_pdeathsig("/tmp/misc_edges_suid", 1000);
	printf("exec of a plain copy, real uid 0 (a secure exec): ");
	exec_with_pdeathsig("/tmp/misc_edges_plain", 0);
	unlink("/tmp/misc_edges_plain");
	unlink("/tmp/misc_edges_suid");
}

static void pdeath_report(void)
{
	int v = -1;

	syscall(SYS_prctl, PR_GET_PDEATHSIG, &v, 0, 0, 0);
	printf("euid %d, PDEATHSIG %d\n", (int)geteuid(), v);
}

static double tv_s(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static void case_children(void)
{
	struct rusage ru;
	struct tms t;

	syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru);
	times(&t);
	printf("before a child: rusage %s, times %s\n",
	       tv_s(ru.ru_utime) + tv_s(ru.ru_stime) == 0 ? "0" : "not 0",
	       t.tms_cutime + t.tms_cstime == 0 ? "0" : "not 0");
	pid_t pid = fork();
	if (!pid) {	/* 200 ms of CPU, whatever the machine's speed */
		struct timespec ts;
		do
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		while (ts.tv_sec == 0 && ts.tv_nsec < 200000000);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru);
	times(&t);
	printf("after a 200 ms child: rusage %s, times %s\n",
	       tv_s(ru.ru_utime) + tv_s(ru.ru_stime) >= 0.19 ? ">= 0.19 s" : "less",
	       t.tms_cutime + t.tms_cstime >= 19 ? ">= 19 ticks" : "less");
	printf("getrusage who 5: %s\n", res(syscall(SYS_getrusage, 5, &ru)));
	printf("getrusage bad pointer: %s\n", res(syscall(SYS_getrusage, RUSAGE_CHILDREN, 16)));
	printf("times bad pointer: %s\n", res(syscall(SYS_times, 16)));
}

/* Clock ids as C libraries make them: ~pid << 3 | kind (| 4: a thread). */
static clockid_t cpu_clock(int pid, int kind, int thread)
{
	return (clockid_t)((unsigned)~pid << 3 | kind | (thread ? 4 : 0));
}

static volatile long spin_tid;

static void *spin(void *arg)
{
	(void)arg;
	spin_tid = syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

static void case_cpuclocks(void)
{
	struct timespec ts;
	clockid_t c;
	pthread_t th;

	int e = clock_getcpuclockid(0, &c);
	printf("clock_getcpuclockid(0): %s\n", e ? strerror(e) : "0");
	printf("clock_gettime on it: %s\n", res(syscall(SYS_clock_gettime, c, &ts)));
	e = clock_getcpuclockid(getppid(), &c);
	printf("clock_getcpuclockid(parent): %s\n", e ? strerror(e) : "0");
	printf("clock_gettime on it: %s\n", res(syscall(SYS_clock_gettime, c, &ts)));
	e = pthread_getcpuclockid(pthread_self(), &c);
	printf("pthread_getcpuclockid(self): %s\n", e ? strerror(e) : "0");
	printf("clock_gettime on it: %s\n", res(syscall(SYS_clock_gettime, c, &ts)));
	pthread_create(&th, NULL, spin, NULL);
	e = pthread_getcpuclockid(th, &c);
	printf("pthread_getcpuclockid(another thread): %s\n", e ? strerror(e) : "0");
	printf("clock_getres on it: %s\n", res(syscall(SYS_clock_getres, c, &ts)));
	while (!spin_tid)
		sched_yield();
	printf("thread clock of the other thread by its tid: %s\n",
	       res(syscall(SYS_clock_gettime, cpu_clock(spin_tid, 2, 1), &ts)));
	printf("process clock by the other thread's tid: %s\n",
	       res(syscall(SYS_clock_gettime, cpu_clock(spin_tid, 2, 0), &ts)));
	printf("process clock, own tid: %s\n",
	       res(syscall(SYS_clock_getres, cpu_clock(syscall(SYS_gettid), 2, 0), NULL)));
	printf("thread clock of the parent: %s\n",
	       res(syscall(SYS_clock_getres, cpu_clock(getppid(), 2, 1), NULL)));
	printf("process clock of pid 99999: %s\n", res(syscall(SYS_clock_getres, cpu_clock(99999, 2, 0), NULL)));
	printf("process clock kind 3: %s\n", res(syscall(SYS_clock_getres, cpu_clock(0, 3, 0), NULL)));
	printf("thread clock kind 0: %s\n", res(syscall(SYS_clock_gettime, cpu_clock(0, 0, 1), &ts)));
	printf("clock_nanosleep on a thread clock: %s\n",
	       res(syscall(SYS_clock_nanosleep, cpu_clock(0, 2, 1), 0, &ts, NULL)));
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "sysinfo", case_sysinfo }, { "comm", case_comm }, { "grnd", case_grnd },
	{ "affinity", case_affinity }, { "tz", case_tz }, { "sleeps", case_sleeps },
	{ "timers", case_timers }, { "ids", case_ids }, { "caps", case_caps },
	{ "prctl", case_prctl }, { "rlimit", case_rlimit }, { "cpuclocks", case_cpuclocks },
	{ "timerfd", case_timerfd }, { "children", case_children }, { "pdeath", case_pdeath },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && !strcmp(argv[1], "pdeath-report")) {
		pdeath_report();
		return 0;
	}
	for (int i = 1; i < argc; i++)
		for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
			if (!strcmp(argv[i], cases[k].name) || !strcmp(argv[i], "all")) {
				/* each in a child, so one's ids or limits do not leak */
				pid_t pid = fork();
				if (!pid) {
					cases[k].fn();
					_exit(0);
				}
				int st;
				waitpid(pid, &st, 0);
				if (st)
					printf("%s: status %#x\n", cases[k].name, st);
			}
	printf("done\n");
	return 0;
}
