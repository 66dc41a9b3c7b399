/* Timers and interrupted sleeps: alarm and pause, setitimer's periodic
 * ticks and getitimer, nanosleep failing with EINTR and the time left,
 * futex waits failing with EINTR or restarted with SA_RESTART, and
 * floating-point work interrupted by handlers that compute too.
 * Prints "<check> ok" lines, then "signals_timer ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT 0

static volatile sig_atomic_t ticks;
static volatile int futex_word;

static void check(int ok, const char *name)
{
	if (!ok) {
		printf("FAIL: %s (ticks %d errno %d)\n", name, ticks, errno);
		exit(1);
	}
	printf("%s ok\n", name);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static void on_tick_wake(int sig)
{
	(void)sig;
	ticks++;
	futex_word = 1;	/* the restarted wait then sees a changed word */
}

static void set_action(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* One ITIMER_REAL expiry after ms milliseconds. */
static void alarm_ms(int ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void test_alarm_pause(void)
{
	set_action(SIGALRM, on_tick, 0);
	ticks = 0;
	check(alarm(1) == 0, "alarm returns 0 when none was set");
	check(alarm(1) == 1, "alarm returns the seconds left");
	long long t0 = now_ms();
	errno = 0;
	int r = pause();
	long long dt = now_ms() - t0;
	check(r == -1 && errno == EINTR && ticks == 1 && dt >= 900 && dt < 5000,
	      "pause woken by alarm");
}

static void test_periodic(void)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, cur;

	set_action(SIGALRM, on_tick, 0);
	ticks = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	getitimer(ITIMER_REAL, &cur);
	check(cur.it_interval.tv_usec == 20000 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 20000, "getitimer");
	while (ticks < 5)
		pause();
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, &cur);
	int seen = ticks;
	struct timespec wait = { 0, 100 * 1000 * 1000 };
	nanosleep(&wait, NULL);
	check(seen >= 5 && ticks == seen && cur.it_interval.tv_usec == 20000,
	      "setitimer periodic ticks, then disarmed");
}

static void test_nanosleep_eintr(void)
{
	struct timespec req = { 5, 0 }, rem = { 0, 0 };

	set_action(SIGALRM, on_tick, SA_RESTART);	/* nanosleep is never restarted */
	ticks = 0;
	alarm_ms(100);
	errno = 0;
	int r = nanosleep(&req, &rem);
	check(r == -1 && errno == EINTR && ticks == 1 && rem.tv_sec >= 3 && rem.tv_sec <= 4,
	      "nanosleep EINTR with the time left");
}

static long futex_wait(volatile int *word, int val)
{
	return syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void test_futex(void)
{
	set_action(SIGALRM, on_tick, 0);
	ticks = 0;
	futex_word = 0;
	alarm_ms(100);
	errno = 0;
	long r = futex_wait(&futex_word, 0);
	check(r == -1 && errno == EINTR && ticks == 1, "futex wait EINTR without SA_RESTART");

	set_action(SIGALRM, on_tick_wake, SA_RESTART);
	ticks = 0;
	futex_word = 0;
	alarm_ms(100);
	errno = 0;
	r = futex_wait(&futex_word, 0);
	check(r == -1 && errno == EAGAIN && ticks == 1, "futex wait restarted with SA_RESTART");
}

/* A handler that computes in floating point interrupts a loop that does
 * too, many times; the loop's result must not change. */
static volatile double sink;

static void on_tick_fpu(int sig)
{
	double x = sig;

	for (int i = 0; i < 50; i++)
		x = x * 1.0001 + 0.5;
	sink = x;
	ticks++;
}

static volatile double seed = 0.5;

static double fp_work(int n)
{
	double a = seed, b = 1.0;

	for (int i = 0; i < n; i++) {
		a = a * 0.999 + b * 0.001;
		b = b * 1.0000001 - a * 0.0000001;
	}
	return a + b;
}

static void test_fpu_async(void)
{
	double want = fp_work(200000);
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };

	set_action(SIGALRM, on_tick_fpu, SA_RESTART);
	ticks = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	double got = 0;
	for (int round = 0; round < 1000 && (ticks < 20 || !round); round++)
		got = fp_work(200000);
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	check(got == want && ticks >= 1, "FPU kept across asynchronous handlers");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_alarm_pause();
	test_periodic();
	test_nanosleep_eintr();
	test_futex();
	test_fpu_async();
	printf("signals_timer ok\n");
	return 0;
}
