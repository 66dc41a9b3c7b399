/* What a hostile program may do to the kernel through the flags register
 * and the signal machinery, and edges of signal semantics a program would
 * notice, one case per argument; each prints lines the same as on Linux,
 * and the kernel must live on to print "done".
 *   nt       EFLAGS.NT set with popf, then system calls: the kernel's
 *            return to the program must not fault on it (iretq with NT
 *            set is a #GP in long mode).
 *   handler  a handler at a non-canonical address: the process is killed
 *            by SIGSEGV, as on Linux, not the kernel by a #GP on iretq.
 *   tls      clone with CLONE_SETTLS and a non-canonical base: EPERM, as
 *            on Linux, not a #GP in the kernel's wrmsr when the child is
 *            switched in.
 *   sigio    a process of uid 1000 makes a root process the owner of an
 *            O_ASYNC pipe, with F_SETSIG: the signal must not reach it
 *            (Linux's sigio_perm), while its own does.
 *   sigfd    SIGCHLD and a F_SETSIG signal read through a signalfd: the
 *            fields of their kind (pid, status; fd, band).
 *   overrun  a 1 ms periodic POSIX timer whose signal stays blocked for
 *            50 ms: one signal, whose si_overrun counts the expiries it
 *            stood for, as timer_getoverrun does.
 *   clocks   timer_create on the coarse clocks, which have no timers.
 *   qfull    kill() of a standard signal while real-time signals fill the
 *            queue (sigqueue says EAGAIN): its siginfo still says who.
 *   chld     sigtimedwait for SIGCHLD (ignored by default, blocked), the
 *            child ending meanwhile as uid 1000: taken, and si_uid says
 *            1000.
 *   reuse    a timer deleted with its signal still queued, and a new one
 *            (given the same id) firing: only the new one's signal comes.
 *   futexro  shared (not PRIVATE) futex calls on a read-only private
 *            anonymous page, which Linux refuses (its word can never
 *            change), and on a read-only shared one, which it takes.
 *   itimer   setitimer for 10^11 seconds, a timer that never fires: taken.
 *   args     the errors of bad arguments, in Linux's order: sigaction's
 *            copy before its signal, tgkill and rt_tgsigqueueinfo refusing
 *            a thread group id of -1 or 0, a bad signal to nobody (ESRCH),
 *            rt_tgsigqueueinfo posing as kill() to its own thread.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_end.h"

#define NT (1ul << 14)

static uint64_t flags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static void set_flags(uint64_t f) { __asm__ volatile("pushq %0; popfq" :: "r"(f) : "cc"); }

static long raw_getpid(void)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_getpid) : "rcx", "r11", "memory");
	return r;
}

static void nt(void)
{
	long pid = getpid(), got = 0;
	int kept = 1;

	for (int i = 0; i < 100; i++) {
		set_flags(flags() | NT);
		got = raw_getpid();
		kept &= !!(flags() & NT);
		set_flags(flags() & ~NT);
	}
	printf("NT across system calls: pid %s, NT %s\n", got == pid ? "right" : "wrong",
	       kept ? "kept" : "lost");
}

static void handler(void)
{
	pid_t pid = fork();

	if (!pid) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = (void (*)(int))0x8000000000000000ul;
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		_exit(0);
	}
	printf("non-canonical handler: %s\n", end_of(pid));
}

static void tls(void)
{
	long r = syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, 0, 0, 0x8000000000000000ul);

	if (r == 0)
		syscall(SYS_exit, 0);	/* touches no TLS */
	if (r > 0)
		end_of((pid_t)r);
	printf("clone with a non-canonical TLS base: %s\n", r < 0 ? strerror(errno) : "made");
}

/* An O_ASYNC pipe whose owner gets sig when it turns readable; the
 * write end is returned. */
static int async_pipe(pid_t owner, int sig, int *rd)
{
	int p[2];

	if (pipe(p) || fcntl(p[0], F_SETOWN, owner) || fcntl(p[0], F_SETSIG, sig) ||
	    fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK))
		return -1;
	*rd = p[0];
	return p[1];
}

static void sigio(void)
{
	sigset_t set;
	pid_t root = getpid();

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t pid = fork();
	if (!pid) {
		int rd, rd2;
		if (setuid(1000))
			_exit(2);
		int other = async_pipe(root, SIGUSR1, &rd), own = async_pipe(getpid(), SIGUSR2, &rd2);
		if (other < 0 || own < 0)
			_exit(3);
		/* Ours comes after root's would: once it is here, root's
		 * was sent or refused. */
		if (write(other, "x", 1) != 1 || write(own, "x", 1) != 1)
			_exit(4);
		siginfo_t si;
		sigdelset(&set, SIGUSR1);
		_exit(sigwaitinfo(&set, &si) == SIGUSR2 ? 0 : 5);
	}
	const char *end = end_of(pid);
	sigset_t pending;
	sigpending(&pending);
	printf("F_SETSIG to another user's process: child %s, signal %s\n", end,
	       sigismember(&pending, SIGUSR1) ? "delivered" : "not delivered");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void sigfd(void)
{
	struct signalfd_siginfo ssi;
	sigset_t set;
	int rd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int fd = signalfd(-1, &set, 0);
	pid_t pid = fork();
	if (!pid)
		_exit(7);
	if (read(fd, &ssi, sizeof ssi) != sizeof ssi)
		return;
	printf("signalfd SIGCHLD: code %d, pid %s, status %d\n", ssi.ssi_code,
	       ssi.ssi_pid == (uint32_t)pid ? "right" : "wrong", ssi.ssi_status);
	waitpid(pid, NULL, 0);
	int wr = async_pipe(getpid(), SIGRTMIN, &rd);
	if (wr < 0 || write(wr, "x", 1) != 1 || read(fd, &ssi, sizeof ssi) != sizeof ssi)
		return;
	printf("signalfd F_SETSIG: code %d, fd %s, band 0x%x\n", ssi.ssi_code,
	       ssi.ssi_fd == rd ? "right" : "wrong", ssi.ssi_band);
	close(fd);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void overrun(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
	struct itimerspec its = { { 0, 1000000 }, { 0, 1000000 } };
	struct timespec wait = { 0, 50000000 }, none = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	timer_t tm;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (timer_create(CLOCK_MONOTONIC, &ev, &tm) || timer_settime(tm, 0, &its, NULL))
		return;
	nanosleep(&wait, NULL);
	int sig = sigtimedwait(&set, &si, &none), got = timer_getoverrun(tm);
	timer_delete(tm);
	printf("blocked timer signal: %s, si_overrun %s, timer_getoverrun %s\n",
	       sig == SIGRTMIN ? "taken" : "missing", si.si_overrun > 0 ? "counted" : "0",
	       got == si.si_overrun ? "agrees" : "differs");
	while (sigtimedwait(&set, &si, &none) > 0)
		;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void clocks(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	timer_t tm;

	for (int c = CLOCK_REALTIME_COARSE; c <= CLOCK_MONOTONIC_COARSE; c++) {
		errno = 0;
		if (!timer_create(c, &ev, &tm))
			timer_delete(tm);
		printf("timer_create on clock %d: %s\n", c, errno ? strerror(errno) : "made");
	}
}

static void qfull(void)
{
	struct rlimit rl = { 64, 64 };	/* Linux's queue is per user: make it short */
	struct timespec none = { 0, 0 };
	sigset_t set, rt;
	siginfo_t si;
	int n = 0;

	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	set = rt;
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	setrlimit(RLIMIT_SIGPENDING, &rl);
	while (n < 100000 && !sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = n }))
		n++;
	int full = errno == EAGAIN;
	kill(getpid(), SIGUSR1);
	sigdelset(&set, SIGRTMIN);
	int sig = sigwaitinfo(&set, &si);
	printf("kill with the queue full: queue %s, siginfo %s\n", full ? "full" : "not full",
	       sig == SIGUSR1 && si.si_code == SI_USER && si.si_pid == getpid() ? "kept" : "lost");
	while (sigtimedwait(&rt, &si, &none) > 0)
		;
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static const char *err(long r);

static void chld(void)
{
	struct timespec late = { 0, 50000000 }, limit = { 5, 0 };
	sigset_t set;
	siginfo_t si = { 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t pid = fork();
	if (!pid) {
		nanosleep(&late, NULL);	/* ends while the parent waits */
		_exit(setuid(1000) ? 1 : 0);
	}
	int sig = sigtimedwait(&set, &si, &limit);
	printf("SIGCHLD in sigtimedwait, from uid 1000: %s, si_uid %u\n",
	       sig == SIGCHLD ? "taken" : "timed out", (unsigned)si.si_uid);
	waitpid(pid, NULL, 0);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* A one-shot SIGRTMIN timer with value v, 1 ms from now. */
static timer_t shot(int v)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN,
			       .sigev_value.sival_int = v };
	struct itimerspec its = { .it_value = { 0, 1000000 } };
	struct timespec wait = { 0, 20000000 };
	timer_t tm;

	timer_create(CLOCK_MONOTONIC, &ev, &tm);
	timer_settime(tm, 0, &its, NULL);
	nanosleep(&wait, NULL);
	return tm;
}

static void reuse(void)
{
	struct timespec none = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	int n = 0, value = 0, overrun = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	timer_delete(shot(1));
	timer_t b = shot(2);
	while (sigtimedwait(&set, &si, &none) == SIGRTMIN) {
		n++;
		value = si.si_value.sival_int;
		overrun = si.si_overrun;
	}
	timer_delete(b);
	printf("deleted timer's signal: %d taken, last value %d, overrun %d\n", n, value, overrun);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void futexro(void)
{
	uint32_t *priv = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *shared = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct timespec ms = { 0, 1000000 };

	printf("shared futex on a read-only private page: wait %s, wake %s\n",
	       err(syscall(SYS_futex, priv, 0, 1, &ms, 0, 0)), err(syscall(SYS_futex, priv, 1, 1, 0, 0, 0)));
	printf("shared futex on a read-only shared page: wait %s, wake %s\n",
	       err(syscall(SYS_futex, shared, 0, 1, &ms, 0, 0)), err(syscall(SYS_futex, shared, 1, 1, 0, 0, 0)));
	printf("private futex on a read-only private page: wait %s\n",
	       err(syscall(SYS_futex, priv, 128, 1, &ms, 0, 0)));
}

static void itimer(void)
{
	struct itimerval far = { .it_value.tv_sec = 100000000000 }, now, off = { 0 };

	errno = 0;
	int r = setitimer(ITIMER_REAL, &far, NULL);
	getitimer(ITIMER_REAL, &now);
	printf("setitimer for 10^11 s: %s, %s\n", r ? strerror(errno) : "set",
	       now.it_value.tv_sec > 1000000000 ? "armed" : "not armed");
	setitimer(ITIMER_REAL, &off, NULL);
}

static const char *err(long r) { return r < 0 ? strerror(errno) : "0"; }

static void args(void)
{
	siginfo_t si = { .si_code = SI_QUEUE };
	long tid = syscall(SYS_gettid);

	printf("sigaction(SIGKILL) from a bad pointer: %s\n", err(syscall(SYS_rt_sigaction, SIGKILL, 1, 0, 8)));
	printf("tgkill(-1, own tid, 0): %s\n", err(syscall(SYS_tgkill, -1, tid, 0)));
	printf("rt_tgsigqueueinfo(0, own tid, 0): %s\n",
	       err(syscall(SYS_rt_tgsigqueueinfo, 0, tid, 0, &si)));
	printf("signal 65 to nobody: kill %s, tkill %s, sigqueue %s\n",
	       err(syscall(SYS_kill, INT_MAX, 65)), err(syscall(SYS_tkill, INT_MAX, 65)),
	       err(syscall(SYS_rt_sigqueueinfo, INT_MAX, 65, &si)));
	si.si_code = SI_USER;
	printf("rt_tgsigqueueinfo as kill() to its own thread: %s\n",
	       err(syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, 0, &si)));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "nt"))
			nt();
		else if (!strcmp(argv[i], "handler"))
			handler();
		else if (!strcmp(argv[i], "tls"))
			tls();
		else if (!strcmp(argv[i], "sigio"))
			sigio();
		else if (!strcmp(argv[i], "sigfd"))
			sigfd();
		else if (!strcmp(argv[i], "overrun"))
			overrun();
		else if (!strcmp(argv[i], "clocks"))
			clocks();
		else if (!strcmp(argv[i], "qfull"))
			qfull();
		else if (!strcmp(argv[i], "chld"))
			chld();
		else if (!strcmp(argv[i], "reuse"))
			reuse();
		else if (!strcmp(argv[i], "futexro"))
			futexro();
		else if (!strcmp(argv[i], "itimer"))
			itimer();
		else if (!strcmp(argv[i], "args"))
			args();
	}
	printf("done\n");
	return 0;
}
