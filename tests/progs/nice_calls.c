/* Nice values and scheduling policies, one case per argument; each line
 * says what a call gave (a number or errno's name), the same as on Linux.
 *   nice      nice(), getpriority and setpriority on the caller: clamped
 *             to -20..19, bad `which`, nobody's pid; /proc/self/stat's
 *             priority and nice fields.
 *   threads   a thread's nice value is its own; a new thread and a forked
 *             child start with their creator's.
 *   groups    PRIO_PGRP and PRIO_USER reach every process of the group or
 *             the user; getpriority gives the highest among them.
 *   user      as uid 1000: up is free, down only as far as RLIMIT_NICE
 *             lets, another user's process not at all.
 *   policy    sched_{get,set}{scheduler,param} with each policy and bad
 *             arguments; SCHED_RESET_ON_FORK; the priority ranges.
 *   share     two busy processes on one CPU, at nice 0 and nice 10: the
 *             first gets several times the second's share.
 *   ioprio    ioprio_set and ioprio_get: each class and level, bad ones,
 *             a process group and a user's processes (the best of
 *             theirs), the real-time class and another user's process as
 *             uid 1000.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "call_result.h"

#define SCHED_RESET_ON_FORK 0x40000000

static long getprio(int which, int who) { return syscall(SYS_getpriority, which, who); }
static long setprio(int which, int who, int nice) { return syscall(SYS_setpriority, which, who, nice); }
static long gettid_(void) { return syscall(SYS_gettid); }

/* Fields 18 and 19 of /proc/self/stat: priority and nice. */
static void print_stat_prio(void)
{
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "r");
	int field = 3;

	if (!f || !fgets(buf, sizeof buf, f)) {
		printf("/proc/self/stat: unreadable\n");
		return;
	}
	fclose(f);
	p = strrchr(buf, ')') + 2;	/* field 3 */
	while (field < 18 && (p = strchr(p, ' ')))
		p++, field++;
	int prio = 0, nice = 0;
	sscanf(p, "%d %d", &prio, &nice);
	printf("/proc/self/stat priority %d nice %d\n", prio, nice);
}

/* Runs fn in a child and waits for it, so a case's changes end with it. */
static void in_child(void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

static void case_nice(void)
{
	errno = 0;
	printf("getpriority self: %s\n", res(getprio(PRIO_PROCESS, 0)));
	printf("nice(5): %d\n", nice(5));
	printf("getpriority self: %s\n", res(getprio(PRIO_PROCESS, 0)));
	printf("getpriority by pid: %s\n", res(getprio(PRIO_PROCESS, getpid())));
	print_stat_prio();
	printf("setpriority 100: %s\n", res(setprio(PRIO_PROCESS, 0, 100)));
	printf("now %s\n", res(getprio(PRIO_PROCESS, 0)));
	printf("setpriority -100 as root: %s\n", res(setprio(PRIO_PROCESS, 0, -100)));
	printf("now %s\n", res(getprio(PRIO_PROCESS, 0)));
	print_stat_prio();
	printf("setpriority which 3: %s\n", res(setprio(3, 0, 0)));
	printf("getpriority which -1: %s\n", res(getprio(-1, 0)));
	printf("getpriority nobody: %s\n", res(getprio(PRIO_PROCESS, 999999)));
	printf("setpriority nobody: %s\n", res(setprio(PRIO_PROCESS, 999999, 0)));
	printf("getpriority pid -5: %s\n", res(getprio(PRIO_PROCESS, -5)));
}

static void *thread_body(void *arg)
{
	(void)arg;
	printf("new thread starts at %s\n", res(getprio(PRIO_PROCESS, 0)));
	printf("thread sets its own 7: %s\n", res(setprio(PRIO_PROCESS, gettid_(), 7)));
	printf("thread now %s\n", res(getprio(PRIO_PROCESS, 0)));
	return NULL;
}

static void case_threads(void)
{
	pthread_t t;

	printf("setpriority 2: %s\n", res(setprio(PRIO_PROCESS, 0, 2)));
	pthread_create(&t, NULL, thread_body, NULL);
	pthread_join(t, NULL);
	printf("main thread still %s\n", res(getprio(PRIO_PROCESS, 0)));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("forked child starts at %s\n", res(getprio(PRIO_PROCESS, 0)));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

/* Two children in a new process group, at nice 1 and 4, asleep until
 * killed; one more at uid 1000. */
static pid_t sleeper(pid_t pgid, int nice_value, uid_t uid)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, pgid);
		setprio(PRIO_PROCESS, 0, nice_value);
		if (uid)
			syscall(SYS_setresuid, uid, uid, uid);
		for (;;)
			pause();
	}
	setpgid(pid, pgid ? pgid : pid);
	return pid;
}

static void case_groups(void)
{
	pid_t a = sleeper(0, 1, 0), b = sleeper(a, 4, 0), c = sleeper(0, 6, 1000);
	usleep(200000);	/* their setpriority and setresuid */

	printf("getpriority pgrp: %s\n", res(getprio(PRIO_PGRP, a)));
	printf("setpriority pgrp 9: %s\n", res(setprio(PRIO_PGRP, a, 9)));
	printf("first now %s\n", res(getprio(PRIO_PROCESS, a)));
	printf("second now %s\n", res(getprio(PRIO_PROCESS, b)));
	printf("getpriority user 1000: %s\n", res(getprio(PRIO_USER, 1000)));
	printf("setpriority user 1000 to 12: %s\n", res(setprio(PRIO_USER, 1000, 12)));
	printf("its process now %s\n", res(getprio(PRIO_PROCESS, c)));
	printf("getpriority user 4242: %s\n", res(getprio(PRIO_USER, 4242)));
	printf("getpriority pgrp nobody's: %s\n", res(getprio(PRIO_PGRP, 999999)));
	kill(a, SIGKILL), kill(b, SIGKILL), kill(c, SIGKILL);
	while (wait(NULL) > 0)
		;
}

static void case_user(void)
{
	pid_t parent = getppid();
	struct rlimit rl = { 25, 25 };	/* down to nice -5 */

	printf("as root, RLIMIT_NICE 25: %s\n", res(setrlimit(RLIMIT_NICE, &rl)));
	syscall(SYS_setresuid, 1000, 1000, 1000);
	printf("as 1000 up to 3: %s\n", res(setprio(PRIO_PROCESS, 0, 3)));
	printf("down to -5: %s\n", res(setprio(PRIO_PROCESS, 0, -5)));
	printf("down to -6: %s\n", res(setprio(PRIO_PROCESS, 0, -6)));
	printf("now %s\n", res(getprio(PRIO_PROCESS, 0)));
	printf("root's process to 5: %s\n", res(setprio(PRIO_PROCESS, parent, 5)));
	printf("read root's: %s\n", res(getprio(PRIO_PROCESS, parent)));
	rl = (struct rlimit){ 0, 0 };
	setrlimit(RLIMIT_NICE, &rl);
	printf("RLIMIT_NICE 0, up to 0: %s\n", res(setprio(PRIO_PROCESS, 0, 0)));
	printf("down to -1: %s\n", res(setprio(PRIO_PROCESS, 0, -1)));
}

static long setsched(int pid, int policy, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	return syscall(SYS_sched_setscheduler, pid, policy, &sp);
}

static void case_policy_as_user(void)
{
	struct sched_param sp = { 0 };

	syscall(SYS_setresuid, 1000, 1000, 1000);
	printf("1000: FIFO 10: %s\n", res(setsched(0, SCHED_FIFO, 10)));
	printf("1000: RR 10: %s\n", res(setsched(0, SCHED_RR, 10)));
	printf("1000: IDLE: %s\n", res(setsched(0, SCHED_IDLE, 0)));
	printf("1000: back to OTHER: %s\n", res(setsched(0, SCHED_OTHER, 0)));
	printf("1000: BATCH of root's process: %s\n", res(setsched(getppid(), SCHED_BATCH, 0)));
	printf("1000: RESET_ON_FORK: %s\n", res(setsched(0, SCHED_IDLE | SCHED_RESET_ON_FORK, 0)));
	printf("1000: cleared: %s\n", res(setsched(0, SCHED_IDLE, 0)));
	printf("1000: setparam 0: %s\n", res(syscall(SYS_sched_setparam, 0, &sp)));
}

static void case_policy(void)
{
	struct sched_param sp = { 42 };
	struct timespec ts = { 7, 7 };

	printf("getscheduler: %s\n", res(syscall(SYS_sched_getscheduler, 0)));
	printf("BATCH: %s\n", res(setsched(0, SCHED_BATCH, 0)));
	printf("get %s\n", res(syscall(SYS_sched_getscheduler, 0)));
	printf("IDLE: %s\n", res(setsched(0, SCHED_IDLE, 0)));
	printf("get %s\n", res(syscall(SYS_sched_getscheduler, 0)));
	printf("OTHER prio 1: %s\n", res(setsched(0, SCHED_OTHER, 1)));
	printf("FIFO prio 0: %s, 100: %s\n", res(setsched(0, SCHED_FIFO, 0)),
	       res(setsched(0, SCHED_FIFO, 100)));
	printf("policy 4: %s, 7: %s, -1: %s\n", res(setsched(0, 4, 0)), res(setsched(0, 7, 0)),
	       res(setsched(0, -1, 0)));
	printf("NULL param: %s\n", res(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL)));
	printf("bad param: %s\n", res(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8)));
	printf("pid -1: %s, nobody: %s\n", res(setsched(-1, SCHED_OTHER, 0)),
	       res(setsched(999999, SCHED_OTHER, 0)));
	printf("OTHER|RESET_ON_FORK: %s\n", res(setsched(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0)));
	printf("get %s\n", res(syscall(SYS_sched_getscheduler, 0)));
	printf("setpriority -3: %s\n", res(setprio(PRIO_PROCESS, 0, -3)));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child of RESET_ON_FORK: policy %s, priority %s\n",
		       res(syscall(SYS_sched_getscheduler, 0)), res(getprio(PRIO_PROCESS, 0)));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("getparam: %s\n", res(syscall(SYS_sched_getparam, 0, &sp)));
	printf("its priority %d\n", sp.sched_priority);
	printf("getparam NULL: %s, bad: %s, nobody: %s\n",
	       res(syscall(SYS_sched_getparam, 0, NULL)), res(syscall(SYS_sched_getparam, 0, 8)),
	       res(syscall(SYS_sched_getparam, 999999, &sp)));
	printf("getscheduler -1: %s, nobody: %s\n", res(syscall(SYS_sched_getscheduler, -1)),
	       res(syscall(SYS_sched_getscheduler, 999999)));
	printf("max/min FIFO %s %s, RR %s %s, OTHER %s %s, IDLE %s %s, 9: %s %s\n",
	       res(sched_get_priority_max(SCHED_FIFO)), res(sched_get_priority_min(SCHED_FIFO)),
	       res(sched_get_priority_max(SCHED_RR)), res(sched_get_priority_min(SCHED_RR)),
	       res(sched_get_priority_max(SCHED_OTHER)), res(sched_get_priority_min(SCHED_OTHER)),
	       res(sched_get_priority_max(SCHED_IDLE)), res(sched_get_priority_min(SCHED_IDLE)),
	       res(sched_get_priority_max(9)), res(sched_get_priority_min(9)));
	long r = syscall(SYS_sched_rr_get_interval, 0, &ts);
	printf("rr_get_interval: %s, under a second: %s\n", res(r), ts.tv_sec == 0 ? "yes" : "no");
	printf("rr_get_interval -1: %s, bad: %s\n", res(syscall(SYS_sched_rr_get_interval, -1, &ts)),
	       res(syscall(SYS_sched_rr_get_interval, 0, 8)));
	in_child(case_policy_as_user);
}

/* Counts loops until the deadline, then writes the count to fd. */
static void busy_until(const struct timespec *end, int nice_value, int fd)
{
	struct timespec now;
	unsigned long loops = 0;

	setprio(PRIO_PROCESS, 0, nice_value);
	do {
		for (int i = 0; i < 1000; i++)
			__asm__ volatile("" ::: "memory");
		loops++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end->tv_sec || (now.tv_sec == end->tv_sec && now.tv_nsec < end->tv_nsec));
	write(fd, &loops, sizeof loops);
	_exit(0);
}

static void case_share(void)
{
	cpu_set_t one;
	struct timespec end;
	unsigned long loops[2] = { 0, 0 };
	int fds[2][2];

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof one, &one);	/* for Linux: amphi runs with one CPU */
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 2;
	for (int i = 0; i < 2; i++) {
		pipe(fds[i]);
		if (fork() == 0)
			busy_until(&end, i * 10, fds[i][1]);
	}
	for (int i = 0; i < 2; i++)
		read(fds[i][0], &loops[i], sizeof loops[i]);
	while (wait(NULL) > 0)
		;
	printf("nice 0 ran more than 3 times as much as nice 10: %s\n",
	       loops[0] > 3 * loops[1] ? "yes" : "no");
	if (getenv("NICE_SHARE_VERBOSE"))
		printf("(loops %lu and %lu)\n", loops[0], loops[1]);
}

static long ioget(int which, int who) { return syscall(SYS_ioprio_get, which, who); }
static long ioset(int which, int who, int v) { return syscall(SYS_ioprio_set, which, who, v); }

static void ioprio_as_user(void)
{
	pid_t parent = getppid();

	syscall(SYS_setresuid, 1000, 1000, 1000);
	printf("1000: real-time: %s\n", res(ioset(1, 0, 1 << 13 | 4)));
	printf("1000: idle: %s\n", res(ioset(1, 0, 3 << 13)));
	printf("1000: root's process: %s\n", res(ioset(1, parent, 3 << 13)));
	printf("1000: read root's: %#lx\n", ioget(1, parent));
}

static void case_ioprio(void)
{
	static const int values[] = { 2 << 13 | 7, 2 << 13 | 0x38, 3 << 13, 1 << 13 | 2, 1, 4 << 13, 7 << 13, -1, 0 };

	printf("get: %#lx\n", ioget(1, 0));
	for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
		printf("set %#x: %s, ", values[i], res(ioset(1, 0, values[i])));
		printf("get %#lx\n", ioget(1, 0));
	}
	printf("which 0: %s, 4: %s, nobody: %s\n", res(ioget(0, 0)), res(ioget(4, 0)),
	       res(ioget(1, 999999)));
	setpgid(0, 0);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		for (;;)
			pause();
	}
	printf("group of two: %#lx\n", ioget(2, 0));
	printf("set the group idle: %s, ", res(ioset(2, 0, 3 << 13)));
	printf("the child's now %#lx\n", ioget(1, child));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	in_child(ioprio_as_user);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "nice", case_nice },
	{ "threads", case_threads },
	{ "groups", case_groups },
	{ "user", case_user },
	{ "policy", case_policy },
	{ "share", case_share },
	{ "ioprio", case_ioprio },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (argc < 2 || !strcmp(argv[1], cases[i].name))
			in_child(cases[i].fn);
	return 0;
}
