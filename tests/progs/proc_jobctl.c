/* Job control: stop signals stop every thread of a process, SIGCONT lets it
 * go on, and the parent sees both through wait4 (WUNTRACED, WCONTINUED),
 * waitid (WSTOPPED, WCONTINUED, WNOWAIT) and SIGCHLD (CLD_STOPPED,
 * CLD_CONTINUED, SA_NOCLDSTOP).  A stopped process takes no signal but
 * SIGKILL until continued; a blocking call cut by the stop goes on after.
 * One line per check; Linux's transcript is in tests/vm/proc_expected.py
 * (run natively as the init of a new pid namespace:
 * `unshare --pid --fork ./proc_jobctl`). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t chld_hits, chld_code, chld_status;
static volatile long *counters;	/* shared with the children */
static int gate[2];		/* a child that stops waits here before it ends */

static void say(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *describe(int st)
{
	static char buf[32];

	if (WIFEXITED(st))
		snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "signal %d", WTERMSIG(st));
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof buf, "stopped %d", WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		snprintf(buf, sizeof buf, "continued");
	else
		snprintf(buf, sizeof buf, "other 0x%x", st);
	return buf;
}

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	if (chld_hits++)
		return;	/* the first since the count was reset is the one checked */
	chld_code = si->si_code;
	chld_status = si->si_status;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

/* waitpid with options; the status described, or the errno. */
static const char *wait_for(pid_t pid, int options)
{
	int st = 0;
	pid_t r = waitpid(pid, &st, options);

	if (r < 0)
		return "error";
	return r == 0 ? "nothing" : describe(st);
}

/* In the child: stop, and once continued wait for the parent's word
 * before ending -- an end right after SIGCONT would race the parent's
 * WCONTINUED wait, which does not see the continue of a zombie. */
static _Noreturn void stop_then_exit(int code)
{
	char c;

	raise(SIGSTOP);
	read(gate[0], &c, 1);
	_exit(code);
}

static void let_one_end(void) { write(gate[1], "g", 1); }

static void *count_forever(void *arg)
{
	for (;;)
		counters[(long)arg]++;
	return NULL;
}

static pid_t spawn_counter(void)
{
	pid_t pid = fork();

	if (!pid) {
		pthread_t t;
		pthread_create(&t, NULL, count_forever, (void *)1);
		count_forever((void *)0);
	}
	while (!counters[0] || !counters[1])
		sleep_ms(10);
	return pid;
}

static void stop_and_continue(void)
{
	pid_t pid = fork();

	if (!pid)
		stop_then_exit(7);
	say("raise(SIGSTOP) seen by WUNTRACED", "%s", wait_for(pid, WUNTRACED));
	say("SIGCHLD on the stop", "hits %d, code %s, status %d", (int)chld_hits,
	    chld_code == CLD_STOPPED ? "CLD_STOPPED" : "other", (int)chld_status);
	say("reported once", "%s", wait_for(pid, WUNTRACED | WNOHANG));
	say("plain wait does not see a stop", "%s", wait_for(pid, WNOHANG));
	chld_hits = 0;
	kill(pid, SIGCONT);
	say("SIGCONT seen by WCONTINUED", "%s", wait_for(pid, WCONTINUED));
	sleep_ms(100);	/* the child tells its parent once it runs again */
	say("SIGCHLD on the continue", "%s, code %s, status %d", chld_hits ? "sent" : "none",
	    chld_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other", (int)chld_status);
	let_one_end();
	say("then it runs to its end", "%s", wait_for(pid, 0));
}

static void threads_stop_together(void)
{
	pid_t pid = spawn_counter();

	kill(pid, SIGSTOP);
	say("a two-thread process stops", "%s", wait_for(pid, WUNTRACED));
	long a = counters[0], b = counters[1];
	sleep_ms(300);
	say("neither thread runs while stopped", "%s",
	    a == counters[0] && b == counters[1] ? "yes" : "no");
	kill(pid, SIGTERM);
	sleep_ms(100);
	say("SIGTERM waits while it is stopped", "%s", wait_for(pid, WNOHANG));
	kill(pid, SIGCONT);
	say("and ends it once continued", "%s", wait_for(pid, 0));
	pid = spawn_counter();
	kill(pid, SIGSTOP);
	wait_for(pid, WUNTRACED);
	kill(pid, SIGKILL);
	say("SIGKILL ends a stopped process", "%s", wait_for(pid, 0));
}

static void on_tstp(int sig) { (void)sig; }

static void terminal_stops(void)
{
	int p[2];
	char c;
	pipe(p);
	pid_t pid = fork();

	if (!pid) {
		sigset_t tstp, none;
		sigemptyset(&none);
		sigemptyset(&tstp);
		sigaddset(&tstp, SIGTSTP);
		setpgid(0, 0);	/* its own group, not orphaned: as a shell's job */
		sigprocmask(SIG_BLOCK, &tstp, NULL);
		signal(SIGTSTP, on_tstp);
		write(p[1], "r", 1);
		sigsuspend(&none);	/* until the handler has run */
		signal(SIGTSTP, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &tstp, NULL);
		write(p[1], "r", 1);
		for (;;)
			pause();
	}
	read(p[0], &c, 1);
	kill(pid, SIGTSTP);
	read(p[0], &c, 1);
	say("SIGTSTP with a handler does not stop", "%s", wait_for(pid, WUNTRACED | WNOHANG));
	kill(pid, SIGTSTP);
	say("SIGTSTP by default stops", "%s", wait_for(pid, WUNTRACED));
	kill(pid, SIGCONT);
	wait_for(pid, WCONTINUED);
	kill(pid, SIGTTIN);
	say("SIGTTIN by default stops", "%s", wait_for(pid, WUNTRACED));
	kill(pid, SIGKILL);
	wait_for(pid, 0);
	close(p[0]);
	close(p[1]);
}

static void read_goes_on(void)
{
	int p[2];
	char c = 0;
	pipe(p);
	pid_t pid = fork();

	if (!pid) {
		ssize_t n = read(p[0], &c, 1);
		_exit(n == 1 ? c : 100);
	}
	sleep_ms(100);
	kill(pid, SIGSTOP);
	wait_for(pid, WUNTRACED);
	kill(pid, SIGCONT);
	wait_for(pid, WCONTINUED);
	write(p[1], "\x2a", 1);
	say("a read cut by the stop goes on", "%s", wait_for(pid, 0));
	close(p[0]);
	close(p[1]);
}

static void waitid_reports(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (!pid)
		stop_then_exit(3);
	memset(&si, 0, sizeof si);
	waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT);
	say("waitid WSTOPPED|WNOWAIT", "code %s, status %d",
	    si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other", si.si_status);
	memset(&si, 0, sizeof si);
	waitid(P_PID, pid, &si, WSTOPPED);
	say("WNOWAIT left it to report", "code %s, pid %s",
	    si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other", si.si_pid == pid ? "right" : "wrong");
	memset(&si, 0, sizeof si);
	int r = waitid(P_PID, pid, &si, WSTOPPED | WEXITED | WNOHANG);
	say("then nothing more", "%d, pid %d", r, si.si_pid);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof si);
	waitid(P_PID, pid, &si, WCONTINUED);
	say("waitid WCONTINUED", "code %s, status %d",
	    si.si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other", si.si_status);
	let_one_end();
	say("child's end", "%s", wait_for(pid, 0));
}

static void nocldstop(void)
{
	struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_NOCLDSTOP };
	sigaction(SIGCHLD, &sa, NULL);
	chld_hits = 0;
	pid_t pid = fork();

	if (!pid)
		stop_then_exit(0);
	say("SA_NOCLDSTOP: still reported", "%s", wait_for(pid, WUNTRACED));
	kill(pid, SIGCONT);
	wait_for(pid, WCONTINUED);
	say("SA_NOCLDSTOP: no SIGCHLD for stop and continue", "hits %d", (int)chld_hits);
	let_one_end();
	wait_for(pid, 0);
	say("the end still sends one", "hits %d", (int)chld_hits);
}

static volatile sig_atomic_t conts;
static void on_cont(int sig) { (void)sig; conts++; }

static void cont_handler(void)
{
	signal(SIGCONT, on_cont);
	kill(getpid(), SIGCONT);
	say("SIGCONT to a running process runs its handler", "%d", (int)conts);
	signal(SIGCONT, SIG_DFL);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART };

	counters = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pipe(gate);
	sigaction(SIGCHLD, &sa, NULL);
	stop_and_continue();
	threads_stop_together();
	terminal_stops();
	read_goes_on();
	waitid_reports();
	cont_handler();
	nocldstop();
	puts("proc_jobctl done");
	return 0;
}
