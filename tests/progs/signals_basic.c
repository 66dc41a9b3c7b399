/* Signal handlers and masks in one thread: what the handler is told
 * (siginfo, ucontext), blocking and pending, SA_RESETHAND, SA_NODEFER,
 * real-time queueing, sigtimedwait, sigsuspend, ignoring.  Prints one
 * "<check> ok" line per check, then "signals_basic ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits, depth, max_depth, calls;
static volatile int got_sig, got_code, got_pid, got_value, got_order[8], norder;
static volatile unsigned long got_rip, got_mask_has_sig;

static void fail(const char *what)
{
	printf("FAIL: %s (errno %d)\n", what, errno);
	exit(1);
}

static void on_info(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	hits++;
	got_sig = si->si_signo;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_value = si->si_value.sival_int;
	got_rip = uc->uc_mcontext.gregs[REG_RIP];
	got_mask_has_sig = sigismember((sigset_t *)&uc->uc_sigmask, sig);
	if (norder < 8)
		got_order[norder++] = sig == SIGRTMIN ? si->si_value.sival_int : sig;
	(void)sig;
}

static void on_plain(int sig)
{
	(void)sig;
	hits++;
}

static void set_action(int sig, void *fn, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = flags;
	if (flags & SA_SIGINFO)
		sa.sa_sigaction = fn;
	else
		sa.sa_handler = fn;
	if (sigaction(sig, &sa, NULL))
		fail("sigaction");
}

static void check(int ok, const char *name)
{
	if (!ok) {
		printf("FAIL: %s (hits %d sig %d code %d pid %d)\n", name, hits, got_sig, got_code, got_pid);
		exit(1);
	}
	printf("%s ok\n", name);
}

static void test_kill_info(void)
{
	set_action(SIGUSR1, on_info, SA_SIGINFO);
	hits = 0;
	kill(getpid(), SIGUSR1);
	check(hits == 1 && got_sig == SIGUSR1 && got_code == SI_USER && got_pid == getpid(),
	      "kill siginfo");
	check(got_rip != 0 && got_mask_has_sig == 0, "ucontext");
	hits = 0;
	raise(SIGUSR1);	/* musl: tkill; glibc: tgkill */
	check(hits == 1 && got_code == SI_TKILL && got_pid == getpid(), "raise siginfo");
	union sigval v = { .sival_int = 1234 };
	hits = 0;
	sigqueue(getpid(), SIGUSR1, v);
	check(hits == 1 && got_code == SI_QUEUE && got_value == 1234, "sigqueue siginfo");
}

static void test_mask_pending(void)
{
	sigset_t set, old, pend;

	set_action(SIGUSR2, on_plain, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	hits = 0;
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR2);	/* standard signals do not queue */
	sigpending(&pend);
	check(hits == 0 && sigismember(&pend, SIGUSR2), "blocked stays pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigpending(&pend);
	check(hits == 1 && !sigismember(&pend, SIGUSR2), "delivered on unblock");
}

static void on_reset(int sig)
{
	(void)sig;
	hits++;
}

static void test_resethand(void)
{
	struct sigaction now;

	set_action(SIGUSR1, on_reset, SA_RESETHAND);
	hits = 0;
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &now);
	check(hits == 1 && now.sa_handler == SIG_DFL, "SA_RESETHAND");
}

/* Raises its own signal until it has run three times: nested with
 * SA_NODEFER, one after the other without. */
static void on_nest(int sig)
{
	calls++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (calls < 3)
		raise(sig);
	depth--;
}

static void test_nodefer(void)
{
	set_action(SIGUSR2, on_nest, SA_NODEFER);
	depth = max_depth = calls = 0;
	raise(SIGUSR2);
	check(max_depth == 3 && calls == 3, "SA_NODEFER nests");
	set_action(SIGUSR2, on_nest, 0);
	depth = max_depth = calls = 0;
	raise(SIGUSR2);
	check(max_depth == 1 && calls == 3, "deferred without SA_NODEFER");
}

static void test_rt_queue(void)
{
	sigset_t set, old;

	set_action(SIGRTMIN, on_info, SA_SIGINFO);
	set_action(SIGUSR1, on_info, SA_SIGINFO);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (int i = 1; i <= 3; i++)
		sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = i });
	kill(getpid(), SIGUSR1);
	norder = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* As on Linux: SIGUSR1 (lowest) is taken first, then SIGRTMIN's frame
	 * goes on top of its frame, so the queued ones run first, in order. */
	check(norder == 4 && got_order[0] == 1 && got_order[1] == 2 && got_order[2] == 3 &&
	      got_order[3] == SIGUSR1, "real-time signals queue in order");
}

static void test_sigtimedwait(void)
{
	sigset_t set, old;
	siginfo_t si;
	struct timespec zero = { 0, 0 }, short_wait = { 0, 50 * 1000 * 1000 };

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	errno = 0;
	check(sigtimedwait(&set, &si, &zero) == -1 && errno == EAGAIN, "sigtimedwait poll");
	check(sigtimedwait(&set, &si, &short_wait) == -1 && errno == EAGAIN, "sigtimedwait timeout");
	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof si);
	int sig = sigtimedwait(&set, &si, &short_wait);
	check(sig == SIGUSR1 && si.si_signo == SIGUSR1 && si.si_code == SI_USER &&
	      si.si_pid == getpid(), "sigtimedwait pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_sigsuspend(void)
{
	sigset_t set, old, during, now;

	set_action(SIGUSR2, on_plain, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	kill(getpid(), SIGUSR2);	/* pending while blocked */
	hits = 0;
	sigemptyset(&during);
	errno = 0;
	int r = sigsuspend(&during);
	sigprocmask(SIG_SETMASK, NULL, &now);
	check(r == -1 && errno == EINTR && hits == 1 && sigismember(&now, SIGUSR2),
	      "sigsuspend");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_ignore(void)
{
	sigset_t pend;

	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	signal(SIGCHLD, SIG_DFL);
	raise(SIGCHLD);	/* default: ignored */
	raise(SIGWINCH);
	sigpending(&pend);
	check(!sigismember(&pend, SIGUSR1), "ignored signals");
}

static void test_errors(void)
{
	struct sigaction sa = { .sa_handler = on_plain };

	errno = 0;
	check(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "SIGKILL cannot be caught");
	errno = 0;
	check(kill(getpid(), 65) == -1 && errno == EINVAL, "bad signal number");
	errno = 0;
	check(kill(0x3fffffff, 0) == -1 && errno == ESRCH && kill(getpid(), 0) == 0,
	      "kill pid checks");
	errno = 0;
	check(syscall(SYS_rt_sigaction, SIGUSR1, (void *)8, NULL, 8) == -1 && errno == EFAULT,
	      "bad pointer EFAULT");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_kill_info();
	test_mask_pending();
	test_resethand();
	test_nodefer();
	test_rt_queue();
	test_sigtimedwait();
	test_sigsuspend();
	test_ignore();
	test_errors();
	printf("signals_basic ok\n");
	return 0;
}
