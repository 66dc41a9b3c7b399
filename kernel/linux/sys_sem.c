/* System V semaphores: semget, semop, semtimedop, semctl.
 *
 * One lock, the table's, guards every set, every semaphore and every undo
 * list; waiters sleep on one queue and look again after any change.  That
 * is simpler than Linux's per-set lists of pending operations and as
 * correct: an operation still goes through all at once or not at all, a
 * waiter whose operations can go ahead does so the next time it looks, and
 * a set removed under a waiter ends its wait with EIDRM.  The cost is
 * wake-ups of waiters that cannot go on, which matters only for programs
 * with many waiters on many sets.
 *
 * SEM_UNDO adjustments are kept per process (a pthread's threads share
 * them, as CLONE_SYSVSEM has Linux share them; between processes that flag
 * shares nothing here) and applied when the process ends. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "core/waitq.h"
#include "linux/ipc.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define SEMMSL		32000	/* Linux's defaults */
#define SEMMNS		1024000000
#define SEMOPM		500
#define SEMMNI		32000
#define SEMVMX		32767
#define SEMAEM		SEMVMX
#define SEM_UNDO	0x1000

#define GETPID		11
#define GETVAL		12
#define GETALL		13
#define GETNCNT		14
#define GETZCNT		15
#define SETVAL		16
#define SETALL		17
#define SEM_STAT	18
#define SEM_INFO	19
#define SEM_STAT_ANY	20

struct sem {
	int val;
	int pid;			/* the last to change it */
	int ncnt, zcnt;			/* waiters blocked on it: for more, for zero */
};

struct sem_set {
	struct ipc_object ipc;
	int64_t otime;			/* the last semop's */
	struct list undos;		/* struct sem_undo, by in_set */
	int nsems;
	struct sem sems[];
};

/* One process's adjustments to one set. */
struct sem_undo {
	struct list in_process, in_set;
	struct sem_set *set;
	int16_t adj[];
};

struct sembuf {
	uint16_t num;
	int16_t op;
	int16_t flg;
};

struct semid64_ds {
	struct ipc64_perm perm;
	int64_t otime;
	uint64_t unused1;
	int64_t ctime;
	uint64_t unused2;
	uint64_t nsems;
	uint64_t unused3, unused4;
};

struct seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

static struct ipc_table sets = IPC_TABLE_INIT(sets, SEMMNI);
static struct waitq sem_wait = WAITQ_INIT(sem_wait);
static long sems_total;		/* in every set, under the table's lock */

static struct sem_set *set_of(struct ipc_object *o) { return (struct sem_set *)o; }

/* ---- undo lists ------------------------------------------------------------ */

static struct sem_undo *undo_find(struct process *p, struct sem_set *s)
{
	struct list *l;

	list_for_each(l, &p->sem_undos) {
		struct sem_undo *u = list_entry(l, struct sem_undo, in_process);
		if (u->set == s)
			return u;
	}
	return NULL;
}

static struct sem_undo *undo_get(struct process *p, struct sem_set *s)
{
	struct sem_undo *u = undo_find(p, s);

	if (u || !(u = kmalloc_program(sizeof *u + (size_t)s->nsems * sizeof u->adj[0])))
		return u;
	u->set = s;
	list_add_tail(&p->sem_undos, &u->in_process);
	list_add_tail(&s->undos, &u->in_set);
	return u;
}

static void undo_free(struct sem_undo *u)
{
	list_del(&u->in_process);
	list_del(&u->in_set);
	kfree(u);
}

/* SETVAL and SETALL start semaphore num (-1: all) afresh for everyone. */
static void undo_clear(struct sem_set *s, int num)
{
	struct list *l;

	list_for_each(l, &s->undos) {
		struct sem_undo *u = list_entry(l, struct sem_undo, in_set);
		if (num >= 0)
			u->adj[num] = 0;
		else
			memset(u->adj, 0, (size_t)s->nsems * sizeof u->adj[0]);
	}
}

/* The process ends: its adjustments are made, each semaphore kept within
 * 0..SEMVMX, as Linux's exit_sem. */
void sem_exit(struct process *p)
{
	struct list *l, *n;
	bool changed = false;

	if (list_empty(&p->sem_undos))
		return;
	mutex_lock(&sets.lock);
	list_for_each_safe(l, n, &p->sem_undos) {
		struct sem_undo *u = list_entry(l, struct sem_undo, in_process);
		for (int i = 0; i < u->set->nsems; i++) {
			struct sem *m = &u->set->sems[i];
			if (!u->adj[i])
				continue;
			int v = m->val + u->adj[i];
			m->val = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
			m->pid = p->pid;
			changed = true;
		}
		undo_free(u);
	}
	mutex_unlock(&sets.lock);
	if (changed)
		waitq_wake_all(&sem_wait);
}

/* ---- semget ---------------------------------------------------------------- */

static long new_set(int32_t key, int nsems, int flags)
{
	if (!nsems)
		return -EINVAL;
	if (sems_total + nsems > SEMMNS)
		return -ENOSPC;
	struct sem_set *s = kmalloc_program(sizeof *s + (size_t)nsems * sizeof s->sems[0]);
	if (!s)
		return -ENOMEM;
	long err = ipc_add(&sets, &s->ipc, key, flags);
	if (err) {
		kfree(s);
		return err;
	}
	s->nsems = nsems;
	list_init(&s->undos);
	sems_total += nsems;
	return s->ipc.id;
}

static long existing_set(struct sem_set *s, int nsems, int flags)
{
	if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
		return -EEXIST;
	if (nsems > s->nsems)
		return -EINVAL;
	return ipc_may(&s->ipc, flags) ? s->ipc.id : -EACCES;
}

static long sys_semget(const struct sysargs *a)
{
	int32_t key = (int32_t)a->a[0];
	int nsems = (int)a->a[1], flags = (int)a->a[2];
	struct ipc_object *o;
	long r;

	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	mutex_lock(&sets.lock);
	if (key != IPC_PRIVATE && (o = ipc_find_key(&sets, key)))
		r = existing_set(set_of(o), nsems, flags);
	else if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
		r = -ENOENT;
	else
		r = new_set(key, nsems, flags);
	mutex_unlock(&sets.lock);
	return r;
}

/* ---- semop ----------------------------------------------------------------- */

/* One semop call as it waits: what it asks, and what it blocks on. */
struct semop_call {
	int id;
	struct sembuf *sops;
	int nsops;
	int most;			/* the highest semaphore it names */
	bool alters, undoes;
	uint64_t deadline;		/* clock_ns(); 0: none */
	int blocking;			/* the op it waits on, or -1 */
	bool waited;
};

static void undo_ops(struct sem_set *s, const struct sembuf *sops, int n)
{
	while (n-- > 0)
		s->sems[sops[n].num].val -= sops[n].op;
}

/* Linux's perform_atomic_semop: 0 and every op done, 1 and *blocking (an
 * op that must wait), or -EAGAIN (it may not) or -ERANGE, nothing done. */
static int try_ops(struct sem_set *s, const struct sembuf *sops, int n, struct sem_undo *u,
		   int *blocking)
{
	for (int i = 0; i < n; i++) {
		const struct sembuf *op = &sops[i];
		int v = s->sems[op->num].val + op->op;
		if ((op->op == 0 && s->sems[op->num].val) || v < 0) {
			undo_ops(s, sops, i);
			*blocking = i;
			return op->flg & IPC_NOWAIT ? -EAGAIN : 1;
		}
		int adj = u && (op->flg & SEM_UNDO) ? u->adj[op->num] - op->op : 0;
		if (v > SEMVMX || adj < -SEMAEM - 1 || adj > SEMAEM) {
			undo_ops(s, sops, i);
			return -ERANGE;
		}
		s->sems[op->num].val = v;
	}
	for (int i = 0; i < n; i++) {
		if (u && (sops[i].flg & SEM_UNDO))
			u->adj[sops[i].num] = (int16_t)(u->adj[sops[i].num] - sops[i].op);
		s->sems[sops[i].num].pid = process_current()->pid;
	}
	s->otime = ipc_now();
	return 0;
}

/* Counts the caller as a waiter on its blocking op's semaphore (GETNCNT,
 * GETZCNT), or stops counting it (step -1). */
static void count_waiter(struct sem_set *s, struct semop_call *c, int step)
{
	const struct sembuf *op = &c->sops[c->blocking];

	if (op->op)
		s->sems[op->num].ncnt += step;
	else
		s->sems[op->num].zcnt += step;
}

/* One look under the lock: -errno, 0 done, 1 to wait. */
static long semop_step(struct semop_call *c)
{
	struct ipc_object *o = ipc_find_id(&sets, c->id);

	if (!o)
		return c->waited ? -EIDRM : -EINVAL;
	struct sem_set *s = set_of(o);
	if (c->waited && c->blocking >= 0)
		count_waiter(s, c, -1);
	c->blocking = -1;
	if (!c->waited && c->most >= s->nsems)
		return -EFBIG;
	if (!c->waited && !ipc_may(o, c->alters ? 0222 : 0444))
		return -EACCES;
	struct sem_undo *u = c->undoes ? undo_get(process_current(), s) : NULL;
	if (c->undoes && !u)
		return -ENOMEM;
	long r = try_ops(s, c->sops, c->nsops, u, &c->blocking);
	if (r == 1 && thread_signalled())
		r = -EINTR;
	else if (r == 1 && c->deadline && clock_ns() >= c->deadline)
		r = -EAGAIN;
	if (r == 1)
		count_waiter(s, c, 1);
	else
		c->blocking = -1;
	return r;
}

static long semop_wait(struct semop_call *c)
{
	struct waiter w = { 0 };
	long r;

	for (;;) {
		mutex_lock(&sets.lock);
		r = semop_step(c);
		if (r == 1)
			waitq_prepare(&sem_wait, &w);
		mutex_unlock(&sets.lock);
		if (r != 1)
			break;
		waitq_sleep_interruptible(&sem_wait, &w, c->deadline);
		c->waited = true;
	}
	if (!r && c->alters)
		waitq_wake_all(&sem_wait);
	return r;
}

/* The operations and the timeout, checked as Linux checks them. */
static long semop_read(struct semop_call *c, uint64_t usops, uint64_t uts)
{
	uint64_t ns;
	long err;

	if (!(c->sops = kmalloc((size_t)c->nsops * sizeof *c->sops)))
		return -ENOMEM;
	if (copy_from_user(c->sops, usops, (size_t)c->nsops * sizeof *c->sops))
		return -EFAULT;
	if (uts && (err = timespec_read_ns(uts, &ns)))
		return err;
	c->deadline = uts ? clock_ns() + ns : 0;
	for (int i = 0; i < c->nsops; i++) {
		if (c->sops[i].num > c->most)
			c->most = c->sops[i].num;
		c->alters |= c->sops[i].op != 0;
		c->undoes |= (c->sops[i].flg & SEM_UNDO) != 0;
	}
	return 0;
}

/* Linux's first checks: the count and the id, then the count's limit. */
static long semtimedop(int id, uint64_t usops, unsigned nsops, uint64_t uts)
{
	struct semop_call c = { .id = id, .nsops = (int)nsops, .blocking = -1 };
	long r = nsops < 1 || id < 0 ? -EINVAL : nsops > SEMOPM ? -E2BIG : semop_read(&c, usops, uts);

	if (!r)
		r = semop_wait(&c);
	kfree(c.sops);
	return r;
}

static long sys_semop(const struct sysargs *a)
{
	return semtimedop((int)a->a[0], a->a[1], (unsigned)a->a[2], 0);
}

static long sys_semtimedop(const struct sysargs *a)
{
	return semtimedop((int)a->a[0], a->a[1], (unsigned)a->a[2], a->a[3]);
}

/* ---- semctl ---------------------------------------------------------------- */

static long stat_out(struct ipc_object *o, uint64_t ubuf)
{
	struct sem_set *s = set_of(o);
	struct semid64_ds ds = { .otime = s->otime, .ctime = s->ipc.ctime, .nsems = (uint64_t)s->nsems };

	ipc_perm_of(&s->ipc, &ds.perm);
	return copy_to_user(ubuf, &ds, sizeof ds) ? -EFAULT : 0;
}

/* IPC_INFO gives the limits, SEM_INFO what is used (semusz sets, semaem
 * semaphores); both return the highest slot in use. */
static long sem_info(int cmd, uint64_t ubuf)
{
	struct seminfo i = { .semmap = SEMMNS, .semmni = SEMMNI, .semmns = SEMMNS,
			     .semmnu = SEMMNS, .semmsl = SEMMSL, .semopm = SEMOPM,
			     .semume = SEMOPM, .semusz = 20, .semvmx = SEMVMX, .semaem = SEMAEM };

	mutex_lock(&sets.lock);
	if (cmd == SEM_INFO) {
		i.semusz = sets.used;
		i.semaem = (int32_t)sems_total;
	}
	long r = sets.highest < 0 ? 0 : sets.highest;
	mutex_unlock(&sets.lock);
	return copy_to_user(ubuf, &i, sizeof i) ? -EFAULT : r;
}

static void remove_set(struct sem_set *s)
{
	while (!list_empty(&s->undos))
		undo_free(list_entry(s->undos.next, struct sem_undo, in_set));
	ipc_remove(&sets, &s->ipc);
	sems_total -= s->nsems;
	kfree(s);
}

/* IPC_SET and IPC_RMID: the owner's or the creator's. */
static long sem_change(int id, int cmd, const struct ipc64_perm *perm)
{
	mutex_lock(&sets.lock);
	struct ipc_object *o = ipc_find_id(&sets, id);
	long r = !o ? -EINVAL : !ipc_may_change(o) ? -EPERM
		 : cmd == IPC_SET ? ipc_set_perm(o, perm) : 0;
	if (o && !r && cmd == IPC_RMID)
		remove_set(set_of(o));
	mutex_unlock(&sets.lock);
	if (!r && cmd == IPC_RMID)
		waitq_wake_all(&sem_wait);	/* its waiters: EIDRM */
	return r;
}

static long get_all(struct sem_set *s, uint64_t uarray)
{
	uint16_t *vals = kmalloc((size_t)s->nsems * sizeof *vals);

	if (!vals)
		return -ENOMEM;
	for (int i = 0; i < s->nsems; i++)
		vals[i] = (uint16_t)s->sems[i].val;
	long r = copy_to_user(uarray, vals, (size_t)s->nsems * sizeof *vals) ? -EFAULT : 0;
	kfree(vals);
	return r;
}

static long set_all(struct sem_set *s, uint64_t uarray)
{
	uint16_t *vals = kmalloc((size_t)s->nsems * sizeof *vals);
	long r = vals ? 0 : -ENOMEM;

	if (!r && copy_from_user(vals, uarray, (size_t)s->nsems * sizeof *vals))
		r = -EFAULT;
	for (int i = 0; !r && i < s->nsems; i++)
		if (vals[i] > SEMVMX)
			r = -ERANGE;
	for (int i = 0; !r && i < s->nsems; i++) {
		s->sems[i].val = vals[i];
		s->sems[i].pid = process_current()->pid;
	}
	if (!r) {
		undo_clear(s, -1);
		s->ipc.ctime = ipc_now();
	}
	kfree(vals);
	return r;
}

/* The commands on the semaphores themselves.  Caller holds the lock. */
static long sem_values(struct sem_set *s, int num, int cmd, uint64_t arg)
{
	bool set = cmd == SETVAL || cmd == SETALL;

	if (!ipc_may(&s->ipc, set ? 0222 : 0444))
		return -EACCES;
	if (cmd == GETALL)
		return get_all(s, arg);
	if (cmd == SETALL)
		return set_all(s, arg);
	if (num < 0 || num >= s->nsems)
		return -EINVAL;
	struct sem *m = &s->sems[num];
	switch (cmd) {
	case GETVAL: return m->val;
	case GETPID: return m->pid;
	case GETNCNT: return m->ncnt;
	case GETZCNT: return m->zcnt;
	}
	m->val = (int)arg;	/* SETVAL */
	m->pid = process_current()->pid;
	undo_clear(s, num);
	s->ipc.ctime = ipc_now();
	return 0;
}

static long sys_semctl(const struct sysargs *a)
{
	int id = (int)a->a[0], num = (int)a->a[1], cmd = (int)a->a[2];
	uint64_t arg = a->a[3];
	struct semid64_ds ds;

	if (id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO: case SEM_INFO:
		return sem_info(cmd, arg);
	case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY:
		return ipc_stat(&sets, id, cmd != IPC_STAT, cmd == SEM_STAT_ANY, stat_out, arg);
	case IPC_SET:
		if (copy_from_user(&ds, arg, sizeof ds))
			return -EFAULT;
		return sem_change(id, cmd, &ds.perm);
	case IPC_RMID:
		return sem_change(id, cmd, NULL);
	case SETVAL:
		if ((int)arg < 0 || (int)arg > SEMVMX)
			return -ERANGE;
		break;
	case GETVAL: case GETPID: case GETNCNT: case GETZCNT: case GETALL: case SETALL:
		break;
	default:
		return -EINVAL;
	}
	mutex_lock(&sets.lock);
	struct ipc_object *o = ipc_find_id(&sets, id);
	long r = o ? sem_values(set_of(o), num, cmd, arg) : -EINVAL;
	mutex_unlock(&sets.lock);
	if (!r && (cmd == SETVAL || cmd == SETALL))
		waitq_wake_all(&sem_wait);
	return r;
}

static const struct syscall_entry sem_calls[] = {
	{ 64, sys_semget },
	{ 65, sys_semop },
	{ 66, sys_semctl },
	{ 220, sys_semtimedop },
};

/* ---- /proc/sysvipc/sem ------------------------------------------------------ */

static void info_of(struct ipc_object *o, struct ipc_info *i)
{
	struct sem_set *set = set_of(o);

	i->sem.nsems = (uint64_t)set->nsems;
	i->sem.otime = set->otime;
}

int sem_list(struct ipc_info *out, int max) { return ipc_list(&sets, out, max, info_of); }

SYSCALL_TABLE(sem_calls);
