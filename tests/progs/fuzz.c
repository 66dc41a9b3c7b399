/* System call fuzzing: fuzz [SEED [COUNT]] makes COUNT (default 4000) raw
 * system calls with numbers in 0..460 and random arguments from a fixed
 * seed, then checks the kernel still works and prints "fuzz ok N" (N: the
 * calls made).  fuzz sweep makes every call with each argument in turn a
 * bad pointer and prints "sweep ok N".  fuzz ranges SEED [COUNT] aims the
 * memory calls the random mode leaves out (mmap with MAP_FIXED, munmap,
 * mprotect, mremap, madvise, mlock, msync, brk) at kernel, non-canonical,
 * wrapping and straddling ranges and at a reservation of its own, and
 * prints "ranges ok N".  fuzz futex SEED [COUNT] runs COUNT random futex
 * operations in each of 4 threads at once on a few shared words (and bad
 * ones), and prints "futex ok N".  Whatever the kernel answers, it must
 * not fault, hang or panic.  The output does not depend on the answers, so
 * it is the same under Linux and under amphi.
 *
 * Arguments mix small integers, -1, AT_FDCWD, huge values, single bits,
 * random 64-bit values, pointers into a scratch buffer (refilled each time,
 * guard pages around it), and pointers that must give EFAULT: NULL, the
 * null page, unmapped and read-only memory, kernel and non-canonical
 * addresses.
 *
 * Staying alive: every signal but SIGALRM is blocked, so signals the calls
 * send stay pending; a 20 ms periodic SIGALRM (handler without SA_RESTART)
 * interrupts any call that blocks.  Descriptors 0-2 are closed and the
 * report goes to a private descriptor no call may name.  What is left out
 * or tamed, and why:
 *   - ending the program: exit, exit_group, rt_sigreturn (registers from
 *     garbage), execve, execveat, fork, vfork, clone, clone3, seccomp,
 *     prctl (PR_SET_SECCOMP), arch_prctl (the TLS base), rseq (the kernel
 *     would write and abort on our behalf);
 *   - our own memory: brk, munmap, mremap, mprotect, pkey_mprotect,
 *     madvise, remap_file_pages, shmat, userfaultfd, mlockall, fallocate
 *     (memory-backed files); mmap without MAP_FIXED(_NOREPLACE);
 *   - our signals: rt_sigsuspend (its mask could block SIGALRM: no way
 *     out); rt_sigprocmask only blocks (SIG_BLOCK), and the mask is put
 *     back after each call; rt_sigaction leaves SIGALRM alone; the masks of
 *     ppoll, pselect6, epoll_pwait(2) are dropped; SIGKILL and SIGSTOP are
 *     never sent; kill, tkill, tgkill, rt_(tg)sigqueueinfo reach only this
 *     process (or no one); alarm/setitimer re-arm our timer after;
 *   - other processes and the host (the program is checked natively too,
 *     as an unprivileged user): ptrace, process_vm_readv/writev, kcmp,
 *     pidfd_open, pidfd_send_signal, pidfd_getfd, process_madvise,
 *     process_mrelease, migrate_pages, move_pages, setpriority,
 *     sched_setparam/setscheduler/setattr, ioprio_set, prlimit64 (only
 *     reads, of this process), setrlimit, unshare, setns, personality,
 *     syslog, vhangup, acct, reboot, kexec_load, kexec_file_load,
 *     init_module, finit_module, delete_module, perf_event_open, bpf,
 *     fanotify_init, keyctl, add_key, request_key, System V IPC and POSIX
 *     message queues (they outlive the process), aio and io_uring, timer_create,
 *     landlock, lsm_set_self_attr,
 *     uretprobe (Linux 6.11+: SIGILL when not called from its trampoline);
 *     sched_setaffinity only for this thread;
 *   - sockets: socket makes only AF_UNIX ones, so nothing reaches the
 *     network; bind is left out (a path would make a socket file in the
 *     host's directory); every other socket call is made;
 *   - close_range stops below the report descriptor. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_NR		460
#define SCRATCH		16384
#define GUARD		(64 * 1024)
#define REPORT_FD	1023
#define TICK_US		20000

static uint64_t state;
static uint8_t *scratch, *readonly;
static uint64_t all_but_alarm = ~(1ull << (SIGALRM - 1));	/* the kernel's sigset */
static volatile unsigned long alarms;
static int maxfd = 2;

static uint64_t rnd_from(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd(void) { return rnd_from(&state); }

static long raw_syscall(long nr, const uint64_t a[6])
{
	long ret;
	register uint64_t r10 __asm__("r10") = a[3], r8 __asm__("r8") = a[4], r9 __asm__("r9") = a[5];

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static const uint64_t huge[] = {
	0xffffffffffffffffull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x100000000ull,
	0xffffffffull, 0x7fffffffull, 0x80000000ull, 0xffffull, 4096, 65536, 1ull << 40,
};

static uint64_t bad_pointer_from(uint64_t *s)
{
	static const uint64_t bad[] = {
		0, 8, 0x1000, 0xdead0000, 0x7ffffffff000ull, 0x800000000000ull,
		0xffff800000000000ull, 0xffffffff80000000ull, 0xfffffffffffff000ull,
		0x0000555555554000ull,
	};
	uint64_t r = rnd_from(s) % 12;

	if (r == 10)
		return (uint64_t)readonly + rnd_from(s) % 4096;
	if (r == 11)
		return (uint64_t)scratch + SCRATCH - rnd_from(s) % 16;	/* runs into the guard */
	return bad[r];
}

static uint64_t bad_pointer(void) { return bad_pointer_from(&state); }

static uint64_t arg(void)
{
	switch (rnd() % 13) {
	case 0: case 1: case 2: return rnd() % 17;
	case 3: return (uint64_t)-1;
	case 4: return huge[rnd() % (sizeof huge / sizeof huge[0])];
	case 5: case 6: return (uint64_t)scratch + rnd() % SCRATCH;
	case 7: return (uint64_t)scratch + (rnd() % (SCRATCH / 64)) * 64;
	case 8: return bad_pointer();
	case 9: return rnd();
	case 10: return rnd() % 4096;
	case 11: return (uint64_t)-100;	/* AT_FDCWD */
	default: return 1ull << (rnd() % 64);
	}
}

/* Numbers never made; see the list at the top. */
static int excluded(long nr)
{
	static const short never[] = {
		60, 231, 15, 59, 322, 57, 58, 56, 435, 317, 157, 158, 334,
		12, 11, 25, 10, 329, 28, 216, 30, 323, 151, 285,
		130,
		101, 310, 311, 312, 434, 424, 438, 440, 448, 256, 279, 141, 142, 144, 314, 251,
		160, 272, 308, 135, 103, 153, 163, 169, 246, 320, 175, 313, 176, 298, 321,
		300, 250, 248, 249, 29, 31, 64, 65, 66, 67, 68, 69, 70, 71, 220,
		240, 241, 242, 243, 244, 245, 206, 207, 208, 209, 210, 333, 425, 426, 427,
		222, 444, 445, 446, 460, 335,
		49,
	};

	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
		if (never[i] == nr)
			return 1;
	return 0;
}

static uint64_t safe_sig(uint64_t sig)
{
	return (sig & 0xffffffff) == SIGKILL || (sig & 0xffffffff) == SIGSTOP ? 0 : sig;
}

/* Tames one call's arguments; 0 to skip the call. */
static int tame(long nr, uint64_t a[6])
{
	for (int i = 0; i < 6; i++)
		if ((a[i] & 0xffffffff) == REPORT_FD)
			a[i] = 77;
	switch (nr) {
	case 41:	/* socket */
		a[0] = 1;	/* AF_UNIX */
		return 1;
	case 9:		/* mmap */
		a[3] &= ~(uint64_t)(MAP_FIXED | MAP_FIXED_NOREPLACE);
		return 1;
	case 13:	/* rt_sigaction */
		return (a[0] & 0xffffffff) != SIGALRM;
	case 14:	/* rt_sigprocmask */
		a[0] = SIG_BLOCK;
		return 1;
	case 62:	/* kill */
		a[0] = rnd() % 2 ? (uint64_t)getpid() : 0x3fffffff;
		a[1] = safe_sig(a[1]);
		return 1;
	case 200:	/* tkill */
		a[0] = rnd() % 2 ? (uint64_t)gettid() : 0x3fffffff;
		a[1] = safe_sig(a[1]);
		return 1;
	case 234:	/* tgkill */
	case 297:	/* rt_tgsigqueueinfo */
		a[0] = getpid();
		a[1] = rnd() % 2 ? (uint64_t)gettid() : 0x3fffffff;
		a[2] = safe_sig(a[2]);
		return 1;
	case 129:	/* rt_sigqueueinfo */
		a[0] = rnd() % 2 ? (uint64_t)getpid() : 0x3fffffff;
		a[1] = safe_sig(a[1]);
		return 1;
	case 203:	/* sched_setaffinity */
		a[0] = 0;
		return 1;
	case 302:	/* prlimit64 */
		a[0] = 0;
		a[2] = 0;
		return 1;
	case 270:	/* pselect6 */
		a[5] = 0;
		return 1;
	case 271:	/* ppoll */
		a[3] = 0;
		return 1;
	case 281:	/* epoll_pwait */
	case 441:	/* epoll_pwait2 */
		a[4] = 0;
		return 1;
	case 436:	/* close_range */
		if (a[1] >= REPORT_FD)
			a[1] = REPORT_FD - 1;
		return 1;
	default:
		return 1;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void arm_watchdog(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, TICK_US }, { 0, TICK_US } };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;	/* no SA_RESTART: blocked calls fail with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Directly: sigprocmask() and sigfillset() leave out the signals the C
 * library keeps for itself (32-34 in musl), which kill() could still send. */
static void block_all_but_alarm(void)
{
	uint64_t a[6] = { SIG_SETMASK, (uint64_t)&all_but_alarm, 0, 8, 0, 0 };

	raw_syscall(14, a);
}

static void refill_scratch(void)
{
	/* No '/' or '.': paths in it name only new entries under the current
	 * directory. */
	for (size_t i = 0; i < SCRATCH; i += 8) {
		uint64_t v = rnd();
		for (int j = 0; j < 8; j++) {
			uint8_t c = (uint8_t)(v >> (8 * j));
			scratch[i + j] = c == '/' || c == '.' ? 'x' : c;
		}
	}
}

static void close_extra_fds(void)
{
	for (int fd = 3; fd <= maxfd; fd++)
		close(fd);
	maxfd = 2;
}

static void setup(void)
{
	uint8_t *area = mmap(NULL, SCRATCH + 2 * GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	scratch = area + GUARD;
	readonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || readonly == MAP_FAILED ||
	    mprotect(scratch, SCRATCH, PROT_READ | PROT_WRITE) || dup2(1, REPORT_FD) != REPORT_FD) {
		printf("FAIL: setup\n");
		exit(1);
	}
	close(0);
	close(1);
	close(2);
	block_all_but_alarm();
	arm_watchdog();
}

static void report(const char *text)
{
	size_t n = strlen(text);

	while (n) {
		ssize_t w = write(REPORT_FD, text, n);
		if (w <= 0)
			exit(3);
		text += w;
		n -= w;
	}
}

/* The kernel still does its job after all that. */
static int still_works(void)
{
	char *p = malloc(1 << 20);
	int fds[2];
	char c = 0;

	if (!p)
		return 0;
	memset(p, 1, 1 << 20);
	free(p);
	if (pipe(fds) || write(fds[1], "k", 1) != 1 || read(fds[0], &c, 1) != 1 || c != 'k')
		return 0;
	close(fds[0]);
	close(fds[1]);
	return getpid() > 0;
}

static int trace;	/* FUZZ_TRACE set: each call is reported before it is made */
static long made;

static void trace_call(long i, long nr, const uint64_t a[6])
{
	char line[160];

	if (!trace)
		return;
	snprintf(line, sizeof line, "%ld: %ld(%lx, %lx, %lx, %lx, %lx, %lx)\n", i, nr, a[0], a[1],
		 a[2], a[3], a[4], a[5]);
	report(line);
}

/* Makes call nr unless it is left out; the bookkeeping around it. */
static void try_call(long i, long nr, uint64_t a[6])
{
	if (excluded(nr) || !tame(nr, a))
		return;
	refill_scratch();
	trace_call(i, nr, a);
	long ret = raw_syscall(nr, a);
	made++;
	if (ret > maxfd && ret < REPORT_FD)
		maxfd = (int)ret;
	block_all_but_alarm();
	if (nr == 13 || nr == 37 || nr == 38)
		arm_watchdog();
	if (made % 64 == 0)
		close_extra_fds();
}

static void random_calls(long count)
{
	for (long i = 0; i < count; i++) {
		long nr = rnd() % (MAX_NR + 1);
		uint64_t a[6];
		for (int j = 0; j < 6; j++)
			a[j] = arg();
		try_call(i, nr, a);
	}
}

/* Every call, each argument in turn a bad pointer, the others from one of
 * three plausible sets: a pointer argument the kernel uses must give
 * EFAULT (or be ignored), never a kernel fault. */
static void sweep(void)
{
	uint64_t s = (uint64_t)scratch;
	const uint64_t bases[3][6] = {
		{ 0, 0, 0, 0, 0, 0 },
		{ s, 64, s + 256, 8, s + 512, 0 },
		{ 1, s, 4096, s + 1024, 16, s + 2048 },
	};
	const uint64_t bad[4] = { 0x1000, 0xffff800000000000ull, 0x800000000000ull,
				  (uint64_t)readonly };
	long i = 0;

	for (long nr = 0; nr <= MAX_NR; nr++)
		for (int pos = 0; pos < 6; pos++)
			for (int b = 0; b < 3; b++)
				for (int k = 0; k < 4; k++) {
					uint64_t a[6];
					memcpy(a, bases[b], sizeof a);
					a[pos] = bad[k];
					try_call(i++, nr, a);
				}
}

/* ---- fuzz ranges ------------------------------------------------------------ */

#define ARENA		(64ul << 20)
#define ARENA_GAP	(16ul << 20)

static uint64_t arena;	/* ours to ruin: mapped, unmapped, moved at will */

/* Holes around the reservation keep calls that run past its ends (Linux's
 * mprotect and madvise go on to the next mapping) away from our memory. */
static void arena_setup(void)
{
	char *p = mmap(NULL, ARENA + 2 * ARENA_GAP, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		report("FAIL: reserving the arena\n");
		exit(1);
	}
	munmap(p, ARENA_GAP);
	munmap(p + ARENA_GAP + ARENA, ARENA_GAP);
	arena = (uint64_t)p + ARENA_GAP;
}

/* Not page zero: MAP_FIXED there over 2^47 bytes would take our own
 * memory wherever vm.mmap_min_addr lets it (mm_ranges checks page zero). */
static const uint64_t bad_starts[] = {
	0xffffffff80000000ull, 0xffffffff80130000ull, 0xffff800000000000ull,
	0x0000800000000000ull, 0x8000000000000000ull, 0x00007ffffffff000ull,
	0xffff7ffffffff000ull, 0xfffffffffffff000ull,
};

/* A range: inside the arena (what fits), or at a bad start with any
 * length; lengths from the arena that reach past it only wrap (a call
 * must refuse those before looking at mappings). */
static void pick_range(uint64_t *addr, uint64_t *len)
{
	if (rnd() % 3 == 0) {
		*addr = bad_starts[rnd() % (sizeof bad_starts / sizeof bad_starts[0])];
		switch (rnd() % 5) {
		case 0: *len = 4096 * (1 + rnd() % 16); break;
		case 1: *len = 1ull << 47; break;
		case 2: *len = -*addr + 4096; break;
		case 3: *len = -1ull; break;
		default: *len = rnd(); break;
		}
		return;
	}
	uint64_t off = (rnd() % (ARENA / 4096)) * 4096;
	*addr = arena + off + (rnd() % 16 == 0);
	switch (rnd() % 6) {
	case 0: *len = -*addr + 4096 * (1 + rnd() % 4); break;	/* wraps */
	case 1: *len = -1ull - rnd() % 4096; break;		/* rounds up to 0 */
	case 2: *len = 0; break;
	default: *len = 4096 * (1 + rnd() % ((ARENA - off) / 4096 < 64 ? (ARENA - off) / 4096 : 64)); break;
	}
}

static uint64_t pick_prot(void) { return rnd() % 8 == 0 ? rnd() : rnd() % 8; }

static int is_bad_start(uint64_t a)
{
	for (size_t i = 0; i < sizeof bad_starts / sizeof bad_starts[0]; i++)
		if (a == bad_starts[i])
			return 1;
	return 0;
}

/* Linux refuses these whatever else they carry: mmap, munmap or mremap from
 * a bad start, and mremap MREMAP_FIXED to one.  Success means a mapping
 * was made or removed where no program may have one. */
static int must_fail(long nr, const uint64_t a[6])
{
	if (nr == SYS_mmap || nr == SYS_munmap)
		return is_bad_start(a[0]);
	if (nr == SYS_mremap)
		return is_bad_start(a[0]) || ((a[3] & MREMAP_FIXED) && is_bad_start(a[4]));
	return 0;
}

/* One memory call at a picked range; its number and arguments in nr, a. */
static void range_call(long *nr, uint64_t a[6])
{
	static const uint64_t types[] = { MAP_PRIVATE, MAP_SHARED, 0, 0x0f };
	uint64_t flags = types[rnd() % 4] | MAP_ANONYMOUS | (rnd() % 2 ? MAP_FIXED : MAP_FIXED_NOREPLACE);

	memset(a, 0, 6 * sizeof *a);
	pick_range(&a[0], &a[1]);
	switch (rnd() % 10) {
	case 0:
		*nr = SYS_mmap;
		a[2] = pick_prot(), a[3] = flags, a[4] = -1ull, a[5] = rnd() % 4 ? 0 : rnd();
		break;
	case 1: *nr = SYS_munmap; break;
	case 2: *nr = SYS_mprotect, a[2] = pick_prot(); break;
	case 3: case 4: {
		static const uint64_t remap_flags[] = { 0, 1, 3, 3, 3, 5, 7, 8 };
		uint64_t target_len;
		*nr = SYS_mremap;
		pick_range(&a[4], &target_len);
		a[2] = rnd() % 3 == 0 ? a[1] : rnd() % 2 ? 4096 * (1 + rnd() % 16) : target_len;
		a[3] = remap_flags[rnd() % 8];
		break;
	}
	case 5: *nr = SYS_madvise, a[2] = rnd() % 8 ? rnd() % 26 : rnd(); break;
	case 6: *nr = SYS_mlock2, a[2] = rnd() % 3; break;
	case 7: *nr = SYS_munlock; break;
	case 8: *nr = SYS_msync, a[2] = rnd() % 8; break;
	default: *nr = SYS_brk, a[0] = bad_starts[rnd() % 8]; break;
	}
}

static void range_calls(long count)
{
	char line[160];

	arena_setup();
	for (long i = 0; i < count; i++) {
		long nr;
		uint64_t a[6];
		range_call(&nr, a);
		trace_call(i, nr, a);
		long ret = raw_syscall(nr, a);
		made++;
		if (ret >= 0 && must_fail(nr, a)) {
			snprintf(line, sizeof line, "FAIL: %ld(%lx, %lx, %lx, %lx, %lx) returned %lx\n",
				 nr, a[0], a[1], a[2], a[3], a[4], ret);
			report(line);
			exit(1);
		}
	}
}

/* ---- fuzz futex ---------------------------------------------------------------- */

#define FUTEX_THREADS	4

static unsigned *words;	/* a page of futex words all threads share */

static uint64_t futex_word(uint64_t *s)
{
	switch (rnd_from(s) % 10) {
	case 0: return bad_pointer_from(s);
	case 1: return (uint64_t)words + 1 + rnd_from(s) % 3;	/* misaligned */
	default: return (uint64_t)(words + rnd_from(s) % 4);
	}
}

/* A timespec for a wait that ends soon: relative for FUTEX_WAIT, absolute
 * on the right clock for the others; now and then a bad one. */
static uint64_t futex_timeout(uint64_t *s, struct timespec *ts, int cmd, int realtime)
{
	switch (rnd_from(s) % 10) {
	case 0: return rnd_from(s) % 2 ? 0xffff800000000000ull : (uint64_t)readonly;	/* never NULL */
	case 1: *ts = (struct timespec){ 0, 1000000000 }; return (uint64_t)ts;
	default: break;
	}
	long ns = (long)(rnd_from(s) % 200000);
	if (cmd == 0) {
		*ts = (struct timespec){ 0, ns };
		return (uint64_t)ts;
	}
	clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, ts);
	ts->tv_nsec += ns;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
	return (uint64_t)ts;
}

/* One random operation; never a priority-inheritance one (Linux would
 * really lock with them) and never a wait without a timeout. */
static void futex_call(uint64_t *s)
{
	static const int cmds[] = { 0, 0, 1, 1, 3, 4, 5, 9, 9, 10, 14 };
	int cmd = cmds[rnd_from(s) % (sizeof cmds / sizeof cmds[0])];
	int realtime = rnd_from(s) % 8 == 0;
	int op = cmd | (rnd_from(s) % 2 ? 128 : 0) | (realtime ? 256 : 0);
	uint64_t uaddr = futex_word(s), uaddr2 = futex_word(s), a3;
	uint32_t val = rnd_from(s) % 2 && uaddr >= (uint64_t)words && uaddr < (uint64_t)words + 64 ?
		__atomic_load_n((unsigned *)(uaddr & ~3ull), __ATOMIC_RELAXED) : (uint32_t)rnd_from(s) % 4;
	struct timespec ts;

	if (cmd == 0 || cmd == 9)
		a3 = futex_timeout(s, &ts, cmd, realtime);
	else
		a3 = rnd_from(s) % 4 ? rnd_from(s) % 4 : rnd_from(s) % 2 ? INT_MAX : (uint64_t)-1;
	uint32_t val3 = rnd_from(s) % 3 ? (uint32_t)rnd_from(s) : rnd_from(s) % 2 ? ~0u : 0;
	syscall(SYS_futex, uaddr, op, val, a3, uaddr2, val3);
}

struct futex_thread {
	pthread_t t;
	uint64_t state;
	long count;
};

static void *futex_thread(void *arg)
{
	struct futex_thread *ft = arg;

	for (long i = 0; i < ft->count; i++)
		futex_call(&ft->state);
	return NULL;
}

static void futex_calls(long count)
{
	struct futex_thread ft[FUTEX_THREADS];

	words = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (words == MAP_FAILED) {
		report("FAIL: futex words\n");
		exit(1);
	}
	for (int i = 0; i < FUTEX_THREADS; i++) {
		ft[i] = (struct futex_thread){ .state = rnd() | 1, .count = count };
		if (pthread_create(&ft[i].t, NULL, futex_thread, &ft[i])) {
			report("FAIL: starting a thread\n");
			exit(1);
		}
	}
	for (int i = 0; i < FUTEX_THREADS; i++) {
		pthread_join(ft[i].t, NULL);
		made += ft[i].count;
	}
}

/* fuzz SEED [COUNT], fuzz sweep, fuzz ranges SEED [COUNT], fuzz futex SEED [COUNT] */
int main(int argc, char **argv)
{
	const char *mode = argc > 1 && (!strcmp(argv[1], "sweep") || !strcmp(argv[1], "ranges") ||
					!strcmp(argv[1], "futex")) ? argv[1] : "fuzz";
	int named = strcmp(mode, "fuzz") != 0;
	const char *seed_arg = argc > 1 + named ? argv[1 + named] : "1";
	uint64_t seed = strtoull(seed_arg, NULL, 0);
	long count = argc > 2 + named ? atol(argv[2 + named]) : 4000;
	char line[64];

	trace = getenv("FUZZ_TRACE") != NULL;
	state = seed * 0x9e3779b97f4a7c15ull + 1;
	setup();
	if (!strcmp(mode, "sweep"))
		sweep();
	else if (!strcmp(mode, "ranges"))
		range_calls(count);
	else if (!strcmp(mode, "futex"))
		futex_calls(count);
	else
		random_calls(count);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	close_extra_fds();
	if (!still_works()) {
		report("FAIL: the kernel no longer works after fuzzing\n");
		return 1;
	}
	snprintf(line, sizeof line, "%s ok %ld\n", !strcmp(mode, "fuzz") ? "fuzz" : mode, made);
	report(line);
	return 0;
}
