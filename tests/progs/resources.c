/* What the program used and the machine it runs on: getrusage and times
 * count CPU time (a finished thread's too), CLOCK_PROCESS_CPUTIME_ID is at
 * least the thread's, clock_getres answers for every clock, sysinfo's
 * memory and uptime make sense, and sethostname/setdomainname show in
 * uname.  Run natively under `unshare --uts` (it renames the host).
 * Prints "<check> ok" lines, then "resources ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void check(int ok, const char *name)
{
	if (!ok) {
		printf("FAIL: %s (errno %d)\n", name, errno);
		exit(1);
	}
	printf("%s ok\n", name);
}

static double ts_s(struct timespec t) { return t.tv_sec + t.tv_nsec / 1e9; }
static double tv_s(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

static double clock_s(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return ts_s(t);
}

/* Spins for about ms milliseconds of wall-clock time. */
static void burn(int ms)
{
	double end = clock_s(CLOCK_MONOTONIC) + ms / 1000.0;
	volatile unsigned long x = 0;

	while (clock_s(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 10000; i++)
			x += i;
}

static void *burner(void *arg)
{
	(void)arg;
	burn(300);
	return NULL;
}

static void test_cpu_time(void)
{
	struct rusage self, thread;
	struct tms tms;
	pthread_t t;

	burn(300);
	pthread_create(&t, NULL, burner, NULL);
	pthread_join(t, NULL);	/* its time stays with the process */
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_THREAD, &thread);
	double me = tv_s(thread.ru_utime) + tv_s(thread.ru_stime);
	double all = tv_s(self.ru_utime) + tv_s(self.ru_stime);
	check(me >= 0.2 && all >= me + 0.2, "getrusage self and thread");
	clock_t ticks = times(&tms);
	check(ticks != (clock_t)-1 && tms.tms_utime + tms.tms_stime >= 40, "times");
	check(clock_s(CLOCK_PROCESS_CPUTIME_ID) >= clock_s(CLOCK_THREAD_CPUTIME_ID) + 0.2,
	      "process CPU clock counts every thread");
	errno = 0;
	check(getrusage(5, &self) == -1 && errno == EINVAL, "getrusage bad who");
}

static void test_clocks(void)
{
	static const clockid_t clocks[] = {
		CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
		CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME,
		CLOCK_TAI,
	};
	struct timespec res, now;

	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++)
		if (clock_getres(clocks[i], &res) || res.tv_sec != 0 || res.tv_nsec <= 0 ||
		    res.tv_nsec > 10000000 || clock_gettime(clocks[i], &now)) {
			printf("FAIL: clock %d\n", (int)clocks[i]);
			exit(1);
		}
	check(clock_s(CLOCK_BOOTTIME) >= clock_s(CLOCK_MONOTONIC) - 1 &&
	      clock_s(CLOCK_REALTIME) > 1.5e9, "clock_getres and clock_gettime for every clock");
	errno = 0;
	check(clock_getres(99, &res) == -1 && errno == EINVAL, "unknown clock");
}

static void test_sysinfo(void)
{
	struct sysinfo si;

	check(sysinfo(&si) == 0 && si.mem_unit >= 1 && si.totalram > 0 && si.freeram > 0 &&
	      si.freeram <= si.totalram && si.procs >= 1 && si.uptime >= 0, "sysinfo");
}

static void test_names(void)
{
	struct utsname u;
	char buf[128];

	check(sethostname("signals-host", 12) == 0 && uname(&u) == 0 &&
	      !strcmp(u.nodename, "signals-host") && gethostname(buf, sizeof buf) == 0 &&
	      !strcmp(buf, "signals-host"), "sethostname shows in uname");
	check(setdomainname("example.test", 12) == 0 && uname(&u) == 0 &&
	      !strcmp(u.domainname, "example.test"), "setdomainname shows in uname");
	memset(buf, 'a', sizeof buf);
	errno = 0;
	check(sethostname(buf, 65) == -1 && errno == EINVAL, "host name too long");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_cpu_time();
	test_clocks();
	test_sysinfo();
	test_names();
	printf("resources ok\n");
	return 0;
}
