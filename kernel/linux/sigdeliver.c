/* The way back to user mode: run what is pending (a handler's frame, or
 * the default action), then restart or fail an interrupted system call.
 * And faults in the program, which are signals that cannot wait. */
#include "linux/signal_internal.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "arch/x86_64/trap.h"
#include "core/format.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/vm.h"
#include "linux/process.h"
#include "linux/trace.h"

#define NR_RESTART_SYSCALL	219

static void restart(struct trapframe *tf, uint64_t nr)
{
	tf->rax = nr;
	tf->rip -= 2;	/* back onto the two-byte syscall instruction */
}

void sig_syscall_interrupted(struct trapframe *tf, const struct kernel_sigaction *ka)
{
	if (tf->vector != VEC_SYSCALL || tf->error == NO_SYSCALL)
		return;
	switch ((int64_t)tf->rax) {
	case -ERESTARTSYS:
		if (ka && !(ka->flags & SA_RESTART)) {
			tf->rax = -EINTR;
			break;
		}
		/* fall through */
	case -ERESTARTNOINTR:
		restart(tf, tf->error);
		break;
	case -ERESTARTNOHAND:
		if (ka)
			tf->rax = -EINTR;
		else
			restart(tf, tf->error);
		break;
	case -ERESTART_RESTARTBLOCK:
		if (ka)
			tf->rax = -EINTR;
		else
			restart(tf, NR_RESTART_SYSCALL);
		break;
	}
	tf->error = NO_SYSCALL;	/* decided once, by the first signal handled */
}

static const char *source(const struct linux_siginfo *info)
{
	switch (info->code) {
	case SI_USER: case SI_TKILL: case SI_QUEUE:
		return "sent by the program";
	case SI_KERNEL:
		return "sent by the kernel";
	default:
		return "sent by a timer";
	}
}

/* A stop signal's default action, unless the terminal's stop signals
 * are dropped for an orphaned process group.  The thread parks at the
 * top of linux_exit_to_user's loop. */
static void take_stop(int sig)
{
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	if (!jobctl_stop_dropped(p, sig))
		jobctl_stop(p, sig);
	spin_unlock_irqrestore(&sig_lock, flags);
}

static void default_action(int sig, const struct linux_siginfo *info)
{
	char why[64];

	if (sig_default_ignores(sig))
		return;
	if (jobctl_is_stop_signal(sig)) {
		take_stop(sig);
		return;
	}
	/* Terminate, and the core-dump signals too (there is no core): the
	 * status is 128 + sig either way. */
	snprintf(why, sizeof why, "signal %d, %s", sig, source(info));
	process_killed(sig, why, false);
}

static _Noreturn void frame_failed(int sig, const struct trapframe *tf, const char *why)
{
	char line[200];

	snprintf(line, sizeof line, "%s%scannot build the signal %d handler's frame (stack 0x%lx)",
		 why ? why : "", why ? "; " : "", sig, tf->rsp);
	process_killed(SIGSEGV, line, false);
}

/* Builds sig's frame (sigframe.c).  A frame that could not be written
 * for want of memory is tried again once the OOM killer has made room,
 * or has ended this process.  Interrupts on, no lock held. */
static int push_frame(struct trapframe *tf, int sig, const struct linux_siginfo *info,
		      const struct kernel_sigaction *ka)
{
	struct thread *t = current();
	int err;

	while ((err = sigframe_push(tf, sig, info, ka)) && t->uaccess_oom) {
		t->uaccess_oom = false;
		linux_out_of_memory();
	}
	return err;
}

/* Takes the next signal t may take and acts on it.  Interrupts on. */
static void deliver_next(struct thread *t, struct trapframe *tf)
{
	struct linux_siginfo info;
	struct kernel_sigaction ka, *actions = process_of(t)->actions;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int sig = sig_take(t, ~t->sigmask, &info);

	if (sig) {
		ka = actions[sig - 1];
		if (ka.handler > SIG_IGN && (ka.flags & SA_RESETHAND))
			actions[sig - 1].handler = SIG_DFL;
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	if (!sig || ka.handler == SIG_IGN)
		return;
	trace_signal(sig, &info);
	if (ka.handler == SIG_DFL)
		default_action(sig, &info);
	else if (push_frame(tf, sig, &info, &ka))
		frame_failed(sig, tf, NULL);
}

static void restore_saved_mask(struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	t->sigsaved_valid = false;
	sig_set_mask(t, t->sigsaved);
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* Whether a system call's result says a signal cut it short. */
static bool interrupted(const struct trapframe *tf)
{
	int64_t r = (int64_t)tf->rax;

	return tf->vector == VEC_SYSCALL && tf->error != NO_SYSCALL &&
	       (r == -EINTR || r == -ERESTARTSYS || r == -ERESTARTNOINTR ||
		r == -ERESTARTNOHAND || r == -ERESTART_RESTARTBLOCK);
}

/* A copy to or from the program's memory found no page for it (core/
 * uaccess.h) and failed with -EFAULT.  Now that the thread holds no lock,
 * the OOM killer runs as for the program's own fault; a system call that
 * failed for it is made again, as on Linux its copy would have waited
 * for memory instead (a call that did something before its copy failed,
 * such as wait4 reaping a child, is made again all the same).  Interrupts
 * on. */
static void copy_out_of_memory(struct thread *t, struct trapframe *tf)
{
	t->uaccess_oom = false;
	if (tf->vector == VEC_SYSCALL && tf->error != NO_SYSCALL && (int64_t)tf->rax == -EFAULT)
		tf->rax = -ERESTARTNOINTR;
	linux_out_of_memory();
}

void linux_exit_to_user(struct trapframe *tf)
{
	struct thread *t = current();

	/* A call with a mask for its wait (ppoll...) that was not interrupted
	 * puts the old mask back first: what only that mask let through is
	 * not delivered, as on Linux. */
	if (t->sigsaved_valid && !interrupted(tf))
		restore_saved_mask(t);
	for (;;) {
		sched_return_to_user();
		struct process *p = process_of(t);
		/* Both with interrupts on: this may be an interrupt's way out,
		 * and the last thread's end shoots down the TLBs of the CPUs
		 * that ran the process. */
		if (p->exiting || (p->exec_thread && p->exec_thread != t)) {
			irq_enable();
			process_thread_exit(0);	/* exit_group, a fatal signal, another's exec */
		}
		if (t->uaccess_oom) {
			irq_enable();
			copy_out_of_memory(t, tf);
			continue;	/* it slept: look again */
		}
		if (p->stop_state != STOP_NONE) {
			irq_enable();
			jobctl_park(t);	/* until SIGCONT; SIGKILL is then taken first */
		}
		/* Look with interrupts off: a signal sent after this look finds
		 * us RUNNING and interrupts the CPU, which brings us back here
		 * once in user mode. */
		irq_disable();
		if (t->signalled) {
			irq_enable();
			deliver_next(t, tf);
		} else if (t->sigsaved_valid) {
			/* sigsuspend's mask, when no handler ran to restore it */
			irq_enable();
			restore_saved_mask(t);
		} else {
			break;
		}
	}
	sig_syscall_interrupted(tf, NULL);
}

/* Runs the program's handler for a signal that cannot wait: true when its
 * frame is built.  A blocked or ignored fault is fatal, as on Linux. */
static bool run_handler_now(struct trapframe *tf, int sig, const struct linux_siginfo *info,
			    const char *why)
{
	struct thread *t = current();
	struct kernel_sigaction ka, *actions = process_of(t)->actions;

	trace_signal(sig, info);
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	ka = actions[sig - 1];
	bool run = ka.handler > SIG_IGN && !(t->sigmask & sig_bit(sig));
	if (run && (ka.flags & SA_RESETHAND))
		actions[sig - 1].handler = SIG_DFL;
	spin_unlock_irqrestore(&sig_lock, flags);
	if (run && push_frame(tf, sig, info, &ka))
		frame_failed(sig, tf, why);
	return run;
}

static int exception_signal(uint64_t vector)
{
	switch (vector) {
	case 0: case 16: case 19: return SIGFPE;
	case 1: case 3: return SIGTRAP;
	case 6: return SIGILL;
	case 17: return SIGBUS;
	default: return SIGSEGV;
	}
}

static int fault_code(uint64_t vector, bool mapped, int vm_err)
{
	switch (vector) {
	case 0: return FPE_INTDIV;
	case 16: case 19: return FPE_FLTINV;
	case 6: return ILL_ILLOPN;
	case 1: case 3: return TRAP_BRKPT;
	case 17: return BUS_ADRALN;
	case 14: return vm_err == -EIO ? BUS_ADRERR : mapped ? SEGV_ACCERR : SEGV_MAPERR;
	default: return SI_KERNEL;	/* general protection, stack fault */
	}
}

/* A fault in the program (arch's trap handler through user_trap_ops). */
static void user_fault(struct trapframe *tf, uint64_t addr, int vm_err)
{
	char why[160];
	bool page_fault = tf->vector == 14, mapped = false;

	if (vm_err == -ENOMEM) {
		linux_out_of_memory();
		return;
	}
	int sig = !page_fault ? exception_signal(tf->vector) : vm_err == -EIO ? SIGBUS : SIGSEGV;
	/* Linux's SEGV_ACCERR means "mapped, but not for this access", whether
	 * or not the page was ever touched: ask the VMAs, not the PTE. */
	if (page_fault)
		mapped = addr < USER_TOP && !vm_is_free(mm_current(), PAGE_ROUND_DOWN(addr), 1);
	struct linux_siginfo info = { .signo = sig, .code = fault_code(tf->vector, mapped, vm_err) };

	info.fault.addr = info.code == SI_KERNEL ? 0 : addr;
	if (page_fault)
		snprintf(why, sizeof why, "%s at address 0x%lx, ip 0x%lx",
			 sig == SIGBUS ? "past the end of a mapped file" :
			 mapped ? "access not allowed" : "no mapping", addr, tf->rip);
	else
		snprintf(why, sizeof why, "exception %lu at ip 0x%lx", tf->vector, tf->rip);
	if (run_handler_now(tf, sig, &info, why))
		return;
	printk("fault in process %d: vector %lu, error 0x%lx, cs 0x%lx, rip 0x%lx, rsp 0x%lx, addr 0x%lx\n",
	       current()->tgid, tf->vector, tf->error, tf->cs, tf->rip, tf->rsp, addr);
	process_killed(sig, why, false);
}

void sigdeliver_force_segv(struct trapframe *tf, const char *why)
{
	struct linux_siginfo info = { .signo = SIGSEGV, .code = SI_KERNEL };

	tf->error = NO_SYSCALL;
	if (!run_handler_now(tf, SIGSEGV, &info, why))
		process_killed(SIGSEGV, why, false);
}

static const struct user_trap_ops trap_ops = { .fault = user_fault, .exit_to_user = linux_exit_to_user };

void sigdeliver_init(void) { trap_set_user_ops(&trap_ops); }
