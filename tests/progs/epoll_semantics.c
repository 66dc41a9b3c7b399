/* epoll as epoll(7) describes it, on pipes, eventfds and timerfds:
 * errors of epoll_create1/epoll_ctl, level-triggered, edge-triggered and
 * one-shot reporting, EPOLLHUP/EPOLLERR, data.u64 returned as given,
 * maxevents and fairness, nested epolls and polling an epoll, a closed
 * descriptor's registration, timeouts, epoll_pwait/epoll_pwait2; then
 * threads: a waiter woken by a write, by an epoll_ctl of a ready file, or by
 * a signal (EINTR; epoll_pwait's mask), and one thread multiplexing the pipes
 * of many writers until every one hangs up.
 * One "<what> ok" line per check and "epoll_semantics ok"; "FAIL: ..." and
 * status 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	printf("FAIL: %s:%d: %s (errno %d)\n", __func__, __LINE__, #cond, errno); \
	failures++; return; } } while (0)

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* One event expected within timeout: its events, or 0 for none, -1 for
 * more than one or an error; *data gets its data. */
static int64_t wait1(int ep, int timeout, uint64_t *data)
{
	struct epoll_event ev[2];
	int n = epoll_wait(ep, ev, 2, timeout);

	if (n == 1 && data)
		*data = ev[0].data.u64;
	return n == 0 ? 0 : n == 1 ? (int64_t)ev[0].events : -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void errors(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), ep2 = epoll_create1(0), fd[2];
	struct epoll_event ev = { EPOLLIN, { 0 } };

	CHECK(ep >= 0 && ep2 >= 0 && pipe(fd) == 0);
	CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC && fcntl(ep2, F_GETFD) == 0);
	CHECK(epoll_create1(1) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_epoll_create, 0) == -1 && errno == EINVAL);
	int old = (int)syscall(SYS_epoll_create, 1);
	CHECK(old >= 0);
	close(old);
	CHECK(add(ep, fd[0], EPOLLIN, 1) == 0);
	CHECK(add(ep, fd[0], EPOLLIN, 1) == -1 && errno == EEXIST);
	CHECK(mod(ep, fd[1], EPOLLIN, 1) == -1 && errno == ENOENT);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, fd[1], &ev) == -1 && errno == ENOENT);
	CHECK(add(ep, 999, EPOLLIN, 1) == -1 && errno == EBADF);
	CHECK(add(999, fd[0], EPOLLIN, 1) == -1 && errno == EBADF);
	CHECK(add(fd[1], fd[0], EPOLLIN, 1) == -1 && errno == EINVAL);
	CHECK(add(ep, ep, EPOLLIN, 1) == -1 && errno == EINVAL);
	CHECK(epoll_ctl(ep, 7, fd[1], &ev) == -1 && errno == EINVAL);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd[1], (struct epoll_event *)8) == -1 && errno == EFAULT);
	CHECK(mod(ep, fd[0], EPOLLIN | EPOLLEXCLUSIVE, 1) == -1 && errno == EINVAL);
	CHECK(add(ep, fd[1], EPOLLOUT | EPOLLEXCLUSIVE, 2) == 0);
	CHECK(mod(ep, fd[1], EPOLLOUT, 2) == -1 && errno == EINVAL);
	CHECK(add(ep2, ep, EPOLLIN | EPOLLEXCLUSIVE, 3) == -1 && errno == EINVAL);
	/* Nesting without cycles. */
	CHECK(add(ep2, ep, EPOLLIN, 3) == 0);
	CHECK(add(ep, ep2, EPOLLIN, 4) == -1 && errno == ELOOP);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, fd[0], NULL) == 0);
	CHECK(epoll_wait(ep, &ev, 0, 0) == -1 && errno == EINVAL);
	CHECK(epoll_wait(fd[0], &ev, 1, 0) == -1 && errno == EINVAL);
	CHECK(epoll_wait(999, &ev, 1, 0) == -1 && errno == EBADF);
	CHECK(epoll_wait(ep, (struct epoll_event *)8, 1, 0) == -1 && errno == EFAULT);
	char buf[64], name[32];
	struct stat st;
	ssize_t n;
	snprintf(name, sizeof name, "/proc/self/fd/%d", ep);
	CHECK((n = readlink(name, buf, sizeof buf - 1)) > 0);
	buf[n] = 0;
	CHECK(strcmp(buf, "anon_inode:[eventpoll]") == 0);
	CHECK(fstat(ep, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(read(ep, buf, 8) == -1 && errno == EINVAL);
	/* Files that are always ready: poll says so, epoll refuses them. */
	const char *always_ready[] = { "/proc/self/exe", "/", "/dev/null", "/proc/self/status" };
	for (unsigned i = 0; i < sizeof always_ready / sizeof always_ready[0]; i++) {
		int f = open(always_ready[i], O_RDONLY);
		struct pollfd p = { f, POLLIN, 0 };
		CHECK(f >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN));
		CHECK(add(ep, f, EPOLLIN, 5) == -1 && errno == EPERM);
		close(f);
	}
	close(ep2), close(ep), close(fd[0]), close(fd[1]);
	printf("errors ok\n");
}

static void level_triggered(void)
{
	int ep = epoll_create1(0), fd[2];
	uint64_t data = 0;
	char buf[8];

	CHECK(ep >= 0 && pipe(fd) == 0);
	CHECK(add(ep, fd[0], EPOLLIN, 0x1122334455667788ull) == 0);
	CHECK(add(ep, fd[1], EPOLLOUT, 0x99) == 0);
	CHECK(wait1(ep, 0, &data) == EPOLLOUT && data == 0x99);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, fd[1], NULL) == 0);
	CHECK(wait1(ep, 0, NULL) == 0);
	CHECK(write(fd[1], "abc", 3) == 3);
	CHECK(wait1(ep, 0, &data) == EPOLLIN && data == 0x1122334455667788ull);
	CHECK(wait1(ep, 0, NULL) == EPOLLIN);	/* still readable: reported again */
	CHECK(read(fd[0], buf, 2) == 2);
	CHECK(wait1(ep, 0, NULL) == EPOLLIN);
	CHECK(read(fd[0], buf, 2) == 1);
	CHECK(wait1(ep, 0, NULL) == 0);
	/* MOD changes the events and the data. */
	CHECK(mod(ep, fd[0], EPOLLIN | EPOLLOUT, 5) == 0);
	CHECK(write(fd[1], "x", 1) == 1);
	CHECK(wait1(ep, 0, &data) == EPOLLIN && data == 5);
	close(fd[1]);
	CHECK(wait1(ep, 0, NULL) == (EPOLLIN | EPOLLHUP));
	CHECK(read(fd[0], buf, 8) == 1);
	/* EPOLLHUP comes unasked; pipes report no EPOLLRDHUP. */
	CHECK(mod(ep, fd[0], EPOLLRDHUP, 6) == 0);
	CHECK(wait1(ep, 0, NULL) == EPOLLHUP);
	close(fd[0]);
	CHECK(pipe(fd) == 0);
	CHECK(add(ep, fd[1], EPOLLOUT, 7) == 0);
	close(fd[0]);
	CHECK(wait1(ep, 0, NULL) == (EPOLLOUT | EPOLLERR));
	close(fd[1]);
	close(ep);
	printf("level-triggered ok\n");
}

static void edge_triggered(void)
{
	int ep = epoll_create1(0), fd[2];
	char buf[8];

	CHECK(ep >= 0 && pipe(fd) == 0);
	CHECK(add(ep, fd[0], EPOLLIN | EPOLLET, 1) == 0);
	CHECK(wait1(ep, 0, NULL) == 0);
	CHECK(write(fd[1], "a", 1) == 1);
	CHECK(wait1(ep, 0, NULL) == EPOLLIN);
	CHECK(wait1(ep, 0, NULL) == 0);	/* no new edge, though still readable */
	CHECK(write(fd[1], "b", 1) == 1);
	CHECK(wait1(ep, 0, NULL) == EPOLLIN);	/* new data: a new edge */
	CHECK(wait1(ep, 0, NULL) == 0);
	CHECK(read(fd[0], buf, 8) == 2);
	CHECK(wait1(ep, 0, NULL) == 0);
	close(fd[1]);
	CHECK(wait1(ep, 0, NULL) == EPOLLHUP);
	CHECK(wait1(ep, 0, NULL) == 0);
	close(fd[0]);
	close(ep);
	printf("edge-triggered ok\n");
}

static void one_shot(void)
{
	int ep = epoll_create1(0), efd = eventfd(0, EFD_NONBLOCK);
	uint64_t one = 1, data;

	CHECK(ep >= 0 && efd >= 0);
	CHECK(add(ep, efd, EPOLLIN | EPOLLONESHOT, 11) == 0);
	CHECK(write(efd, &one, 8) == 8);
	CHECK(wait1(ep, 0, &data) == EPOLLIN && data == 11);
	CHECK(wait1(ep, 0, NULL) == 0);
	CHECK(write(efd, &one, 8) == 8);
	CHECK(wait1(ep, 0, NULL) == 0);	/* disabled until re-armed */
	CHECK(mod(ep, efd, EPOLLIN | EPOLLONESHOT, 12) == 0);
	CHECK(wait1(ep, 0, &data) == EPOLLIN && data == 12);
	CHECK(wait1(ep, 0, NULL) == 0);
	/* Still registered while disabled. */
	CHECK(add(ep, efd, EPOLLIN, 13) == -1 && errno == EEXIST);
	close(efd);
	close(ep);
	printf("one-shot ok\n");
}

static void max_events(void)
{
	int ep = epoll_create1(0), e[3];
	struct epoll_event ev[3];
	unsigned seen = 0;

	CHECK(ep >= 0);
	for (int i = 0; i < 3; i++) {
		CHECK((e[i] = eventfd(1, 0)) >= 0);
		CHECK(add(ep, e[i], EPOLLIN, 1u << i) == 0);
	}
	CHECK(epoll_wait(ep, ev, 2, 0) == 2);
	seen |= ev[0].data.u64 | ev[1].data.u64;
	/* The one left out comes first next time. */
	CHECK(epoll_wait(ep, ev, 1, 0) == 1);
	seen |= ev[0].data.u64;
	CHECK(seen == 7);
	CHECK(epoll_wait(ep, ev, 3, 0) == 3);
	for (int i = 0; i < 3; i++)
		close(e[i]);
	close(ep);
	printf("maxevents ok\n");
}

static void nested(void)
{
	int inner = epoll_create1(0), outer = epoll_create1(0), fd[2];
	uint64_t data;
	struct pollfd p;

	CHECK(inner >= 0 && outer >= 0 && pipe(fd) == 0);
	CHECK(add(inner, fd[0], EPOLLIN, 1) == 0);
	CHECK(add(outer, inner, EPOLLIN, 2) == 0);
	p = (struct pollfd){ inner, POLLIN, 0 };
	CHECK(poll(&p, 1, 0) == 0);
	CHECK(wait1(outer, 0, NULL) == 0);
	CHECK(write(fd[1], "x", 1) == 1);
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN);
	CHECK(wait1(outer, 0, &data) == EPOLLIN && data == 2);
	CHECK(wait1(inner, 0, &data) == EPOLLIN && data == 1);
	char c;
	CHECK(read(fd[0], &c, 1) == 1);
	CHECK(wait1(outer, 0, NULL) == 0);
	close(fd[0]), close(fd[1]), close(inner), close(outer);
	printf("nested ok\n");
}

static void closed_descriptor(void)
{
	int ep = epoll_create1(0), fd[2], fd2[2];

	CHECK(ep >= 0 && pipe(fd) == 0);
	CHECK(write(fd[1], "x", 1) == 1);
	CHECK(add(ep, fd[0], EPOLLIN, 1) == 0);
	close(fd[0]);
	/* The registration went with the file: nothing to report. */
	CHECK(wait1(ep, 0, NULL) == 0);
	/* The number comes back for a new file, which can be added. */
	CHECK(pipe(fd2) == 0 && fd2[0] == fd[0]);
	CHECK(add(ep, fd2[0], EPOLLIN, 2) == 0);
	CHECK(write(fd2[1], "y", 1) == 1);
	uint64_t data;
	CHECK(wait1(ep, 0, &data) == EPOLLIN && data == 2);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, fd2[0], NULL) == 0);
	/* A watched write end, once closed, is released: its reader sees the
	 * hang-up at once, although nobody called EPOLL_CTL_DEL. */
	CHECK(add(ep, fd2[1], EPOLLOUT, 3) == 0);
	close(fd2[1]);
	CHECK(fcntl(fd2[0], F_SETFL, O_NONBLOCK) == 0);	/* a kept write end: EAGAIN */
	char c;
	CHECK(read(fd2[0], &c, 1) == 1 && read(fd2[0], &c, 1) == 0);
	CHECK(wait1(ep, 0, NULL) == 0);
	close(fd[1]), close(fd2[0]), close(ep);
	printf("closed descriptor ok\n");
}

static void timeouts(void)
{
	int ep = epoll_create1(0), tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct epoll_event ev;
	struct timespec ts = { 0, 80000000 };
	struct itimerspec its = { { 0, 0 }, { 0, 50000000 } };
	sigset_t mask;
	int64_t t0;

	CHECK(ep >= 0 && tfd >= 0);
	t0 = now_ms();
	CHECK(epoll_wait(ep, &ev, 1, 100) == 0 && now_ms() - t0 >= 100);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	t0 = now_ms();
	CHECK(epoll_pwait(ep, &ev, 1, 60, &mask) == 0 && now_ms() - t0 >= 60);
	t0 = now_ms();
	CHECK(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8) == 0 && now_ms() - t0 >= 80);
	CHECK(add(ep, tfd, EPOLLIN, 77) == 0);
	CHECK(timerfd_settime(tfd, 0, &its, NULL) == 0);
	t0 = now_ms();
	CHECK(epoll_wait(ep, &ev, 1, 10000) == 1 && ev.data.u64 == 77 && ev.events == EPOLLIN);
	CHECK(now_ms() - t0 >= 40);
	close(tfd), close(ep);
	printf("timeouts ok\n");
}

/* ---- threads ---- */

static int shared_wfd, shared_ep, shared_efd;

static void *write_later(void *arg)
{
	(void)arg;
	usleep(100000);
	if (write(shared_wfd, "x", 1) != 1)
		printf("FAIL: write_later\n");
	return NULL;
}

static void *add_later(void *arg)
{
	(void)arg;
	usleep(100000);
	if (add(shared_ep, shared_efd, EPOLLIN, 55) != 0)
		printf("FAIL: add_later\n");
	return NULL;
}

static void woken_by_thread(void)
{
	int fd[2];
	pthread_t th;
	uint64_t data;

	CHECK((shared_ep = epoll_create1(0)) >= 0 && pipe(fd) == 0);
	shared_wfd = fd[1];
	CHECK(add(shared_ep, fd[0], EPOLLIN, 1) == 0);
	pthread_create(&th, NULL, write_later, NULL);
	CHECK(wait1(shared_ep, -1, &data) == EPOLLIN && data == 1);
	pthread_join(th, NULL);
	/* A ready file added by another thread wakes the waiter too. */
	char c;
	CHECK(read(fd[0], &c, 1) == 1);
	CHECK((shared_efd = eventfd(3, 0)) >= 0);
	pthread_create(&th, NULL, add_later, NULL);
	CHECK(wait1(shared_ep, 10000, &data) == EPOLLIN && data == 55);
	pthread_join(th, NULL);
	close(fd[0]), close(fd[1]), close(shared_efd), close(shared_ep);
	printf("woken by another thread ok\n");
}

static volatile sig_atomic_t handled;
static pthread_t main_thread;

static void on_signal(int sig) { handled += sig == SIGUSR1 ? 1 : 100; }

static void *signal_later(void *arg)
{
	usleep(100000);
	pthread_kill(main_thread, (int)(intptr_t)arg);
	return NULL;
}

/* epoll_wait fails with EINTR after a handler, SA_RESTART or not;
 * epoll_pwait's mask lets a blocked signal in for the wait only. */
static void signals(void)
{
	int ep = epoll_create1(0);
	struct epoll_event ev;
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	sigset_t usr1, none, now;
	pthread_t th;

	CHECK(ep >= 0);
	main_thread = pthread_self();
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	pthread_create(&th, NULL, signal_later, (void *)(intptr_t)SIGUSR2);
	CHECK(epoll_wait(ep, &ev, 1, 10000) == -1 && errno == EINTR && handled == 100);
	pthread_join(th, NULL);

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
	handled = 0;
	pthread_create(&th, NULL, signal_later, (void *)(intptr_t)SIGUSR1);
	CHECK(epoll_pwait(ep, &ev, 1, 10000, &none) == -1 && errno == EINTR && handled == 1);
	pthread_join(th, NULL);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGUSR1));
	CHECK(sigprocmask(SIG_UNBLOCK, &usr1, NULL) == 0);
	close(ep);
	printf("signals ok\n");
}

enum { WRITERS = 8, MESSAGES = 300 };

static void *writer(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char msg[100];

	memset(msg, 'm', sizeof msg);
	for (int i = 0; i < MESSAGES; i++)
		if (write(fd, msg, 1 + i % sizeof msg) < 0)
			printf("FAIL: writer\n");
	close(fd);
	return NULL;
}

static void multiplex(void)
{
	int ep = epoll_create1(0), fds[WRITERS][2], open = WRITERS;
	pthread_t th[WRITERS];
	long got[WRITERS] = { 0 }, want = 0;
	struct epoll_event ev[4];
	char buf[512];

	CHECK(ep >= 0);
	for (int i = 0; i < MESSAGES; i++)
		want += 1 + i % 100;
	for (int i = 0; i < WRITERS; i++) {
		CHECK(pipe(fds[i]) == 0);
		CHECK(add(ep, fds[i][0], EPOLLIN, i) == 0);
		pthread_create(&th[i], NULL, writer, (void *)(intptr_t)fds[i][1]);
	}
	while (open > 0) {
		int n = epoll_wait(ep, ev, 4, 10000);
		CHECK(n > 0);
		for (int k = 0; k < n; k++) {
			int i = (int)ev[k].data.u64;
			ssize_t r = read(fds[i][0], buf, sizeof buf);
			CHECK(r >= 0);
			got[i] += r;
			if (r == 0) {
				CHECK(ev[k].events & EPOLLHUP);
				CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, fds[i][0], NULL) == 0);
				close(fds[i][0]);
				open--;
			}
		}
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(th[i], NULL);
		CHECK(got[i] == want);
	}
	close(ep);
	printf("multiplex %d writers ok\n", WRITERS);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	errors();
	level_triggered();
	edge_triggered();
	one_shot();
	max_events();
	nested();
	closed_descriptor();
	timeouts();
	woken_by_thread();
	signals();
	multiplex();
	if (failures)
		return 1;
	printf("epoll_semantics ok\n");
	return 0;
}
