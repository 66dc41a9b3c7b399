/* Setting the clock, one case per run:
 *   refused  as user 65534: what each call refuses, in Linux's order
 *            (these lines are Linux 6.18's, same program built with musl:
 *            no host clock changes, since nobody may change it)
 *   set      as root: settimeofday, clock_settime and adjtimex's
 *            ADJ_SETOFFSET step the wall clock (and file times follow),
 *            the timezone comes back, adjtimex keeps the NTP values it is
 *            given; run only under amphi, where it changes nothing but the
 *            VM (its lines are what Linux's rules give) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "call_result.h"

static void refused(void)
{
	struct timeval tv = { 1700000000, 0 }, bad = { 1700000000, 1000001 };
	struct timespec ts = { 1700000000, 0 };
	struct timex t = { .modes = 0 };

	if (setgid(65534) || setuid(65534))
		return;
	struct timezone tz = { 60, 0 };
	printf("settimeofday: %s\n", res(syscall(SYS_settimeofday, &tv, NULL)));
	printf("settimeofday of nothing: %s\n", res(syscall(SYS_settimeofday, NULL, NULL)));
	printf("timezone only: %s\n", res(syscall(SYS_settimeofday, NULL, &tz)));
	printf("usec 1000001: %s\n", res(syscall(SYS_settimeofday, &bad, NULL)));
	printf("bad pointer: %s\n", res(syscall(SYS_settimeofday, 8, 0)));
	printf("clock_settime REALTIME: %s, MONOTONIC: %s, PROCESS_CPUTIME: %s, 99: %s\n",
	       res(clock_settime(CLOCK_REALTIME, &ts)), res(clock_settime(CLOCK_MONOTONIC, &ts)),
	       res(clock_settime(CLOCK_PROCESS_CPUTIME_ID, &ts)), res(clock_settime(99, &ts)));
	long r = syscall(SYS_adjtimex, &t);
	printf("adjtimex read: %s, tolerance %ld, precision %ld\n", r >= 0 ? "ok" : res(r),
	       t.tolerance, t.precision);
	t.modes = ADJ_FREQUENCY;
	printf("ADJ_FREQUENCY: %s\n", res(adjtimex(&t)));
	t.modes = ADJ_TICK;
	t.tick = 1;
	printf("ADJ_TICK 1: %s\n", res(adjtimex(&t)));
	t.modes = ADJ_OFFSET_SS_READ;
	printf("ADJ_OFFSET_SS_READ: %s\n", adjtimex(&t) >= 0 ? "ok" : res(-1));
	t.modes = 0x8000;
	printf("ADJ_ADJTIME alone: %s\n", res(adjtimex(&t)));
	printf("clock_adjtime MONOTONIC: %s, 99: %s\n", res(clock_adjtime(CLOCK_MONOTONIC, &t)),
	       res(clock_adjtime(99, &t)));
}

/* Whether the clock reads want now, give or take the few seconds a loaded
 * host may take between two calls. */
static const char *near(long want)
{
	long d = (long)time(NULL) - want;

	return d >= 0 && d < 5 ? "there" : "elsewhere";
}

static void set(void)
{
	struct timeval tv = { 2000000000, 500000 };
	struct timezone tz = { 60, 0 }, got;
	struct timespec ts = { 1900000000, 0 };
	struct timex t = { .modes = 0 };

	long r = syscall(SYS_settimeofday, &tv, &tz);	/* (musl's drops the timezone) */
	printf("settimeofday 2000000000: %s, now %s\n", res(r), near(2000000000));
	syscall(SYS_gettimeofday, &tv, &got);
	printf("timezone back: %d west\n", got.tz_minuteswest);
	int fd = open("/tmp/clock_set_file", O_CREAT | O_WRONLY, 0600);
	struct stat st;
	fstat(fd, &st);
	printf("a new file's mtime: %s\n", st.st_mtime - 2000000000 < 5 && st.st_mtime >= 2000000000 ? "the new time" : "elsewhere");
	r = clock_settime(CLOCK_REALTIME, &ts);
	printf("clock_settime 1900000000: %s, now %s\n", res(r), near(1900000000));
	ts.tv_sec = 0;
	printf("before the boot: %s\n", res(clock_settime(CLOCK_REALTIME, &ts)));
	r = adjtimex(&t);
	printf("adjtimex read: %s, status %#x, maxerror %ld\n", res(r), t.status, t.maxerror);
	t = (struct timex){ .modes = ADJ_SETOFFSET, .time = { 100, 0 } };
	r = adjtimex(&t);
	printf("ADJ_SETOFFSET +100 s: %s, now %s\n", res(r), near(1900000100));
	t = (struct timex){ .modes = ADJ_STATUS | ADJ_MAXERROR | ADJ_FREQUENCY, .status = 0,
			    .maxerror = 99999999, .freq = 1 << 16 };
	r = adjtimex(&t);
	printf("ADJ_STATUS 0 (synchronized): %s, status %#x, maxerror %ld, freq %ld\n", res(r), t.status,
	       t.maxerror, t.freq);
	t = (struct timex){ .modes = ADJ_OFFSET_SINGLESHOT, .offset = 5000 };
	adjtimex(&t);
	t = (struct timex){ .modes = ADJ_OFFSET_SS_READ };
	r = adjtimex(&t);
	printf("adjtime's slew read back: %s %ld\n", res(r), t.offset);
	unlink("/tmp/clock_set_file");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "refused"))
		refused();
	else if (argc > 1 && !strcmp(argv[1], "set"))
		set();
	else {
		fprintf(stderr, "usage: clock_set refused|set\n");
		return 2;
	}
	return 0;
}
