/* stress_fds [SEED [ROUNDS]]: descriptors closed under other threads.
 *
 * epoll: one thread adds, modifies and removes 16 descriptors in an epoll
 * while another keeps closing them and making new ones in their place
 * (eventfds, pipes, socket pairs, through dup2, half of them O_ASYNC with
 * SIGIO ignored), a third writes to them
 * and a fourth waits in epoll_wait.  Every call must answer with an errno
 * it may give (EBADF, ENOENT, EEXIST, EPERM...).
 *
 * blocked: ROUNDS times (default 1000) a thread blocks in recv on a
 * socket, read on a pipe or accept on a listener while another closes
 * the descriptor (dup2 over it, or close) and then lets it go: data from
 * the peer, a connection, or SIGUSR1 (EINTR).  The blocked call must end.
 *
 * Prints "epoll ok" and "blocked ok" (the same under Linux), or FAIL lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define SLOTS	16
#define BASE	100	/* the slots are descriptors BASE..BASE+15 */

static long rounds;
static volatile int stop;
static int epfd;

static void fail(const char *what, int err)
{
	printf("FAIL: %s: %s\n", what, strerror(err));
	exit(1);
}

static void check(const char *what, int ret, const int *ok)
{
	if (ret >= 0)
		return;
	for (; *ok; ok++)
		if (errno == *ok)
			return;
	fail(what, errno);
}

/* ---- epoll_ctl racing close ------------------------------------------------ */

static void remake(unsigned *seed, int slot)
{
	int fds[2] = { -1, -1 };

	switch (rand_r(seed) % 3) {
	case 0: fds[0] = eventfd(0, EFD_NONBLOCK); break;
	case 1: if (pipe2(fds, O_NONBLOCK)) fds[0] = -1; break;
	default: if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds)) fds[0] = -1; break;
	}
	if (fds[0] < 0)
		fail("making a descriptor", errno);
	if (rand_r(seed) % 2) {	/* SIGIO (ignored) is looked for as the file closes */
		fcntl(fds[0], F_SETOWN, getpid());
		fcntl(fds[0], F_SETFL, O_NONBLOCK | O_ASYNC);
	}
	if (rand_r(seed) % 4 == 0) {
		close(BASE + slot);
		dup2(fds[0], BASE + slot);
	} else {
		dup2(fds[0], BASE + slot);	/* closes what was there */
	}
	close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

static void *closer(void *arg)
{
	unsigned seed = (unsigned)(long)arg;

	for (long i = 0; i < rounds; i++)
		remake(&seed, rand_r(&seed) % SLOTS);
	return NULL;
}

static void *controller(void *arg)
{
	static const int ok[] = { EBADF, ENOENT, EEXIST, EPERM, 0 };
	unsigned seed = (unsigned)(long)arg;
	static const int ops[] = { EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL };

	while (!stop) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | (rand_r(&seed) % 2 ? EPOLLET : 0) };
		ev.data.u32 = rand_r(&seed) % SLOTS;
		check("epoll_ctl", epoll_ctl(epfd, ops[rand_r(&seed) % 3], BASE + (int)ev.data.u32, &ev), ok);
	}
	return NULL;
}

static void *writer(void *arg)
{
	static const int ok[] = { EBADF, EAGAIN, EPIPE, EINVAL, ECONNRESET, 0 };
	unsigned seed = (unsigned)(long)arg;
	uint64_t one = 1;

	while (!stop)
		check("write", (int)write(BASE + rand_r(&seed) % SLOTS, &one, sizeof one), ok);
	return NULL;
}

static void *waiter(void *arg)
{
	static const int ok[] = { EINTR, 0 };
	struct epoll_event evs[8];

	(void)arg;
	while (!stop)
		check("epoll_wait", epoll_wait(epfd, evs, 8, 1), ok);
	return NULL;
}

static void epoll_race(unsigned seed)
{
	pthread_t t[4];
	void *(*const fn[4])(void *) = { closer, controller, writer, waiter };

	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);
	epfd = epoll_create1(0);
	for (int i = 0; i < SLOTS; i++)
		remake(&seed, i);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, fn[i], (void *)(long)(seed + i));
	pthread_join(t[0], NULL);
	stop = 1;
	for (int i = 1; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < SLOTS; i++)
		close(BASE + i);
	close(epfd);
	stop = 0;
	printf("epoll ok\n");
}

/* ---- close racing a blocked call -------------------------------------------- */

struct blocked {
	int fd, kind;	/* 0 recv, 1 read, 2 accept */
	volatile pid_t tid;
	volatile int done;
};

static void *block(void *arg)
{
	struct blocked *b = arg;
	char c;

	b->tid = gettid();
	if (b->kind == 2) {
		int fd = accept(b->fd, NULL, NULL);
		if (fd >= 0)
			close(fd);
	} else if (b->kind == 1) {
		if (read(b->fd, &c, 1) < 0 && errno != EINTR && errno != EBADF)
			fail("read", errno);
	} else if (recv(b->fd, &c, 1, 0) < 0 && errno != EINTR && errno != EBADF) {
		fail("recv", errno);
	}
	b->done = 1;
	return NULL;
}

static void on_usr1(int sig) { (void)sig; }

/* One round: block, close under it, release it one way or another. */
static void blocked_round(unsigned *seed, int kind)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct blocked b = { .kind = kind };
	int peer = -1, ends[2];
	pthread_t t;

	if (kind == 2) {
		snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "stress_fds.%d", getpid());
		b.fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(b.fd, (void *)&sa, sizeof sa) || listen(b.fd, 4))
			fail("listener", errno);
	} else {
		if (kind == 1 ? pipe(ends) : socketpair(AF_UNIX, SOCK_STREAM, 0, ends))
			fail("pair", errno);
		b.fd = ends[0];
		peer = ends[1];
	}
	pthread_create(&t, NULL, block, &b);
	while (!b.tid)
		sched_yield();
	if (rand_r(seed) % 2)
		sched_yield();
	int keep = dup(b.fd);	/* the release below needs the listener */
	close(b.fd);		/* under the blocked call */
	switch (kind == 2 ? rand_r(seed) % 2 : rand_r(seed) % 2 + 2) {
	case 0: {		/* a connection */
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		connect(c, (void *)&sa, sizeof sa);
		close(c);
		break;
	}
	case 2:			/* data from the peer */
		if (write(peer, "x", 1) != 1)
			fail("write to the peer", errno);
		break;
	default:
		break;
	}
	while (!b.done) {	/* and a signal, until it ends */
		syscall(SYS_tgkill, getpid(), b.tid, SIGUSR1);
		sched_yield();
	}
	pthread_join(t, NULL);
	close(keep);
	if (peer >= 0)
		close(peer);
}

int main(int argc, char **argv)
{
	unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */

	rounds = argc > 2 ? atol(argv[2]) : 1000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);
	epoll_race(seed);
	for (long i = 0; i < rounds; i++)
		blocked_round(&seed, (int)(i % 3));
	printf("blocked ok\n");
	return 0;
}
