/* Threads, CPUs and the scheduler.
 *
 * Every CPU has its own run queue.  A thread is RUNNING on exactly one CPU,
 * RUNNABLE in exactly one run queue, BLOCKED (nowhere: something holds it to
 * wake it), or DEAD.  Blocking is two-phase so no wake-up is lost: set
 * current->state = THREAD_BLOCKED while holding the lock that the waker
 * takes, drop the lock, then sched_yield_blocked(); a sched_wake() in
 * between makes it RUNNABLE again and the yield returns at once. */
#ifndef AMPHI_CORE_SCHED_H
#define AMPHI_CORE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch_cpu.h"
#include "arch/x86_64/trapframe.h"
#include "core/kstack.h"
#include "core/list.h"
#include "core/spinlock.h"

#define MAX_CPUS	64
#define SLICE_NS	10000000ull	/* 10 ms, for the default weight */
#define SLICE_MIN_NS	1000000ull	/* the least and most any weight gives */
#define SLICE_MAX_NS	100000000ull
#define SCHED_WEIGHT_DEFAULT 1024	/* Linux's weight for nice 0 */

enum thread_state { THREAD_RUNNING, THREAD_RUNNABLE, THREAD_BLOCKED, THREAD_DEAD };

struct fdtable;
struct file;
struct fs_context;
struct mm;

struct thread {
	uint64_t ksp;			/* saved kernel rsp; switch.S uses offset 0 */
	void *kstack;			/* core/kstack.h: KSTACK_SIZE bytes over a guard */
	volatile int state;		/* enum thread_state; changed with atomics */
	volatile int on_cpu;		/* still running on (or leaving) a CPU */
	int cpu;			/* run queue it is on, or CPU it last ran on */
	bool pinned;			/* runs on cpu alone (thread_pin) */
	bool hands_off;			/* wakes others, then sleeps (thread_set_handoff) */
	int tid;
	int tgid;			/* user threads: the id of the process (its first thread's) */
	bool user;			/* has a user context (trapframe at stack top) */
	char name[16];
	struct list rq_link;		/* under cpus[cpu].rq_lock */
	struct list all_link;		/* under threads_lock */
	uint64_t slice_end;		/* ns; preempt after this */
	/* Its share of a CPU against the other busy threads there: its
	 * slices last SLICE_NS * weight / SCHED_WEIGHT_DEFAULT, within
	 * SLICE_MIN_NS..SLICE_MAX_NS (sched_set_weight). */
	volatile uint32_t weight;
	uint64_t run_ns, run_start;	/* CPU time used */

	/* User context, each held by the thread (NULL for kernel threads):
	 * the address space it runs in (core/mm.h), its descriptor table
	 * (fs/fdtable.h), its current directory and umask (fs/vfs.h), and
	 * the process it belongs to, which only linux/ looks inside. */
	struct mm *mm;
	struct fdtable *files;
	struct fs_context *fs;
	void *process;
	bool cred_real_ids;		/* linux/cred.c: access(2) checks with the real ids */
	/* linux/sys_sched.c's, under the signal lock: the nice value and
	 * scheduling policy that set weight, inherited by clone. */
	int8_t nice;
	uint8_t policy;
	bool sched_reset_on_fork;
	uint16_t ioprio;		/* ioprio_set's: kept and reported only */
	uint64_t fs_base;
	uint64_t clear_child_tid;	/* user address, CLONE_CHILD_CLEARTID */
	uint64_t robust_list;
	/* core/uaccess.h, the thread's own: inside uaccess_nosleep_begin/end
	 * (> 0), a copy's fault that would sleep fails the copy instead; a
	 * copy that failed for want of memory sets uaccess_oom, which linux/
	 * answers on the way back to user mode, no lock held. */
	int uaccess_nosleep;
	bool uaccess_oom;

	/* Signals: linux/signal.c owns these; the alternate stack and restart
	 * are the thread's own, the rest changes under the signal lock. */
	uint64_t sigmask;		/* blocked signals (bit N-1: signal N) */
	uint64_t sigpending;		/* sent to this thread alone */
	uint64_t sigsaved;		/* the mask sigsuspend replaced, while sigsaved_valid */
	bool sigsaved_valid;
	uint64_t sigwait_blocked;	/* the mask sigtimedwait unblocked its set in; else 0 */
	uint64_t altstack_sp, altstack_size;	/* sigaltstack; size 0: none */
	int altstack_flags;		/* SS_AUTODISARM */
	struct list sig_link;		/* in the signal layer's list of user threads */
	struct {			/* what restart_syscall resumes: a sleep */
		long (*fn)(struct thread *t);	/* NULL: nothing (EINTR) */
		uint64_t deadline, urem;	/* nanosleep, futex wait */
		uint64_t uaddr;			/* futex wait */
		uint32_t val, bitset;
		bool shared;
	} restart;
	/* Set by the signal layer while a signal is pending and not blocked:
	 * sleeps that can be interrupted end early and return -ERESTARTSYS. */
	volatile bool signalled;
	bool stop_parked;		/* linux/jobctl.c: parked while its process is stopped */
	/* fs/file.c: files whose last reference went while this thread was
	 * releasing another; released after it, by the same loop. */
	bool releasing;
	struct file *release_later;
	uint8_t fpu[512] __attribute__((aligned(16)));	/* fxsave area */
};

struct cpu {
	struct cpu *self;		/* %gs:0  */
	uint64_t kstack_top;		/* %gs:8  - syscall entry stack */
	uint64_t user_rsp;		/* %gs:16 - scratch for syscall entry */
	struct thread *current;		/* %gs:24 */
	int id;
	uint32_t apic_id;
	volatile bool online;
	volatile bool idle;		/* halted or about to halt */
	volatile bool need_resched;
	int irq_depth;			/* in an interrupt handler: > 0 */

	struct spinlock rq_lock;	/* guards rq and nr_ready */
	struct list rq;
	volatile int nr_ready;

	struct thread *idle_thread;
	struct mm *active_mm;		/* root loaded (referenced); kept while kernel threads run */
	/* Counted by this CPU alone with interrupts off (cpu_count), read by
	 * anyone (/proc/stat, /proc/vmstat): switches, interrupts, faults. */
	uint64_t nr_switches, nr_interrupts, nr_faults;
	struct arch_cpu arch;
} __attribute__((aligned(64)));

static inline void cpu_count(uint64_t *n) { __atomic_store_n(n, *n + 1, __ATOMIC_RELAXED); }

/* The machine's totals since boot: context switches, interrupts, page
 * faults, threads made (Linux's "processes"), and threads that are running
 * or ready to (Linux's procs_running). */
struct sched_totals {
	uint64_t switches, interrupts, faults, threads_made;
	unsigned runnable;
};
void sched_totals(struct sched_totals *t);

extern struct cpu cpus[MAX_CPUS];
extern int ncpus;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

static inline struct thread *current(void) { return this_cpu()->current; }
static inline bool thread_signalled(void) { return current()->signalled; }

/* Boot: the calling context becomes CPU `id`'s idle thread, whose struct
 * sched_prepare_cpu made beforehand (false: no memory for it) so that a
 * CPU that cannot have one is left offline instead of failing itself. */
bool sched_prepare_cpu(int id);
void sched_init_cpu(int id);

/* Creates a kernel thread that runs fn(arg), not yet started. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
/* A user thread that starts by returning to user mode with *tf. */
struct thread *thread_create_user(const struct trapframe *tf);
void thread_start(struct thread *t);
/* Before thread_start: t runs only on CPU cpu (a device queue's thread,
 * beside the CPU its interrupt goes to); nobody steals it. */
void thread_pin(struct thread *t, int cpu);
/* Before thread_start: t hands work over: it wakes the threads the work is
 * for, then sleeps (a NIC's receive thread).  A thread it wakes is queued
 * on t's CPU when nothing else waits there, not on an idle CPU: the
 * exchange stays on one CPU, with no interrupt to wake another (under
 * TCG each such wake-up is a host thread's sleep and wake-up).  t calls
 * sched_yield_if_queued() between batches of work, so that what it woke
 * does not wait for its whole burst. */
void thread_set_handoff(struct thread *t);
void thread_destroy(struct thread *t);	/* one never started */
_Noreturn void thread_exit(void);

void sched_yield(void);			/* give the CPU to another runnable thread */
void sched_yield_if_queued(void);	/* the same, only if one waits on this CPU */
void sched_yield_blocked(void);		/* current->state is BLOCKED: sleep */
bool sched_wake(struct thread *t);	/* BLOCKED -> RUNNABLE; false if it was not blocked */
_Noreturn void sched_idle_loop(void);
/* CPU time t has used, in ns: exact for the caller; for a thread running
 * on another CPU, as of that CPU's last tick (at most a slice ago). */
uint64_t thread_cpu_ns(const struct thread *t);
void sched_tick(void);			/* from the timer interrupt */
/* t's weight from its next slice on (thread.weight). */
void sched_set_weight(struct thread *t, uint32_t weight);
uint64_t sched_slice_ns(const struct thread *t);
void sched_return_to_user(void);	/* before leaving the kernel for user mode */
int sched_thread_count(void);
int sched_online_cpus(void);

/* Sleeps until clock_ns() >= deadline, or a sched_wake(); 0 when the
 * deadline passed, 1 when woken early.  sched_block_until() is the second
 * phase for a caller that already set current->state = THREAD_BLOCKED. */
int sched_sleep_until(uint64_t deadline);
int sched_block_until(uint64_t deadline);
/* sched_block_until (deadline 0: none) for a sleep a signal must end: it
 * also ends when `signalled` was set between the caller's look at it and
 * its THREAD_BLOCKED, when the sender's wake-up found it still running. */
int sched_block_interruptible(uint64_t deadline);

#endif
