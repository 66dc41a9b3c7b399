/* futex_requeue [ROUNDS]: waiters that leave on their own while another
 * thread requeues them.  Four threads make short timed FUTEX_WAITs on word
 * A (ROUNDS each, default 3000); one thread requeues A's waiters to word B;
 * twelve threads sleep on B (WAIT_BITSET with bit 1) so that B's queue is
 * long; one thread wakes B's bit-0 waiters, which are only the requeued
 * ones, walking past the sleepers each time; one sends SIGUSR1 (a handler
 * without SA_RESTART) to A's waiters.  A requeued waiter whose timeout or
 * signal ends its sleep must leave B's queue under B's lock: a kernel that
 * unlinks it under A's corrupts B's queue while the waker walks it.
 * Every call must answer with one of the errnos futex(2) lists for it.
 * Prints "requeue torture ok" (the same under Linux), or FAIL lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE		128
#define FUTEX_WAKE_PRIVATE		129
#define FUTEX_REQUEUE_PRIVATE		131
#define FUTEX_WAIT_BITSET_PRIVATE	137
#define FUTEX_WAKE_BITSET_PRIVATE	138
#define A_WAITERS	4
#define B_SLEEPERS	12
#define HELPERS		3

static unsigned a_word, b_word;
static volatile int stop;
static volatile int failed;
static long rounds;
static pid_t a_tids[A_WAITERS];

static long futex(unsigned *w, int op, unsigned val, const struct timespec *ts, unsigned *w2,
		  unsigned val3)
{
	return syscall(SYS_futex, w, op, val, ts, w2, val3);
}

static void fail(const char *what, long ret)
{
	if (!__atomic_exchange_n(&failed, 1, __ATOMIC_SEQ_CST))
		printf("FAIL: %s returned %ld (errno %d)\n", what, ret, ret < 0 ? errno : 0);
}

/* A wait may end woken, timed out, interrupted, or find the word changed. */
static void check_wait(long r, const char *what)
{
	if (r != 0 && !(r == -1 && (errno == ETIMEDOUT || errno == EAGAIN || errno == EINTR)))
		fail(what, r);
}

static void *a_waiter(void *arg)
{
	unsigned seed = (unsigned)(long)arg;

	a_tids[(long)arg] = gettid();
	for (long i = 0; i < rounds && !stop; i++) {
		struct timespec ts = { 0, 20000 + (rand_r(&seed) % 8) * 20000 };
		check_wait(futex(&a_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0), "wait on A");
	}
	return NULL;
}

/* Absolute monotonic deadlines, as WAIT_BITSET takes them. */
static void *b_sleeper(void *arg)
{
	(void)arg;
	while (!stop) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 50000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		check_wait(futex(&b_word, FUTEX_WAIT_BITSET_PRIVATE, 0, &ts, NULL, 2), "sleep on B");
	}
	return NULL;
}

static void *requeuer(void *arg)
{
	(void)arg;
	while (!stop) {
		long r = futex(&a_word, FUTEX_REQUEUE_PRIVATE, 0, (void *)(long)INT_MAX, &b_word, 0);
		if (r < 0)
			fail("requeue A to B", r);
		sched_yield();
	}
	return NULL;
}

static void *b_waker(void *arg)
{
	(void)arg;
	while (!stop) {
		long r = futex(&b_word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 1);
		if (r < 0)
			fail("wake on B", r);
	}
	return NULL;
}

static void *signaller(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !stop; i++) {
		pid_t t = a_tids[i % A_WAITERS];
		if (t)
			syscall(SYS_tgkill, getpid(), t, SIGUSR1);
		sched_yield();
	}
	return NULL;
}

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv)
{
	pthread_t a[A_WAITERS], b[B_SLEEPERS], helpers[HELPERS];
	void *(*const helper_fn[HELPERS])(void *) = { requeuer, b_waker, signaller };
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */

	rounds = argc > 1 ? atol(argv[1]) : 3000;
	sigaction(SIGUSR1, &sa, NULL);
	for (long i = 0; i < B_SLEEPERS; i++)
		pthread_create(&b[i], NULL, b_sleeper, NULL);
	for (long i = 0; i < A_WAITERS; i++)
		pthread_create(&a[i], NULL, a_waiter, (void *)i);
	for (int i = 0; i < HELPERS; i++)
		pthread_create(&helpers[i], NULL, helper_fn[i], NULL);
	for (int i = 0; i < A_WAITERS; i++)
		pthread_join(a[i], NULL);
	stop = 1;
	for (int i = 0; i < HELPERS; i++)
		pthread_join(helpers[i], NULL);
	for (int i = 0; i < B_SLEEPERS; i++)
		pthread_join(b[i], NULL);
	if (!failed)
		printf("requeue torture ok\n");
	return failed;
}
