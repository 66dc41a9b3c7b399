/* POSIX message queues, one case per argument; each line says what a call
 * gave (a number, or errno's name), the same as on Linux.  Every case but
 * perm runs as uid 65534 (it drops to it when started as root), so the
 * limits of an ordinary user apply.
 *   open    names (the call's, without the leading '/'), O_CREAT/O_EXCL,
 *           access modes, fstat, read() of the status line, write, unlink.
 *   attr    default and given attributes, their bounds, mq_getsetattr.
 *   order   priorities (highest first, FIFO within one), sizes, EMSGSIZE,
 *           O_NONBLOCK's EAGAIN, the wrong access mode, bad pointers.
 *   time    absolute CLOCK_REALTIME timeouts, bad ones.
 *   wait    a receiver and a sender that wait, a signal (EINTR and
 *           SA_RESTART).
 *   poll    poll, select and epoll readiness.
 *   notify  mq_notify: SIGEV_SIGNAL, SIGEV_NONE, EBUSY, when it fires,
 *           SIGEV_THREAD's socket checks.
 *   thread  musl's SIGEV_THREAD, which needs a netlink socket.
 *   life    a queue outlives its descriptors until unlinked; unlinked,
 *           it lives while open.
 *   limits  queues_max (ENOSPC), RLIMIT_MSGQUEUE (EMFILE), bytes coming
 *           back after unlink and last close, /proc/sys/fs/mqueue.
 *   perm    as root without CAP_SYS_RESOURCE: another user's access
 *           (EACCES, EPERM), root's bounds.
 *   stress  threads sending and receiving at once: every message arrives
 *           exactly once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "call_result.h"

#define Q "/amphi-mq-test"

static const char *err(long r) { return r < 0 ? res(-1) : "ok"; }

static long raw_open(const char *name, int flags, int mode, struct mq_attr *a)
{
	return syscall(SYS_mq_open, name, flags, mode, a);
}

static const char *opened(long fd)
{
	if (fd >= 0)
		close((int)fd);
	return err(fd);
}

/* The status line read() gives, the owner's pid shown as PID when it is
 * the caller's (pids differ between machines), trailing blanks cut. */
static void status(const char *what, int fd)
{
	char buf[128] = "", mine[16];

	lseek(fd, 0, SEEK_SET);
	long n = read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		printf("%s: read %s\n", what, res(n));
		return;
	}
	int len = snprintf(mine, sizeof mine, "%d ", getpid());
	char *p = strstr(buf, "NOTIFY_PID:");
	if (p && !strncmp(p + 11, mine, (size_t)len))
		memmove(p + 11, "PID", 4);
	size_t end = strlen(buf);
	while (end && (buf[end - 1] == ' ' || buf[end - 1] == '\n'))
		end--;
	printf("%s: %ld \"%.*s\"\n", what, n, (int)end, buf);
}

static void attrs(const char *what, mqd_t q)
{
	struct mq_attr a;

	if (mq_getattr(q, &a))
		printf("%s: %s\n", what, res(-1));
	else
		printf("%s: flags %#lo maxmsg %ld msgsize %ld curmsgs %ld\n", what, a.mq_flags,
		       a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
}

static mqd_t make(const char *name, int flags, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	mq_unlink(name);
	return mq_open(name, O_CREAT | O_EXCL | flags, 0600, maxmsg ? &a : NULL);
}

/* ---- open ------------------------------------------------------------------ */

static void case_open(void)
{
	char name[5000];
	struct stat st;

	printf("empty name: %s\n", opened(raw_open("", O_CREAT | O_RDWR, 0600, NULL)));
	printf("slash inside: %s\n", opened(raw_open("a/b", O_CREAT | O_RDWR, 0600, NULL)));
	printf("leading slash to the call: %s\n", opened(raw_open("/x", O_CREAT | O_RDWR, 0600, NULL)));
	printf("dot: %s\n", opened(raw_open(".", O_CREAT | O_RDWR, 0600, NULL)));
	printf("dotdot: %s\n", opened(raw_open("..", O_CREAT | O_RDWR, 0600, NULL)));
	memset(name, 'n', sizeof name);
	name[255] = 0;
	printf("255 bytes: %s\n", opened(raw_open(name, O_CREAT | O_RDWR, 0600, NULL)));
	printf("unlink it: %s\n", err(syscall(SYS_mq_unlink, name)));
	name[255] = 'n';
	name[256] = 0;
	printf("256 bytes: %s\n", opened(raw_open(name, O_CREAT | O_RDWR, 0600, NULL)));
	name[4999] = 0;
	printf("4999 bytes: %s\n", opened(raw_open(name, O_CREAT | O_RDWR, 0600, NULL)));
	printf("bad pointer: %s\n", opened(raw_open((char *)8, O_CREAT | O_RDWR, 0600, NULL)));
	printf("bad attr: %s\n", opened(raw_open("q", O_CREAT | O_RDWR, 0600, (void *)8)));
	printf("bad attr, no O_CREAT: %s\n", opened(raw_open("q", O_RDWR, 0600, (void *)8)));
	printf("musl \"/\": %s\n", opened(mq_open("/", O_CREAT | O_RDWR, 0600, NULL)));
	mq_unlink(Q);
	printf("no such queue: %s\n", opened(mq_open(Q, O_RDWR)));
	umask(022);
	mqd_t q = mq_open(Q, O_CREAT | O_EXCL | O_RDWR, 0777, NULL);
	printf("create: %s\n", err(q));
	printf("O_EXCL again: %s\n", opened(mq_open(Q, O_CREAT | O_EXCL | O_RDWR, 0600, NULL)));
	printf("O_CREAT again: %s\n", opened(mq_open(Q, O_CREAT | O_RDWR, 0600, NULL)));
	printf("O_ACCMODE 3: %s\n", opened(mq_open(Q, 3)));
	printf("create O_ACCMODE 3: %s\n", opened(mq_open("/amphi-mq-acc", O_CREAT | 3, 0600, NULL)));
	mq_unlink("/amphi-mq-acc");
	printf("O_TRUNC|O_APPEND|O_NOCTTY: %s\n", opened(mq_open(Q, O_RDWR | O_TRUNC | O_APPEND | O_NOCTTY)));
	printf("fstat: %s", err(fstat(q, &st)));
	printf(" mode %o size %ld uid %u nlink %lu\n", st.st_mode, (long)st.st_size, st.st_uid,
	       (unsigned long)st.st_nlink);
	printf("fcntl F_GETFL: %#o\n", fcntl(q, F_GETFL) & ~0100000);
	printf("fd cloexec: %d\n", fcntl(q, F_GETFD));
	status("read", q);
	char small[8];
	lseek(q, 0, SEEK_SET);
	printf("read 8: %ld\n", (long)read(q, small, sizeof small));
	printf("read on: %ld\n", (long)read(q, small, sizeof small));
	printf("lseek 76: %ld\n", (long)lseek(q, 76, SEEK_SET));
	printf("read at 76: %ld\n", (long)read(q, small, sizeof small));
	printf("read past: %ld\n", (long)read(q, small, sizeof small));
	printf("write: %s\n", res(write(q, "x", 1)));
	mqd_t w = mq_open(Q, O_WRONLY);
	printf("read O_WRONLY: %s\n", res(read(w, small, 1)));
	mq_close(w);
	mqd_t r = mq_open(Q, O_RDONLY);
	printf("write O_RDONLY: %s\n", res(write(r, "x", 1)));
	mq_close(r);
	printf("ftruncate: %s\n", err(ftruncate(q, 0)));
	printf("close: %s\n", err(mq_close(q)));
	printf("unlink: %s\n", err(mq_unlink(Q)));
	printf("unlink again: %s\n", err(mq_unlink(Q)));
	printf("unlink slash inside: %s\n", err(syscall(SYS_mq_unlink, "a/b")));
	printf("unlink empty: %s\n", err(syscall(SYS_mq_unlink, "")));
	printf("unlink bad pointer: %s\n", err(syscall(SYS_mq_unlink, (char *)8)));
	printf("unlink 256 bytes: %s\n", err(syscall(SYS_mq_unlink, name + 4999 - 256)));
	printf("mode 0: %s\n", err(q = mq_open(Q, O_CREAT | O_RDWR, 0, NULL)));
	printf("reopen mode 0 O_RDONLY: %s\n", opened(mq_open(Q, O_RDONLY)));
	printf("reopen mode 0 O_CREAT: %s\n", opened(mq_open(Q, O_CREAT | O_RDONLY, 0600, NULL)));
	printf("unlink mode 0: %s\n", err(mq_unlink(Q)));
	mq_close(q);
	printf("mode 0400: %s\n", err(q = mq_open(Q, O_CREAT | O_RDONLY, 0400, NULL)));
	printf("reopen 0400 O_WRONLY: %s\n", opened(mq_open(Q, O_WRONLY)));
	printf("reopen 0400 O_RDONLY: %s\n", opened(mq_open(Q, O_RDONLY)));
	mq_close(q);
	mq_unlink(Q);
	printf("O_CLOEXEC: %s", err(q = mq_open(Q, O_CREAT | O_RDWR | O_CLOEXEC, 0600, NULL)));
	printf(" fd flags %d\n", fcntl(q, F_GETFD));
	mq_close(q);
	mq_unlink(Q);
}

/* ---- attr ------------------------------------------------------------------ */

static void try_attr(const char *what, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	mq_unlink(Q);
	mqd_t q = mq_open(Q, O_CREAT | O_RDWR, 0600, &a);
	if (q < 0)
		printf("%s: %s\n", what, res(-1));
	else
		attrs(what, q), mq_close(q);
	mq_unlink(Q);
}

static void case_attr(void)
{
	try_attr("default", 0, 0);
	mq_unlink(Q);
	mqd_t q = mq_open(Q, O_CREAT | O_RDWR, 0600, NULL);
	attrs("no attr", q);
	mq_close(q);
	try_attr("1 x 1", 1, 1);
	try_attr("10 x 8192", 10, 8192);
	try_attr("11 x 8192", 11, 8192);
	try_attr("10 x 8193", 10, 8193);
	try_attr("0 x 10", 0, 10);
	try_attr("10 x 0", 10, 0);
	try_attr("-1 x 10", -1, 10);
	try_attr("10 x -1", 10, -1);
	try_attr("huge x huge", 1L << 62, 1L << 62);
	struct mq_attr a = { .mq_flags = O_NONBLOCK, .mq_maxmsg = 3, .mq_msgsize = 16,
			     .mq_curmsgs = 7 };
	q = mq_open(Q, O_CREAT | O_RDWR, 0600, &a);
	attrs("mq_flags and curmsgs ignored", q);
	struct mq_attr n = { .mq_flags = O_NONBLOCK | O_APPEND, .mq_maxmsg = 99 }, old;
	printf("setattr: %s", err(mq_setattr(q, &n, &old)));
	printf(" old flags %#lo\n", old.mq_flags);
	attrs("after", q);
	printf("F_GETFL nonblock: %d\n", !!(fcntl(q, F_GETFL) & O_NONBLOCK));
	n.mq_flags = 0;
	printf("setattr 0: %s\n", err(mq_setattr(q, &n, NULL)));
	attrs("after", q);
	fcntl(q, F_SETFL, O_NONBLOCK);
	attrs("after F_SETFL", q);
	printf("getsetattr NULL NULL: %s\n", err(syscall(SYS_mq_getsetattr, q, NULL, NULL)));
	printf("getsetattr bad new: %s\n", err(syscall(SYS_mq_getsetattr, q, (void *)8, NULL)));
	printf("getsetattr bad old: %s\n", err(syscall(SYS_mq_getsetattr, q, NULL, (void *)8)));
	printf("getsetattr bad fd: %s\n", err(syscall(SYS_mq_getsetattr, 99, NULL, &old)));
	int p[2];
	pipe(p);
	printf("getsetattr pipe: %s\n", err(syscall(SYS_mq_getsetattr, p[0], NULL, &old)));
	printf("send pipe: %s\n", err(mq_send(p[1], "x", 1, 0)));
	printf("notify pipe: %s\n", err(mq_notify(p[0], NULL)));
	close(p[0]);
	close(p[1]);
	mq_close(q);
	mq_unlink(Q);
}

/* ---- order ----------------------------------------------------------------- */

static void receive(const char *what, mqd_t q, size_t len)
{
	char buf[64] = "";
	unsigned prio = 99;
	long n = mq_receive(q, buf, len, &prio);

	if (n < 0)
		printf("%s: %s\n", what, res(-1));
	else
		printf("%s: %ld prio %u \"%.*s\"\n", what, n, prio, (int)n, buf);
}

static void case_order(void)
{
	mqd_t q = make(Q, O_RDWR | O_NONBLOCK, 8, 16);
	static const struct { const char *text; unsigned prio; } m[] = {
		{ "a0", 0 }, { "b5", 5 }, { "c5", 5 }, { "d1", 1 }, { "e32767", 32767 },
		{ "f5", 5 }, { "g0", 0 }, { "", 1 },
	};
	for (unsigned i = 0; i < sizeof m / sizeof m[0]; i++)
		if (mq_send(q, m[i].text, strlen(m[i].text), m[i].prio))
			printf("send %s: %s\n", m[i].text, res(-1));
	attrs("full", q);
	printf("send to full: %s\n", err(mq_send(q, "x", 1, 0)));
	status("status", q);
	receive("small buffer", q, 15);
	for (int i = 0; i < 8; i++)
		receive("receive", q, 16);
	receive("empty", q, 16);
	printf("prio 32768: %s\n", err(mq_send(q, "x", 1, 32768)));
	printf("prio -1: %s\n", err(mq_send(q, "x", 1, -1u)));
	printf("17 bytes: %s\n", err(mq_send(q, "0123456789abcdefg", 17, 0)));
	printf("huge length: %s\n", err(mq_send(q, "x", (size_t)-1, 0)));
	printf("bad buffer: %s\n", err(mq_send(q, (char *)8, 4, 0)));
	printf("bad buffer, 0 bytes: %s\n", err(mq_send(q, (char *)8, 0, 0)));
	mq_send(q, "hello", 5, 3);
	printf("receive into bad buffer: %s\n", err(mq_receive(q, (char *)8, 16, NULL)));
	attrs("lost", q);
	mq_send(q, "hello", 5, 3);
	printf("receive bad prio pointer: %s\n", err(mq_receive(q, (char[16]){ 0 }, 16, (unsigned *)8)));
	attrs("lost", q);
	mq_send(q, "hi", 2, 3);
	printf("receive NULL prio: %ld\n", (long)mq_receive(q, (char[16]){ 0 }, 16, NULL));
	mqd_t r = mq_open(Q, O_RDONLY | O_NONBLOCK), w = mq_open(Q, O_WRONLY | O_NONBLOCK);
	printf("send O_RDONLY: %s\n", err(mq_send(r, "x", 1, 0)));
	printf("receive O_WRONLY: %s\n", err(mq_receive(w, (char[16]){ 0 }, 16, NULL)));
	printf("send O_WRONLY: %s\n", err(mq_send(w, "x", 1, 0)));
	receive("receive O_RDONLY", r, 16);
	printf("send bad fd: %s\n", err(mq_send(77, "x", 1, 0)));
	printf("send stdout: %s\n", err(mq_send(1, "x", 1, 0)));
	mq_close(r);
	mq_close(w);
	mq_close(q);
	mq_unlink(Q);
}

/* ---- time ------------------------------------------------------------------ */

static struct timespec from_now(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += ms % 1000 * 1000000;
	if (t.tv_nsec >= 1000000000)
		t.tv_sec++, t.tv_nsec -= 1000000000;
	return t;
}

static void case_time(void)
{
	mqd_t q = make(Q, O_RDWR, 1, 16);
	char buf[16];
	struct timespec past = { 1, 0 }, soon = from_now(200), bad = { 0, 1000000000 },
			neg = { -1, 0 }, badneg = { 0, -1 };

	printf("receive, past: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &past)));
	printf("receive, 200 ms: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &soon)));
	printf("receive, nsec 1e9: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &bad)));
	printf("receive, nsec -1: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &badneg)));
	printf("receive, sec -1: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &neg)));
	printf("receive, bad pointer: %s\n", err(mq_timedreceive(q, buf, 16, NULL, (void *)8)));
	printf("send, bad timeout, room: %s\n", err(mq_timedsend(q, "x", 1, 0, &bad)));
	printf("send, bad pointer, room: %s\n", err(mq_timedsend(q, "x", 1, 0, (void *)8)));
	printf("send, past, room: %s\n", err(mq_timedsend(q, "x", 1, 0, &past)));
	printf("send, past, full: %s\n", err(mq_timedsend(q, "x", 1, 0, &past)));
	soon = from_now(200);
	printf("send, 200 ms, full: %s\n", err(mq_timedsend(q, "x", 1, 0, &soon)));
	printf("send, nsec 1e9, full: %s\n", err(mq_timedsend(q, "x", 1, 0, &bad)));
	printf("receive, bad timeout, a message: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &bad)));
	printf("receive, past, a message: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &past)));
	struct mq_attr nb = { .mq_flags = O_NONBLOCK };
	mq_setattr(q, &nb, NULL);
	printf("nonblocking receive, bad timeout: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &bad)));
	printf("nonblocking receive, past: %s\n", err(mq_timedreceive(q, buf, 16, NULL, &past)));
	mq_close(q);
	mq_unlink(Q);
}

/* ---- wait ------------------------------------------------------------------ */

static mqd_t shared;

static void *late_sender(void *arg)
{
	usleep(100000);
	mq_send(shared, arg, strlen(arg), 2);
	return NULL;
}

static void *late_receiver(void *arg)
{
	char buf[16];

	(void)arg;
	usleep(100000);
	mq_receive(shared, buf, 16, NULL);
	return NULL;
}

static void on_alarm(int sig) { (void)sig; }

static void case_wait(void)
{
	pthread_t t;
	char buf[16];
	unsigned prio;

	shared = make(Q, O_RDWR, 1, 16);
	pthread_create(&t, NULL, late_sender, "late");
	long n = mq_receive(shared, buf, 16, &prio);
	printf("waited for a message: %ld prio %u \"%.*s\"\n", n, prio, (int)(n > 0 ? n : 0), buf);
	pthread_join(t, NULL);
	mq_send(shared, "first", 5, 0);
	pthread_create(&t, NULL, late_receiver, NULL);
	printf("waited for room: %s\n", err(mq_send(shared, "second", 6, 0)));
	pthread_join(t, NULL);
	receive("then", shared, 16);

	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	ualarm(100000, 0);
	printf("receive, signal: %s\n", err(mq_receive(shared, buf, 16, NULL)));
	mq_send(shared, "full", 4, 0);
	ualarm(100000, 0);
	printf("send, signal: %s\n", err(mq_send(shared, "x", 1, 0)));
	mq_receive(shared, buf, 16, NULL);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	ualarm(50000, 0);
	struct timespec soon = from_now(300);
	printf("SA_RESTART, timed: %s\n", err(mq_timedreceive(shared, buf, 16, NULL, &soon)));
	ualarm(50000, 0);
	pthread_create(&t, NULL, late_sender, "restarted");
	n = mq_receive(shared, buf, 16, &prio);
	printf("SA_RESTART: %ld \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
	pthread_join(t, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		mq_send(shared, "child", 5, 4);
		_exit(0);
	}
	n = mq_receive(shared, buf, 16, &prio);
	printf("from a child: %ld prio %u \"%.*s\"\n", n, prio, (int)(n > 0 ? n : 0), buf);
	waitpid(pid, NULL, 0);
	mq_close(shared);
	mq_unlink(Q);
}

/* ---- poll ------------------------------------------------------------------ */

static void polled(const char *what, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM };
	fd_set r, w;
	struct timeval tv = { 0, 0 };

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	int n = poll(&p, 1, 0);
	int s = select(fd + 1, &r, &w, NULL, &tv);
	printf("%s: poll %d %#x, select %d%s%s\n", what, n, p.revents, s, FD_ISSET(fd, &r) ? " r" : "",
	       FD_ISSET(fd, &w) ? " w" : "");
}

static void case_poll(void)
{
	mqd_t q = make(Q, O_RDWR | O_NONBLOCK, 2, 16);
	polled("empty", q);
	mq_send(q, "a", 1, 0);
	polled("one", q);
	mq_send(q, "b", 1, 0);
	polled("full", q);
	mqd_t r = mq_open(Q, O_RDONLY);
	polled("full, O_RDONLY", r);
	mq_close(r);
	mq_receive(q, (char[16]){ 0 }, 16, NULL);
	mq_receive(q, (char[16]){ 0 }, 16, NULL);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, got;
	printf("epoll add: %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev)));
	printf("epoll empty: %d\n", epoll_wait(ep, &got, 1, 0));
	pthread_t t;
	shared = q;
	pthread_create(&t, NULL, late_sender, "e");
	int n = epoll_wait(ep, &got, 1, 5000);
	printf("epoll after a send: %d %#x\n", n, got.events);
	pthread_join(t, NULL);
	printf("epoll again (edge): %d\n", epoll_wait(ep, &got, 1, 0));
	struct pollfd p = { .fd = q, .events = POLLOUT };
	mq_send(q, "x", 1, 0);
	pthread_create(&t, NULL, late_receiver, NULL);
	printf("poll waits for room: %d %#x\n", poll(&p, 1, 5000), p.revents);
	pthread_join(t, NULL);
	close(ep);
	mq_close(q);
	mq_unlink(Q);
}

/* ---- notify ---------------------------------------------------------------- */

static volatile int got_sig, got_code, got_value, got_pid_mine, got_uid;

static void on_notify(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_value = si->si_value.sival_int;
	got_pid_mine = si->si_pid == getpid();
	got_uid = si->si_uid;
}

static void notified(const char *what)
{
	printf("%s: sig %d code %d value %d own pid %d uid %d\n", what, got_sig, got_code, got_value,
	       got_pid_mine, got_uid);
	got_sig = got_code = got_value = got_pid_mine = got_uid = 0;
}

static void case_notify(void)
{
	mqd_t q = make(Q, O_RDWR | O_NONBLOCK, 4, 16);
	struct sigaction sa = { .sa_sigaction = on_notify, .sa_flags = SA_SIGINFO };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1,
			       .sigev_value.sival_int = 42 };
	char buf[16];

	sigaction(SIGUSR1, &sa, NULL);
	printf("unregister, none: %s\n", err(mq_notify(q, NULL)));
	printf("register: %s\n", err(mq_notify(q, &ev)));
	status("status", q);
	printf("register again: %s\n", err(mq_notify(q, &ev)));
	mq_send(q, "a", 1, 0);
	notified("after a send");
	status("status", q);
	mq_send(q, "b", 1, 0);
	notified("second send");
	printf("register, not empty: %s\n", err(mq_notify(q, &ev)));
	mq_send(q, "c", 1, 0);
	notified("send to a non-empty queue");
	while (mq_receive(q, buf, 16, NULL) >= 0)
		;
	mq_send(q, "d", 1, 0);
	notified("send once empty");
	mq_receive(q, buf, 16, NULL);
	printf("unregister: %s\n", err(mq_notify(q, NULL)));
	mq_send(q, "e", 1, 0);
	notified("after unregistering");
	mq_receive(q, buf, 16, NULL);

	pid_t pid = fork();
	if (pid == 0) {
		printf("child registers: %s\n", err(mq_notify(q, &ev)));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("after the child ended, register: %s\n", err(mq_notify(q, &ev)));
	pid = fork();
	if (pid == 0) {
		printf("child registers: %s\n", err(mq_notify(q, &ev)));
		printf("child unregisters: %s\n", err(mq_notify(q, NULL)));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	status("still mine", q);
	mq_notify(q, NULL);

	/* A waiting receiver takes the message: no notification. */
	mq_setattr(q, &(struct mq_attr){ .mq_flags = 0 }, NULL);
	mq_notify(q, &ev);
	pthread_t t;
	shared = q;
	pthread_create(&t, NULL, late_sender, "w");
	mq_receive(q, buf, 16, NULL);
	pthread_join(t, NULL);
	notified("a receiver waited");
	status("status", q);
	mq_notify(q, NULL);
	mq_setattr(q, &(struct mq_attr){ .mq_flags = O_NONBLOCK }, NULL);

	ev.sigev_notify = SIGEV_NONE;
	printf("SIGEV_NONE: %s\n", err(mq_notify(q, &ev)));
	status("status", q);
	mq_send(q, "f", 1, 0);
	notified("send");
	status("status", q);
	mq_receive(q, buf, 16, NULL);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 0;
	printf("signal 0: %s\n", err(mq_notify(q, &ev)));
	status("status", q);
	mq_send(q, "g", 1, 0);
	notified("send");
	status("status", q);
	mq_receive(q, buf, 16, NULL);
	ev.sigev_signo = 65;
	printf("signal 65: %s\n", err(mq_notify(q, &ev)));
	ev.sigev_signo = SIGUSR1;
	ev.sigev_notify = 7;
	printf("sigev_notify 7: %s\n", err(mq_notify(q, &ev)));
	ev.sigev_notify = 4;	/* SIGEV_THREAD_ID */
	printf("SIGEV_THREAD_ID: %s\n", err(mq_notify(q, &ev)));
	printf("bad sigevent: %s\n", err(syscall(SYS_mq_notify, q, (void *)8)));
	printf("bad fd: %s\n", err(mq_notify(99, NULL)));

	/* SIGEV_THREAD as the kernel takes it: a netlink socket and a cookie. */
	static char cookie[32];
	int p[2], udp = socket(AF_INET, SOCK_DGRAM, 0);
	pipe(p);
	struct sigevent th = { .sigev_notify = SIGEV_THREAD, .sigev_signo = p[0],
			       .sigev_value.sival_ptr = cookie };
	printf("SIGEV_THREAD, a pipe: %s\n", err(syscall(SYS_mq_notify, q, &th)));
	th.sigev_signo = udp;
	printf("SIGEV_THREAD, a UDP socket: %s\n", err(syscall(SYS_mq_notify, q, &th)));
	th.sigev_signo = 99;
	printf("SIGEV_THREAD, bad fd: %s\n", err(syscall(SYS_mq_notify, q, &th)));
	th.sigev_value.sival_ptr = (void *)8;
	printf("SIGEV_THREAD, bad cookie: %s\n", err(syscall(SYS_mq_notify, q, &th)));
	status("status", q);
	close(p[0]);
	close(p[1]);
	close(udp);

	ev = (struct sigevent){ .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	mq_notify(q, &ev);
	close(dup(q));
	status("a dup closed", q);
	mq_notify(q, &ev);
	pid = fork();
	if (pid == 0) {
		mq_close(q);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	status("a child closed its copy", q);
	mq_close(q);
	q = mq_open(Q, O_RDWR | O_NONBLOCK);
	status("closed, opened again", q);
	mq_close(q);
	mq_unlink(Q);
}

/* musl's SIGEV_THREAD: a netlink socket the kernel sends a cookie to,
 * read by a thread that then runs the function. */
static volatile int thread_value;

static void on_thread(union sigval v) { thread_value = v.sival_int; }

/* The cookie that came to s: its start, why it came (its last byte), and
 * from whom. */
static void cookie(const char *what, int s)
{
	char buf[64];
	struct sockaddr_storage from;
	socklen_t len = sizeof from;
	long n = recvfrom(s, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &len);

	if (n < 0) {
		printf("%s: %s\n", what, err(n));
		return;
	}
	printf("%s: %ld bytes \"%s\" why %d from pid %u\n", what, n, buf, buf[31],
	       ((unsigned *)&from)[1]);
}

/* SIGEV_THREAD's cookie itself, on a netlink socket: sent when the
 * notification fires, and when the registration is taken away or its
 * owner closes the queue; a socket closed meanwhile gets nothing. */
static void thread_cookies(void)
{
	mqd_t q = make(Q, O_RDWR | O_NONBLOCK, 4, 16);
	int s = socket(AF_NETLINK, SOCK_RAW, 0);
	char text[32] = "cookie";
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD, .sigev_signo = s,
			       .sigev_value.sival_ptr = text };
	char buf[16];

	printf("raw SIGEV_THREAD: %s\n", err(syscall(SYS_mq_notify, q, &ev)));
	status("status", q);
	mq_send(q, "x", 1, 0);
	cookie("after a send", s);
	mq_receive(q, buf, sizeof buf, NULL);
	printf("again: %s\n", err(syscall(SYS_mq_notify, q, &ev)));
	printf("taken away: %s\n", err(syscall(SYS_mq_notify, q, NULL)));
	cookie("after taking it away", s);
	printf("again: %s\n", err(syscall(SYS_mq_notify, q, &ev)));
	mq_close(q);
	cookie("after closing the queue", s);
	q = mq_open(Q, O_RDWR | O_NONBLOCK);
	printf("again: %s\n", err(syscall(SYS_mq_notify, q, &ev)));
	close(s);
	printf("send with the socket closed: %s\n", err(mq_send(q, "y", 1, 0)));
	mq_close(q);
	mq_unlink(Q);
}

static void case_thread(void)
{
	mqd_t q = make(Q, O_RDWR | O_NONBLOCK, 4, 16);
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_thread,
			       .sigev_value.sival_int = 7 };

	long r = mq_notify(q, &ev);
	printf("SIGEV_THREAD: %s\n", err(r));
	status("status", q);
	mq_send(q, "x", 1, 0);
	for (int i = 0; !r && i < 100 && !thread_value; i++)
		usleep(20000);
	printf("the thread ran with %d\n", thread_value);
	mq_close(q);
	mq_unlink(Q);
	thread_cookies();
}

/* ---- life ------------------------------------------------------------------ */

static void case_life(void)
{
	mqd_t q = make(Q, O_RDWR | O_NONBLOCK, 4, 16);
	char buf[16];

	mq_send(q, "kept", 4, 1);
	mq_close(q);
	q = mq_open(Q, O_RDWR | O_NONBLOCK);
	attrs("closed and opened", q);
	receive("kept", q, 16);
	mq_send(q, "unlinked", 8, 1);
	printf("unlink while open: %s\n", err(mq_unlink(Q)));
	printf("open by name: %s\n", opened(mq_open(Q, O_RDWR)));
	receive("still there", q, 16);
	mq_send(q, "again", 5, 1);
	mqd_t q2 = mq_open(Q, O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, NULL);
	printf("new queue by the name: %s\n", err(q2));
	attrs("new", q2);
	attrs("old", q);
	int d = dup(q);
	mq_close(q);
	receive("through a dup", d, 16);
	pid_t pid = fork();
	if (pid == 0) {
		mq_send(q2, "from child", 10, 0);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("receive child's: %ld\n", (long)mq_receive(q2, buf, 8192, NULL));
	close(d);
	mq_close(q2);
	mq_unlink(Q);
}

/* ---- limits ---------------------------------------------------------------- */

static void proc_file(const char *name)
{
	char path[64], buf[32] = "";

	snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", name);
	FILE *f = fopen(path, "r");
	if (f && fgets(buf, sizeof buf, f))
		printf("%s: %s", name, buf);
	else
		printf("%s: missing\n", name);
	if (f)
		fclose(f);
}

static int many(int flags, long maxmsg, long msgsize, int most, int *made)
{
	char name[32];
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	for (*made = 0; *made < most; ++*made) {
		snprintf(name, sizeof name, "/amphi-mq-%d", *made);
		mq_unlink(name);
		mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
		if (q < 0)
			return errno;
		if (!(flags & 1))
			mq_close(q);
	}
	return 0;
}

static void unlink_many(int n)
{
	char name[32];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "/amphi-mq-%d", i);
		mq_unlink(name);
	}
}

static void case_limits(void)
{
	int made, e;
	struct rlimit rl;

	proc_file("msg_max");
	proc_file("msgsize_max");
	proc_file("msg_default");
	proc_file("msgsize_default");
	proc_file("queues_max");
	getrlimit(RLIMIT_MSGQUEUE, &rl);
	printf("RLIMIT_MSGQUEUE: %lu %lu\n", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
	e = many(0, 1, 1, 300, &made);
	printf("small queues: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
	e = many(0, 10, 8192, 20, &made);
	printf("default-sized queues: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	printf("write to /proc: %s\n", err(open("/proc/sys/fs/mqueue/msg_max", O_WRONLY)));
	unlink_many(made);
	e = many(0, 10, 8192, 20, &made);
	printf("after unlinking: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
	e = many(1, 10, 8192, 20, &made);
	printf("kept open: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
	e = many(0, 10, 8192, 20, &made);
	printf("unlinked, still open: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	unlink_many(made);
	e = many(0, 10, 8192, 20, &made);
	printf("closed: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
	rl.rlim_cur = 1000;
	setrlimit(RLIMIT_MSGQUEUE, &rl);
	e = many(0, 1, 800, 20, &made);
	printf("RLIMIT_MSGQUEUE 1000, 1 x 800: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
	e = many(0, 1, 905, 20, &made);
	printf("1 x 905: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
	e = many(0, 1, 904, 20, &made);
	printf("1 x 904: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
	rl.rlim_cur = 0;
	setrlimit(RLIMIT_MSGQUEUE, &rl);
	e = many(0, 1, 1, 20, &made);
	printf("RLIMIT_MSGQUEUE 0: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_MSGQUEUE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 5;
	setrlimit(RLIMIT_NOFILE, &rl);
	e = many(1, 1, 1, 20, &made);
	printf("RLIMIT_NOFILE 5: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made + 1);
}

/* ---- perm ------------------------------------------------------------------ */

static void as_user(uid_t uid, void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		setgid(uid);
		setuid(uid);
		fn();
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

static void other_user(void)
{
	printf("uid 1000 open O_RDONLY: %s\n", opened(mq_open(Q, O_RDONLY)));
	printf("uid 1000 open O_WRONLY: %s\n", opened(mq_open(Q, O_WRONLY)));
	printf("uid 1000 open O_RDWR: %s\n", opened(mq_open(Q, O_RDWR)));
	printf("uid 1000 unlink: %s\n", err(syscall(SYS_mq_unlink, Q + 1)));
	printf("uid 1000 musl's unlink: %s\n", err(mq_unlink(Q)));
	printf("uid 1000 O_CREAT|O_EXCL: %s\n", opened(mq_open(Q, O_CREAT | O_EXCL | O_RDONLY, 0600, NULL)));
}

/* Root without CAP_SYS_RESOURCE, as where Linux's transcript was taken. */
static void drop_sys_resource(void)
{
	struct { unsigned version; int pid; } h = { 0x20080522, 0 };
	struct { unsigned effective, permitted, inheritable; } d[2];

	syscall(SYS_capget, &h, d);
	d[0].effective &= ~(1u << 24);
	d[0].permitted &= ~(1u << 24);
	printf("drop CAP_SYS_RESOURCE: %s\n", err(syscall(SYS_capset, &h, d)));
}

static void case_perm(void)
{
	mqd_t q;

	drop_sys_resource();
	umask(0);
	mq_unlink(Q);
	printf("root makes 0600: %s\n", err(q = mq_open(Q, O_CREAT | O_RDWR, 0600, NULL)));
	as_user(1000, other_user);
	mq_close(q);
	mq_unlink(Q);
	printf("root makes 0642: %s\n", err(q = mq_open(Q, O_CREAT | O_RDWR, 0642, NULL)));
	as_user(1000, other_user);
	mq_close(q);
	mq_unlink(Q);
	try_attr("root 11 x 8192", 11, 8192);
	try_attr("root 65536 x 1", 65536, 1);
	try_attr("root 65537 x 1", 65537, 1);
	try_attr("root 1 x 16777216", 1, 16777216);
	try_attr("root 1 x 16777217", 1, 16777217);
	try_attr("root 1000 x 16777216", 1000, 16777216);
	int made, e = many(0, 1, 1, 300, &made);
	printf("root small queues: %d, then %s\n", made, e ? res((errno = e, -1)) : "none refused");
	unlink_many(made);
}

/* ---- stress ---------------------------------------------------------------- */

/* Senders and receivers on a small queue, half of each with timeouts of
 * a few ms, all of them hit by signals (no SA_RESTART) from another
 * thread: each retries what EINTR or ETIMEDOUT cut short, and every
 * message must still arrive exactly once. */
#define THREADS 4
#define EACH 400

static unsigned char seen[THREADS * EACH];
static volatile int dup_or_bad, stress_done, finished;
static pthread_t workers[2 * THREADS];

static void on_pester(int sig) { (void)sig; }

static long stress_call(long id, bool send, const char *text, size_t len, char *buf, unsigned *prio)
{
	struct timespec soon = from_now(3);

	for (;;) {
		long r = send ? (id & 1 ? mq_timedsend(shared, text, len, (unsigned)(atoi(text) % 7), &soon)
				     : mq_send(shared, text, len, (unsigned)(atoi(text) % 7)))
			      : (id & 1 ? mq_timedreceive(shared, buf, 64, prio, &soon)
				        : mq_receive(shared, buf, 64, prio));
		if (r >= 0 || (errno != EINTR && errno != ETIMEDOUT))
			return r;
		soon = from_now(3);
	}
}

/* A worker stays until the pester thread is done with it. */
static void *worker_end(void)
{
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELAXED);
	while (!stress_done)
		usleep(1000);
	return NULL;
}

static void *stress_send(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < EACH; i++) {
		char text[16];
		int n = snprintf(text, sizeof text, "%ld", id * EACH + i);
		if (stress_call(id, true, text, (size_t)n, NULL, NULL))
			dup_or_bad = 1;
	}
	return worker_end();
}

static void *stress_receive(void *arg)
{
	char buf[64];

	for (int i = 0; i < EACH; i++) {
		unsigned prio;
		long n = stress_call((long)arg, false, NULL, 0, buf, &prio);
		if (n <= 0) {
			dup_or_bad = 1;
			continue;
		}
		buf[n] = 0;
		int tag = atoi(buf);
		if (tag < 0 || tag >= THREADS * EACH || (unsigned)tag % 7 != prio ||
		    __atomic_fetch_add(&seen[tag], 1, __ATOMIC_RELAXED))
			dup_or_bad = 1;
	}
	return worker_end();
}

static void *pester(void *arg)
{
	(void)arg;
	while (!stress_done)
		for (int i = 0; i < 2 * THREADS && !stress_done; i++) {
			pthread_kill(workers[i], SIGUSR1);
			usleep(500);
		}
	return NULL;
}

static void case_stress(void)
{
	struct sigaction sa = { .sa_handler = on_pester };
	pthread_t p;

	sigaction(SIGUSR1, &sa, NULL);
	shared = make(Q, O_RDWR, 5, 32);
	for (long i = 0; i < THREADS; i++) {
		pthread_create(&workers[i], NULL, stress_send, (void *)i);
		pthread_create(&workers[THREADS + i], NULL, stress_receive, (void *)i);
	}
	pthread_create(&p, NULL, pester, NULL);
	while (finished < 2 * THREADS)
		usleep(10000);
	stress_done = 1;
	pthread_join(p, NULL);
	for (int i = 0; i < 2 * THREADS; i++)
		pthread_join(workers[i], NULL);
	int missing = 0;
	for (int i = 0; i < THREADS * EACH; i++)
		missing += seen[i] != 1;
	attrs("left", shared);
	printf("stress: %d messages, %d missing, %s\n", THREADS * EACH, missing,
	       dup_or_bad ? "duplicates or bad ones" : "none twice");
	mq_close(shared);
	mq_unlink(Q);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "open", case_open }, { "attr", case_attr }, { "order", case_order },
	{ "time", case_time }, { "wait", case_wait }, { "poll", case_poll },
	{ "notify", case_notify }, { "thread", case_thread }, { "life", case_life }, { "limits", case_limits },
	{ "perm", case_perm }, { "stress", case_stress },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (unsigned i = 0; argc > 1 && i < sizeof cases / sizeof cases[0]; i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		if (strcmp(argv[1], "perm") && getuid() == 0 && (setgid(65534) || setuid(65534)))
			return 1;
		cases[i].fn();
		return 0;
	}
	fprintf(stderr, "usage: mq_calls CASE\n");
	return 2;
}
