/* Processes: the programs of the run, each with its threads, its parent and
 * children, its process group and session, its signal state, interval
 * timers, limits and identity.  The first process of a run (of each step
 * of `amphi run --before`) is its init: pid 1, the parent of orphans, and
 * its end is the run's.
 *
 * Locking: sig_lock (linux/signal_internal.h) guards the tree (parent,
 * children, state, status, pgid, sid), every process's threads list and
 * signal state; it is taken with interrupts off (timers send signals).
 * The rest is the process's own: set before its first thread runs, or
 * changed by its own threads with atomics or under the locks named. */
#ifndef AMPHI_LINUX_PROCESS_H
#define AMPHI_LINUX_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/waitq.h"
#include "linux/jobctl.h"
#include "linux/signal.h"

/* The limits amphi enforces (the rest are kept and reported). */
#define RLIMIT_CPU	0
#define RLIMIT_FSIZE	1
#define RLIMIT_DATA	2	/* kept in the address space too (vm_set_limit) */
#define RLIMIT_STACK	3
#define RLIMIT_NPROC	6
#define RLIMIT_NOFILE	7
#define RLIMIT_MEMLOCK	8	/* kept in the address space too */
#define RLIMIT_AS	9	/* kept in the address space too */
#define RLIMIT_MSGQUEUE	12	/* bytes of POSIX message queues per user (mqueue.c) */
#define RLIMIT_NICE	13
#define RLIMIT_NLIMITS	16

enum process_state { PROCESS_ALIVE, PROCESS_ZOMBIE };

struct rlimit {
	uint64_t cur, max;
};

#define RLIM_INFINITY	(~0ull)

/* An interval timer (itimer.c): its signal goes to the process. */
struct itimer {
	struct timer timer;
	struct process *process;
	int sig;
	bool cpu_time;			/* counts the process's CPU time, not clock_ns() */
	volatile uint64_t deadline;	/* on its clock; 0: disarmed */
	volatile uint64_t interval;	/* ns between expiries; 0: once */
};

#define PROCESS_PTIMERS	32	/* POSIX timers a process may have */
#define PROCESS_NGROUPS	64	/* supplementary groups kept (Linux: 65536) */

/* User and group ids: [0] real, [1] effective, [2] saved, [3] the file
 * system's (setfsuid); all 0 at start unless `amphi run --user`.  The
 * capability sets are masks of Linux's numbers (linux/cred.h). */
struct process_cred {
	uint32_t uid[4], gid[4];
	int ngroups;
	uint32_t groups[PROCESS_NGROUPS];
	uint64_t cap_effective, cap_permitted, cap_inheritable, cap_bounding, cap_ambient;
	bool keep_caps;			/* prctl(PR_SET_KEEPCAPS) */
	bool no_new_privs;		/* prctl(PR_SET_NO_NEW_PRIVS) */
};

struct process {
	int pid;

	/* Under sig_lock. */
	struct process *parent;		/* NULL: init's, or an orphan's once init is gone */
	struct list children;		/* struct process, by sibling */
	struct list sibling;
	struct list all_link;		/* in the list of every process */
	int pgid, sid;
	enum process_state state;
	int wait_status;		/* a zombie's, as wait(2) reports it */
	bool exiting;			/* exit_group or a fatal signal: every thread ends */
	int exit_status;		/* the wait status exit_group chose */
	int exit_signal;		/* sent to the parent at the end: SIGCHLD, 0, or clone's */
	int pdeath_signal;		/* prctl(PR_SET_PDEATHSIG) */
	bool undumpable;		/* prctl(PR_SET_DUMPABLE, 0): reported only */
	bool child_subreaper;		/* prctl(PR_SET_CHILD_SUBREAPER): orphans below come here */
	bool did_exec;			/* setpgid on it from the parent: EACCES */
	struct list threads;		/* its threads, by struct thread's sig_link */
	int nthreads;
	uint64_t pending;		/* signals sent to the process */
	struct list queue;		/* siginfos queued for it and its threads (signal.c) */
	struct kernel_sigaction actions[NSIG];	/* [sig - 1] */
	uint64_t ended_ns;		/* CPU time of its threads that ended */
	uint64_t children_ns;		/* and of the children it waited for */
	struct waitq child_wait;	/* its threads in wait4/waitid */
	struct waitq vfork_wait;	/* a vfork parent's thread, until the child execs or ends */
	struct process *vfork_parent;	/* a vfork child's, until then */
	struct thread *exec_thread;	/* execve: the thread that stays; the others end */
	/* Threads off the list that still hold the address space, descriptor
	 * table or directory; neither an exec nor the process's end goes on
	 * before they are 0 (and they keep the process from being freed). */
	int threads_leaving;
	int nproc_reserved;		/* RLIMIT_NPROC places its clones hold (fork.c) */
	struct waitq exec_wait;		/* the exec's thread, or the last, waits here for them */
	/* Job control (jobctl.c). */
	enum stop_state stop_state;
	int stop_signal;		/* the signal that stopped it */
	int threads_to_park;		/* while STOP_PARKING: the last tells the parent */
	enum wait_report wait_report;	/* a stop or continue wait has yet to report */
	bool continue_untold;		/* continued: the parent's SIGCHLD is still to send */
	struct waitq stop_wait;		/* its parked threads */

	struct itimer itimers[3];	/* itimer.c */
	struct timer cpu_limit;		/* RLIMIT_CPU's check (rlimit_cpu.c) */
	bool cpu_limit_on;		/* rlimit_cpu.c's, under its lock */
	bool cpu_limit_ended;		/* the same: never armed again */
	struct ptimer *ptimers[PROCESS_PTIMERS];	/* ptimer.c's, by id */
	/* Each timer's si_overrun of its last signal taken, for
	 * timer_getoverrun (signal.c's, under sig_lock). */
	int ptimer_overrun[PROCESS_PTIMERS];
	struct process_cred cred;	/* sys_cred.c's, under sig_lock */
	struct rlimit limits[RLIMIT_NLIMITS];	/* sys_misc.c's lock */
	struct list sem_undos;		/* sys_sem.c's SEM_UNDO adjustments, under its lock */
	struct pid_handle *pidfd;	/* its pidfds' (pidfd.c), made with the first; sig_lock */
	/* membarrier's REGISTER_* commands it made (sys_membarrier.c; atomic):
	 * kept by fork, cleared by exec, as Linux keeps them with the mm. */
	unsigned membarrier_registered;
	/* personality(2)'s (sys_misc.c; atomic): kept, and reported back; it
	 * changes nothing here (no address randomization to turn off). */
	unsigned personality;

	/* Set by exec (the process's only thread at that point), under
	 * sig_lock for readers in other processes (/proc). */
	char comm[16];			/* the name exec gave (the file's), or PR_SET_NAME's */
	struct exec_strings *strings;	/* exe, for /proc/PID/ */
};

/* The program's absolute path (/proc/PID/exe), shared by a forked child
 * and its parent until one of them execs.  (cmdline and environ are read
 * from the program's memory, where it may rewrite them.) */
struct exec_strings {
	volatile int refs;
	struct inode *inode;	/* the program's file, referenced, or NULL: the
				 * link leads there whatever the reader's root */
	char exe[];
};

void exec_strings_put(struct exec_strings *s);

/* What /proc/PID shows of a process, copied (and referenced) under
 * sig_lock: mm, fs and strings are NULL for a zombie.  Not its descriptor
 * table: the holder of a table's last reference closes every file in it,
 * which a reader of /proc, under vfs_lock, must never do for a process
 * ending meanwhile (a lingering socket would hold the lock for minutes). */
struct process_view {
	int pid, ppid, pgid, sid, nthreads;
	int nice;			/* a thread's, as ps shows it */
	bool zombie, stopped;
	bool sleeping;			/* every thread waits for something */
	char comm[16];
	struct process_cred cred;
	struct mm *mm;			/* grabbed (mm_drop) */
	struct fs_context *fs;		/* held (fs_context_release) */
	struct exec_strings *strings;	/* referenced (exec_strings_put) */
};

/* 0 and *v, or -ENOENT when there is no process pid. */
int process_view_get(int pid, struct process_view *v);
void process_view_put(struct process_view *v);
/* Process pid's file at descriptor fd with a new reference (file_put
 * it), or NULL; its table is not held meanwhile (see process_view). */
struct file *process_file_get(int pid, int fd);
/* Process pid's lowest open descriptor >= fd, or -1. */
int process_next_fd(int pid, int fd);
/* Whether the caller may reach process pid as a debugger (process_access.c,
 * Linux's ptrace_may_access; its fs ids checked, or with real_ids its
 * real ones): 0 and, if mm is not NULL, the process's address space
 * grabbed (mm_drop), or NULL for a zombie; -ESRCH for no such process,
 * -EACCES. */
struct mm;
int process_access(int pid, bool real_ids, struct mm **mm);
/* RLIMIT_NPROC's count is the threads of processes whose real uid is the
 * caller's, a zombie counting one until it is reaped, and the places held
 * for tasks being created.  process_nproc_hold takes a place while the
 * count is under limit (false if none); the clone gives it back with
 * process_nproc_release once its task counts itself, or has failed. */
bool process_nproc_hold(struct process *me, uint64_t limit);
void process_nproc_release(struct process *me);
/* Threads and processes now, and the last pid handed out (loadavg). */
void process_counts(int *threads, int *processes, int *last_pid);

/* p's limit res (sys_misc.c); may be called under sig_lock. */
struct rlimit process_limit(struct process *p, unsigned res);
struct mm;
/* The limits an address space holds itself to (core/vm.h: RLIMIT_AS,
 * RLIMIT_DATA, RLIMIT_MEMLOCK) take r, res's new value; others: nothing. */
void process_limit_to_mm(struct mm *mm, unsigned res, const struct rlimit *r);
/* All of them, from p's (exec's new address space). */
void process_limits_to_mm(struct process *p, struct mm *mm);
/* Its soft limit from to from + 1, unless it changed meanwhile: Linux's
 * step past each second of RLIMIT_CPU (rlimit_cpu.c).  Any context. */
void process_limit_raise_soft(struct process *p, unsigned res, uint64_t from);
/* RLIMIT_CPU (rlimit_cpu.c): p's limit is watched from now on as it is
 * set (after a change, or a fork's copy), or no longer (at its end). */
void cpu_limit_update(struct process *p);
void cpu_limit_stop(struct process *p);
/* Its soft limit alone, read without the lock (for checks on every write). */
uint64_t process_soft_limit(struct process *p, unsigned res);
/* The process ends: its semaphore adjustments are made (sys_sem.c). */
void sem_exit(struct process *p);
/* clone: the child's nice value and policy (sys_sched.c). */
void sched_params_inherit(struct thread *child, const struct thread *parent);

static inline struct process *process_of(const struct thread *t) { return t->process; }
static inline struct process *process_current(void) { return current()->process; }

/* The init process of the running step, NULL between steps.  Read
 * without the lock by the host's signal hook. */
extern struct process *volatile init_process;

/* SIGCHLD's and waitid's si_code. */
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

/* Wait statuses (wait(2)'s encoding). */
static inline int status_exited(int code) { return (code & 0xff) << 8; }
static inline int status_signaled(int sig) { return sig & 0x7f; }
/* The status amphi exits with for a wait status: the code, or 128 + N. */
int process_vm_status(int wait_status);

/* A new process (pid taken, limits and actions as a fresh one's, in no
 * tree yet), or NULL: -EAGAIN at the process limit (*err), -ENOMEM. */
struct process *process_alloc(int *err);
/* Frees a process that never ran (a failed fork), and its pid. */
void process_free(struct process *p);
/* Puts p in the tree under parent (NULL: the step's init), or beside it
 * (sibling: CLONE_PARENT), and starts its first thread t, which already
 * holds its mm, files and fs and has its signal mask. */
void process_start(struct process *p, struct process *parent, bool sibling, struct thread *t);

/* The process or thread with this id, or NULL.  Caller holds sig_lock. */
struct process *process_find(int pid);
/* Every process, zombies too: the one after p (NULL: the first), or NULL.
 * Caller holds sig_lock. */
struct process *process_next(struct process *p);
struct thread *thread_find(int tid);
/* Takes an id for a new thread; -EAGAIN at the limit of threads.  A
 * thread gives its place back with pid_put when it ends (or never ran). */
int pid_take(void);
void pid_put(void);
/* Whether a new thread fits under the limit (Linux's threads-max). */
int process_thread_limit(void);
/* Whether a process (a zombie too) has this pid; the lowest pid >= from,
 * or -1 (listing /proc).  They take sig_lock. */
bool process_exists(int pid);
int process_next_pid(int from);
/* A thread of p (to reach its mm, files, fs), or NULL for a zombie.
 * Caller holds sig_lock. */
struct thread *process_any_thread(struct process *p);

/* A zombie child goes (its parent waited for it): out of the tree now,
 * its CPU time added to its parent's children's; caller holds sig_lock.
 * Its memory goes with process_reap_free, after sig_lock is dropped. */
void process_reap(struct process *c);
void process_reap_free(struct process *c);
/* A zombie's end as its parent's waiters and SIGCHLD handler see it:
 * signo (the exit signal), CLD_EXITED or CLD_KILLED, pid, si_status. */
struct linux_siginfo process_child_info(const struct process *p);

/* t lets go of its address space, descriptor table and fs context (those
 * it holds: any may be NULL). */
void thread_drop_context(struct thread *t);
/* Ends the calling thread (exit(2)); the last one ends the process. */
_Noreturn void process_thread_exit(int code);
/* exit_group(2) and the fatal signals: the process ends with this wait
 * status, every thread as it next leaves the kernel. */
_Noreturn void process_exit(int wait_status);
/* Reports on stderr that the process was killed by sig (for the init
 * process, or always when `always`), then ends it. */
_Noreturn void process_killed(int sig, const char *why, bool always);
/* Ends the VM with status, whichever process runs, after syncing every
 * mounted file system (sleeps: thread context). */
_Noreturn void process_exit_vm(int status);
/* The same without the sync, for the end before the program started
 * (nothing written yet); callable from interrupt context. */
_Noreturn void process_exit_vm_early(int status);

/* From the kernel's init thread (linux/program.c): p is the step's init
 * (its parent none, the parent of orphans); with ends_vm its end is the
 * VM's. */
void process_set_init(struct process *p, bool ends_vm);
/* Waits until the step's init and every process it left are gone; init's
 * wait status. */
int process_wait_step(void);
/* A vfork child let go of its parent's address space (exec or end): the
 * parent goes on. */
void process_vfork_done(struct process *p);

/* What /proc/PID/exe shows (the program's absolute path, whole:
 * PATH_MAX long), made before an exec's point of no return; NULL if no
 * memory. */
struct exec_strings *exec_strings_new(const char *exe, struct inode *inode);
/* exec's part, past its point of no return: those strings (taken over). */
void process_set_identity(struct process *p, struct exec_strings *s);
/* execve: the caller becomes its process's only thread (the others end
 * as they next leave the kernel, and it takes the process's id).  0, or
 * -EAGAIN when the process ends (or another thread execs) meanwhile. */
int process_exec_alone(void);
/* After the point of no return: comm from the file name (its last 15
 * bytes' worth of base name), the exec noted, the ids and capabilities
 * the program runs with (ids: exec_args's), a vfork parent let go. */
void process_exec_done(struct process *p, struct thread *t, const char *file, const uint32_t ids[4]);

#endif
