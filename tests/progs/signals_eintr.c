/* Blocking calls that a signal interrupts: a pipe read fails with EINTR,
 * or is restarted with SA_RESTART; poll fails with EINTR whatever
 * SA_RESTART says; ppoll's temporary mask lets a blocked signal in and is
 * undone after, and is undone without delivering when the call did not
 * wait; SIGPIPE reaches a handler and the write fails with EPIPE.
 * Prints "<check> ok" lines, then "signals_eintr ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_sig;
static int fds[2];

static void check(int ok, const char *name)
{
	if (!ok) {
		printf("FAIL: %s (hits %d errno %d)\n", name, hits, errno);
		exit(1);
	}
	printf("%s ok\n", name);
}

static void on_sig(int sig)
{
	hits++;
	last_sig = sig;
}

static void on_sig_feed(int sig)
{
	(void)sig;
	hits++;
	write(fds[1], "x", 1);	/* the restarted read finds it */
}

static void set_action(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void alarm_ms(int ms)
{
	struct itimerval it = { { 0, 0 }, { 0, ms * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void test_pipe_read(void)
{
	char c = 0;

	set_action(SIGALRM, on_sig, 0);
	hits = 0;
	alarm_ms(100);
	errno = 0;
	check(read(fds[0], &c, 1) == -1 && errno == EINTR && hits == 1,
	      "pipe read EINTR without SA_RESTART");

	set_action(SIGALRM, on_sig_feed, SA_RESTART);
	hits = 0;
	alarm_ms(100);
	check(read(fds[0], &c, 1) == 1 && c == 'x' && hits == 1,
	      "pipe read restarted with SA_RESTART");
}

static void test_poll(void)
{
	struct pollfd p = { .fd = fds[0], .events = POLLIN };

	set_action(SIGALRM, on_sig, SA_RESTART);
	hits = 0;
	alarm_ms(100);
	errno = 0;
	check(poll(&p, 1, 5000) == -1 && errno == EINTR && hits == 1,
	      "poll EINTR even with SA_RESTART");
}

static int usr1_blocked(void)
{
	sigset_t now;

	sigprocmask(SIG_SETMASK, NULL, &now);
	return sigismember(&now, SIGUSR1);
}

static void test_ppoll_mask(void)
{
	struct pollfd p = { .fd = fds[0], .events = POLLIN };
	struct timespec ts = { 5, 0 };
	sigset_t block, empty, pend;
	char c;

	set_action(SIGUSR1, on_sig, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);

	hits = 0;
	raise(SIGUSR1);	/* pending, blocked */
	errno = 0;
	int r = ppoll(&p, 1, &ts, &empty);
	check(r == -1 && errno == EINTR && hits == 1 && usr1_blocked(),
	      "ppoll mask lets a blocked signal in, then is undone");

	hits = 0;
	raise(SIGUSR1);
	write(fds[1], "y", 1);	/* ready at once: ppoll does not wait */
	r = ppoll(&p, 1, &ts, &empty);
	sigpending(&pend);
	check(r == 1 && hits == 0 && usr1_blocked() && sigismember(&pend, SIGUSR1),
	      "ppoll that did not wait undoes its mask without delivering");
	read(fds[0], &c, 1);
	sigprocmask(SIG_UNBLOCK, &block, NULL);	/* delivered now */
	check(hits == 1, "delivered once unblocked");
}

static void test_sigpipe(void)
{
	int p[2];

	pipe(p);
	close(p[0]);
	set_action(SIGPIPE, on_sig, 0);
	hits = 0;
	errno = 0;
	check(write(p[1], "z", 1) == -1 && errno == EPIPE && hits == 1 && last_sig == SIGPIPE,
	      "SIGPIPE handler and EPIPE");
	close(p[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds)) {
		perror("FAIL: pipe");
		return 1;
	}
	test_pipe_read();
	test_poll();
	test_ppoll_mask();
	test_sigpipe();
	printf("signals_eintr ok\n");
	return 0;
}
