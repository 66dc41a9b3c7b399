/* The handler's frame as a program may change it: a new rip (skipping the
 * faulting instruction) and new register values take effect at return;
 * IOPL bits in eflags do not (cli still faults); a frame rt_sigreturn
 * cannot use gives SIGSEGV; uc_stack and SS_AUTODISARM.
 * Prints "<check> ok" lines, then "signals_frame ok". */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static sigjmp_buf env;
static volatile int got_sig, got_code, hits;
static char altstack[64 * 1024];

static void check(int ok, const char *name)
{
	if (!ok) {
		printf("FAIL: %s (sig %d code %d hits %d)\n", name, got_sig, got_code, hits);
		exit(1);
	}
	printf("%s ok\n", name);
}

static void on_action(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* ud2 is two bytes: step over it, and leave marks in rbx and r12. */
static void skip_ud2(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig, (void)si;
	hits++;
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RBX] = 0x1111222233334444;
	uc->uc_mcontext.gregs[REG_R12] = 0x5555666677778888;
}

static void test_change_registers(void)
{
	uint64_t rbx, r12;

	on_action(SIGILL, skip_ud2, 0);
	hits = 0;
	__asm__ volatile("xor %%ebx, %%ebx\n\txor %%r12d, %%r12d\n\tud2\n\tmov %%rbx, %0\n\tmov %%r12, %1"
			 : "=r"(rbx), "=r"(r12) :: "rbx", "r12");
	check(hits == 1 && rbx == 0x1111222233334444 && r12 == 0x5555666677778888,
	      "handler changes rip and registers");
}

static void on_segv_jump(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	siglongjmp(env, 1);
}

static void raise_iopl(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig, (void)si;
	hits++;
	uc->uc_mcontext.gregs[REG_EFL] |= 3 << 12;	/* IOPL 3: must be ignored */
}

static void test_iopl_ignored(void)
{
	on_action(SIGUSR1, raise_iopl, 0);
	on_action(SIGSEGV, on_segv_jump, 0);
	hits = 0;
	got_sig = 0;
	raise(SIGUSR1);
	if (!sigsetjmp(env, 1))
		__asm__ volatile("cli; sti");
	check(hits == 1 && got_sig == SIGSEGV, "IOPL from a frame is ignored");
}

/* rt_sigreturn on a frame whose fpstate points nowhere. */
static void test_bad_frame(void)
{
	static uint64_t fake[512] __attribute__((aligned(16)));
	static char stack[16384] __attribute__((aligned(16)));
	/* ucontext at fake: flags, link, stack (3 words), then sigcontext. */
	uint64_t *sc = fake + 5;

	on_action(SIGSEGV, on_segv_jump, 0);
	memset(fake, 0, sizeof fake);
	sc[15] = (uint64_t)(stack + sizeof stack - 64);	/* rsp */
	sc[16] = (uint64_t)test_bad_frame;		/* rip */
	sc[17] = 0x202;					/* eflags */
	sc[18] = 0x2b00000000000033ull;			/* cs, gs, fs, ss */
	sc[23] = 0x1000;				/* fpstate: unmapped */
	got_sig = 0;
	if (!sigsetjmp(env, 1))
		__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall" :: "r"(fake) : "memory");
	check(got_sig == SIGSEGV && got_code == SI_KERNEL, "bad frame at rt_sigreturn gives SIGSEGV");
}

static volatile int in_flags, in_onstack;

static void look_at_stack(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	stack_t now;

	(void)sig, (void)si;
	sigaltstack(NULL, &now);
	in_flags = now.ss_flags;
	in_onstack = uc->uc_stack.ss_sp == altstack && uc->uc_stack.ss_size == sizeof altstack;
}

static void test_autodisarm(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = SS_AUTODISARM };
	stack_t after;

	check(sigaltstack(&ss, NULL) == 0, "sigaltstack SS_AUTODISARM");
	on_action(SIGUSR2, look_at_stack, SA_ONSTACK);
	raise(SIGUSR2);
	sigaltstack(NULL, &after);
	check(in_onstack && (in_flags & SS_DISABLE) && !(after.ss_flags & SS_DISABLE) &&
	      after.ss_sp == altstack, "disarmed in the handler, back after it");
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_change_registers();
	test_iopl_ignored();
	test_bad_frame();
	test_autodisarm();
	printf("signals_frame ok\n");
	return 0;
}
