/* poll, ppoll, select and pselect on pipes: the events each end reports,
 * POLLNVAL and EBADF for bad descriptors, timeouts (zero, expiring, the
 * remaining time select writes back), descriptors above 1024, and threads:
 * a poll blocked in one thread woken by a write or a close in another, two
 * pollers woken by one write.  One "<what> ok" line per check and
 * "poll_select ok"; "FAIL: ..." and status 1 otherwise.
 * `poll_select high` checks only descriptor 1500 (after setrlimit);
 * `poll_select stdin` reads standard input to its end, waiting in poll and
 * select, and prints "stdin N bytes, sum S". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	printf("FAIL: %s:%d: %s (errno %d)\n", __func__, __LINE__, #cond, errno); \
	failures++; return; } } while (0)

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The system call itself: musl's select() passes a copy of the timeout,
 * and the point here is the remaining time Linux writes back. */
static int raw_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	return (int)syscall(SYS_select, n, r, w, e, tv);
}

static short poll1(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0 };
	int n = poll(&p, 1, timeout);

	return n < 0 ? -1 : n == 0 ? 0 : p.revents;
}

static void pipe_events(void)
{
	int fd[2];

	CHECK(pipe(fd) == 0);
	CHECK(poll1(fd[0], POLLIN, 0) == 0);
	CHECK(poll1(fd[1], POLLOUT, 0) == POLLOUT);
	CHECK(poll1(fd[1], POLLIN, 0) == 0);
	CHECK(write(fd[1], "ab", 2) == 2);
	CHECK(poll1(fd[0], POLLIN | POLLOUT, 0) == POLLIN);
	CHECK(poll1(fd[0], POLLRDNORM, 0) == POLLRDNORM);
	close(fd[1]);
	/* Data left and no writer: both; POLLHUP comes unasked. */
	CHECK(poll1(fd[0], POLLIN, 0) == (POLLIN | POLLHUP));
	CHECK(poll1(fd[0], 0, 0) == POLLHUP);
	char buf[2];
	CHECK(read(fd[0], buf, 2) == 2);
	CHECK(poll1(fd[0], POLLIN, 0) == POLLHUP);
	close(fd[0]);

	CHECK(pipe(fd) == 0);
	close(fd[0]);
	CHECK(poll1(fd[1], POLLOUT, 0) == (POLLOUT | POLLERR));
	close(fd[1]);
	printf("pipe events ok\n");
}

static void full_pipe(void)
{
	int fd[2];
	char buf[4096] = { 0 };

	CHECK(pipe2(fd, O_NONBLOCK) == 0);
	while (write(fd[1], buf, sizeof buf) > 0)
		;
	CHECK(poll1(fd[1], POLLOUT, 0) == 0);
	CHECK(read(fd[0], buf, sizeof buf) == sizeof buf);
	CHECK(poll1(fd[1], POLLOUT, 0) == POLLOUT);
	close(fd[0]);
	close(fd[1]);
	printf("full pipe ok\n");
}

static void bad_fds(void)
{
	struct pollfd p[3] = { { -1, POLLIN, 7 }, { 1000, POLLIN, 7 }, { 0, 0, 7 } };
	int fd[2];
	fd_set r;

	CHECK(poll(p, 3, 0) == 1);
	CHECK(p[0].revents == 0 && p[1].revents == POLLNVAL && p[2].revents == 0);
	CHECK(poll(NULL, 0, 0) == 0);
	CHECK(poll((struct pollfd *)8, 1, 0) == -1 && errno == EFAULT);
	CHECK(pipe(fd) == 0);
	close(fd[1]);
	FD_ZERO(&r);
	FD_SET(fd[1], &r);
	CHECK(select(fd[1] + 1, &r, NULL, NULL, &(struct timeval){ 0, 0 }) == -1 && errno == EBADF);
	CHECK(select(-1, NULL, NULL, NULL, &(struct timeval){ 0, 0 }) == -1 && errno == EINVAL);
	CHECK(select(0, NULL, NULL, NULL, &(struct timeval){ -1, 0 }) == -1 && errno == EINVAL);
	close(fd[0]);
	printf("bad descriptors ok\n");
}

static void timeouts(void)
{
	int fd[2];
	int64_t t0;
	struct timeval tv;
	struct timespec ts = { 0, 150000000 };
	struct pollfd p;
	fd_set r;

	CHECK(pipe(fd) == 0);
	t0 = now_ms();
	CHECK(poll1(fd[0], POLLIN, 150) == 0);
	CHECK(now_ms() - t0 >= 150 && now_ms() - t0 < 5000);

	p = (struct pollfd){ fd[0], POLLIN, 0 };
	t0 = now_ms();
	CHECK(ppoll(&p, 1, &ts, NULL) == 0);
	CHECK(now_ms() - t0 >= 150 && now_ms() - t0 < 5000);

	FD_ZERO(&r);
	FD_SET(fd[0], &r);
	tv = (struct timeval){ 0, 150000 };
	t0 = now_ms();
	CHECK(raw_select(fd[0] + 1, &r, NULL, NULL, &tv) == 0);
	CHECK(now_ms() - t0 >= 150 && now_ms() - t0 < 5000);
	CHECK(tv.tv_sec == 0 && tv.tv_usec == 0 && !FD_ISSET(fd[0], &r));

	/* No descriptors at all: select as a sleep. */
	tv = (struct timeval){ 0, 100000 };
	t0 = now_ms();
	CHECK(select(0, NULL, NULL, NULL, &tv) == 0 && now_ms() - t0 >= 100);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	FD_SET(fd[0], &r);
	ts = (struct timespec){ 0, 50000000 };
	t0 = now_ms();
	CHECK(pselect(fd[0] + 1, &r, NULL, NULL, &ts, &mask) == 0 && now_ms() - t0 >= 50);
	CHECK(ppoll(&p, 1, &(struct timespec){ 0, -1 }, NULL) == -1 && errno == EINVAL);
	close(fd[0]);
	close(fd[1]);
	printf("timeouts ok\n");
}

static void select_sets(void)
{
	int a[2], b[2], n;
	fd_set r, w, e;

	CHECK(pipe(a) == 0 && pipe(b) == 0);
	CHECK(write(b[1], "x", 1) == 1);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(a[0], &r), FD_SET(b[0], &r), FD_SET(a[1], &w), FD_SET(a[0], &e);
	n = select(b[1] + 1, &r, &w, &e, &(struct timeval){ 0, 0 });
	CHECK(n == 2);
	CHECK(!FD_ISSET(a[0], &r) && FD_ISSET(b[0], &r) && FD_ISSET(a[1], &w) && !FD_ISSET(a[0], &e));
	/* The same descriptor in two sets counts twice. */
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(b[0], &r), FD_SET(b[1], &w), FD_SET(b[1], &r);
	CHECK(select(b[1] + 1, &r, &w, NULL, NULL) == 2);
	CHECK(FD_ISSET(b[0], &r) && FD_ISSET(b[1], &w) && !FD_ISSET(b[1], &r));
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
	printf("select sets ok\n");
}

/* nfds beyond FD_SETSIZE: the kernel reads as many bits as nfds says, up
 * to its descriptor table's size. */
static void wide_sets(void)
{
	int fd[2];
	uint64_t set[2048 / 64];

	CHECK(pipe(fd) == 0);
	CHECK(write(fd[1], "x", 1) == 1);
	memset(set, 0, sizeof set);
	set[fd[0] / 64] = 1ull << (fd[0] % 64);
	CHECK(select(2048, (fd_set *)set, NULL, NULL, &(struct timeval){ 0, 0 }) == 1);
	CHECK(set[fd[0] / 64] == 1ull << (fd[0] % 64));
	close(fd[0]), close(fd[1]);
	printf("nfds 2048 ok\n");
}

/* A descriptor above 1024, after raising RLIMIT_NOFILE. */
static void high_descriptors(void)
{
	struct rlimit rl = { 2048, 2048 };
	int fd[2];
	uint64_t set[2048 / 64];
	struct pollfd p;

	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(pipe(fd) == 0);
	CHECK(dup2(fd[0], 1500) == 1500);
	CHECK(write(fd[1], "x", 1) == 1);
	memset(set, 0, sizeof set);
	set[1500 / 64] = 1ull << (1500 % 64);
	CHECK(select(1501, (fd_set *)set, NULL, NULL, &(struct timeval){ 0, 0 }) == 1);
	CHECK(set[1500 / 64] == 1ull << (1500 % 64));
	p = (struct pollfd){ 1500, POLLIN, 0 };
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN);
	close(1500), close(fd[0]), close(fd[1]);
	printf("descriptor 1500 ok\n");
}

static int wfd;

static void *write_later(void *arg)
{
	usleep(100000);
	if (arg)
		close(wfd);
	else if (write(wfd, "x", 1) != 1)
		printf("FAIL: write_later\n");
	return NULL;
}

static void woken_by_thread(void)
{
	int fd[2];
	pthread_t th;
	struct timeval tv = { 5, 0 };
	fd_set r;

	CHECK(pipe(fd) == 0);
	wfd = fd[1];
	pthread_create(&th, NULL, write_later, NULL);
	CHECK(poll1(fd[0], POLLIN, -1) == POLLIN);
	pthread_join(th, NULL);
	char c;
	CHECK(read(fd[0], &c, 1) == 1);

	pthread_create(&th, NULL, write_later, NULL);
	FD_ZERO(&r);
	FD_SET(fd[0], &r);
	CHECK(raw_select(fd[0] + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(fd[0], &r));
	/* What is left of the 5 s goes back, as Linux does. */
	CHECK(tv.tv_sec < 5 && (tv.tv_sec > 0 || tv.tv_usec > 0));
	pthread_join(th, NULL);

	/* A timeout of centuries is as good as none. */
	CHECK(read(fd[0], &c, 1) == 1);
	pthread_create(&th, NULL, write_later, NULL);
	struct pollfd p = { fd[0], POLLIN, 0 };
	CHECK(ppoll(&p, 1, &(struct timespec){ INT64_MAX, 999999999 }, NULL) == 1 && p.revents == POLLIN);
	pthread_join(th, NULL);

	pthread_create(&th, NULL, write_later, (void *)1);
	CHECK(read(fd[0], &c, 1) == 1);
	CHECK(poll1(fd[0], POLLIN, 10000) == POLLHUP);
	pthread_join(th, NULL);
	close(fd[0]);
	printf("woken by another thread ok\n");
}

static int shared_rfd;

static void *poll_waiter(void *arg)
{
	*(short *)arg = poll1(shared_rfd, POLLIN, 10000);
	return NULL;
}

static void two_pollers(void)
{
	int fd[2];
	pthread_t t1, t2;
	short r1 = 0, r2 = 0;

	CHECK(pipe(fd) == 0);
	shared_rfd = fd[0];
	pthread_create(&t1, NULL, poll_waiter, &r1);
	pthread_create(&t2, NULL, poll_waiter, &r2);
	usleep(100000);
	CHECK(write(fd[1], "x", 1) == 1);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK(r1 == POLLIN && r2 == POLLIN);
	close(fd[0]), close(fd[1]);
	printf("two pollers ok\n");
}

static void many_fds(void)
{
	enum { N = 100 };
	int fds[N][2];
	struct pollfd p[N];

	for (int i = 0; i < N; i++) {
		CHECK(pipe(fds[i]) == 0);
		p[i] = (struct pollfd){ fds[i][0], POLLIN, 0 };
	}
	for (int i = 0; i < N; i += 7)
		CHECK(write(fds[i][1], "x", 1) == 1);
	CHECK(poll(p, N, 1000) == (N + 6) / 7);
	for (int i = 0; i < N; i++) {
		CHECK(p[i].revents == (i % 7 ? 0 : POLLIN));
		close(fds[i][0]);
		close(fds[i][1]);
	}
	printf("100 descriptors ok\n");
}

/* Standard input until end of file, waiting with poll and select in
 * turn: prints the byte count and a checksum. */
static void stdin_until_eof(void)
{
	char buf[1000];
	long total = 0;
	unsigned sum = 0;
	ssize_t r;

	for (int i = 0;; i++) {
		if (i % 2) {
			fd_set set;
			FD_ZERO(&set);
			FD_SET(0, &set);
			CHECK(select(1, &set, NULL, NULL, &(struct timeval){ 20, 0 }) == 1);
		} else {
			CHECK(poll1(0, POLLIN, 20000) & (POLLIN | POLLHUP));
		}
		CHECK((r = read(0, buf, sizeof buf)) >= 0);
		if (!r)
			break;
		for (ssize_t k = 0; k < r; k++)
			sum = sum * 31 + (unsigned char)buf[k];
		total += r;
	}
	printf("stdin %ld bytes, sum %u\n", total, sum);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "stdin") == 0) {
		stdin_until_eof();
		return failures != 0;
	}
	if (argc > 1 && strcmp(argv[1], "high") == 0) {
		high_descriptors();
		return failures != 0;
	}
	pipe_events();
	full_pipe();
	bad_fds();
	timeouts();
	select_sets();
	wide_sets();
	woken_by_thread();
	two_pollers();
	many_fds();
	if (failures)
		return 1;
	printf("poll_select ok\n");
	return 0;
}
