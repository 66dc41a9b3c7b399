/* stress_epoll_release [SEED [ROUNDS]]: files released while epolls use them.
 *
 * Each round (default 200) puts an inner epoll inside an outer one, and
 * the read ends of 8 pipes in both (7 hold data, so every epoll_wait
 * reports them).  Then at once: a thread waits in epoll_wait on the outer
 * epoll, one on the inner, one adds and removes the read ends and the
 * inner epoll in the outer (the nesting checks walk files as they go), one
 * is blocked reading the empty pipe, while main closes every read end and
 * both epolls in a random order and lets the reader go.  Every call must
 * answer with an errno it may give, and afterwards every writer must get
 * EPIPE: no registration keeps a read end open.
 * Prints "epoll release ok" (the same under Linux), or a FAIL line. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define PIPES	8	/* pipe 0 is the reader's, empty */

static int rd[PIPES], wr[PIPES], inner, outer;
static volatile int stop, started;
static unsigned seed;

static void check(const char *what, long ret)
{
	if (ret >= 0 || errno == EBADF || errno == ENOENT || errno == EEXIST || errno == EINVAL ||
	    errno == ELOOP)
		return;
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int add(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void *waiter(void *arg)
{
	int ep = *(int *)arg;
	struct epoll_event evs[PIPES];

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop)
		check("epoll_wait", epoll_wait(ep, evs, PIPES, 0));
	return NULL;
}

static void *ctl(void *arg)
{
	unsigned s = *(unsigned *)arg;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop) {
		int i = rand_r(&s) % (PIPES + 1), fd = i == PIPES ? inner : rd[i];
		if (rand_r(&s) % 2)
			check("epoll_ctl add", add(outer, fd));
		else
			check("epoll_ctl del", epoll_ctl(outer, EPOLL_CTL_DEL, fd, NULL));
	}
	return NULL;
}

static void *reader(void *arg)
{
	char c;

	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	check("read", read(rd[0], &c, 1));
	return NULL;
}

static void setup(void)
{
	if ((inner = epoll_create1(0)) < 0 || (outer = epoll_create1(0)) < 0 || add(outer, inner)) {
		printf("FAIL: setup: %s\n", strerror(errno));
		exit(1);
	}
	for (int i = 0; i < PIPES; i++) {
		int p[2];
		if (pipe(p) || (i && write(p[1], "x", 1) != 1) || add(inner, p[0]) || add(outer, p[0])) {
			printf("FAIL: setup: %s\n", strerror(errno));
			exit(1);
		}
		rd[i] = p[0], wr[i] = p[1];
	}
}

/* Closes the read ends and both epolls in a random order. */
static void close_all(void)
{
	int fds[PIPES + 2];

	memcpy(fds, rd, sizeof rd);
	fds[PIPES] = inner, fds[PIPES + 1] = outer;
	for (int n = PIPES + 2; n > 0; n--) {
		int k = rand_r(&seed) % n, fd = fds[k];
		fds[k] = fds[n - 1];
		close(fd);
	}
}

static void round_once(void)
{
	pthread_t t[4];
	unsigned s = rand_r(&seed);

	setup();
	stop = started = 0;
	pthread_create(&t[0], NULL, waiter, &outer);
	pthread_create(&t[1], NULL, waiter, &inner);
	pthread_create(&t[2], NULL, ctl, &s);
	pthread_create(&t[3], NULL, reader, NULL);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 4)
		sched_yield();
	close_all();
	check("write", write(wr[0], "x", 1) == 1 || errno == EPIPE ? 1 : -1);	/* the reader goes */
	stop = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < PIPES; i++) {
		if (write(wr[i], "y", 1) != -1 || errno != EPIPE) {
			printf("FAIL: pipe %d's read end is still open after its last close\n", i);
			exit(1);
		}
		close(wr[i]);
	}
}

int main(int argc, char **argv)
{
	long rounds = argc > 2 ? atol(argv[2]) : 200;

	seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long i = 0; i < rounds; i++)
		round_once();
	printf("epoll release ok\n");
	return 0;
}
