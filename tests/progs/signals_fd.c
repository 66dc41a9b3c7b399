/* signalfd: blocked signals read as records (signo, code, pid, sigqueue's
 * value), several in one read, EAGAIN when none and non-blocking, poll and
 * epoll readiness, a blocked read woken by another thread's kill, the mask
 * changed in place, EINVAL for a descriptor that is not a signalfd.
 * Prints "<check> ok" lines, then "signals_fd ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

static void check(int ok, const char *name)
{
	if (!ok) {
		printf("FAIL: %s (errno %d)\n", name, errno);
		exit(1);
	}
	printf("%s ok\n", name);
}

static void *send_later(void *arg)
{
	struct timespec ms = { 0, 50 * 1000 * 1000 };

	(void)arg;
	nanosleep(&ms, NULL);
	kill(getpid(), SIGUSR2);
	return NULL;
}

int main(void)
{
	struct signalfd_siginfo ssi[4];
	sigset_t set;
	int rt = SIGRTMIN + 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, rt);
	sigprocmask(SIG_BLOCK, &set, NULL);	/* before any thread: they inherit it */
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	check(fd >= 0, "signalfd");

	errno = 0;
	check(read(fd, ssi, sizeof ssi) == -1 && errno == EAGAIN, "nothing pending: EAGAIN");
	struct pollfd p = { .fd = fd, .events = POLLIN };
	check(poll(&p, 1, 0) == 0, "not readable");

	kill(getpid(), SIGUSR1);
	sigqueue(getpid(), rt, (union sigval){ .sival_int = 77 });
	check(poll(&p, 1, 0) == 1 && (p.revents & POLLIN), "readable");
	ssize_t n = read(fd, ssi, sizeof ssi);
	check(n == 2 * (ssize_t)sizeof ssi[0] && ssi[0].ssi_signo == SIGUSR1 &&
	      ssi[0].ssi_code == SI_USER && ssi[0].ssi_pid == (uint32_t)getpid() &&
	      ssi[1].ssi_signo == (uint32_t)rt && ssi[1].ssi_code == SI_QUEUE &&
	      ssi[1].ssi_int == 77, "two records in one read");
	errno = 0;
	check(read(fd, ssi, 16) == -1 && errno == EINVAL, "short buffer EINVAL");

	int efd = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 5 }, out;
	epoll_ctl(efd, EPOLL_CTL_ADD, fd, &ev);
	pthread_t t;
	pthread_create(&t, NULL, send_later, NULL);
	check(epoll_wait(efd, &out, 1, 5000) == 1 && out.data.u32 == 5, "epoll wakes for a signal");
	pthread_join(t, NULL);
	check(read(fd, ssi, sizeof ssi) == sizeof ssi[0] && ssi[0].ssi_signo == SIGUSR2,
	      "read after epoll");

	int bfd = signalfd(-1, &set, 0);	/* blocking */
	pthread_create(&t, NULL, send_later, NULL);
	check(read(bfd, ssi, sizeof ssi) == sizeof ssi[0] && ssi[0].ssi_signo == SIGUSR2,
	      "blocked read woken by another thread's kill");
	pthread_join(t, NULL);

	sigset_t only1;
	sigemptyset(&only1);
	sigaddset(&only1, SIGUSR1);
	check(signalfd(fd, &only1, 0) == fd, "mask changed in place");
	kill(getpid(), SIGUSR2);
	errno = 0;
	check(read(fd, ssi, sizeof ssi) == -1 && errno == EAGAIN, "signal outside the mask not read");
	sigset_t pend;
	sigpending(&pend);
	check(sigismember(&pend, SIGUSR2), "it stays pending");
	errno = 0;
	check(signalfd(efd, &set, 0) == -1 && errno == EINVAL, "not a signalfd: EINVAL");
	printf("signals_fd ok\n");
	return 0;
}
