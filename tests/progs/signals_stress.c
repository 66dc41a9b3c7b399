/* Signals under load: signals_stress THREADS PER_THREAD.  Every thread
 * queues PER_THREAD real-time signals with values to the others (tgsigqueue
 * style, retrying while the queue is full) and to the process, while a
 * 1 ms timer sends SIGALRM to the process and every thread computes in
 * floating point.  Every queued signal must be delivered exactly once, and
 * the computations must come out the same as without signals.
 * Prints "sent=N received=N ok", "fpu ok", "signals_stress ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#define MAXT 16

static int nthreads, per_thread;
static volatile int tids[MAXT];
static long sent, received, alarms;
static volatile int go, done_sending;
static volatile int fpu_bad;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	if (si->si_value.sival_int == 4242)
		__atomic_add_fetch(&received, 1, __ATOMIC_RELAXED);
}

static void on_alarm(int sig)
{
	volatile double x = sig;

	for (int i = 0; i < 20; i++)
		x = x * 1.01 + 0.5;
	__atomic_add_fetch(&alarms, 1, __ATOMIC_RELAXED);
}

static double fp_work(int n)
{
	double a = 0.25, b = 1.0;

	for (int i = 0; i < n; i++) {
		a = a * 0.999 + b * 0.001;
		b = b * 1.0000001 - a * 0.0000001;
	}
	return a + b;
}

/* Queues one signal; the queue may be full for a while (EAGAIN). */
static void queue_one(int tid)
{
	siginfo_t si;
	long r;

	memset(&si, 0, sizeof si);
	si.si_signo = SIGRTMIN;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_value.sival_int = 4242;
	do {
		r = tid ? syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, SIGRTMIN, &si)
			: syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si);
		if (r && errno == EAGAIN)
			sched_yield();
	} while (r && errno == EAGAIN);
	if (r) {
		printf("FAIL: queueing: errno %d\n", errno);
		exit(1);
	}
	__atomic_add_fetch(&sent, 1, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	int me = (int)(long)arg;
	double want = fp_work(20000);
	unsigned seed = me * 7919 + 1;

	tids[me] = gettid();
	while (!go)
		sched_yield();
	for (int i = 0; i < per_thread; i++) {
		seed = seed * 1103515245 + 12345;
		int to = (seed >> 16) % (nthreads + 1);	/* nthreads: the process */
		queue_one(to == nthreads || to == me ? 0 : tids[to]);
		if (i % 64 == 0 && fp_work(20000) != want)
			fpu_bad = 1;
	}
	__atomic_add_fetch(&done_sending, 1, __ATOMIC_RELAXED);
	while (done_sending < nthreads)
		if (fp_work(2000) != fp_work(2000))
			fpu_bad = 1;
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	pthread_t t[MAXT];

	nthreads = argc > 1 ? atoi(argv[1]) : 4;
	per_thread = argc > 2 ? atoi(argv[2]) : 2000;
	if (nthreads < 1 || nthreads > MAXT)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN, &sa, NULL);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)i);
	for (int i = 0; i < nthreads; i++)
		while (!tids[i])
			sched_yield();
	setitimer(ITIMER_REAL, &it, NULL);
	go = 1;
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	setitimer(ITIMER_REAL, &off, NULL);
	/* The last ones may still be pending for this thread (the process's). */
	for (int i = 0; i < 1000 && received < sent; i++)
		sched_yield();
	if (received != sent || fpu_bad) {
		printf("FAIL: sent=%ld received=%ld fpu_bad=%d\n", sent, received, fpu_bad);
		return 1;
	}
	printf("sent=%ld received=%ld ok\n", sent, received);
	printf("fpu ok\n");
	printf("signals_stress ok\n");
	return 0;
}
