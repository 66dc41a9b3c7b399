/* Processes: ids, the tree, the end of a thread and of a process.
 *
 * A process ends when its last thread does: its address space, descriptors
 * and directory go with the threads (each holds them), then, under
 * sig_lock, it becomes a zombie, its children go to the step's init (or,
 * once init is gone, to nobody, which reaps them itself), and its parent
 * is told: SIGCHLD and a wake-up of its waiters, or, when the parent
 * ignores SIGCHLD or asked for SA_NOCLDWAIT, nothing to wait for (the
 * process is freed at once).  The step's init has no parent: the kernel's
 * init thread waits for it (process_wait_step); the run's last init ends
 * the VM with its status the moment it ends, taking the rest with it, as a
 * container's init does. */
#include "linux/process.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/profile.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "dev/console.h"
#include "frame.h"
#include "fs/fdtable.h"
#include "fs/mount.h"
#include "fs/vfs.h"
#include "linux/cred.h"
#include "linux/ctty.h"
#include "linux/futex.h"
#include "linux/pidfd.h"
#include "linux/robust.h"
#include "linux/signal_internal.h"
#include "linux/trace.h"
#include "net/port.h"

#define PID_MAX		4194304	/* Linux's pid_max on 64-bit machines */
#define PID_WRAP_TO	300	/* and where it starts again (RESERVED_PIDS) */
#define THREADS_MIN	64
#define THREADS_CAP	32768

struct process *volatile init_process;
static bool init_ends_vm;			/* the run's last step */

/* Under sig_lock. */
static struct list processes = LIST_INIT(processes);
static int nprocesses, nthreads, next_pid = 1;
static bool pids_wrapped;
static struct waitq step_wait = WAITQ_INIT(step_wait);	/* the kernel's init thread */

static const char *const signal_names[32] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
	[6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
};

int process_vm_status(int wait_status)
{
	int sig = wait_status & 0x7f;

	return sig ? 128 + sig : (wait_status >> 8) & 0xff;
}

/* Threads (and so processes) are limited as Linux's threads-max is: a
 * thread's kernel stack and page tables per 128 KiB of memory. */
int process_thread_limit(void)
{
	int n = (int)(page_total_count() / 32);

	return n < THREADS_MIN ? THREADS_MIN : n > THREADS_CAP ? THREADS_CAP : n;
}

/* ---- ids ------------------------------------------------------------------- */

/* Caller holds sig_lock. */
struct process *process_find(int pid)
{
	struct list *l;

	list_for_each(l, &processes) {
		struct process *p = list_entry(l, struct process, all_link);
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

struct process *process_next(struct process *p)
{
	struct list *l = p ? p->all_link.next : processes.next;

	return l == &processes ? NULL : list_entry(l, struct process, all_link);
}

struct thread *thread_find(int tid)
{
	struct list *l, *k;

	list_for_each(l, &processes) {
		struct process *p = list_entry(l, struct process, all_link);
		list_for_each(k, &p->threads)
			if (list_entry(k, struct thread, sig_link)->tid == tid)
				return list_entry(k, struct thread, sig_link);
	}
	return NULL;
}

bool process_exists(int pid)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	bool found = process_find(pid) != NULL;

	spin_unlock_irqrestore(&sig_lock, flags);
	return found;
}

int process_next_pid(int from)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int best = -1;

	for (struct process *p = process_next(NULL); p; p = process_next(p))
		if (p->pid >= from && (best < 0 || p->pid < best))
			best = p->pid;
	spin_unlock_irqrestore(&sig_lock, flags);
	return best;
}

struct thread *process_any_thread(struct process *p)
{
	return list_empty(&p->threads) ? NULL : list_entry(p->threads.next, struct thread, sig_link);
}

/* An id is taken while a thread, process, group or session has it.
 * Caller holds sig_lock. */
static bool pid_in_use(int pid)
{
	struct list *l;

	list_for_each(l, &processes) {
		struct process *p = list_entry(l, struct process, all_link);
		if (p->pid == pid || p->pgid == pid || p->sid == pid)
			return true;
	}
	return thread_find(pid) != NULL;
}

/* Ids count up, as Linux's do, and are looked at again only after they
 * wrapped once. */
int pid_take(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int pid = -EAGAIN;

	if (nthreads < process_thread_limit()) {
		do {
			pid = next_pid++;
			if (next_pid > PID_MAX) {
				next_pid = PID_WRAP_TO;
				pids_wrapped = true;
			}
		} while (pids_wrapped && pid_in_use(pid));
		nthreads++;
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return pid;
}

void pid_put(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	nthreads--;
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* ---- life ------------------------------------------------------------------ */

static void default_limits(struct rlimit *l)
{
	for (int i = 0; i < RLIMIT_NLIMITS; i++)
		l[i] = (struct rlimit){ ~0ull, ~0ull };
	l[RLIMIT_STACK] = (struct rlimit){ 8 << 20, ~0ull };
	l[RLIMIT_MEMLOCK] = (struct rlimit){ 8 << 20, 8 << 20 };	/* Linux's MLOCK_LIMIT */
	l[4] = (struct rlimit){ 0, ~0ull };		/* RLIMIT_CORE */
	l[RLIMIT_NPROC] = (struct rlimit){ (uint64_t)process_thread_limit() / 2,
					   (uint64_t)process_thread_limit() / 2 };
	l[RLIMIT_NOFILE] = (struct rlimit){ 1024, 4096 };
	l[11] = (struct rlimit){ (uint64_t)process_thread_limit() / 2,
				 (uint64_t)process_thread_limit() / 2 };	/* RLIMIT_SIGPENDING */
	l[RLIMIT_MSGQUEUE] = (struct rlimit){ 819200, 819200 };	/* Linux's MQ_BYTES_MAX */
	l[RLIMIT_NICE] = (struct rlimit){ 0, 0 };	/* no lowering without CAP_SYS_NICE */
	l[14] = (struct rlimit){ 0, 0 };		/* RLIMIT_RTPRIO */
}

struct process *process_alloc(int *err)
{
	struct process *p = kmalloc_program(sizeof *p);

	*err = -ENOMEM;
	if (!p)
		return NULL;
	int pid = pid_take();
	if (pid < 0) {
		*err = pid;
		kfree(p);
		return NULL;
	}
	p->pid = pid;
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->all_link);
	list_init(&p->threads);
	list_init(&p->queue);
	list_init(&p->sem_undos);
	waitq_init(&p->child_wait);
	waitq_init(&p->vfork_wait);
	waitq_init(&p->exec_wait);
	waitq_init(&p->stop_wait);
	p->exit_signal = SIGCHLD;
	default_limits(p->limits);
	itimer_init(p);
	return p;
}

void exec_strings_put(struct exec_strings *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (s->inode)
		inode_put(s->inode);
	kfree(s);
}

static void free_process(struct process *p)
{
	pidfd_process_freed(p);
	exec_strings_put(p->strings);
	kfree(p);
}

void process_free(struct process *p)
{
	pid_put();
	free_process(p);
}

void process_start(struct process *p, struct process *parent, bool sibling, struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	if (sibling)
		parent = parent->parent;
	p->parent = parent;
	if (parent)
		list_add_tail(&parent->children, &p->sibling);
	list_add_tail(&processes, &p->all_link);
	nprocesses++;
	t->process = p;
	t->tid = t->tgid = p->pid;
	sig_thread_start(t, t->sigmask);
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* ---- the end ----------------------------------------------------------------- */

_Noreturn void process_exit_vm_early(int status)
{
	net_ports_report();
	profile_report();
	console_exit(status & 0xff);
}

/* The run ends: every mounted file system is synced first, so no byte a
 * program wrote is lost with the VM, and files whose last name went
 * leave the store although programs still hold them open. */
_Noreturn void process_exit_vm(int status)
{
	mount_end_all();
	process_exit_vm_early(status);
}

/* Takes p out of the tree for good.  Caller holds sig_lock; frees it
 * after dropping it (process_free). */
static void unlink_process(struct process *p)
{
	pidfd_process_unlinked(p);
	list_del(&p->sibling);
	list_del(&p->all_link);
	nprocesses--;
}

void process_reap(struct process *c)
{
	if (c->parent)
		c->parent->children_ns += c->ended_ns + c->children_ns;
	unlink_process(c);
}

void process_reap_free(struct process *c)
{
	free_process(c);
	waitq_wake_all(&step_wait);
}

struct linux_siginfo process_child_info(const struct process *p)
{
	struct linux_siginfo info = { .signo = p->exit_signal };
	int sig = p->wait_status & 0x7f;

	info.code = sig ? CLD_KILLED : CLD_EXITED;
	info.kill.pid = p->pid;
	info.kill.uid = p->cred.uid[0];	/* its real uid, as Linux's si_uid */
	info.kill.value = (uint32_t)(sig ? sig : (p->wait_status >> 8) & 0xff);	/* si_status */
	return info;
}

/* A zombie's parent learns of it, or, when it asked for no zombies (or
 * there is nobody to wait for it), the zombie goes at once: then it is
 * taken out of the tree and put on *dead for the caller to free after
 * dropping sig_lock, which it holds. */
static void tell_parent(struct process *p, struct list *dead)
{
	struct process *parent = p->parent;
	bool autoreap = p != init_process;

	if (parent) {
		const struct kernel_sigaction *ka = &parent->actions[SIGCHLD - 1];
		autoreap = p->exit_signal == SIGCHLD &&
			   (ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT));
		if (p->exit_signal) {
			struct linux_siginfo info = process_child_info(p);
			sig_queue(parent, NULL, p->exit_signal, &info);
		}
		waitq_wake_all(&parent->child_wait);
	}
	if (autoreap) {
		unlink_process(p);
		list_add_tail(dead, &p->sibling);
	}
}

/* Who takes p's orphans: its nearest living ancestor that asked to be a
 * subreaper, else the step's init, else (init is gone) nobody.  Caller
 * holds sig_lock. */
static struct process *reaper_for(struct process *p)
{
	for (struct process *a = p->parent; a; a = a->parent)
		if (a->child_subreaper && a->state == PROCESS_ALIVE)
			return a;
	return init_process && init_process != p && init_process->state == PROCESS_ALIVE ?
	       init_process : NULL;
}

/* p's children go to their new reaper, or to nobody (they then reap
 * themselves); zombies among them are reported to the new parent.  Their
 * death signals are sent.  Caller holds sig_lock; zombies nobody will
 * wait for are listed in *dead. */
static void reparent_children(struct process *p, struct list *dead)
{
	struct process *reaper = reaper_for(p);
	struct list *l, *n;

	list_for_each_safe(l, n, &p->children) {
		struct process *c = list_entry(l, struct process, sibling);
		list_del(&c->sibling);
		c->parent = reaper;
		if (reaper)
			list_add_tail(&reaper->children, &c->sibling);
		if (c->pdeath_signal) {
			struct linux_siginfo info = { .code = SI_USER, .kill.pid = p->pid };
			sig_queue(c, NULL, c->pdeath_signal, &info);
		}
		if (c->state == PROCESS_ZOMBIE)
			tell_parent(c, dead);
	}
}

/* A vfork parent waiting for p to give its address space back goes on.
 * Caller holds sig_lock. */
static void release_vfork_parent(struct process *p)
{
	if (p->vfork_parent) {
		waitq_wake_all(&p->vfork_parent->vfork_wait);
		p->vfork_parent = NULL;
	}
}

void process_vfork_done(struct process *p)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	release_vfork_parent(p);
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* Every other process of the step: init is gone. */
static void kill_the_rest(struct process *init)
{
	struct list *l;
	struct linux_siginfo info = { .code = SI_KERNEL };

	list_for_each(l, &processes) {
		struct process *p = list_entry(l, struct process, all_link);
		if (p != init && p->state == PROCESS_ALIVE)
			sig_queue(p, NULL, SIGKILL, &info);
	}
}

/* The last thread of p ended (its mm, files and fs already released). */
static void process_end(struct process *p, int wait_status)
{
	struct list dead = LIST_INIT(dead), *l, *n;

	itimer_stop(p);
	cpu_limit_stop(p);
	ptimer_delete_all(p);
	sem_exit(p);	/* before its parent hears of the end, as Linux's exit_sem */
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	p->state = PROCESS_ZOMBIE;
	p->wait_status = wait_status;
	pidfd_process_ended(p);
	release_vfork_parent(p);
	list_for_each(l, &processes) {	/* vforked with CLONE_PARENT: not a child */
		struct process *q = list_entry(l, struct process, all_link);
		if (q->vfork_parent == p)
			q->vfork_parent = NULL;
	}
	reparent_children(p, &dead);
	if (p == init_process)
		kill_the_rest(p);
	tell_parent(p, &dead);
	spin_unlock_irqrestore(&sig_lock, flags);
	signal_sent(0);	/* SIGCHLD, death signals: signalfd readers look */
	list_for_each_safe(l, n, &dead)
		free_process(list_entry(l, struct process, sibling));
	waitq_wake_all(&step_wait);
}

/* --trace's last line for the calling process: its exit code, or the
 * signal that ended it. */
static void trace_end(int wait_status)
{
	int sig = wait_status & 0x7f;

	trace_process_end(sig ? 128 + sig : (wait_status >> 8) & 0xff, sig);
}

void thread_drop_context(struct thread *t)
{
	struct mm *mm = t->mm;

	/* The scheduler loads t->mm whenever t runs, and t may sleep below
	 * (closing an inet socket may wait for the network stack's lock)
	 * while its CPU moves to another root and drops its own reference:
	 * so t->mm keeps a reference of its own until it is cleared.  Without
	 * it, t came back to an address space already freed, and the root
	 * page went back twice. */
	if (mm) {
		mm_grab(mm);
		mm_unuse(mm);
	}
	if (t->files)
		fdtable_release(t->files);
	if (t->fs)
		fs_context_release(t->fs);
	t->mm = NULL;
	t->files = NULL;
	t->fs = NULL;
	if (mm)
		mm_drop(mm);
}

/* A thread that was not its process's last has let go of its context: an
 * exec, or the last thread, waiting for that goes on.  The process may be
 * freed as soon as sig_lock is dropped. */
static void thread_left(struct process *p)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	if (--p->threads_leaving == 0)
		waitq_wake_all(&p->exec_wait);
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* Whether p's other threads are gone: off its list, and done with their
 * context.  Caller holds sig_lock. */
static bool others_gone(const struct process *p)
{
	return p->nthreads <= 1 && !p->threads_leaving;
}

/* Until p's other threads are gone, or, for an exec, p ends.  Caller holds
 * sig_lock (flags: what it saved), dropped while it sleeps. */
static uint64_t wait_others_gone(struct process *p, uint64_t flags, bool exec)
{
	while (!others_gone(p) && !(exec && p->exiting)) {
		struct waiter w;
		waitq_prepare(&p->exec_wait, &w);
		spin_unlock_irqrestore(&sig_lock, flags);
		waitq_sleep(&p->exec_wait, &w);
		flags = spin_lock_irqsave(&sig_lock);
	}
	return flags;
}

/* The last thread: the process ends once its other threads have let go of
 * what they held (their descriptors close first, as on Linux, where the
 * parent hears only when every thread is gone). */
static _Noreturn void last_thread_exit(struct thread *t, int code)
{
	struct process *p = process_of(t);
	int status = p->exiting ? p->exit_status : status_exited(code);

	if (!p->exiting)	/* else process_exit traced it */
		trace_end(status);
	if (p == init_process && init_ends_vm)
		process_exit_vm(process_vm_status(status));
	thread_drop_context(t);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	flags = wait_others_gone(p, flags, false);
	spin_unlock_irqrestore(&sig_lock, flags);
	process_end(p, status);
	pid_put();
	thread_exit();
}

/* exit, or the last thread ending any other way. */
_Noreturn void process_thread_exit(int code)
{
	struct thread *t = current();
	struct process *p = process_of(t);

	bool last = signal_thread_exit(t);	/* before it can no longer take signals */
	robust_list_release(t, t->tid);	/* before its joiner is told, as Linux */
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (!copy_to_user(t->clear_child_tid, &zero, sizeof zero))
			futex_wake(t->clear_child_tid, 1, ~0u);
	}
	if (last)
		last_thread_exit(t, code);
	thread_drop_context(t);
	thread_left(p);
	pid_put();
	thread_exit();
}

_Noreturn void process_exit(int wait_status)
{
	struct process *p = process_current();

	if (!p->exiting)
		trace_end(wait_status);
	if (p == init_process && init_ends_vm)
		process_exit_vm(process_vm_status(wait_status));
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = wait_status;
		sig_interrupt_others(p);	/* they see p->exiting on their way out */
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	process_thread_exit(0);
}

_Noreturn void process_killed(int sig, const char *why, bool always)
{
	char line[256];
	const char *name = sig > 0 && sig < 32 && signal_names[sig] ? signal_names[sig] : "a signal";
	int n = snprintf(line, sizeof line, "amphi: program killed by %s: %s\n", name, why);

	if (process_current() == init_process || always)
		console_write(FRAME_STDERR, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
	else
		printk("amphi: process %d killed by %s: %s\n", process_current()->pid, name, why);
	process_exit(status_signaled(sig));
}

/* ---- steps ------------------------------------------------------------------- */

void process_set_init(struct process *p, bool ends_vm)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	init_process = p;
	init_ends_vm = ends_vm;
	ctty_reset_locked(p->pgid);
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* Done when init is a zombie and nothing else is left: init is freed, its
 * status returned, and the next step's first process is pid 1 again. */
int process_wait_step(void)
{
	for (;;) {
		struct waiter w;
		uint64_t flags = spin_lock_irqsave(&sig_lock);
		struct process *init = init_process;
		if (init->state == PROCESS_ZOMBIE && nprocesses == 1) {
			int status = init->wait_status;
			unlink_process(init);
			init_process = NULL;
			next_pid = 1;
			pids_wrapped = false;
			spin_unlock_irqrestore(&sig_lock, flags);
			free_process(init);
			return status;
		}
		waitq_prepare(&step_wait, &w);
		spin_unlock_irqrestore(&sig_lock, flags);
		waitq_sleep(&step_wait, &w);
	}
}

/* ---- identity ------------------------------------------------------------------ */

struct exec_strings *exec_strings_new(const char *exe, struct inode *inode)
{
	struct exec_strings *s = kmalloc_program(sizeof *s + strlen(exe) + 1);

	if (s) {
		s->refs = 1;
		s->inode = inode;
		if (inode)
			inode_get(inode);
		memcpy(s->exe, exe, strlen(exe) + 1);
	}
	return s;
}

void process_set_identity(struct process *p, struct exec_strings *s)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct exec_strings *old = p->strings;

	p->strings = s;
	spin_unlock_irqrestore(&sig_lock, flags);
	exec_strings_put(old);
}

/* Whether each of p's threads sleeps (ps's S; Linux tells S from D,
 * which amphi's sleeps are not).  Caller holds sig_lock. */
static bool all_blocked(const struct process *p)
{
	const struct list *l;

	list_for_each(l, &p->threads)
		if (__atomic_load_n(&list_entry(l, struct thread, sig_link)->state, __ATOMIC_RELAXED) !=
		    THREAD_BLOCKED)
			return false;
	return p->nthreads > 0;
}

int process_view_get(int pid, struct process_view *v)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = process_find(pid);
	struct thread *t = p ? process_any_thread(p) : NULL;

	*v = (struct process_view){ .pid = pid };
	if (p) {
		v->ppid = p->parent ? p->parent->pid : 0;
		v->pgid = p->pgid;
		v->sid = p->sid;
		v->nthreads = p->nthreads;
		v->zombie = p->state == PROCESS_ZOMBIE;
		v->stopped = p->stop_state == STOP_DONE;
		v->sleeping = all_blocked(p);
		memcpy(v->comm, p->comm, sizeof v->comm);
		v->cred = p->cred;
	}
	if (t) {
		v->nice = t->nice;
		mm_grab(v->mm = t->mm);
		fs_context_hold(v->fs = t->fs);
		if ((v->strings = p->strings))
			__atomic_add_fetch(&v->strings->refs, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return p ? 0 : -ENOENT;
}

void process_view_put(struct process_view *v)
{
	if (v->mm)
		mm_drop(v->mm);
	if (v->fs)
		fs_context_release(v->fs);
	exec_strings_put(v->strings);
}

/* Looks into pid's descriptor table under sig_lock, which keeps the
 * table alive (a thread lets go of it only off the process's list). */
static struct fdtable *files_locked(int pid)
{
	struct process *p = process_find(pid);
	struct thread *t = p ? process_any_thread(p) : NULL;

	return t ? t->files : NULL;
}

struct file *process_file_get(int pid, int fd)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct fdtable *files = files_locked(pid);
	struct file *f = files ? fdtable_get(files, fd) : NULL;

	spin_unlock_irqrestore(&sig_lock, flags);
	return f;
}

int process_next_fd(int pid, int fd)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct fdtable *files = files_locked(pid);
	int next = files ? fdtable_next(files, fd) : -1;

	spin_unlock_irqrestore(&sig_lock, flags);
	return next;
}

void process_counts(int *threads, int *procs, int *last_pid)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	*threads = nthreads;
	*procs = nprocesses;
	*last_pid = next_pid - 1;
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* Caller holds sig_lock. */
static uint64_t user_tasks(uint32_t uid)
{
	uint64_t n = 0;
	struct list *l;

	list_for_each(l, &processes) {
		struct process *p = list_entry(l, struct process, all_link);
		if (p->cred.uid[0] == uid)
			n += p->state == PROCESS_ZOMBIE ? 1 :
			     (uint64_t)(p->nthreads + p->threads_leaving + p->nproc_reserved);
	}
	return n;
}

bool process_nproc_hold(struct process *me, uint64_t limit)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	bool room = user_tasks(me->cred.uid[0]) < limit;

	if (room)
		me->nproc_reserved++;
	spin_unlock_irqrestore(&sig_lock, flags);
	return room;
}

void process_nproc_release(struct process *me)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	me->nproc_reserved--;
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* Linux's comm: the file's base name, at most 15 bytes. */
static void set_comm(char out[16], const char *file)
{
	const char *base = file;

	for (const char *c = file; *c; c++)
		if (*c == '/')
			base = c + 1;
	size_t n = strnlen(base, 15);
	memset(out, 0, 16);
	memcpy(out, base, n);
}

void process_exec_done(struct process *p, struct thread *t, const char *file, const uint32_t ids[4])
{
	ptimer_delete_all(p);	/* a new image starts without POSIX timers */
	set_comm(t->name, file);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	memcpy(p->comm, t->name, sizeof p->comm);
	p->did_exec = true;
	/* A secure exec (AT_SECURE: effective ids not the real ones), a
	 * set-id image, or one that gained capabilities: its parent may no
	 * longer signal it at its death (Linux's begin_new_exec and
	 * commit_creds). */
	bool secure = ids[0] != ids[1] || ids[2] != ids[3] || ids[1] != p->cred.uid[1] ||
		      ids[3] != p->cred.gid[1];
	uint64_t had = p->cred.cap_permitted;
	cred_after_exec(&p->cred, ids);
	if (secure || (p->cred.cap_permitted & ~had))
		p->pdeath_signal = 0;
	/* A new image is dumpable again unless it runs with borrowed ids. */
	p->undumpable = p->cred.uid[0] != p->cred.uid[1] || p->cred.gid[0] != p->cred.gid[1];
	release_vfork_parent(p);
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* ---- exec: one thread left -------------------------------------------------- */

int process_exec_alone(void)
{
	struct thread *t = current();
	struct process *p = process_of(t);
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	if (p->exiting || p->exec_thread) {
		spin_unlock_irqrestore(&sig_lock, flags);
		return -EAGAIN;
	}
	p->exec_thread = t;
	sig_interrupt_others(p);	/* they see exec_thread on their way out */
	jobctl_on_exec(p);		/* or in their parking for a stop */
	/* Gone means done with the descriptor table too: fresh_start must
	 * find it the process's alone, or it copies it and the process's
	 * POSIX locks, which belong to the table, go with the old one. */
	flags = wait_others_gone(p, flags, true);
	int err = p->exiting ? -EAGAIN : 0;
	p->exec_thread = NULL;
	if (!err)
		t->tid = p->pid;	/* the process's id is its only thread's, as Linux */
	recalc_threads(p);
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}
