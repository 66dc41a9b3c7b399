/* Signals: who has what pending, and delivery on the way back to user mode
 * (a handler's frame, or the default action).  A signal is sent to one
 * thread, or to a process, where any of its threads that does not block it
 * takes it.
 *
 * Invariant (under the signal lock): thread->signalled is true exactly when
 * (thread->sigpending | its process's pending set) & ~thread->sigmask is
 * not empty, or its process is ending.  A thread sleeping interruptibly is
 * woken when it becomes true. */
#ifndef AMPHI_LINUX_SIGNAL_H
#define AMPHI_LINUX_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/trapframe.h"

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGSTKFLT	16
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGIO		29
#define SIGPWR		30
#define SIGSYS		31
#define SIGRTMIN	32
#define NSIG		64

/* si_code values. */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_QUEUE	(-1)
#define SI_TIMER	(-2)
#define SI_TKILL	(-6)
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define FPE_INTDIV	1
#define FPE_FLTDIV	3
#define FPE_FLTINV	7
#define ILL_ILLOPN	2
#define TRAP_BRKPT	1
#define BUS_ADRALN	1
#define BUS_ADRERR	2

static inline uint64_t sig_bit(int sig) { return 1ull << (sig - 1); }

/* A program's struct sigaction as the kernel takes it (x86_64 order). */
struct kernel_sigaction {
	uint64_t handler, flags, restorer, mask;
};

/* Linux's siginfo_t (128 bytes), as the program sees it. */
struct linux_siginfo {
	int32_t signo, errno_, code, pad0;
	union {
		struct { int32_t pid; uint32_t uid; uint64_t value; } kill;	/* kill, tkill, sigqueue */
		struct { int32_t tid, overrun; uint64_t value; } timer;
		struct { uint64_t addr; } fault;
		struct { int64_t band; int32_t fd; } poll;			/* SIGIO's (F_SETSIG) */
		uint8_t raw[112];
	};
};

struct process;

/* Makes sig pending for process p, or for the thread tid.  info NULL means
 * "from the kernel" (SI_KERNEL); its signo is set here.  0, -ESRCH (no
 * such thread), -EAGAIN (real-time queue full).  Any context, interrupts
 * included; p must stay alive meanwhile (the caller's own, its timers'). */
int signal_send_process(struct process *p, int sig, const struct linux_siginfo *info);
int signal_send_thread(int tid, int sig, const struct linux_siginfo *info);
/* The same for an O_ASYNC file's owner (linux/sigio.c): thread id when
 * thread, else process id, or process group -id.  from is the real and
 * effective uid of whoever set the owner: a process they may not signal
 * is passed over, as Linux's sigio_perm says.  0 or -errno as above,
 * -ESRCH when no process is left there. */
int signal_send_owner(int id, bool thread, const uint32_t from[2], int sig,
		      const struct linux_siginfo *info);
/* From the host (amphi's Ctrl-C): sig to the step's init process, from
 * interrupt context. */
void signal_send_init(int sig);
/* A write's result: -EPIPE (a pipe nobody reads, a connection the other
 * side closed) raises SIGPIPE on the writer, as Linux does.  Returns r. */
long signal_epipe(long r);
/* The same for a send on socket s with flags: streams only (Linux raises
 * no SIGPIPE for datagrams), and not with MSG_NOSIGNAL. */
struct socket;
long signal_epipe_socket(const struct socket *s, int flags, long r);
/* sig to the calling thread, as if it had called raise() (SIGPIPE). */
void signal_raise_self(int sig);

/* Hands the program's faults and its way back to user mode to this layer
 * (arch/x86_64/trap.h's user_trap_ops): a fault runs the program's
 * handler, or ends the process with a one-line report.  At boot. */
void sigdeliver_init(void);
/* A page fault found no memory: the largest process is killed (oom.c);
 * the caller's fault comes again once it is gone, unless the caller's
 * process was the largest (then this does not return).  The program's own
 * faults, and the kernel's copies on the way back to user mode: never
 * with a lock held. */
void linux_out_of_memory(void);
/* On every way back to user mode: reschedule, deliver what is pending,
 * restart or fail an interrupted system call. */
void linux_exit_to_user(struct trapframe *tf);

/* Sleeps until deadline (clock_ns(); 0: none) or until a signal is pending
 * and not blocked: 0 when the deadline passed, 1 when woken for another
 * reason (callers look again), -ERESTARTSYS for a signal. */
int signal_sleep_until(uint64_t deadline);

/* A mask for the length of one call (sigsuspend, ppoll, pselect6,
 * epoll_pwait): replaced now, the old one put back on the way to user
 * mode (by the frame's sigreturn when a handler runs, at once when the
 * call was not interrupted by a signal). */
void signal_mask_for_wait(uint64_t mask);

struct thread;
/* Starts a new thread of the caller's process with the parent's mask, no
 * alternate stack and nothing pending, and lets signals reach it. */
void signal_thread_start(struct thread *t, const struct thread *parent);
/* A user thread is ending: drop what was sent to it alone, hand what the
 * process has pending to another thread.  Whether it was the last. */
bool signal_thread_exit(struct thread *t);
/* execve replaced the program (the caller is its only thread): caught
 * signals go back to their default action, ignored ones stay ignored, the
 * mask and what is pending stay, the alternate stack goes. */
void signal_exec(void);
/* CPU time used by all the calling process's threads, ended ones
 * included (the signal layer keeps the list of threads, so it adds them
 * up). */
uint64_t signal_threads_cpu_ns(void);
/* The same of process p (core/sched.h's thread_cpu_ns says how current
 * a running thread's time is).  Caller holds sig_lock. */
uint64_t signal_process_cpu_ns(const struct process *p);

#endif
