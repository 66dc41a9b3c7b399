/* pidfds, one case per argument; each line says what a call gave (a
 * number, events, or errno's name), the same as on Linux.
 *   open    pidfd_open of itself, a child, nobody, a thread, bad flags;
 *           the file: close-on-exec, PIDFD_NONBLOCK, its name, read.
 *   poll    not ready while the child runs; POLLIN once it ended, and
 *           POLLHUP too once waited for; through epoll as well.
 *   signal  pidfd_send_signal: kill's signals, a siginfo of SI_QUEUE
 *           (taken) and of SI_USER (EPERM), a mismatched signo, bad
 *           flags, signals and descriptors, another user's process, a
 *           process waited for (ESRCH).
 *   waitid  P_PIDFD: the child's status; a non-blocking pidfd (EAGAIN),
 *           WNOHANG, a pidfd of no child, bad descriptors.
 *   clone   CLONE_PIDFD through clone3 and clone, the flags it may not
 *           go with, a bad address for the number (no child made).
 *   getfd   pidfd_getfd: another process's pipe end, bad descriptors and
 *           flags, another user's process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#define P_PIDFD 3

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static const char *ok(long r) { return r < 0 ? res(r) : "ok"; }

static long pidfd_open(int pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }

static long pidfd_send(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static const char *events(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	static char out[32];

	if (poll(&p, 1, 5000) < 0)
		return "poll failed";
	snprintf(out, sizeof out, "%s%s%s", p.revents & POLLIN ? "IN" : "",
		 p.revents & POLLHUP ? " HUP" : "", p.revents ? "" : "none");
	return out;
}

static void *idle_thread(void *arg)
{
	*(long *)arg = syscall(SYS_gettid);
	pause();
	return NULL;
}

static void case_open(void)
{
	char link[64], path[64];
	pthread_t t;
	long tid = 0;

	int self = pidfd_open(getpid(), 0);
	printf("itself: %s, close-on-exec: %s\n", ok(self), fcntl(self, F_GETFD) == FD_CLOEXEC ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/self/fd/%d", self);
	ssize_t n = readlink(path, link, sizeof link - 1);
	printf("its name: %.*s\n", (int)(n > 0 ? n : 0), link);
	char c;
	printf("read: %s\n", res(read(self, &c, 1)));
	pid_t child = sleeper();
	int nb = pidfd_open(child, O_NONBLOCK);
	printf("a child, PIDFD_NONBLOCK: %s, O_NONBLOCK: %s\n", ok(nb),
	       fcntl(nb, F_GETFL) & O_NONBLOCK ? "yes" : "no");
	printf("pid 0: %s, -1: %s, nobody: %s\n", res(pidfd_open(0, 0)), res(pidfd_open(-1, 0)),
	       res(pidfd_open(999999, 0)));
	printf("flag 1: %s\n", res(pidfd_open(getpid(), 1)));
	pthread_create(&t, NULL, idle_thread, &tid);
	while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	printf("a thread: %s\n", res(pidfd_open((int)tid, 0)));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("a child waited for: %s\n", res(pidfd_open(child, 0)));
}

static void case_poll(void)
{
	pid_t child = sleeper();
	int fd = pidfd_open(child, 0), ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN }, got;
	struct pollfd p = { fd, POLLIN, 0 };

	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	printf("running: poll %s, epoll %d\n", poll(&p, 1, 0) == 0 ? "none" : "ready", epoll_wait(ep, &got, 1, 0));
	kill(child, SIGKILL);
	printf("ended: %s\n", events(fd));
	printf("epoll: %d\n", epoll_wait(ep, &got, 1, 5000));
	waitpid(child, NULL, 0);
	printf("waited for: %s\n", events(fd));
	printf("pidfd_send_signal now: %s\n", res(pidfd_send(fd, SIGTERM, NULL, 0)));
}

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)ctx;
	char line[64];
	int n = snprintf(line, sizeof line, "child got SIGUSR1, code %d, value %d\n", si->si_code,
			 si->si_value.sival_int);
	write(1, line, n);
	_exit(0);
}

static void case_signal(void)
{
	pid_t child = sleeper();
	int fd = pidfd_open(child, 0), status, p[2];
	siginfo_t si;

	printf("signal 0: %s\n", res(pidfd_send(fd, 0, NULL, 0)));
	printf("flags 1: %s, signal 99: %s\n", res(pidfd_send(fd, SIGTERM, NULL, 1)),
	       res(pidfd_send(fd, 99, NULL, 0)));
	pipe(p);
	printf("a pipe: %s, fd 99: %s\n", res(pidfd_send(p[0], SIGTERM, NULL, 0)),
	       res(pidfd_send(99, SIGTERM, NULL, 0)));
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_USER;
	printf("siginfo with SI_USER: %s\n", res(pidfd_send(fd, SIGUSR1, &si, 0)));
	si.si_code = SI_QUEUE;
	printf("signo mismatch: %s\n", res(pidfd_send(fd, SIGUSR2, &si, 0)));
	printf("bad siginfo: %s\n", res(pidfd_send(fd, SIGUSR1, (void *)8, 0)));
	printf("SIGTERM: %s\n", res(pidfd_send(fd, SIGTERM, NULL, 0)));
	waitpid(child, &status, 0);
	printf("child: %s\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? "killed by SIGTERM" : "?");
	printf("after it was waited for: %s\n", res(pidfd_send(fd, SIGTERM, NULL, 0)));

	fflush(stdout);
	child = fork();
	if (child == 0) {
		struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
		sigaction(SIGUSR1, &sa, NULL);
		write(p[1], "r", 1);
		for (;;)
			pause();
	}
	char c;
	read(p[0], &c, 1);
	fd = pidfd_open(child, 0);
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 42;
	long r = pidfd_send(fd, SIGUSR1, &si, 0);
	waitpid(child, NULL, 0);
	printf("siginfo with SI_QUEUE: %s\n", res(r));

	fflush(stdout);
	if (fork() == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		int mine = pidfd_open(getppid(), 0);
		printf("1000 to root's process: %s\n", res(pidfd_send(mine, SIGTERM, NULL, 0)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
}

static void case_waitid(void)
{
	siginfo_t si;
	pid_t child = fork();

	if (child == 0) {
		usleep(300000);
		_exit(3);
	}
	int fd = pidfd_open(child, 0), nb = pidfd_open(child, O_NONBLOCK);
	memset(&si, 0, sizeof si);
	printf("non-blocking, still running: %s\n", res(waitid(P_PIDFD, nb, &si, WEXITED)));
	printf("WNOHANG: %s", res(waitid(P_PIDFD, nb, &si, WEXITED | WNOHANG)));
	printf(", pid %d\n", si.si_pid);
	printf("P_PIDFD: %s", res(waitid(P_PIDFD, fd, &si, WEXITED)));
	printf(", pid the child's: %s, code %d, status %d\n", si.si_pid == child ? "yes" : "no",
	       si.si_code, si.si_status);
	printf("again: %s\n", res(waitid(P_PIDFD, fd, &si, WEXITED)));
	int self = pidfd_open(getpid(), 0), p[2];
	pipe(p);
	printf("of itself: %s, a pipe: %s, -1: %s, fd 99: %s\n", res(waitid(P_PIDFD, self, &si, WEXITED)),
	       res(waitid(P_PIDFD, p[0], &si, WEXITED)), res(waitid(P_PIDFD, -1, &si, WEXITED)),
	       res(waitid(P_PIDFD, 99, &si, WEXITED)));
}

static void case_clone(void)
{
	int pidfd = -1, status;
	struct clone_args ca = { .flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)&pidfd,
				 .exit_signal = SIGCHLD };
	siginfo_t si;

	fflush(stdout);
	long pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid == 0)
		_exit(7);
	printf("clone3 CLONE_PIDFD: %s, a pidfd: %s\n", ok(pid), pidfd >= 0 ? "yes" : "no");
	printf("waitid on it: %s", res(waitid(P_PIDFD, pidfd, &si, WEXITED)));
	printf(", status %d\n", si.si_status);
	int got = -1;
	fflush(stdout);
	pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, &got, NULL, NULL);
	if (pid == 0)
		_exit(8);
	waitpid((pid_t)pid, &status, 0);
	printf("clone CLONE_PIDFD: %s, a pidfd: %s, status %d\n", ok(pid), got >= 0 ? "yes" : "no",
	       WEXITSTATUS(status));
	printf("with CLONE_PARENT_SETTID: %s\n",
	       res(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, NULL, &got, NULL, NULL)));
	printf("with CLONE_DETACHED: %s\n",
	       res(syscall(SYS_clone, CLONE_PIDFD | 0x00400000 | SIGCHLD, NULL, &got, NULL, NULL)));
	ca.pidfd = 8;
	printf("number to a bad address: %s\n", res(syscall(SYS_clone3, &ca, sizeof ca)));
	printf("then a child to wait for: %s\n", res(waitpid(-1, &status, WNOHANG)));
}

static void case_getfd(void)
{
	int p[2], go[2];
	char c = 0;

	pipe(p);
	pipe(go);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		dup2(p[1], 9);
		close(p[0]);
		close(p[1]);
		write(go[1], "r", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	read(go[0], &c, 1);
	int fd = pidfd_open(child, 0);
	long got = syscall(SYS_pidfd_getfd, fd, 9, 0);
	printf("its fd 9: %s, close-on-exec: %s\n", ok(got), fcntl((int)got, F_GETFD) == FD_CLOEXEC ? "yes" : "no");
	write((int)got, "z", 1);
	read(p[0], &c, 1);
	printf("written through it, read here: %c\n", c);
	printf("its fd 50: %s, -1: %s\n", res(syscall(SYS_pidfd_getfd, fd, 50, 0)),
	       res(syscall(SYS_pidfd_getfd, fd, -1, 0)));
	printf("flags 1: %s, not a pidfd: %s\n", res(syscall(SYS_pidfd_getfd, fd, 9, 1)),
	       res(syscall(SYS_pidfd_getfd, p[0], 9, 0)));
	fflush(stdout);
	if (fork() == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		int mine = pidfd_open(child, 0);
		printf("1000 from root's process: %s\n", res(syscall(SYS_pidfd_getfd, mine, 9, 0)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("from one waited for: %s\n", res(syscall(SYS_pidfd_getfd, fd, 9, 0)));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "open"))
		case_open();
	else if (!strcmp(argv[1], "poll"))
		case_poll();
	else if (!strcmp(argv[1], "signal"))
		case_signal();
	else if (!strcmp(argv[1], "waitid"))
		case_waitid();
	else if (!strcmp(argv[1], "clone"))
		case_clone();
	else if (!strcmp(argv[1], "getfd"))
		case_getfd();
	else
		return 2;
	return 0;
}
