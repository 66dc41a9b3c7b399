/* kcmp(2): whether two threads share a kernel object (a file at given
 * descriptors, the address space, the descriptor table, the file-system
 * context, the signal handlers, the System V undo list, a file an epoll
 * watches), for checkpointing tools and libraries that compare
 * descriptors (libdrm, systemd).  As on Linux, the answer orders objects
 * by their addresses scrambled with a secret of the boot, per kind: 0
 * the same, 1 or 2 different (consistently ordered), never an address.
 *
 * The handlers are the process's here (CLONE_SIGHAND without
 * CLONE_THREAD copies them), and so is the System V undo list: two
 * processes never share one, where Linux's call two processes that never
 * needed one (it makes it at the first SEM_UNDO, or the first thread)
 * the same, both having none.  amphi keeps no I/O contexts, so KCMP_IO
 * finds none on either side, as Linux's tasks that never made one. */
#include "core/errno.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/uaccess.h"
#include "fs/epoll.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define KCMP_FILE	0
#define KCMP_VM		1
#define KCMP_FILES	2
#define KCMP_FS		3
#define KCMP_SIGHAND	4
#define KCMP_IO		5
#define KCMP_SYSVSEM	6
#define KCMP_EPOLL_TFD	7
#define KCMP_TYPES	8

/* What a thread holds, as kcmp compares it (addresses only, never used
 * to reach the objects), and its table held for the descriptor kinds. */
struct holdings {
	const void *obj[KCMP_TYPES];
	struct fdtable *files;
};

/* Linux's kptr_obfuscate: an order among objects that tells nothing of
 * where they are. */
static uintptr_t scramble(const void *p, int type)
{
	static struct spinlock lock;
	static uintptr_t cookies[KCMP_TYPES][2];
	static bool made;

	spin_lock(&lock);
	if (!made) {
		random_fill(cookies, sizeof cookies);
		for (int k = 0; k < KCMP_TYPES; k++)
			cookies[k][1] |= (uintptr_t)1 << 63 | 1;	/* odd: no two addresses collide */
		made = true;
	}
	uintptr_t x = ((uintptr_t)p ^ cookies[type][0]) * cookies[type][1];
	spin_unlock(&lock);
	return x;
}

static long order(const void *a, const void *b, int type)
{
	uintptr_t x = scramble(a, type), y = scramble(b, type);

	return (x < y) | (x > y) << 1;
}

/* Thread tid's holdings and its process's pid: 0, or -ESRCH.  A zombie
 * (ended, not yet reaped) is found as Linux finds it, with its handlers
 * and nothing else: no memory, descriptors, file-system context or undo
 * list. */
static long hold(int tid, struct holdings *h, int *pid)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct thread *t = tid > 0 ? thread_find(tid) : NULL;
	struct process *p = t ? process_of(t) : tid > 0 ? process_find(tid) : NULL;
	if (t) {
		*h = (struct holdings){ { NULL, t->mm, t->files, t->fs, p, NULL, p }, t->files };
		if (h->files)
			fdtable_hold(h->files);
	} else if (p && p->state == PROCESS_ZOMBIE) {
		*h = (struct holdings){ { [KCMP_SIGHAND] = p }, NULL };
	} else {
		p = NULL;
	}
	if (p)
		*pid = p->pid;
	spin_unlock_irqrestore(&sig_lock, flags);
	return p ? 0 : -ESRCH;
}

static void unhold(struct holdings *h)
{
	if (h->files)
		fdtable_release(h->files);
}

/* The file at fd, as an address to compare (the reference is dropped at
 * once: the table holds the file while held).  fd is an unsigned int, as
 * Linux's get_file_raw_ptr takes it: the upper half of the register a
 * program passed is not looked at. */
static const void *file_at(struct holdings *h, uint32_t fd)
{
	struct file *f = h->files && fd <= 0x7fffffff ? fdtable_get(h->files, (int)fd) : NULL;

	if (f)
		file_put(f);
	return f;
}

struct epoll_slot {
	uint32_t efd, tfd, toff;
};

/* KCMP_EPOLL_TFD: the first thread's file at idx1 against what the
 * second's epoll at slot.efd watches as slot.tfd (its toff-th such). */
static long epoll_target(struct holdings *a, struct holdings *b, unsigned long idx1, uint64_t uslot)
{
	struct epoll_slot slot;
	const void *f = file_at(a, (uint32_t)idx1), *target;

	if (!f)
		return -EBADF;
	if (copy_from_user(&slot, uslot, sizeof slot))
		return -EFAULT;
	struct file *ep = b->files && slot.efd <= 0x7fffffff ? fdtable_get(b->files, (int)slot.efd) : NULL;
	if (!ep)
		return -EBADF;
	long err = epoll_item_file(ep, (int)slot.tfd, slot.toff, (const struct file **)&target);
	file_put(ep);
	return err ? err : order(f, target, KCMP_FILE);
}

static long compare(struct holdings *a, struct holdings *b, int type, unsigned long idx1, uint64_t idx2)
{
	if (type == KCMP_FILE) {
		const void *f = file_at(a, (uint32_t)idx1), *g = file_at(b, (uint32_t)idx2);
		return f && g ? order(f, g, KCMP_FILE) : -EBADF;
	}
	if (type == KCMP_EPOLL_TFD)
		return epoll_target(a, b, idx1, idx2);
	if (type < 0 || type >= KCMP_TYPES)
		return -EINVAL;
	return order(a->obj[type], b->obj[type], type);
}

/* Both threads found first, then whether the caller may look at each as
 * a debugger with its real ids (Linux's PTRACE_MODE_READ_REALCREDS). */
static long sys_kcmp(const struct sysargs *a)
{
	struct holdings one = { 0 }, two = { 0 };
	int pid1, pid2;
	long err = hold((int)a->a[0], &one, &pid1);

	if (!err)
		err = hold((int)a->a[1], &two, &pid2);
	if (!err && (process_access(pid1, true, NULL) || process_access(pid2, true, NULL)))
		err = -EPERM;
	if (!err)
		err = compare(&one, &two, (int)a->a[2], a->a[3], a->a[4]);
	unhold(&one);
	unhold(&two);
	return err;
}

static const struct syscall_entry kcmp_calls[] = {
	{ 312, sys_kcmp },
};

SYSCALL_TABLE(kcmp_calls);
