/* exhaust RESOURCE: takes one kind of kernel resource until the kernel
 * refuses, twice, and checks that the refusal is an errno the call may
 * give, that the second round gets as far as the first (nothing leaked),
 * and that afterwards the kernel still answers (/proc, a pipe, a thread,
 * fresh memory).  The descriptor limit is raised to its hard limit first,
 * so that a limit other than the descriptor table shows.
 *
 *   pipes     pipes with a byte in each (every ring allocated)
 *   sockets   AF_UNIX stream pairs filled until they would block
 *   epoll     registrations of eventfds in many epolls
 *   timers    armed timerfds
 *   signals   real-time signals queued to ourselves (blocked)
 *   threads   threads asleep on a futex
 *   files     empty files in one directory
 *   locks     record locks on every other byte of one file
 *
 * Prints "RESOURCE: stopped by ERRNO", "RESOURCE: again as far",
 * "kernel still answers"; FAIL lines and status 1 otherwise.  Under Linux
 * (a big machine) the limits met are others, so no transcript is kept. */
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "still_works.h"

#define MAX_ITEMS	200000

struct resource {
	const char *name;
	int (*take)(long i);	/* one more: 0, or -errno */
	void (*release)(long n);	/* all n taken */
	const int *errnos;	/* what may stop it, 0-terminated */
};

static int fds[8192];
static int nfds;
static void *items[MAX_ITEMS];

static void fail(const char *what)
{
	printf("FAIL: %s (%s)\n", what, strerror(errno));
	exit(1);
}

static const char *err_name(int e)
{
	switch (e) {
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ENOMEM: return "ENOMEM";
	case ENOBUFS: return "ENOBUFS";
	case ENOSPC: return "ENOSPC";
	case EAGAIN: return "EAGAIN";
	case ENOLCK: return "ENOLCK";
	default: return strerror(e);
	}
}

static void close_all(void)
{
	while (nfds)
		close(fds[--nfds]);
}

static int keep(int fd)
{
	if (fd < 0)
		return -errno;
	if (nfds == (int)(sizeof fds / sizeof fds[0])) {
		close(fd);
		return -EMFILE;
	}
	fds[nfds++] = fd;
	return 0;
}

/* ---- the resources ------------------------------------------------------- */

static int take_pipe(long i)
{
	int p[2];

	(void)i;
	if (pipe(p))
		return -errno;
	keep(p[0]);
	keep(p[1]);
	return write(p[1], "p", 1) == 1 ? 0 : -errno;
}

static void release_fds(long n)
{
	(void)n;
	close_all();
}

static int take_socket_pair(long i)
{
	int sv[2];
	static char chunk[65536];

	(void)i;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		return -errno;
	keep(sv[0]);
	keep(sv[1]);
	for (;;) {
		if (write(sv[0], chunk, sizeof chunk) < 0)
			return errno == EAGAIN ? 0 : -errno;
	}
}

#define EVENTFDS	1000

static int eventfds[EVENTFDS], epoll_fd;

/* Registration i: eventfd i % 1000 in the (i / 1000)th epoll. */
static int take_watch(long i)
{
	if (i < EVENTFDS) {
		int e = eventfd(0, 0);
		if (e < 0 || keep(e))
			return e < 0 ? -errno : -EMFILE;
		eventfds[i] = e;
	}
	if (i % EVENTFDS == 0) {
		epoll_fd = epoll_create1(0);
		if (epoll_fd < 0 || keep(epoll_fd))
			return epoll_fd < 0 ? -errno : -EMFILE;
	}
	struct epoll_event ev = { .events = EPOLLIN };
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, eventfds[i % EVENTFDS], &ev) ? -errno : 0;
}

static int take_timer(long i)
{
	struct itimerspec it = { { 3600, 0 }, { 3600 + i % 60, 0 } };
	int t = timerfd_create(CLOCK_MONOTONIC, 0);

	if (t < 0)
		return -errno;
	if (timerfd_settime(t, 0, &it, NULL)) {
		int e = errno;
		close(t);
		return -e;
	}
	return keep(t);
}

static int take_signal(long i)
{
	siginfo_t si = { .si_code = SI_QUEUE };

	si.si_int = (int)i;
	return syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 1, &si) ? -errno : 0;
}

static void release_signals(long n)
{
	sigset_t s;
	siginfo_t si;
	struct timespec zero = { 0, 0 };

	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 1);
	for (long i = 0; i < n; i++)
		if (sigtimedwait(&s, &si, &zero) != SIGRTMIN + 1)
			fail("taking back a queued signal");
}

static volatile int go_home;

static void *sleeper(void *arg)
{
	(void)arg;
	while (!go_home)
		syscall(SYS_futex, &go_home, 128 /* FUTEX_WAIT_PRIVATE */, 0, NULL, NULL, 0);
	return NULL;
}

static int take_thread(long i)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 16384);
	int e = pthread_create((pthread_t *)&items[i], &a, sleeper, NULL);
	pthread_attr_destroy(&a);
	return -e;
}

static void release_threads(long n)
{
	go_home = 1;
	syscall(SYS_futex, &go_home, 129 /* FUTEX_WAKE_PRIVATE */, 0x7fffffff, NULL, NULL, 0);
	for (long i = 0; i < n; i++)
		pthread_join((pthread_t)items[i], NULL);
	go_home = 0;
}

static int take_file(long i)
{
	char name[64];

	snprintf(name, sizeof name, "/tmp/exhaust/%ld", i);
	int fd = open(name, O_CREAT | O_WRONLY | O_EXCL, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void release_files(long n)
{
	char name[64];

	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof name, "/tmp/exhaust/%ld", i);
		unlink(name);
	}
}

static int lock_fd = -1;

static int take_lock(long i)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2 * i, .l_len = 1 };

	if (lock_fd < 0 && (lock_fd = open("/tmp/exhaust/locks", O_CREAT | O_RDWR, 0600)) < 0)
		return -errno;
	return fcntl(lock_fd, F_SETLK, &fl) ? -errno : 0;
}

static void release_locks(long n)
{
	(void)n;
	close(lock_fd);	/* drops every lock */
	lock_fd = -1;
}

static const int fd_errnos[] = { EMFILE, ENFILE, ENOMEM, 0 };
static const int file_errnos[] = { ENOSPC, ENOMEM, 0 };
static const int lock_errnos[] = { ENOLCK, ENOMEM, 0 };
static const int socket_errnos[] = { EMFILE, ENFILE, ENOMEM, ENOBUFS, 0 };
static const int epoll_errnos[] = { ENOSPC, ENOMEM, EMFILE, 0 };
static const int signal_errnos[] = { EAGAIN, 0 };
static const int thread_errnos[] = { EAGAIN, ENOMEM, 0 };

static const struct resource resources[] = {
	{ "pipes", take_pipe, release_fds, fd_errnos },
	{ "sockets", take_socket_pair, release_fds, socket_errnos },
	{ "epoll", take_watch, release_fds, epoll_errnos },
	{ "timers", take_timer, release_fds, fd_errnos },
	{ "signals", take_signal, release_signals, signal_errnos },
	{ "threads", take_thread, release_threads, thread_errnos },
	{ "files", take_file, release_files, file_errnos },
	{ "locks", take_lock, release_locks, lock_errnos },
};

/* ---- the rounds ------------------------------------------------------------ */

/* Takes until refused: how many, and the errno in *err. */
static long exhaust(const struct resource *r, int *err)
{
	for (long i = 0; i < MAX_ITEMS; i++) {
		int e = r->take(i);
		if (e) {
			*err = -e;
			return i;
		}
	}
	printf("FAIL: %s: %d taken and no refusal\n", r->name, MAX_ITEMS);
	exit(1);
}

static void check_errno(const struct resource *r, int err)
{
	for (const int *e = r->errnos; *e; e++)
		if (*e == err)
			return;
	printf("FAIL: %s: refused with %s\n", r->name, err_name(err));
	exit(1);
}


int main(int argc, char **argv)
{
	struct rlimit rl;
	sigset_t rt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	mkdir("/tmp/exhaust", 0700);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max > 8000 ? 8000 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (size_t k = 0; k < sizeof resources / sizeof resources[0]; k++) {
		const struct resource *r = &resources[k];
		if (argc < 2 || strcmp(argv[1], r->name))
			continue;
		int err1, err2;
		long n1 = exhaust(r, &err1);
		check_errno(r, err1);
		printf("%s: stopped by %s\n", r->name, err_name(err1));
		r->release(n1);
		long n2 = exhaust(r, &err2);
		check_errno(r, err2);
		if (n2 < n1 - n1 / 20) {
			printf("FAIL: %s: %ld the first time, %ld the second\n", r->name, n1, n2);
			return 1;
		}
		printf("%s: again as far\n", r->name);
		r->release(n2);
		still_works();
		return 0;
	}
	printf("usage: exhaust pipes|sockets|epoll|timers|signals|threads|files|locks\n");
	return 2;
}
