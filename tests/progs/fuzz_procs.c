/* Fuzzing the process calls, bounded: fuzz_procs SEED [ROUNDS] runs
 * ROUNDS (default 60) rounds; each forks a few children (fork, vfork,
 * clone and clone3 with random flags, never CLONE_VM without CLONE_VFORK:
 * a child on our stack would be no test of the kernel), and each child
 * makes random calls -- wait4 and waitid with random ids, options and
 * pointers, kill and tgkill to its family, setpgid, setsid, getpgid,
 * getsid, prctl's death signal, execve with bad pointers or of this very
 * program (which exits at once), mmap of a shared file, fork again -- then
 * ends with a random status or signal.  The parent reaps everything.
 * Whatever the kernel answers, it must not fault, hang or panic, and the
 * round's children must all be reaped: it prints "fuzz_procs ok N" (N:
 * rounds), the same natively (as any user) and under amphi.  The parent
 * blocks every signal (a child may make it their exit signal).  Signals
 * go only to a child itself or its own child -- kill(-1) and groups would
 * reach the user's other programs natively -- and never the stop signals,
 * which natively would leave a child nobody reaps. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN	4
#define CALLS		12

static uint64_t state;
static char self[4096];

static uint64_t rnd(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

/* Pointers the kernel must refuse or use: NULL, unmapped, kernel, ours. */
static uint64_t pointer(void *mine)
{
	static const uint64_t bad[] = { 0, 16, 0x7ffffffff000ull, 0xffff800000000000ull,
					0x8000000000000000ull, 0xdeadbeef000ull };
	return rnd() % 3 ? (uint64_t)mine : bad[rnd() % 6];
}

static pid_t kid;	/* a child's last child: the only other process it signals */

/* Ids to wait for, look up and regroup: ours, our child's, and ones that
 * are nobody's or never valid. */
static int random_pid(void)
{
	static const int pids[] = { 0, -1, -2, 99999, 0x7fffffff, -0x7fffffff };
	return rnd() % 2 ? (rnd() % 2 ? getpid() : kid) : pids[rnd() % 6];
}

/* Any signal but the stop signals: a stopped child would never be reaped
 * (proc_jobctl and stress_jobctl test stops). */
static int random_signal(void)
{
	int sig = (int)(rnd() % 65);
	return sig >= SIGSTOP && sig <= SIGTTOU && sig != SIGCONT ? SIGTERM : sig;
}

static void one_call(int fd)
{
	siginfo_t si;
	int st, pid = random_pid();
	char *argv[] = { self, "exit", NULL }, *bad[] = { self, (char *)16, NULL };

	switch (rnd() % 14) {
	case 0: syscall(SYS_wait4, pid, pointer(&st), rnd() % 2 ? WNOHANG : rnd(), pointer(&st)); break;
	case 1: syscall(SYS_waitid, rnd() % 4, pid, pointer(&si), (rnd() % 2 ? WEXITED | WNOHANG : rnd()), 0); break;
	case 2: if (kid > 0) kill(rnd() % 2 ? kid : getpid(), random_signal()); break;
	case 3: syscall(SYS_tgkill, getpid(), getpid() + (int)(rnd() % 3), 0); break;
	case 4: setpgid(pid > 0 ? pid : 0, (pid_t)(rnd() % 3 ? 0 : rnd())); break;
	case 5: setsid(); break;
	case 6: getpgid(pid); getsid(pid); getppid(); break;
	case 7: prctl(PR_SET_PDEATHSIG, random_signal()); break;
	case 8: syscall(SYS_execve, pointer(self), pointer(bad), pointer(bad)); break;
	case 9: if (rnd() % 4 == 0) execv(self, argv); break;
	case 10: {
		char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, rnd() % 2 ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			p[rnd() % 8192] = (char)rnd();
			munmap(p, rnd() % 2 ? 4096 : 8192);
		}
		break;
	}
	case 11: if (!(kid = fork())) _exit((int)(rnd() % 256)); break;
	case 12: {
		/* Garbage arguments, but never a child of our parent (whose exit
		 * signal might be SIGKILL) or one on our stack. */
		uint64_t args[12];
		for (int k = 0; k < 12; k++)
			args[k] = rnd() % 3 ? rnd() % 4096 : rnd();
		args[0] &= ~0x1c900ull;	/* CLONE_VM, SIGHAND, VFORK, PARENT, THREAD */
		syscall(SYS_clone3, rnd() % 4 ? (uint64_t)args : pointer(args), rnd() % 200, 0, 0, 0, 0);
		break;
	}
	default: syscall(SYS_getrusage, rnd() % 3 - 1, pointer(&si)); break;
	}
}

static _Noreturn void child(int fd)
{
	uint64_t none = 0;	/* the children may die of anything */

	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
	for (int i = 0; i < CALLS; i++)
		one_call(fd);
	while (wait(NULL) > 0)	/* its own children, if waiting is possible */
		;
	if (rnd() % 3 == 0)	/* not raise(): after a raw clone, libc's idea of our tid is stale */
		kill(getpid(), random_signal());
	_exit((int)(rnd() % 256));
}

/* A child by one of the ways to make one; 0 in the child, -1 if none. */
static long spawn(void)
{
	static const uint64_t safe[] = { 0, 0x400 /* CLONE_FILES */, 0x200 /* CLONE_FS */,
					 0x8000 /* CLONE_PARENT */ };
	uint64_t flags = safe[rnd() % 4] | SIGCHLD;

	switch (rnd() % 4) {
	case 0: return fork();
	case 1: return syscall(SYS_clone, flags, 0, 0, 0, 0);
	case 2: {
		uint64_t args[11] = { flags & ~0xffull, 0, 0, 0, SIGCHLD };
		return syscall(SYS_clone3, args, sizeof args);
	}
	default: return syscall(SYS_clone, SIGCHLD | (rnd() & 0x10000ull), 0, 0, 0, 0);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "exit"))
		return 0;	/* run again by a child's execve, with or without arguments */
	state = strtoull(argv[1], NULL, 0) * 2654435761u + 1;
	int rounds = argc > 2 ? atoi(argv[2]) : 60;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	uint64_t all = ~0ull;	/* children may name us for their exit signal: even libc's own */
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
	char path[] = "/tmp/fuzz_procs.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, 8192))
		return printf("FAIL: scratch file: %m\n"), 1;
	unlink(path);
	for (int r = 0; r < rounds; r++) {
		for (int c = 0; c < CHILDREN; c++) {
			long pid = spawn();
			if (pid == 0)
				child(fd);
		}
		if (rnd() % 2 && !vfork())	/* the child may only end: it runs on our stack */
			_exit(3);
		/* Everything this round made is ours to reap (CLONE_PARENT
		 * children are our parent's: none when we are init). */
		while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
			;
	}
	printf("fuzz_procs ok %d\n", rounds);
	return 0;
}
