/* Stops and continues racing everything a process does: a child whose
 * threads sleep, pass bytes through a pipe, wait on a condition variable,
 * take signals, and come and go, is stopped and continued ROUNDS times
 * (SIGSTOP or SIGTSTP, with SIGUSR1s sent in between).  Every stop and every
 * continue must be reported once by waitpid, the child must make progress
 * between rounds and none while stopped, and SIGKILL must end it.  Prints
 * "jobctl ok".  Usage: stress_jobctl SEED ROUNDS */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS	4

static volatile long *progress;	/* shared with the child: one counter per worker */
static int pipefd[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long turn;

static void fail(const char *what)
{
	printf("FAIL: %s\n", what);
	exit(1);
}

static void on_usr1(int sig) { (void)sig; }

static void nap(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* What one worker does, by its number: each kind of blocking call. */
static void work_once(long id)
{
	char c = 'x';

	switch (id) {
	case 0:
		nap(200);
		break;
	case 1:
		if (write(pipefd[1], &c, 1) != 1)
			fail("pipe write");
		break;
	case 2:
		if (read(pipefd[0], &c, 1) != 1)
			fail("pipe read");
		break;
	default:
		pthread_mutex_lock(&lock);
		turn++;
		pthread_cond_broadcast(&cond);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&cond, &lock, &until);
		pthread_mutex_unlock(&lock);
	}
}

static void *worker(void *arg)
{
	long id = (long)arg;

	for (;;) {
		work_once(id);
		progress[id]++;
	}
	return NULL;
}

/* Short-lived threads, so some start and end while a stop is under way. */
static void *short_lived(void *arg)
{
	(void)arg;
	nap(50);
	return NULL;
}

static _Noreturn void child(void)
{
	pthread_t t;

	signal(SIGUSR1, on_usr1);
	for (long i = 1; i < WORKERS; i++)
		pthread_create(&t, NULL, worker, (void *)i);
	for (;;) {
		work_once(0);
		progress[0]++;
		if (pthread_create(&t, NULL, short_lived, NULL) == 0)
			pthread_detach(t);
	}
}

static long total(void)
{
	long sum = 0;

	for (int i = 0; i < WORKERS; i++)
		sum += progress[i];
	return sum;
}

static void expect_report(pid_t pid, int options, const char *what)
{
	int st;

	if (waitpid(pid, &st, options) != pid)
		fail(what);
	if ((options & WUNTRACED) && !WIFSTOPPED(st))
		fail(what);
	if ((options & WCONTINUED) && !WIFCONTINUED(st))
		fail(what);
}

static void round_trip(pid_t pid, unsigned *seed)
{
	int stop = rand_r(seed) % 2 ? SIGSTOP : SIGTSTP;

	for (int i = rand_r(seed) % 3; i > 0; i--)
		kill(pid, SIGUSR1);
	kill(pid, stop);
	expect_report(pid, WUNTRACED, "stop reported");
	long frozen = total();
	if (rand_r(seed) % 4 == 0) {
		kill(pid, SIGUSR1);	/* held until the continue */
		nap(2000);
		if (total() != frozen)
			fail("a thread ran while stopped");
	}
	kill(pid, SIGCONT);
	expect_report(pid, WCONTINUED, "continue reported");
	while (total() == frozen)
		nap(100);
}

int main(int argc, char **argv)
{
	unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	int rounds = argc > 2 ? atoi(argv[2]) : 100, st;

	progress = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (progress == MAP_FAILED || pipe(pipefd))
		fail("setup");
	pid_t pid = fork();
	if (!pid) {
		setpgid(0, 0);	/* not orphaned: SIGTSTP stops it */
		child();
	}
	setpgid(pid, pid);
	while (total() == 0)
		nap(100);
	for (int i = 0; i < rounds; i++)
		round_trip(pid, &seed);
	kill(pid, SIGSTOP);
	expect_report(pid, WUNTRACED, "last stop reported");
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		fail("SIGKILL of a stopped process");
	puts("jobctl ok");
	return 0;
}
