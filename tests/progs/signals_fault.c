/* Faults the program survives: SIGSEGV (unmapped and read-only) with the
 * faulting address, SIGFPE on integer division by zero, SIGILL, SIGTRAP,
 * each left with siglongjmp or by returning; handlers on an alternate stack
 * (SA_ONSTACK), including for a stack overflow; the FPU state of the
 * interrupted code survives a handler that computes in floating point.
 * Prints "<check> ok" lines, then "signals_fault ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_sp;
static char *altstack;
static const size_t ALTSIZE = 64 * 1024;

static void check(int ok, const char *name)
{
	if (!ok) {
		printf("FAIL: %s (sig %d code %d addr %#lx)\n", name, got_sig, got_code,
		       (unsigned long)got_addr);
		exit(1);
	}
	printf("%s ok\n", name);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	int local;

	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = (uintptr_t)si->si_addr;
	got_sp = (uintptr_t)&local;
	siglongjmp(env, 1);
}

static void catch(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void test_segv(void)
{
	volatile int *bad = (int *)0x1000;

	catch(SIGSEGV, 0);
	got_sig = 0;
	if (!sigsetjmp(env, 1))
		*bad = 1;
	check(got_sig == SIGSEGV && got_code == SEGV_MAPERR && got_addr == 0x1000,
	      "SIGSEGV unmapped, si_addr");

	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	got_sig = 0;
	if (!sigsetjmp(env, 1))
		*(volatile char *)(ro + 8) = 1;
	check(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == (uintptr_t)ro + 8,
	      "SIGSEGV read-only, SEGV_ACCERR");
	/* The mask was saved by sigsetjmp(.., 1): SIGSEGV is not left blocked. */
	got_sig = 0;
	if (!sigsetjmp(env, 1))
		*bad = 2;
	check(got_sig == SIGSEGV, "SIGSEGV twice after siglongjmp");
}

static volatile int zero;

static void test_fpe(void)
{
	catch(SIGFPE, 0);
	got_sig = 0;
	if (!sigsetjmp(env, 1)) {
		volatile int x = 10 / zero;
		(void)x;
	}
	check(got_sig == SIGFPE && got_code == FPE_INTDIV, "SIGFPE integer division by zero");
}

static void test_ill(void)
{
	catch(SIGILL, 0);
	got_sig = 0;
	if (!sigsetjmp(env, 1))
		__asm__ volatile("ud2");
	check(got_sig == SIGILL, "SIGILL on ud2");
}

static volatile int traps;

static void on_trap(int sig)
{
	(void)sig;
	traps++;
}

static void test_trap(void)
{
	signal(SIGTRAP, on_trap);
	__asm__ volatile("int3");	/* the handler returns past it */
	check(traps == 1, "SIGTRAP on int3, handler returns");
}

static void test_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = ALTSIZE }, old;

	check(sigaltstack(&ss, &old) == 0 && (old.ss_flags & SS_DISABLE), "sigaltstack set");
	catch(SIGSEGV, SA_ONSTACK);
	got_sig = 0;
	if (!sigsetjmp(env, 1))
		*(volatile int *)0x2000 = 1;
	check(got_sig == SIGSEGV && got_sp > (uintptr_t)altstack &&
	      got_sp < (uintptr_t)altstack + ALTSIZE, "SA_ONSTACK handler on the alternate stack");
}

static volatile int depth_limit = 1 << 30;

static int recurse(int n)
{
	volatile char pad[4096];

	pad[0] = (char)n;
	return n >= depth_limit ? 0 : recurse(n + 1) + pad[0];
}

static void test_overflow(void)
{
	catch(SIGSEGV, SA_ONSTACK);
	got_sig = 0;
	if (!sigsetjmp(env, 1))
		recurse(0);
	check(got_sig == SIGSEGV && got_sp > (uintptr_t)altstack &&
	      got_sp < (uintptr_t)altstack + ALTSIZE, "stack overflow caught on the alternate stack");
}

static volatile double handler_result;
static volatile unsigned handler_mxcsr;

static void on_usr1_fpu(int sig)
{
	volatile double x = 1.0;
	unsigned m;

	(void)sig;
	__asm__ volatile("stmxcsr %0" : "=m"(m));
	handler_mxcsr = m;
	for (int i = 0; i < 100; i++)
		x = x * 1.5 + 0.25;	/* uses the xmm registers */
	handler_result = x;
}

/* xmm8, xmm9 and MXCSR hold values across a raw tkill system call whose
 * signal's handler computes in floating point; C code could not keep them
 * live across a call, so this is assembly. */
static void test_fpu(void)
{
	double in[2] = { 1.25, -7.5 }, out[2];
	unsigned rz = 0x1f80 | (3u << 13), before, after;	/* round toward zero */
	long tid = gettid();

	signal(SIGUSR1, on_usr1_fpu);
	__asm__ volatile("stmxcsr %0" : "=m"(before));
	__asm__ volatile(
		"ldmxcsr %[rz]\n\t"
		"movsd 0(%[in]), %%xmm8\n\t"
		"movsd 8(%[in]), %%xmm9\n\t"
		"movl $200, %%eax\n\t"	/* tkill(tid, SIGUSR1) */
		"movq %[tid], %%rdi\n\t"
		"movl $10, %%esi\n\t"
		"syscall\n\t"
		"movsd %%xmm8, 0(%[out])\n\t"
		"movsd %%xmm9, 8(%[out])\n\t"
		"stmxcsr %[after]\n\t"
		"ldmxcsr %[before]"
		: [after] "=m"(after)
		: [rz] "m"(rz), [before] "m"(before), [in] "r"(in), [out] "r"(out), [tid] "r"(tid)
		: "rax", "rdi", "rsi", "rcx", "r11", "xmm8", "xmm9", "memory");
	check(out[0] == 1.25 && out[1] == -7.5 && after == rz && handler_result > 1e10,
	      "FPU registers kept across a handler");
	check(handler_mxcsr == 0x1f80, "handler starts with a clean FPU state");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	altstack = malloc(ALTSIZE);
	test_segv();
	test_fpe();
	test_ill();
	test_trap();
	test_altstack();
	test_overflow();
	test_fpu();
	printf("signals_fault ok\n");
	return 0;
}
