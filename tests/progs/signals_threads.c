/* Signals and threads: tgkill to another thread runs the handler there; a
 * signal sent to the process goes to a thread that does not block it;
 * sigwaitinfo in one thread takes a signal every thread blocks; a thread
 * asleep in pthread_cond_wait runs a handler and goes on waiting.
 * Prints "<check> ok" lines, then "signals_threads ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int handler_tid, handler_hits;
static volatile int worker_tid, stop;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready;

static void check(int ok, const char *name)
{
	if (!ok) {
		printf("FAIL: %s (handler tid %d worker %d main %d hits %d)\n", name, handler_tid,
		       worker_tid, (int)gettid(), handler_hits);
		exit(1);
	}
	printf("%s ok\n", name);
}

static void on_sig(int sig)
{
	(void)sig;
	handler_tid = gettid();
	handler_hits++;
}

static void set_action(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(how, &set, NULL);
}

static void wait_for(volatile int *v, int want)
{
	struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 20000 && *v != want; i++)
		nanosleep(&ms, NULL);
}

/* Spins until told to stop; SIGUSR2 is not blocked here. */
static void *spinner(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	while (!stop)
		sched_yield();
	return NULL;
}

static void test_tgkill_and_process(void)
{
	pthread_t t;

	set_action(SIGUSR1);
	set_action(SIGUSR2);
	stop = 0;
	worker_tid = 0;
	pthread_create(&t, NULL, spinner, NULL);
	while (!worker_tid)
		sched_yield();

	handler_hits = 0;
	syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
	wait_for(&handler_hits, 1);
	check(handler_hits == 1 && handler_tid == worker_tid, "tgkill runs the handler in that thread");

	handler_hits = 0;
	block(SIGUSR2, SIG_BLOCK);	/* main blocks it: only the worker can take it */
	kill(getpid(), SIGUSR2);
	wait_for(&handler_hits, 1);
	check(handler_hits == 1 && handler_tid == worker_tid,
	      "process signal goes to a thread that does not block it");
	block(SIGUSR2, SIG_UNBLOCK);

	handler_hits = 0;
	syscall(SYS_tkill, gettid(), SIGUSR1);
	check(handler_hits == 1 && handler_tid == gettid(), "tkill to itself");
	stop = 1;
	pthread_join(t, NULL);
}

static volatile int waited_sig, waited_code;

static void *waiter(void *arg)
{
	sigset_t set;
	siginfo_t si;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	worker_tid = gettid();
	int sig = sigwaitinfo(&set, &si);
	waited_code = si.si_code;
	waited_sig = sig;
	return NULL;
}

static void test_sigwait_thread(void)
{
	pthread_t t;

	block(SIGUSR1, SIG_BLOCK);	/* inherited by the new thread */
	worker_tid = 0;
	waited_sig = 0;
	pthread_create(&t, NULL, waiter, NULL);
	while (!worker_tid)
		sched_yield();
	struct timespec ms = { 0, 20000000 };
	nanosleep(&ms, NULL);	/* let it reach sigwaitinfo */
	kill(getpid(), SIGUSR1);
	pthread_join(t, NULL);
	check(waited_sig == SIGUSR1 && waited_code == SI_USER, "sigwaitinfo in another thread");
	block(SIGUSR1, SIG_UNBLOCK);
}

static void *cond_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	worker_tid = gettid();
	while (!ready)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void test_cond_wait_interrupted(void)
{
	pthread_t t;

	set_action(SIGUSR1);
	worker_tid = 0;
	ready = 0;
	pthread_create(&t, NULL, cond_waiter, NULL);
	while (!worker_tid)
		sched_yield();
	pthread_mutex_lock(&lock);	/* the worker is in pthread_cond_wait now */
	pthread_mutex_unlock(&lock);
	handler_hits = 0;
	syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
	wait_for(&handler_hits, 1);
	pthread_mutex_lock(&lock);
	ready = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);
	check(handler_hits == 1 && handler_tid == worker_tid,
	      "handler in a thread asleep in pthread_cond_wait, which goes on");
}

static void test_bad_tids(void)
{
	errno = 0;
	check(syscall(SYS_tgkill, getpid(), 999999, SIGUSR1) == -1 && errno == ESRCH &&
	      syscall(SYS_tgkill, getpid(), -5, SIGUSR1) == -1 && errno == EINVAL,
	      "tgkill of no such thread");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_tgkill_and_process();
	test_sigwait_thread();
	test_cond_wait_interrupted();
	test_bad_tids();
	printf("signals_threads ok\n");
	return 0;
}
