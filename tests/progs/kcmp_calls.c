/* kcmp(2) between this thread, a thread of its own, a forked child and a
 * clone sharing the address space and descriptors, one line per call for
 * a transcript compared with Linux's: "same" for 0, "different" for 1 or
 * 2 (their order is the boot's secret), or the error.  Run as root; a
 * child that became another user is refused the parent. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define KCMP_FILE	0
#define KCMP_VM		1
#define KCMP_FILES	2
#define KCMP_FS		3
#define KCMP_SIGHAND	4
#define KCMP_IO		5
#define KCMP_SYSVSEM	6
#define KCMP_EPOLL_TFD	7

static const char *kcmp(int a, int b, int type, unsigned long i1, unsigned long i2)
{
	long r = syscall(SYS_kcmp, a, b, type, i1, i2);

	return r == 0 ? "same" : r == 1 || r == 2 ? "different" : res(r);
}

static const char *const names[] = { "file 0", "vm", "files", "fs", "sighand", "io", "sysvsem" };

static void all_kinds(const char *who, int other)
{
	printf("%s:", who);
	for (int k = 0; k <= KCMP_SYSVSEM; k++)
		printf(" %s %s%s", names[k], kcmp(getpid(), other, k, 0, 0), k < KCMP_SYSVSEM ? "," : "\n");
}

static int thread_tid;
static int go[2];

static void *thread_main(void *arg)
{
	char c;

	(void)arg;
	__atomic_store_n(&thread_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	read(go[0], &c, 1);
	return NULL;
}

static int clone_main(void *arg)
{
	char c;

	(void)arg;
	read(go[0], &c, 1);
	return 0;
}

/* A child that becomes uid 65534 and asks about its parent. */
static void other_user(void)
{
	int parent = getpid();
	pid_t c = fork();

	if (!c) {
		if (setuid(65534))
			_exit(1);
		printf("user's child about root parent: %s\n", kcmp(getpid(), parent, KCMP_VM, 0, 0));
		printf("user's child about itself: %s\n", kcmp(getpid(), getpid(), KCMP_VM, 0, 0));
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void files_and_epoll(void)
{
	int p[2], ep = epoll_create1(0);
	int d;

	pipe(p);
	d = dup(p[0]);
	printf("fd and its dup: %s\n", kcmp(getpid(), getpid(), KCMP_FILE, p[0], d));
	printf("pipe's two ends: %s\n", kcmp(getpid(), getpid(), KCMP_FILE, p[0], p[1]));
	printf("a closed fd: %s\n", kcmp(getpid(), getpid(), KCMP_FILE, p[0], 1000));
	printf("fd -1: %s\n", kcmp(getpid(), getpid(), KCMP_FILE, p[0], (unsigned long)-1));
	struct epoll_event ev = { .events = EPOLLIN };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	struct { uint32_t efd, tfd, toff; } slot = { ep, p[0], 0 };
	printf("epoll's target: %s\n", kcmp(getpid(), getpid(), KCMP_EPOLL_TFD, p[0], (unsigned long)&slot));
	printf("epoll's target against the dup: %s\n", kcmp(getpid(), getpid(), KCMP_EPOLL_TFD, d, (unsigned long)&slot));
	printf("epoll's target against the other end: %s\n",
	       kcmp(getpid(), getpid(), KCMP_EPOLL_TFD, p[1], (unsigned long)&slot));
	slot.toff = 1;
	printf("second item for that fd: %s\n", kcmp(getpid(), getpid(), KCMP_EPOLL_TFD, p[0], (unsigned long)&slot));
	slot.toff = 0;
	slot.tfd = p[1];
	printf("an fd it does not watch: %s\n", kcmp(getpid(), getpid(), KCMP_EPOLL_TFD, p[0], (unsigned long)&slot));
	slot.efd = p[0];
	printf("not an epoll: %s\n", kcmp(getpid(), getpid(), KCMP_EPOLL_TFD, p[0], (unsigned long)&slot));
	slot.efd = 999;
	printf("no such epoll fd: %s\n", kcmp(getpid(), getpid(), KCMP_EPOLL_TFD, p[0], (unsigned long)&slot));
	printf("slot bad pointer: %s\n", kcmp(getpid(), getpid(), KCMP_EPOLL_TFD, p[0], 8));
}

int main(void)
{
	pthread_t t;
	static char stack[65536];

	setvbuf(stdout, NULL, _IOLBF, 0);
	pipe(go);
	all_kinds("itself", getpid());
	pthread_create(&t, NULL, thread_main, NULL);
	while (!__atomic_load_n(&thread_tid, __ATOMIC_ACQUIRE))
		sched_yield();
	all_kinds("a thread", thread_tid);
	pid_t child = fork();
	if (!child) {
		char c;
		read(go[0], &c, 1);
		_exit(0);
	}
	all_kinds("a forked child", child);
	pid_t cl = clone(clone_main, stack + sizeof stack, CLONE_VM | CLONE_FILES | CLONE_FS | SIGCHLD, NULL);
	all_kinds("a clone sharing vm, files, fs", cl);
	files_and_epoll();
	printf("type 8: %s\n", kcmp(getpid(), getpid(), 8, 0, 0));
	printf("type -1: %s\n", kcmp(getpid(), getpid(), -1, 0, 0));
	printf("no such pid: %s\n", kcmp(getpid(), 99999, KCMP_VM, 0, 0));
	printf("pid 0: %s\n", kcmp(0, getpid(), KCMP_VM, 0, 0));
	printf("no such pid, bad type: %s\n", kcmp(99999, getpid(), 99, 0, 0));
	other_user();
	write(go[1], "xxx", 3);
	pthread_join(t, NULL);
	while (wait(NULL) > 0)
		;
	return 0;
}
