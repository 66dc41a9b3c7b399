/* Default actions, one per run: signals_default MODE prints "before", then
 * gets a signal with no handler.  Under a shell the status is 128 + the
 * signal for the ones that end the program:
 *   abort 134, term 143, kill 137, usr1 138, alarm 142, rtmin 163 (musl's
 *   SIGRTMIN is 35),
 *   segv-blocked 139 (a blocked fault still ends it), thread-term 143 (sent
 *   by another thread, ends them all), no-restorer 139 (a handler without
 *   SA_RESTORER cannot return: its frame is refused), altstack-overflow 139
 *   (nested handlers fill the alternate stack: the next frame is refused,
 *   not written below it); chld and winch are
 *   ignored: "after", status 0.
 * leftovers then fresh, one after the other: what the first leaves (an
 * ignored SIGUSR2, a pending SIGUSR1, an alarm in 1 s) does not reach the
 * second, a new process: "left", then "fresh", both status 0. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void *raise_term(void *arg)
{
	(void)arg;
	raise(SIGTERM);
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	printf("FAIL: handler ran without a restorer\n");
	exit(1);
}

/* rt_sigaction directly: the C library would add SA_RESTORER. */
static void handler_without_restorer(int sig)
{
	struct { void (*handler)(int); unsigned long flags; void *restorer; unsigned long mask; } ka;

	memset(&ka, 0, sizeof ka);
	ka.handler = on_usr1;
	syscall(SYS_rt_sigaction, sig, &ka, NULL, 8);
}

static volatile int nested;
static long my_tid;

/* Sends its signal again from inside, on the alternate stack, until that
 * is full.  The system call is made directly so the handler itself uses
 * no stack below its frame (raise() would, and could run below the
 * alternate stack, off it, so the next frame would go back to its top). */
static void on_usr2_nest(int sig)
{
	long ret;

	nested++;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(200L), "D"(my_tid), "S"((long)sig)
			 : "rcx", "r11", "memory");
}

static void fill_altstack(void)
{
	static char alt[16384];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
	struct sigaction sa;

	my_tid = gettid();
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr2_nest;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
}

static void on_segv(int sig)
{
	(void)sig;
	printf("FAIL: handler ran for a blocked SIGSEGV\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	sigset_t set;
	pthread_t t;

	printf("before\n");
	fflush(stdout);
	if (!strcmp(mode, "abort")) {
		abort();
	} else if (!strcmp(mode, "term")) {
		raise(SIGTERM);
	} else if (!strcmp(mode, "kill")) {
		raise(SIGKILL);
	} else if (!strcmp(mode, "usr1")) {
		kill(getpid(), SIGUSR1);
	} else if (!strcmp(mode, "alarm")) {
		alarm(1);
		for (;;)
			pause();
	} else if (!strcmp(mode, "rtmin")) {
		raise(SIGRTMIN);
	} else if (!strcmp(mode, "segv-blocked")) {
		signal(SIGSEGV, on_segv);
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_BLOCK, &set, NULL);
		*(volatile int *)0 = 1;
	} else if (!strcmp(mode, "thread-term")) {
		pthread_create(&t, NULL, raise_term, NULL);
		for (;;)
			pause();
	} else if (!strcmp(mode, "no-restorer")) {
		handler_without_restorer(SIGUSR1);
		raise(SIGUSR1);
	} else if (!strcmp(mode, "altstack-overflow")) {
		fill_altstack();
	} else if (!strcmp(mode, "leftovers")) {
		signal(SIGUSR2, SIG_IGN);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGUSR1);
		alarm(1);
		printf("left\n");
		return 0;
	} else if (!strcmp(mode, "fresh")) {
		struct timespec wait = { 1, 500 * 1000 * 1000 };
		struct sigaction now;
		sigset_t pending;
		nanosleep(&wait, NULL);	/* past the first one's alarm */
		sigpending(&pending);
		sigaction(SIGUSR2, NULL, &now);
		if (sigismember(&pending, SIGUSR1) || now.sa_handler != SIG_DFL) {
			printf("FAIL: the previous program's signals are still here\n");
			return 1;
		}
		printf("fresh\n");
		return 0;
	} else if (!strcmp(mode, "chld")) {
		raise(SIGCHLD);
	} else if (!strcmp(mode, "winch")) {
		kill(getpid(), SIGWINCH);
	} else {
		printf("FAIL: unknown mode %s\n", mode);
		return 2;
	}
	printf("after\n");
	return 0;
}
