/* The handler's stack frame, as Linux builds it on x86_64, and its undoing
 * by rt_sigreturn; sigaltstack, which says where frames may go.
 *
 * From the frame's start (the handler's rsp, so that rsp + 8 is 16-byte
 * aligned, as after a call): the return address (sa_restorer, which calls
 * rt_sigreturn), a struct ucontext, a struct siginfo; above them, 64-byte
 * aligned, the 512-byte fxsave image that uc_mcontext.fpstate points at. */
#include "linux/signal_internal.h"

#include <stddef.h>

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "linux/syscall.h"

#define REDZONE		128
#define FPU_SIZE	512
#define UC_SIGCONTEXT_SS	2
#define UC_STRICT_RESTORE_SS	4
/* The rflags bits a program may set from a signal frame (Linux's
 * FIX_EFLAGS): the arithmetic flags, TF, DF, OF, AC, RF.  Never IF or IOPL. */
#define USER_RFLAGS	0x40dd5ul
#define RFLAGS_TF	(1ul << 8)
#define RFLAGS_DF	(1ul << 10)
#define RFLAGS_RF	(1ul << 16)
#define MXCSR_OFFSET	24
#define MXCSR_MASK_OFFSET 28

struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* user address of the fxsave image */
	uint64_t reserved[8];
};

struct linux_stack {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

struct linux_ucontext {
	uint64_t flags, link;
	struct linux_stack stack;
	struct linux_sigcontext mcontext;
	uint64_t sigmask;
};

struct rt_sigframe {
	uint64_t restorer;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext is 256 bytes");
_Static_assert(offsetof(struct linux_ucontext, mcontext) == 40, "uc_mcontext at 40");
_Static_assert(offsetof(struct linux_ucontext, sigmask) == 296, "uc_sigmask at 296");
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo is 128 bytes");

/* An address iretq may return to: a non-canonical rip faults in the
 * kernel, on the iretq itself. */
static bool canonical(uint64_t a) { return a < USER_TOP || a >= DIRECT_BASE; }

static bool on_altstack(const struct thread *t, uint64_t sp)
{
	return t->altstack_size && sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}

/* sigaltstack's view of the alternate stack for a program at sp. */
static struct linux_stack altstack_state(const struct thread *t, uint64_t sp)
{
	struct linux_stack s = { .sp = t->altstack_sp, .size = t->altstack_size };

	s.flags = !t->altstack_size ? SS_DISABLE : on_altstack(t, sp) ? SS_ONSTACK : 0;
	s.flags |= t->altstack_flags;
	return s;
}

/* Where the frame goes: below the red zone, or at the top of the
 * alternate stack when the action asks for it and we are not on it yet.
 * 0 when a frame on the alternate stack would overflow it. */
static uint64_t frame_address(struct thread *t, uint64_t sp, uint64_t flags, uint64_t *fpstate)
{
	bool on_alt = on_altstack(t, sp);

	if ((flags & SA_ONSTACK) && t->altstack_size && !on_alt) {
		sp = t->altstack_sp + t->altstack_size;
		on_alt = true;
	} else {
		sp -= REDZONE;
	}
	sp = (sp - FPU_SIZE) & ~63ul;
	*fpstate = sp;
	sp = ((sp - sizeof(struct rt_sigframe)) & ~15ul) - 8;
	/* Never below the alternate stack into whatever lies there (nested
	 * handlers can fill it): the caller treats that as a bad frame. */
	if (on_alt && sp < t->altstack_sp)
		return 0;
	return sp;
}

static void save_registers(struct linux_sigcontext *sc, const struct trapframe *tf)
{
	*sc = (struct linux_sigcontext){
		.r8 = tf->r8, .r9 = tf->r9, .r10 = tf->r10, .r11 = tf->r11,
		.r12 = tf->r12, .r13 = tf->r13, .r14 = tf->r14, .r15 = tf->r15,
		.rdi = tf->rdi, .rsi = tf->rsi, .rbp = tf->rbp, .rbx = tf->rbx,
		.rdx = tf->rdx, .rax = tf->rax, .rcx = tf->rcx, .rsp = tf->rsp,
		.rip = tf->rip, .eflags = tf->rflags, .cs = USER_CS, .ss = USER_DS,
		.trapno = tf->vector == VEC_SYSCALL ? 0 : tf->vector,
		.err = tf->vector == VEC_SYSCALL ? 0 : tf->error,
	};
}

/* Writes the frame for sig at sp; its fxsave image at fpstate. */
static int write_frame(struct thread *t, struct trapframe *tf, uint64_t sp, uint64_t fpstate,
		       const struct linux_siginfo *info, const struct kernel_sigaction *ka)
{
	struct rt_sigframe f = { .restorer = ka->restorer, .info = *info };

	f.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.stack = altstack_state(t, tf->rsp);
	save_registers(&f.uc.mcontext, tf);
	if (tf->vector == 14)
		f.uc.mcontext.cr2 = info->fault.addr;
	f.uc.mcontext.fpstate = fpstate;
	f.uc.mcontext.oldmask = t->sigmask;
	f.uc.sigmask = t->sigsaved_valid ? t->sigsaved : t->sigmask;
	/* The live FPU registers are this thread's: save them for the frame,
	 * then give the handler a clean state, as Linux does. */
	arch_fpu_save(t->fpu);
	if (copy_to_user(fpstate, t->fpu, FPU_SIZE) || copy_to_user(sp, &f, sizeof f))
		return -EFAULT;
	arch_fpu_init_state(t->fpu);
	arch_fpu_restore(t->fpu);
	return 0;
}

int sigframe_push(struct trapframe *tf, int sig, const struct linux_siginfo *info,
		  const struct kernel_sigaction *ka)
{
	struct thread *t = current();
	uint64_t fpstate;

	sig_syscall_interrupted(tf, ka);
	uint64_t sp = frame_address(t, tf->rsp, ka->flags, &fpstate);
	/* x86_64 programs always give a restorer; without one the handler
	 * could not return, which Linux treats as a bad frame too.  A handler
	 * at a non-canonical address ends the program with SIGSEGV, as the
	 * fault of Linux's return to it does. */
	if (!sp || !(ka->flags & SA_RESTORER) || !canonical(ka->handler) ||
	    write_frame(t, tf, sp, fpstate, info, ka))
		return -EFAULT;
	if (t->altstack_flags & SS_AUTODISARM) {	/* the frame keeps the settings */
		t->altstack_sp = t->altstack_size = 0;
		t->altstack_flags = 0;
	}
	tf->rsp = sp;
	tf->rip = ka->handler;
	tf->rdi = sig;
	tf->rsi = sp + offsetof(struct rt_sigframe, info);
	tf->rdx = sp + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_TF | RFLAGS_RF);
	tf->cs = USER_CS;
	tf->ss = USER_DS;

	uint64_t flags = spin_lock_irqsave(&sig_lock);
	t->sigsaved_valid = false;	/* the frame restores it */
	sig_set_mask(t, t->sigmask | ka->mask | (ka->flags & SA_NODEFER ? 0 : sig_bit(sig)));
	spin_unlock_irqrestore(&sig_lock, flags);
	return 0;
}

static uint32_t mxcsr_mask(void)
{
	static uint32_t mask;

	if (!mask) {
		uint8_t img[FPU_SIZE] __attribute__((aligned(16)));
		arch_fpu_save(img);
		memcpy(&mask, img + MXCSR_MASK_OFFSET, sizeof mask);
		if (!mask)
			mask = 0xffbf;	/* what a zero MXCSR_MASK stands for */
	}
	return mask;
}

/* Loads the FPU from the frame's fxsave image.  MXCSR bits the CPU does
 * not have would make fxrstor fault in the kernel: cleared.  The image is
 * read into a buffer of our own, not t->fpu, which a switch away while the
 * copy pages something in would overwrite. */
static int restore_fpu(struct thread *t, uint64_t fpstate)
{
	uint8_t img[FPU_SIZE] __attribute__((aligned(16)));
	uint32_t mxcsr;

	if (!fpstate) {
		arch_fpu_init_state(t->fpu);
		arch_fpu_restore(t->fpu);
		return 0;
	}
	if (copy_from_user(img, fpstate, FPU_SIZE))
		return -EFAULT;
	memcpy(&mxcsr, img + MXCSR_OFFSET, sizeof mxcsr);
	mxcsr &= mxcsr_mask();
	memcpy(img + MXCSR_OFFSET, &mxcsr, sizeof mxcsr);
	arch_fpu_restore(img);
	return 0;
}

static void restore_registers(struct trapframe *tf, const struct linux_sigcontext *sc)
{
	tf->r8 = sc->r8, tf->r9 = sc->r9, tf->r10 = sc->r10, tf->r11 = sc->r11;
	tf->r12 = sc->r12, tf->r13 = sc->r13, tf->r14 = sc->r14, tf->r15 = sc->r15;
	tf->rdi = sc->rdi, tf->rsi = sc->rsi, tf->rbp = sc->rbp, tf->rbx = sc->rbx;
	tf->rdx = sc->rdx, tf->rax = sc->rax, tf->rcx = sc->rcx, tf->rsp = sc->rsp;
	tf->rip = sc->rip;
	tf->rflags = (tf->rflags & ~USER_RFLAGS) | (sc->eflags & USER_RFLAGS);
	tf->cs = USER_CS;	/* never what the frame says: no kernel selectors */
	tf->ss = USER_DS;
}

static long altstack_set(struct thread *t, const struct linux_stack *s, uint64_t sp)
{
	uint32_t mode = (uint32_t)s->flags & ~SS_AUTODISARM;

	if (on_altstack(t, sp))
		return -EPERM;
	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		t->altstack_sp = t->altstack_size = 0;
		t->altstack_flags = 0;
		return 0;
	}
	if (s->size < MINSIGSTKSZ)
		return -ENOMEM;
	t->altstack_sp = s->sp;
	t->altstack_size = s->size;
	t->altstack_flags = (uint32_t)s->flags & SS_AUTODISARM;
	return 0;
}

/* The handler returned through sa_restorer: its ret popped the return
 * address, so the ucontext is at rsp. */
static long sys_rt_sigreturn(const struct sysargs *a)
{
	struct trapframe *tf = a->tf;
	struct thread *t = current();
	struct linux_ucontext uc;

	t->restart.fn = NULL;
	if (copy_from_user(&uc, tf->rsp, sizeof uc) || !canonical(uc.mcontext.rip) ||
	    !canonical(uc.mcontext.rsp) || restore_fpu(t, uc.mcontext.fpstate)) {
		sigdeliver_force_segv(tf, "bad signal frame at rt_sigreturn");
		return (long)tf->rax;
	}
	restore_registers(tf, &uc.mcontext);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	sig_set_mask(t, uc.sigmask);
	spin_unlock_irqrestore(&sig_lock, flags);
	altstack_set(t, &uc.stack, tf->rsp);	/* errors ignored, as on Linux */
	tf->error = NO_SYSCALL;	/* rax is the program's again, not a restart code */
	return (long)tf->rax;
}

static long sys_sigaltstack(const struct sysargs *a)
{
	struct thread *t = current();
	struct linux_stack new, old = altstack_state(t, a->tf->rsp);

	if (a->a[0]) {
		if (copy_from_user(&new, a->a[0], sizeof new))
			return -EFAULT;
		long err = altstack_set(t, &new, a->tf->rsp);
		if (err)
			return err;
	}
	if (a->a[1] && copy_to_user(a->a[1], &old, sizeof old))
		return -EFAULT;
	return 0;
}

static const struct syscall_entry sigframe_calls[] = {
	{ 15, sys_rt_sigreturn },
	{ 131, sys_sigaltstack },
};

SYSCALL_TABLE(sigframe_calls);
