/* fork and copy-on-write, vfork, and wait: parent and children writing the
 * same pages (globals, heap, stack, a big buffer, memory mmap'd private and
 * shared), many children at once, exit statuses and signals as wait4 and
 * waitid report them, WNOHANG, WNOWAIT, __WCLONE/__WALL, ECHILD, SIGCHLD
 * with its siginfo, SA_NOCLDWAIT and SIG_IGN, getppid, orphans going to a
 * subreaper, PR_SET_PDEATHSIG.  One line per check; Linux's transcript is
 * in tests/vm/proc_expected.py (run natively as the init of a new pid
 * namespace: `unshare --pid --fork ./proc_fork`). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG (4 << 20)

static int global = 1;
static volatile sig_atomic_t chld_hits, chld_code, chld_status, chld_pid;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	fflush(stdout);
	if (!ok)
		exit(1);
}

/* The child's status as "exit N" or "signal N". */
static const char *describe(int st)
{
	static char buf[32];

	if (WIFEXITED(st))
		snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof buf, "other 0x%x", st);
	return buf;
}

static void cow(void)
{
	char *big = malloc(BIG), stack[8192];
	char *priv = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	memset(big, 'p', BIG);
	memset(stack, 'p', sizeof stack);
	memset(priv, 'p', 8192);
	shared[0] = 1;
	pid_t pid = fork();
	if (pid == 0) {
		global = 2;
		memset(big, 'c', BIG);
		memset(stack, 'c', sizeof stack);
		priv[100] = 'c';
		shared[0] = 2;
		shared[1024] = 3;	/* the second page, never touched before the fork */
		_exit(big[BIG - 1] == 'c' && stack[10] == 'c' && global == 2 ? 0 : 1);
	}
	int st;
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st), "child wrote its copies");
	check(global == 1 && big[0] == 'p' && big[BIG - 1] == 'p' && stack[4000] == 'p' &&
	      priv[100] == 'p', "parent's copies unchanged");
	check(shared[0] == 2 && shared[1024] == 3, "MAP_SHARED anonymous memory is shared");
	/* Both sides write the same page after the fork, in turn. */
	int pfd[2], qfd[2];
	char c;
	if (pipe(pfd) || pipe(qfd))
		exit(2);
	pid = fork();
	if (pid == 0) {
		read(pfd[0], &c, 1);	/* the parent wrote first */
		int ok = big[12345] == 'p';
		big[12345] = 'x';
		write(qfd[1], "k", 1);
		_exit(ok && big[12345] == 'x' ? 0 : 1);
	}
	big[12345] = 'y';
	write(pfd[1], "k", 1);
	read(qfd[0], &c, 1);
	check(big[12345] == 'y', "parent's write stays after the child writes the same page");
	check(waitpid(pid, &st, 0) == pid && !st, "child saw the page as it was at fork");
	close(pfd[0]), close(pfd[1]), close(qfd[0]), close(qfd[1]);
	free(big);
}

/* 32 children at once, each writing the same pages, each its own status. */
static void many(void)
{
	static char page[4096 * 4];
	pid_t pids[32];
	int sum = 0, st;

	for (int i = 0; i < 32; i++) {
		if ((pids[i] = fork()) == 0) {
			memset(page, i, sizeof page);
			for (volatile int k = 0; k < 10000; k++)
				;
			_exit(page[4096 * 3 + 7] == i ? i : 200);
		}
	}
	for (int i = 0; i < 32; i++) {
		pid_t w = wait(&st);
		int found = 0;
		for (int k = 0; k < 32; k++)
			found |= pids[k] == w;
		sum += found && WIFEXITED(st) ? WEXITSTATUS(st) : 1000;
	}
	check(sum == 31 * 32 / 2, "32 children at once, each with its own status");
	check(wait(&st) == -1 && errno == ECHILD, "no child left: ECHILD");
	check(page[0] == 0, "the parent's page untouched");
}

static void statuses(void)
{
	static const int codes[] = { 0, 1, 42, 255 };
	int st;

	for (int i = 0; i < 4; i++) {
		pid_t pid = fork();
		if (!pid)
			exit(codes[i]);
		waitpid(pid, &st, 0);
		printf("exit(%d): %s\n", codes[i], describe(st));
	}
	static const int sigs[] = { SIGTERM, SIGKILL, SIGUSR1, SIGSEGV };
	for (int i = 0; i < 4; i++) {
		pid_t pid = fork();
		if (!pid) {
			if (sigs[i] == SIGSEGV)
				*(volatile int *)0 = 1;
			kill(getpid(), sigs[i]);
			pause();
		}
		waitpid(pid, &st, 0);
		printf("killed by %d: %s\n", sigs[i], describe(st));
	}
	pid_t pid = fork();
	if (!pid) {
		pause();
		_exit(0);
	}
	check(waitpid(pid, &st, WNOHANG) == 0, "WNOHANG while the child runs: 0");
	kill(pid, SIGTERM);
	check(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "kill(pid) from the parent");
	check(waitpid(pid, &st, 0) == -1 && errno == ECHILD, "waiting again: ECHILD");
	check(waitpid(1234567, &st, WNOHANG) == -1 && errno == ECHILD, "not a child: ECHILD");
	check(waitpid(-1, &st, 0x10000000) == -1 && errno == EINVAL, "bad options: EINVAL");
}

static void waitid_checks(void)
{
	siginfo_t si;
	struct rusage ru;
	pid_t pid = fork();

	if (!pid)
		_exit(7);
	memset(&si, 0xff, sizeof si);
	check(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == pid &&
	      si.si_code == CLD_EXITED && si.si_status == 7 && si.si_signo == SIGCHLD,
	      "waitid WNOWAIT sees the zombie");
	check(wait4(pid, NULL, 0, &ru) == pid, "and it is still there for wait4 (with rusage)");
	pid = fork();
	if (!pid) {
		pause();
		_exit(0);
	}
	memset(&si, 0xff, sizeof si);
	check(waitid(P_ALL, 0, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0,
	      "waitid WNOHANG with nothing ready: si_pid 0");
	kill(pid, SIGKILL);
	check(waitid(P_PGID, 0, &si, WEXITED) == 0 && si.si_pid == pid && si.si_code == CLD_KILLED &&
	      si.si_status == SIGKILL, "waitid P_PGID: killed by SIGKILL");
	check(waitid(P_ALL, 0, &si, WNOHANG) == -1 && errno == EINVAL, "waitid without WEXITED: EINVAL");
}

static int clone_child(void *arg)
{
	(void)arg;
	return 5;
}

static void on_usr1(int sig) { (void)sig; }

/* A child that sends no SIGCHLD is a "clone" child: only __WCLONE or
 * __WALL find it. */
static void clone_children(void)
{
	static char stack[65536];
	int st;
	pid_t pid = clone(clone_child, stack + sizeof stack, 0, NULL);

	check(pid > 0, "clone without SIGCHLD");
	check(waitpid(pid, &st, WNOHANG) == -1 && errno == ECHILD, "plain wait does not see it");
	check(waitpid(pid, &st, __WALL) == pid && WEXITSTATUS(st) == 5, "__WALL does");
	signal(SIGUSR1, on_usr1);	/* it comes when the child ends (not only to pid 1) */
	pid = clone(clone_child, stack + sizeof stack, SIGUSR1, NULL);
	check(waitpid(pid, &st, __WCLONE) == pid && WEXITSTATUS(st) == 5,
	      "__WCLONE finds one that sends SIGUSR1");
	signal(SIGUSR1, SIG_DFL);
}

static void on_chld(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)ctx;
	chld_hits++;
	chld_code = si->si_code;
	chld_status = si->si_status;
	chld_pid = si->si_pid;
}

static void sigchld(void)
{
	struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigset_t block, old;
	int st;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t pid = fork();
	if (!pid)
		_exit(9);
	sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(chld_hits == 1 && chld_code == CLD_EXITED && chld_status == 9 && chld_pid == pid,
	      "SIGCHLD handler: CLD_EXITED, status, pid");
	waitpid(pid, &st, 0);

	sa.sa_flags |= SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (!pid)
		_exit(1);
	sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(chld_hits == 2, "SA_NOCLDWAIT: the handler still runs");
	check(waitpid(pid, &st, 0) == -1 && errno == ECHILD, "SA_NOCLDWAIT: no zombie to wait for");

	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (!pid)
		_exit(1);
	check(waitpid(pid, &st, 0) == -1 && errno == ECHILD, "SIGCHLD ignored: no zombie either");
	signal(SIGCHLD, SIG_DFL);
}

static void parents(void)
{
	int pfd[2], st;
	pid_t me = getpid(), got = 0;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	check(pipe(pfd) == 0, "pipe");
	pid_t pid = fork();
	if (!pid) {
		check(getppid() == me, "child's getppid is the parent");
		pid_t gc = fork();
		if (!gc) {
			while (getppid() != me)
				usleep(1000);
			pid_t p = getppid();
			write(pfd[1], &p, sizeof p);
			_exit(0);
		}
		_exit(0);	/* orphans the grandchild */
	}
	waitpid(pid, &st, 0);
	read(pfd[0], &got, sizeof got);
	check(got == me, "the orphan's new parent is the subreaper");
	while (wait(&st) > 0)
		;
	pid = fork();
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGUSR2);
		pid_t gc = fork();
		if (!gc) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			write(pfd[1], "r", 1);
			pause();
			_exit(0);
		}
		char c;
		read(pfd[0], &c, 1);
		_exit(0);	/* the grandchild gets SIGTERM */
	}
	waitpid(pid, &st, 0);
	pid_t w = wait(&st);
	check(w > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "PR_SET_PDEATHSIG: SIGTERM when the parent ended");
	close(pfd[0]), close(pfd[1]);
}

static int try_lock(int fd, short type, short *holder_type, pid_t *holder)
{
	struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int r = fcntl(fd, F_SETLK, &l);

	if (r && holder) {
		fcntl(fd, F_GETLK, &l);
		*holder_type = l.l_type;
		*holder = l.l_pid;
	}
	return r ? errno : 0;
}

/* POSIX locks are the process's: another process is refused (and told
 * who holds it), a fork does not inherit them, and closing any descriptor
 * of the file drops them. */
static void locks(void)
{
	int fd = open("/tmp/proc_fork.lock", O_CREAT | O_RDWR | O_TRUNC, 0644), st;
	int other = open("/tmp/proc_fork.lock", O_RDONLY), pfd[2], qfd[2];
	char c;

	check(fd >= 0 && other >= 0 && try_lock(fd, F_WRLCK, NULL, NULL) == 0, "parent locks bytes 0-9");
	if (pipe(pfd) || pipe(qfd))
		exit(2);
	pid_t me = getpid(), pid = fork();
	if (!pid) {
		short type = 0;
		pid_t holder = 0;
		int e = try_lock(fd, F_WRLCK, &type, &holder);
		check(e == EAGAIN || e == EACCES, "the child is refused: the lock was not inherited");
		check(type == F_WRLCK && holder == me, "F_GETLK names the parent");
		write(qfd[1], "1", 1);
		read(pfd[0], &c, 1);
		check(try_lock(fd, F_WRLCK, NULL, NULL) == 0, "after the parent closed another fd: the child gets it");
		_exit(0);
	}
	read(qfd[0], &c, 1);
	close(other);	/* any descriptor of the file: the parent's locks go */
	write(pfd[1], "2", 1);
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && !WEXITSTATUS(st), "lock checks in the child");
	close(fd), close(pfd[0]), close(pfd[1]), close(qfd[0]), close(qfd[1]);
	unlink("/tmp/proc_fork.lock");
}

/* Process groups and sessions, as a shell's job control uses them. */
static void groups(void)
{
	int pfd[2], st;
	char c;

	if (pipe(pfd))
		exit(2);
	pid_t leader = fork();
	if (!leader) {	/* a new group, with a member, both waiting to be killed */
		setpgid(0, 0);
		if (!fork()) {
			write(pfd[1], "m", 1);
			pause();
			_exit(0);
		}
		write(pfd[1], "l", 1);
		pause();
		_exit(0);
	}
	read(pfd[0], &c, 1);
	read(pfd[0], &c, 1);
	setpgid(leader, leader);	/* as a shell does too: whoever runs first */
	check(getpgid(leader) == leader, "setpgid: the child leads a group of its own");
	check(getpgid(0) == getpgrp() && getpgrp() != leader, "the parent's group is unchanged");
	pid_t loner = fork();
	if (!loner) {
		pause();
		_exit(0);
	}
	check(kill(-leader, SIGTERM) == 0, "kill(-pgid)");
	check(waitpid(leader, &st, 0) == leader && WTERMSIG(st) == SIGTERM, "it reached the leader");
	check(kill(loner, 0) == 0, "and not the process outside the group");
	kill(loner, SIGKILL);
	waitpid(loner, &st, 0);
	check(wait(&st) > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "and its member, killed too, came to init (us) as an orphan");
	check(setpgid(1234567, 0) == -1 && errno == ESRCH, "setpgid of a stranger: ESRCH");
	check(setpgid(0, -1) == -1 && errno == EINVAL, "a negative group: EINVAL");
	check(kill(-1234567, SIGTERM) == -1 && errno == ESRCH, "kill of an empty group: ESRCH");
	pid_t s = fork();
	if (!s) {
		pid_t sid = setsid();
		int ok = sid == getpid() && getsid(0) == sid && getpgid(0) == sid &&
			 setsid() == -1 && errno == EPERM &&
			 setpgid(0, 0) == -1 && errno == EPERM;
		_exit(ok ? 0 : 1);
	}
	check(waitpid(s, &st, 0) == s && WIFEXITED(st) && !WEXITSTATUS(st),
	      "setsid: a new session it leads; again, or setpgid, EPERM");
	check(getsid(0) == getsid(getpid()) && getsid(1234567) == -1 && errno == ESRCH, "getsid");
	close(pfd[0]), close(pfd[1]);
}

static void vfork_checks(void)
{
	volatile int shared = 0;
	int st;
	pid_t pid = vfork();

	if (!pid) {
		shared = 1;	/* the parent's memory: it waits until we exit */
		_exit(3);
	}
	check(shared == 1, "vfork: the child ran first, in the parent's memory");
	check(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 3, "vfork child's status");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	cow();
	many();
	statuses();
	waitid_checks();
	clone_children();
	sigchld();
	parents();
	locks();
	groups();
	vfork_checks();
	printf("proc_fork ok\n");
	return 0;
}
