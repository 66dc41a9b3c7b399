/* stress_cond [ROUNDS]: timed condition variables with requeue and
 * signals.  Two producers each add ROUNDS tokens (default 3000) under a
 * mutex and wake consumers (pthread_cond_signal, or pthread_cond_broadcast,
 * which musl turns into FUTEX_REQUEUE onto the mutex); six consumers take
 * them in pthread_cond_timedwait with deadlines of 0-2 ms, on a private and
 * a process-shared condition variable (musl's two code paths); a seventh
 * thread keeps sending the consumers SIGUSR1.  Every token must be taken
 * exactly once and every wait must end.  Prints "cond ok: N tokens" (the
 * same under Linux), or FAIL lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PRODUCERS	2
#define CONSUMERS	6

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t more;
	long tokens, taken, produced;
};

static struct queue queues[2];
static long rounds, expect[2];	/* tokens each queue gets in all */
static volatile int stop;
static pid_t consumer_tids[CONSUMERS];

static void fail(const char *what, int err)
{
	printf("FAIL: %s (%d)\n", what, err);
	exit(1);
}

static void deadline_in(struct timespec *ts, long ns)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += ns;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void *producer(void *arg)
{
	unsigned seed = (unsigned)(long)arg;

	for (long i = 0; i < rounds; i++) {
		struct queue *q = &queues[i % 2];
		pthread_mutex_lock(&q->lock);
		q->tokens++;
		q->produced++;
		if (rand_r(&seed) % 4 == 0)
			pthread_cond_broadcast(&q->more);
		else
			pthread_cond_signal(&q->more);
		pthread_mutex_unlock(&q->lock);
		if (rand_r(&seed) % 8 == 0)
			sched_yield();
	}
	return NULL;
}

/* Takes tokens from both queues until every one is taken. */
static void *consumer(void *arg)
{
	long me = (long)arg;
	unsigned seed = (unsigned)me;

	consumer_tids[me] = gettid();
	for (;;) {
		struct queue *q = &queues[rand_r(&seed) % 2];
		struct timespec ts;
		pthread_mutex_lock(&q->lock);
		while (!q->tokens && q->taken < expect[q - queues]) {
			deadline_in(&ts, (long)(rand_r(&seed) % 2000000));
			int e = pthread_cond_timedwait(&q->more, &q->lock, &ts);
			if (e && e != ETIMEDOUT)
				fail("pthread_cond_timedwait", e);
		}
		if (q->tokens) {
			q->tokens--;
			q->taken++;
		}
		int done = queues[0].taken + queues[1].taken == PRODUCERS * rounds;
		pthread_mutex_unlock(&q->lock);
		if (done || stop)
			break;
	}
	return NULL;
}

static void *signaller(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !stop; i++) {
		if (consumer_tids[i % CONSUMERS])
			syscall(SYS_tgkill, getpid(), consumer_tids[i % CONSUMERS], SIGUSR1);
		sched_yield();
	}
	return NULL;
}

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv)
{
	pthread_t p[PRODUCERS], c[CONSUMERS], s;
	pthread_condattr_t shared;
	struct sigaction sa = { .sa_handler = on_usr1 };

	rounds = argc > 1 ? atol(argv[1]) : 3000;
	expect[0] = PRODUCERS * ((rounds + 1) / 2);
	expect[1] = PRODUCERS * (rounds / 2);
	sigaction(SIGUSR1, &sa, NULL);
	pthread_condattr_init(&shared);
	pthread_condattr_setpshared(&shared, PTHREAD_PROCESS_SHARED);
	for (int i = 0; i < 2; i++) {
		pthread_mutex_init(&queues[i].lock, NULL);
		pthread_cond_init(&queues[i].more, i ? &shared : NULL);
	}
	for (long i = 0; i < CONSUMERS; i++)
		pthread_create(&c[i], NULL, consumer, (void *)i);
	pthread_create(&s, NULL, signaller, NULL);
	for (long i = 0; i < PRODUCERS; i++)
		pthread_create(&p[i], NULL, producer, (void *)(i + 100));
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < CONSUMERS; i++)
		pthread_join(c[i], NULL);
	stop = 1;
	pthread_join(s, NULL);
	long taken = queues[0].taken + queues[1].taken;
	if (taken != PRODUCERS * rounds || queues[0].tokens || queues[1].tokens)
		fail("tokens lost or taken twice", (int)taken);
	printf("cond ok: %ld tokens\n", taken);
	return 0;
}
