/* Shared by the signal files: signal.c (pending sets, actions, the list of
 * threads), sigdeliver.c (the way back to user mode), sigframe.c (the
 * handler's stack frame), sys_signal.c and itimer.c (system calls). */
#ifndef AMPHI_LINUX_SIGNAL_INTERNAL_H
#define AMPHI_LINUX_SIGNAL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/waitq.h"
#include "linux/signal.h"

struct thread;

#define SIG_DFL		0
#define SIG_IGN		1

#define SA_NOCLDSTOP	0x00000001u
#define SA_NOCLDWAIT	0x00000002u
#define SA_SIGINFO	0x00000004u
#define SA_RESTORER	0x04000000u
#define SA_ONSTACK	0x08000000u
#define SA_RESTART	0x10000000u
#define SA_NODEFER	0x40000000u
#define SA_RESETHAND	0x80000000u

#define SS_ONSTACK	1
#define SS_DISABLE	2
#define SS_AUTODISARM	(1u << 31)
#define MINSIGSTKSZ	2048

/* tf->error of a system call's frame once there is nothing to restart. */
#define NO_SYSCALL	(~0ull)

/* SIGKILL and SIGSTOP: never blocked, never caught. */
#define UNBLOCKABLE	(sig_bit(SIGKILL) | sig_bit(SIGSTOP))

/* Guards every thread's sigmask, sigpending, sigsaved, sig_link and
 * signalled (the alternate stack and restart are the thread's own), every
 * process's pending set, queue of siginfos, actions and list of threads,
 * and the tree of processes (linux/process.h).  Taken with
 * spin_lock_irqsave: timers send signals from interrupt context.  Never
 * touch user memory under it. */
extern struct spinlock sig_lock;
/* Woken after every signal sent: signalfd readers and pollers wait here. */
extern struct waitq sigfd_waiters;

/* Everything below: caller holds sig_lock. */

/* Recomputes t->signalled from the pending sets and t's mask; for every
 * thread of p. */
void sig_recalc(struct thread *t);
void recalc_threads(struct process *p);
/* Sets t's mask (SIGKILL and SIGSTOP stay unblocked); if that blocks a
 * signal the process has pending, another thread is told about it. */
void sig_set_mask(struct thread *t, uint64_t mask);
/* Takes the lowest signal in set pending for t (its own first, then the
 * process's) and its siginfo; 0 when there is none. */
int sig_take(struct thread *t, uint64_t set, struct linux_siginfo *info);
/* What t may take: its own pending set and the process's. */
uint64_t sig_pending_for(const struct thread *t);
/* Drops every pending instance of sig in p (its action became "ignore"). */
void sig_flush(struct process *p, int sig);
/* Whether p's action for sig, as it stands, throws it away. */
bool sig_action_ignores(const struct process *p, int sig);
/* The default action is to ignore sig (SIGCHLD, SIGURG, SIGWINCH, and
 * SIGCONT, whose work is done when it is sent: jobctl.c). */
bool sig_default_ignores(int sig);
/* A POSIX timer's signal still queued in p (SI_TIMER, timer id, sig):
 * n more expirations go into its si_overrun instead of another signal,
 * as Linux counts them.  Whether there was one. */
bool sig_timer_queued(struct process *p, int id, int sig, int n);
/* Timer id is deleted: its signal, if still queued, goes (as Linux 6.13
 * and later drop it), so a timer that reuses the id starts afresh. */
void sig_timer_forget(struct process *p, int id);
/* Makes sig pending for process p, or for its thread t (signal_send_*
 * without the lock and the lookup).  A zombie takes nothing. */
int sig_queue(struct process *p, struct thread *t, int sig, const struct linux_siginfo *info);
/* Whether a file owner set by real and effective uid from[] may signal p
 * (Linux's sigio_perm): an effective root, or a uid matching p's real or
 * saved one. */
bool sig_owner_may_signal(const struct process *p, const uint32_t from[2]);
/* The kernel's signal (SIGIO, the terminal's SIGTTIN...) to every process
 * of group pgid, unchecked when from is NULL, else to those
 * sig_owner_may_signal(from) allows: 0 if one took it (or was passed
 * over), else the first error (-EAGAIN: a full queue), -ESRCH if there
 * is none. */
int sig_queue_group(int pgid, int sig, const struct linux_siginfo *info, const uint32_t *from);
/* After sending with sig_queue, once sig_lock is dropped: wakes the
 * signalfd readers (one that found nothing queued itself under the lock,
 * so it is there now).  Returns err. */
int signal_sent(int err);
/* Puts t on its process's list of threads with mask and starts it. */
void sig_thread_start(struct thread *t, uint64_t mask);
/* p is ending (p->exiting is set): every thread's sleeps end and each
 * ends on its way out of the kernel. */
void sig_interrupt_others(struct process *p);

/* No lock held. */

/* The interrupted system call's result, now that a signal is handled by ka
 * (NULL: by no handler): restart it or fail it with EINTR, as the restart
 * code it returned and SA_RESTART say.  Does nothing for other frames. */
void sig_syscall_interrupted(struct trapframe *tf, const struct kernel_sigaction *ka);

/* Builds the handler's frame on the user stack and points tf at the
 * handler; the interrupted system call is restarted or failed with EINTR
 * first.  0, or -EFAULT when the frame could not be written. */
int sigframe_push(struct trapframe *tf, int sig, const struct linux_siginfo *info,
		  const struct kernel_sigaction *ka);
/* A fault the program cannot go on from (a bad frame at rt_sigreturn):
 * its SIGSEGV handler, if it has one it does not block, or the end. */
void sigdeliver_force_segv(struct trapframe *tf, const char *why);

/* p's interval timers, disarmed (a new process). */
void itimer_init(struct process *p);
/* Disarms p's interval timers for good (it ends), waiting for one that
 * is firing. */
void itimer_stop(struct process *p);

/* Deletes p's POSIX timers (ptimer.c), waiting for one that is firing:
 * exec, and the end of p. */
void ptimer_delete_all(struct process *p);

#endif
