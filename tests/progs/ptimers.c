/* POSIX timers: timer_create with SIGEV_SIGNAL and SIGEV_NONE, one-shot,
 * periodic and absolute (CLOCK_REALTIME) expiries, what the signal
 * carries (SI_TIMER, the id, the value), timer_gettime, a fork's child
 * without the timers, and the errors.  One line per check; Linux's
 * transcript in tests/vm/proc_expected.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Raw calls: libc's timer_t is not the kernel's id. */
static long tcreate(int clock, struct sigevent *ev, int *id) { return syscall(SYS_timer_create, clock, ev, id); }
static long tset(int id, int flags, const struct itimerspec *n, struct itimerspec *o)
{
	return syscall(SYS_timer_settime, id, flags, n, o);
}
static long tget(int id, struct itimerspec *c) { return syscall(SYS_timer_gettime, id, c); }
static long tdel(int id) { return syscall(SYS_timer_delete, id); }

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		exit(1);
}

static const char *err(long r)
{
	return r == 0 ? "0" : errno == EINVAL ? "EINVAL" : errno == EFAULT ? "EFAULT" :
	       errno == EOPNOTSUPP ? "EOPNOTSUPP" : "other";
}

static struct itimerspec in_ms(long value, long interval)
{
	struct itimerspec s = { { interval / 1000, interval % 1000 * 1000000 },
				{ value / 1000, value % 1000 * 1000000 } };
	return s;
}

int main(void)
{
	sigset_t usr1;
	siginfo_t si;
	int id, id2;

	setvbuf(stdout, NULL, _IONBF, 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	ev.sigev_value.sival_ptr = (void *)42;
	check(tcreate(CLOCK_MONOTONIC, &ev, &id) == 0, "timer_create, SIGEV_SIGNAL");
	struct itimerspec s = in_ms(20, 0), cur;
	check(tset(id, 0, &s, NULL) == 0, "a one-shot of 20 ms");
	check(sigwaitinfo(&usr1, &si) == SIGUSR1, "its signal came");
	check(si.si_code == SI_TIMER && si.si_value.sival_ptr == (void *)42 && si.si_timerid == id,
	      "SI_TIMER, the value and the id");
	check(tget(id, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_nsec,
	      "disarmed after it fired");
	s = in_ms(10, 10);
	check(tset(id, 0, &s, NULL) == 0, "periodic every 10 ms");
	for (int i = 0; i < 3; i++)
		sigwaitinfo(&usr1, &si);
	check(tget(id, &cur) == 0 && cur.it_interval.tv_nsec == 10000000, "three expiries, interval kept");
	s = in_ms(0, 0);
	struct itimerspec old;
	check(tset(id, 0, &s, &old) == 0 && old.it_interval.tv_nsec == 10000000, "disarmed, the old one returned");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	check(tdel(id) == 0, "timer_delete");
	check(tcreate(CLOCK_REALTIME, &ev, &id) == 0, "a CLOCK_REALTIME timer");
	s = (struct itimerspec){ { 0, 0 }, { now.tv_sec, now.tv_nsec + 30000000 } };
	if (s.it_value.tv_nsec >= 1000000000)
		s.it_value.tv_sec++, s.it_value.tv_nsec -= 1000000000;
	check(tset(id, TIMER_ABSTIME, &s, NULL) == 0 && sigwaitinfo(&usr1, &si) == SIGUSR1,
	      "TIMER_ABSTIME 30 ms ahead fires");
	s = in_ms(1000, 0);
	check(tset(id, 0, &s, NULL) == 0 && tget(id, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_nsec > 500000000, "timer_gettime counts down");
	pid_t pid = fork();
	if (!pid)
		_exit(tget(id, &cur) == -1 && errno == EINVAL ? 0 : 1);
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a fork's child has no timers");
	tdel(id);

	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	check(tcreate(CLOCK_MONOTONIC, &none, &id) == 0, "SIGEV_NONE");
	s = in_ms(20, 0);
	tset(id, 0, &s, NULL);
	usleep(50000);
	struct timespec zero = { 0, 0 };
	check(sigtimedwait(&usr1, &si, &zero) == -1 && errno == EAGAIN, "it sends nothing");
	tdel(id);
	check(tcreate(CLOCK_MONOTONIC, NULL, &id) == 0 && tcreate(CLOCK_MONOTONIC, NULL, &id2) == 0 &&
	      id != id2, "two timers, two ids");
	tdel(id), tdel(id2);

	printf("clock 99: %s\n", err(tcreate(99, &ev, &id)));
	printf("CLOCK_MONOTONIC_RAW: %s\n", err(tcreate(CLOCK_MONOTONIC_RAW, &ev, &id)));
	struct sigevent bad = { .sigev_notify = 99, .sigev_signo = SIGUSR1 };
	printf("notify 99: %s\n", err(tcreate(CLOCK_MONOTONIC, &bad, &id)));
	bad = (struct sigevent){ .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0 };
	printf("signal 0: %s\n", err(tcreate(CLOCK_MONOTONIC, &bad, &id)));
	bad.sigev_signo = 65;
	printf("signal 65: %s\n", err(tcreate(CLOCK_MONOTONIC, &bad, &id)));
	bad = (struct sigevent){ .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1 };
	bad.sigev_notify_thread_id = 999999;
	printf("SIGEV_THREAD_ID of no thread: %s\n", err(tcreate(CLOCK_MONOTONIC, &bad, &id)));
	printf("a bad sigevent pointer: %s\n", err(tcreate(CLOCK_MONOTONIC, (void *)8, &id)));
	tcreate(CLOCK_MONOTONIC, &ev, &id);
	s = in_ms(10, 0);
	s.it_value.tv_nsec = 1000000000;
	printf("tv_nsec 1e9: %s\n", err(tset(id, 0, &s, NULL)));
	s = in_ms(10, 0);
	printf("flags 2: %s\n", err(tset(id, 2, &s, NULL)));
	printf("a bad new value pointer: %s\n", err(tset(id, 0, (void *)8, NULL)));
	tdel(id);
	printf("settime of a deleted timer: %s\n", err(tset(id, 0, &s, NULL)));
	printf("gettime of a deleted timer: %s\n", err(tget(id, &cur)));
	printf("delete again: %s\n", err(tdel(id)));
	printf("getoverrun of a deleted timer: %s\n", err(syscall(SYS_timer_getoverrun, id)));
	printf("ptimers ok\n");
	return 0;
}
