/* Timers on CPU-time clocks count CPU time, not the wall clock, one case
 * per run:
 *   itimer   ITIMER_VIRTUAL and ITIMER_PROF: nothing while the program
 *            sleeps, their signals while it computes, getitimer's time
 *            left standing still in a sleep
 *   ptimer   timer_create on CLOCK_PROCESS_CPUTIME_ID and
 *            CLOCK_THREAD_CPUTIME_ID: the same, a periodic one's signals,
 *            TIMER_ABSTIME on the CPU clock, a busy other thread moving
 *            the process's clock and not the caller's
 * Lines compare counts and times with wide margins, so they read the same
 * on Linux 6.18 (from which they were taken, built with musl) and under
 * TCG on a loaded host: there a late timer interrupt makes missed periods
 * overruns (or, for itimers, drops them), so a busy 0.4 s at 20 ms may
 * bring as few as 2 signals; many more than 20 would be a clock running faster
 * than CPU time. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static double cpu_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Busy for about s seconds of the calling thread's CPU time, nearly all
 * of it in user mode (which is all ITIMER_VIRTUAL counts). */
static void busy(double s)
{
	double end = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) + s;

	while (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) < end)
		for (volatile int i = 0; i < 100000; i++)
			;
}

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts))
		;
}

static const char *range(long v, long lo, long hi)
{
	return v < lo ? "too few" : v > hi ? "too many" : "in range";
}

static void itimer_one(int which, int sig, const char *name)
{
	struct itimerval every = { { 0, 20000 }, { 0, 20000 } }, left, off = { 0 };

	signal(sig, on_tick);
	ticks = 0;
	setitimer(which, &every, NULL);
	nap(0.3);
	printf("%s: after 0.3 s asleep, %d signals\n", name, ticks);
	struct itimerval once = { { 0, 0 }, { 0, 200000 } };
	setitimer(which, &once, NULL);
	nap(0.3);
	getitimer(which, &left);
	printf("%s: one-shot 0.2 s, 0.3 s asleep: %s left\n", name,
	       left.it_value.tv_sec == 0 && left.it_value.tv_usec > 150000 ? "most" : "not most");
	setitimer(which, &every, NULL);
	ticks = 0;
	busy(0.4);
	setitimer(which, &off, NULL);
	printf("%s: 0.4 s busy at 20 ms: %s (2 to 24)\n", name, range(ticks, 2, 24));
}

static void itimer_case(void)
{
	itimer_one(ITIMER_VIRTUAL, SIGVTALRM, "ITIMER_VIRTUAL");
	itimer_one(ITIMER_PROF, SIGPROF, "ITIMER_PROF");
}

static void *spinner(void *arg)
{
	busy(0.3);
	return arg;
}

static timer_t make_timer(clockid_t clock)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	timer_t t;

	if (timer_create(clock, &ev, &t))
		perror("timer_create");
	return t;
}

static void ptimer_one(clockid_t clock, const char *name)
{
	timer_t t = make_timer(clock);
	struct itimerspec once = { { 0, 0 }, { 0, 200000000 } }, every = { { 0, 20000000 }, { 0, 20000000 } };
	struct itimerspec left;

	ticks = 0;
	timer_settime(t, 0, &once, NULL);
	nap(0.3);
	timer_gettime(t, &left);
	printf("%s: one-shot 0.2 s, 0.3 s asleep: %d signals, %s left\n", name, ticks,
	       left.it_value.tv_sec == 0 && left.it_value.tv_nsec > 150000000 ? "most" : "not most");
	busy(0.3);
	printf("%s: then 0.3 s busy: %d signal\n", name, ticks);
	ticks = 0;
	timer_settime(t, 0, &every, NULL);
	busy(0.4);
	timer_delete(t);
	printf("%s: 0.4 s busy at 20 ms: %s (2 to 24)\n", name, range(ticks, 2, 24));
}

static void ptimer_case(void)
{
	pthread_t th;
	struct timespec now;

	signal(SIGUSR1, on_tick);
	ptimer_one(CLOCK_PROCESS_CPUTIME_ID, "process clock");
	ptimer_one(CLOCK_THREAD_CPUTIME_ID, "thread clock");

	timer_t t = make_timer(CLOCK_PROCESS_CPUTIME_ID);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	struct itimerspec at = { { 0, 0 }, { now.tv_sec, now.tv_nsec + 100000000 } };
	if (at.it_value.tv_nsec >= 1000000000)
		at.it_value.tv_sec++, at.it_value.tv_nsec -= 1000000000;
	ticks = 0;
	timer_settime(t, TIMER_ABSTIME, &at, NULL);
	nap(0.2);
	printf("absolute, 0.1 s of CPU on: %d signals asleep, ", ticks);
	busy(0.2);
	printf("%d busy\n", ticks);
	timer_delete(t);

	/* Another thread's work moves the process's clock, not the caller's. */
	timer_t mine = make_timer(CLOCK_THREAD_CPUTIME_ID);
	struct itimerspec once = { { 0, 0 }, { 0, 200000000 } };
	double before = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
	ticks = 0;
	timer_settime(mine, 0, &once, NULL);
	pthread_create(&th, NULL, spinner, NULL);
	pthread_join(th, NULL);	/* asleep while it works */
	double process = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - before;
	printf("a thread busy, the caller asleep: %d signals from the caller's clock, "
	       "the process's clock 0.3 s on: %s\n", ticks, process >= 0.3 ? "yes" : "no");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "itimer"))
		itimer_case();
	else if (argc > 1 && !strcmp(argv[1], "ptimer"))
		ptimer_case();
	else {
		fprintf(stderr, "usage: cpu_timers itimer|ptimer\n");
		return 2;
	}
	return 0;
}
