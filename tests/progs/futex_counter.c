/* Mutual exclusion and wake-ups between threads, which rest on futex:
 *  1. T threads (argv[1], default 4) each add 1 to a shared counter N times
 *     (argv[2], default 20000) under one pthread_mutex; the total must be
 *     exactly T*N.  The unlocked read-modify-write in the critical section
 *     loses updates if the mutex does not exclude.
 *  2. Two threads pass a turn back and forth R times (argv[3], default 2000)
 *     through a condition variable; each pass must be seen by the other.
 * Prints "counter=T*N ok" and "pingpong=R ok", or FAIL lines. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile unsigned long counter;
static long iterations;

static void *add(void *arg)
{
	(void)arg;
	for (long i = 0; i < iterations; i++) {
		pthread_mutex_lock(&lock);
		unsigned long v = counter;	/* deliberately not atomic */
		__asm__ volatile("" ::: "memory");
		counter = v + 1;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static pthread_mutex_t pp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cond = PTHREAD_COND_INITIALIZER;
static int turn;		/* whose turn: 0 or 1; guarded by pp_lock */
static long passes;		/* guarded by pp_lock */
static long rounds;

static void *player(void *arg)
{
	int me = (int)(long)arg;

	pthread_mutex_lock(&pp_lock);
	for (;;) {
		while (turn != me && passes < rounds)
			pthread_cond_wait(&pp_cond, &pp_lock);
		if (passes >= rounds)
			break;
		passes++;
		turn = !me;
		pthread_cond_broadcast(&pp_cond);
	}
	pthread_mutex_unlock(&pp_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	int t = argc > 1 ? atoi(argv[1]) : 4;
	iterations = argc > 2 ? atol(argv[2]) : 20000;
	rounds = argc > 3 ? atol(argv[3]) : 2000;
	pthread_t tid[64];

	if (t < 1 || t > 64) {
		printf("FAIL: thread count %d out of range 1..64\n", t);
		return 2;
	}
	for (int i = 0; i < t; i++)
		if (pthread_create(&tid[i], NULL, add, NULL)) {
			printf("FAIL: pthread_create\n");
			return 1;
		}
	for (int i = 0; i < t; i++)
		pthread_join(tid[i], NULL);
	if (counter != (unsigned long)t * iterations) {
		printf("FAIL: counter=%lu, expected %lu\n", counter, (unsigned long)t * iterations);
		return 1;
	}
	printf("counter=%lu ok\n", counter);

	pthread_t a, b;
	if (pthread_create(&a, NULL, player, (void *)0L) ||
	    pthread_create(&b, NULL, player, (void *)1L)) {
		printf("FAIL: pthread_create\n");
		return 1;
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	if (passes != rounds) {
		printf("FAIL: pingpong=%ld, expected %ld\n", passes, rounds);
		return 1;
	}
	printf("pingpong=%ld ok\n", passes);
	return 0;
}
