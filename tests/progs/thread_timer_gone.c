/* A POSIX timer on a thread's CPU clock once that thread has ended, as
 * Linux 6.x answers: timer_gettime finds it disarmed, timer_settime is
 * ESRCH (before, 0: the timer was "set" on a clock that no longer runs). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "call_result.h"

static timer_t timer;

static void *make(void *arg)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its = { { 0, 0 }, { 5, 0 } };

	(void)arg;
	printf("timer_create: %s\n", res(timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &timer)));
	printf("timer_settime: %s\n", res(timer_settime(timer, 0, &its, NULL)));
	return NULL;
}

int main(void)
{
	pthread_t t;
	struct itimerspec cur = { { 7, 7 }, { 7, 7 } }, its = { { 0, 0 }, { 1, 0 } };

	pthread_create(&t, NULL, make, NULL);
	pthread_join(t, NULL);
	const char *r = res(timer_gettime(timer, &cur));
	printf("its thread gone, timer_gettime: %s, %ld.%09ld left\n", r, (long)cur.it_value.tv_sec,
	       cur.it_value.tv_nsec);
	printf("timer_settime: %s\n", res(timer_settime(timer, 0, &its, NULL)));
	printf("absolute: %s\n", res(timer_settime(timer, TIMER_ABSTIME, &its, NULL)));
	its.it_value.tv_sec = 0;
	printf("disarming: %s\n", res(timer_settime(timer, 0, &its, NULL)));
	printf("timer_delete: %s\n", res(timer_delete(timer)));
	return 0;
}
