/* epoll under concurrency.
 *
 *   churn:   4 threads keep writing to their eventfds while the main thread
 *            waits, reads, and keeps deleting, re-adding and modifying the
 *            registrations (callbacks racing with EPOLL_CTL_DEL on other
 *            CPUs); every increment must be counted once
 *   workers: 3 threads share one epoll with a semaphore eventfd registered
 *            EPOLLONESHOT; each takes one unit per wake-up and re-arms it
 *            with EPOLL_CTL_MOD; all units must be taken, then a second
 *            eventfd (level-triggered) tells every worker to stop
 *
 * Usage: epoll_threads [N] (increments per writer and units; default 20000).
 * Prints "churn ok", "workers ok", "epoll_threads ok"; "FAIL: ..." and
 * status 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int failures;
static long n_per;

#define CHECK(cond) do { if (!(cond)) { \
	printf("FAIL: %s:%d: %s (errno %d)\n", __func__, __LINE__, #cond, errno); \
	failures++; return; } } while (0)

static int add(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, op, fd, &ev);
}

/* ---- churn ---- */

enum { CHURNERS = 4 };

static void *bump(void *arg)
{
	int fd = (int)(intptr_t)arg;
	uint64_t one = 1;

	for (long i = 0; i < n_per; i++)
		if (write(fd, &one, 8) != 8)
			printf("FAIL: bump\n");
	return NULL;
}

static long drain(int fd)
{
	uint64_t v;

	return read(fd, &v, 8) == 8 ? (long)v : 0;
}

static void churn(void)
{
	int ep = epoll_create1(0), efd[CHURNERS];
	pthread_t th[CHURNERS];
	struct epoll_event ev[CHURNERS];
	long total = 0, rounds = 0;

	CHECK(ep >= 0);
	for (int i = 0; i < CHURNERS; i++) {
		CHECK((efd[i] = eventfd(0, EFD_NONBLOCK)) >= 0);
		CHECK(add(ep, EPOLL_CTL_ADD, efd[i], EPOLLIN, i) == 0);
		pthread_create(&th[i], NULL, bump, (void *)(intptr_t)efd[i]);
	}
	while (total < CHURNERS * n_per) {
		int n = epoll_wait(ep, ev, CHURNERS, 10000);
		CHECK(n > 0);
		for (int k = 0; k < n; k++)
			total += drain(efd[ev[k].data.u64]);
		int i = rounds++ % CHURNERS;
		switch (rounds % 3) {
		case 0:
			CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, efd[i], NULL) == 0);
			total += drain(efd[i]);
			CHECK(add(ep, EPOLL_CTL_ADD, efd[i], EPOLLIN, i) == 0);
			break;
		case 1:
			CHECK(add(ep, EPOLL_CTL_MOD, efd[i], EPOLLIN | EPOLLET, i) == 0);
			total += drain(efd[i]);	/* edge-triggered: drain after arming */
			break;
		default:
			CHECK(add(ep, EPOLL_CTL_MOD, efd[i], EPOLLIN, i) == 0);
		}
	}
	for (int i = 0; i < CHURNERS; i++) {
		pthread_join(th[i], NULL);
		total += drain(efd[i]);
		close(efd[i]);
	}
	CHECK(total == CHURNERS * n_per);
	close(ep);
	printf("churn ok\n");
}

/* ---- workers ---- */

enum { WORKERS = 3 };
static int wep, work_fd, stop_fd;
static long taken[WORKERS];

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	struct epoll_event ev;
	uint64_t v;

	for (;;) {
		int n = epoll_wait(wep, &ev, 1, 20000);
		if (n != 1) {
			printf("FAIL: worker %d: epoll_wait gave %d (errno %d)\n", me, n, errno);
			return NULL;
		}
		if (ev.data.u64 == 1)
			return NULL;	/* stop: level-triggered, so every worker sees it */
		if (read(work_fd, &v, 8) == 8)
			taken[me] += v;
		if (add(wep, EPOLL_CTL_MOD, work_fd, EPOLLIN | EPOLLONESHOT, 0) != 0)
			printf("FAIL: worker re-arm\n");
	}
}

static void workers(void)
{
	pthread_t th[WORKERS];
	long sum = 0;
	uint64_t one = 1;

	CHECK((wep = epoll_create1(0)) >= 0);
	CHECK((work_fd = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK)) >= 0);
	CHECK((stop_fd = eventfd(0, 0)) >= 0);
	CHECK(add(wep, EPOLL_CTL_ADD, work_fd, EPOLLIN | EPOLLONESHOT, 0) == 0);
	CHECK(add(wep, EPOLL_CTL_ADD, stop_fd, EPOLLIN, 1) == 0);
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	for (long i = 0; i < n_per; i++)
		CHECK(write(work_fd, &one, 8) == 8);
	/* Wait for the units to be taken (the counter back at 0). */
	for (int tries = 0; tries < 2000; tries++) {
		uint64_t v;
		if (read(work_fd, &v, 8) == -1 && errno == EAGAIN) {
			usleep(10000);
			break;
		}
		sum += (long)v;	/* took one ourselves: count it too */
		usleep(1000);
		if (tries == 1999)
			CHECK(!"units never drained");
	}
	CHECK(write(stop_fd, &one, 8) == 8);
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(th[i], NULL);
		sum += taken[i];
	}
	CHECK(sum == n_per);
	close(work_fd), close(stop_fd), close(wep);
	printf("workers ok\n");
}

int main(int argc, char **argv)
{
	n_per = argc > 1 ? atol(argv[1]) : 20000;
	churn();
	workers();
	if (failures)
		return 1;
	printf("epoll_threads ok\n");
	return 0;
}
