/* stress_signals [SEED [ROUNDS]]: signals racing every blocking call.  Four
 * threads make ROUNDS blocking calls each (default 1500), round robin:
 * read of an empty pipe, write to a full one, recv, accept, connect to a
 * full backlog, poll, select, epoll_wait, futex wait, nanosleep and
 * sigtimedwait, most with a 1 ms timeout.  Another thread keeps sending
 * them SIGUSR1 (handler with SA_RESTART) and SIGUSR2 (without), and a 1 ms
 * SIGALRM (without) goes to whichever of them takes it: the pipe calls,
 * which have no timeout, end by SIGUSR2 or SIGALRM.  Every call must end
 * with its result, a timeout, or EINTR, and nothing else.  Prints
 * "signals ok" (the same under Linux), or FAIL lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BLOCKERS	4
#define CALLS		11

static long rounds;
static volatile int stop;
static pid_t tids[BLOCKERS];

static void fail(const char *what, int err)
{
	printf("FAIL: %s: %s\n", what, strerror(err));
	exit(1);
}

/* What every blocker waits on: nothing ever comes (but signals). */
struct objects {
	int pipe_r, pipe_w_full, sock, listener, backlog_full_addr, ep;
	struct sockaddr_un full;
	unsigned word;
};

static void ok_if(const char *what, long ret, int ok1, int ok2)
{
	if (ret >= 0 || errno == EINTR || errno == ok1 || errno == ok2)
		return;
	fail(what, errno);
}

static void one_call(struct objects *o, int which)
{
	struct timespec ms = { 0, 1000000 };
	struct timeval tv = { 0, 1000 };
	char buf[64] = { 0 };

	switch (which) {
	case 0: ok_if("read", read(o->pipe_r, buf, 1), EAGAIN, 0); break;
	case 1: ok_if("write", write(o->pipe_w_full, buf, 1), EAGAIN, 0); break;
	case 2: ok_if("recv", recv(o->sock, buf, 1, 0), EAGAIN, 0); break;
	case 3: ok_if("accept", accept(o->listener, NULL, NULL), EAGAIN, 0); break;
	case 4: {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		ok_if("connect", connect(c, (void *)&o->full, sizeof o->full), EAGAIN, ECONNREFUSED);
		close(c);
		break;
	}
	case 5: {
		struct pollfd p = { o->pipe_r, POLLIN, 0 };
		ok_if("poll", poll(&p, 1, 1), 0, 0);
		break;
	}
	case 6: {
		fd_set r;
		FD_ZERO(&r);
		FD_SET(o->pipe_r, &r);
		ok_if("select", select(o->pipe_r + 1, &r, NULL, NULL, &tv), 0, 0);
		break;
	}
	case 7: {
		struct epoll_event ev;
		ok_if("epoll_wait", epoll_wait(o->ep, &ev, 1, 1), 0, 0);
		break;
	}
	case 8:
		ok_if("futex", syscall(SYS_futex, &o->word, 128, 0, &ms, NULL, 0), ETIMEDOUT, EAGAIN);
		break;
	case 9: ok_if("nanosleep", nanosleep(&ms, NULL), 0, 0); break;
	default: {
		sigset_t s;
		siginfo_t si;
		sigemptyset(&s);
		sigaddset(&s, SIGRTMIN + 2);	/* blocked, never sent */
		ok_if("sigtimedwait", sigtimedwait(&s, &si, &ms), EAGAIN, 0);
		break;
	}
	}
}

static void *blocker(void *arg)
{
	struct objects *o = arg;
	static volatile int next;

	tids[__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED)] = gettid();
	for (long i = 0; i < rounds; i++)
		one_call(o, (int)(i % CALLS));
	return NULL;
}

static void *signaller(void *arg)
{
	unsigned seed = (unsigned)(long)arg;

	while (!stop) {
		pid_t t = tids[rand_r(&seed) % BLOCKERS];
		if (t)
			syscall(SYS_tgkill, getpid(), t, rand_r(&seed) % 2 ? SIGUSR1 : SIGUSR2);
		sched_yield();
	}
	return NULL;
}

static void on_signal(int sig) { (void)sig; }

/* Objects where blocking calls wait: an empty pipe, a full one, a silent
 * socket, a listener nobody connects to, one whose backlog is full, an
 * empty epoll; each with a 1 ms timeout where the call takes one. */
static void make_objects(struct objects *o)
{
	struct timeval tv = { 0, 1000 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int p[2], q[2], s[2];

	if (pipe(p) || pipe2(q, O_NONBLOCK) || socketpair(AF_UNIX, SOCK_STREAM, 0, s))
		fail("setup", errno);
	while (write(q[1], "fill", 4) > 0)
		;
	fcntl(q[1], F_SETFL, 0);	/* blocking again: write waits for room */
	o->pipe_r = p[0];
	o->pipe_w_full = q[1];
	o->sock = s[0];
	setsockopt(o->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	o->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "stress_signals.%d.a", getpid());
	if (bind(o->listener, (void *)&sa, sizeof sa) || listen(o->listener, 1))
		fail("listener", errno);
	fcntl(o->listener, F_SETFL, 0);
	setsockopt(o->listener, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	int full = socket(AF_UNIX, SOCK_STREAM, 0);
	o->full = (struct sockaddr_un){ .sun_family = AF_UNIX };
	snprintf(o->full.sun_path + 1, sizeof o->full.sun_path - 1, "stress_signals.%d.b", getpid());
	if (bind(full, (void *)&o->full, sizeof o->full) || listen(full, 0))
		fail("full listener", errno);
	for (int i = 0; i < 4; i++) {	/* fill its backlog */
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(c, (void *)&o->full, sizeof o->full);
	}
	o->ep = epoll_create1(0);
}

int main(int argc, char **argv)
{
	unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	struct sigaction restart = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct sigaction once = { .sa_handler = on_signal };
	struct itimerval tick = { { 0, 1000 }, { 0, 1000 } };
	pthread_t b[BLOCKERS], s;
	struct objects o;

	rounds = argc > 2 ? atol(argv[2]) : 1500;
	sigaction(SIGUSR1, &restart, NULL);
	sigaction(SIGUSR2, &once, NULL);
	sigaction(SIGALRM, &once, NULL);
	signal(SIGPIPE, SIG_IGN);
	make_objects(&o);
	setitimer(ITIMER_REAL, &tick, NULL);
	for (int i = 0; i < BLOCKERS; i++)
		pthread_create(&b[i], NULL, blocker, &o);
	pthread_create(&s, NULL, signaller, (void *)(long)seed);
	sigset_t alarm;
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alarm, NULL);	/* SIGALRM is for the blockers */
	for (int i = 0; i < BLOCKERS; i++)
		pthread_join(b[i], NULL);
	stop = 1;
	pthread_join(s, NULL);
	printf("signals ok\n");
	return 0;
}
