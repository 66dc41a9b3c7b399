/* futex_requeue [ROUNDS [WAITERS]]: waiters that leave on their own after another
 * thread requeued them.  WAITERS threads (2) wait on word A (FUTEX_WAIT, a handler
 * for SIGUSR1 without SA_RESTART); ROUNDS times (default 4000) a driver
 * moves them all to word B (FUTEX_REQUEUE), interrupts them with SIGUSR1,
 * and at once keeps joining B's queue and leaving it (waits whose deadline
 * has passed) while they wake up on other CPUs and leave B's queue.  Each
 * must leave it under B's lock: a kernel that unlinks them under A's
 * corrupts B's queue while the driver changes it (a fault, or a hang).
 * Every call must answer as futex(2) says.  Prints "requeue torture ok"
 * and the rounds (the same under Linux), or FAIL lines. */
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
#define MAX_WAITERS	8
#define CHURN		16	/* B's queue changes after each round's signals */

static unsigned a_word, b_word;
static volatile int stop;
static volatile int failed;
static int nwaiters = 2;
static pid_t tids[MAX_WAITERS];
static volatile int ready[MAX_WAITERS];

static long futex(unsigned *w, int op, unsigned val, const void *ts, unsigned *w2, unsigned val3)
{
	return syscall(SYS_futex, w, op, val, ts, w2, val3);
}

static void fail(const char *what, long ret)
{
	if (!__atomic_exchange_n(&failed, 1, __ATOMIC_SEQ_CST))
		printf("FAIL: %s returned %ld (errno %d)\n", what, ret, ret < 0 ? errno : 0);
}

/* Waits on A until told to stop: woken (0), interrupted (EINTR), or the
 * word changed (EAGAIN, at the end). */
static void *waiter(void *arg)
{
	long me = (long)arg;

	tids[me] = gettid();
	while (!stop) {
		ready[me] = 1;
		long r = futex(&a_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		if (r != 0 && !(r == -1 && (errno == EINTR || errno == EAGAIN)))
			fail("wait on A", r);
	}
	return NULL;
}

/* Moves every waiter of A to B; until both are there, since a waiter just
 * interrupted may not be back on A yet. */
static void requeue_both(void)
{
	int moved = 0;

	while (moved < nwaiters) {
		long r = futex(&a_word, FUTEX_REQUEUE_PRIVATE, 0, (void *)(long)INT_MAX, &b_word, 0);
		if (r < 0) {
			fail("requeue A to B", r);
			return;
		}
		moved += (int)r;
		if (moved < nwaiters)
			sched_yield();
	}
}

/* Joins B's queue and leaves it at once: an absolute deadline of 1 ns has
 * always passed. */
static void churn(void)
{
	struct timespec past = { 0, 1 };

	for (int i = 0; i < CHURN; i++) {
		long r = futex(&b_word, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, 2);
		if (r != -1 || errno != ETIMEDOUT)
			fail("a past deadline on B", r);
	}
}

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 4000;

	if (argc > 2 && atoi(argv[2]) > 0 && atoi(argv[2]) <= MAX_WAITERS)
		nwaiters = atoi(argv[2]);
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	pthread_t t[MAX_WAITERS];

	sigaction(SIGUSR1, &sa, NULL);
	for (long i = 0; i < nwaiters; i++)
		pthread_create(&t[i], NULL, waiter, (void *)i);
	for (int i = 0; i < nwaiters; i++)
		while (!ready[i])
			sched_yield();
	for (long r = 0; r < rounds && !failed; r++) {
		requeue_both();
		for (int i = 0; i < nwaiters; i++)
			syscall(SYS_tgkill, getpid(), tids[i], SIGUSR1);
		churn();
	}
	stop = 1;
	a_word = b_word = 1;
	for (int i = 0; i < nwaiters; i++) {
		futex(&a_word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
		futex(&b_word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	}
	for (int i = 0; i < nwaiters; i++)
		pthread_join(t[i], NULL);
	if (!failed)
		printf("requeue torture ok: %ld rounds\n", rounds);
	return failed;
}
