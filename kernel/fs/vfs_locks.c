/* Advisory locks, kept per inode in a list under one spinlock (plain: never
 * taken from interrupts, never held across user memory). */
#include "fs/vfs_locks.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/waitq.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/wait.h"

#define LOCK_SH	1
#define LOCK_EX	2
#define LOCK_NB	4
#define LOCK_UN	8

/* Lock records in all, at most: every operation walks an inode's list under
 * one spinlock, and each record is kernel memory a program asks for.  Linux
 * has no such limit; ENOLCK is its answer when records cannot be had. */
#define MAX_RECORDS	8192

enum { CLASS_FCNTL, CLASS_FLOCK };

struct lock {
	struct list link;
	/* POSIX locks: the descriptor table of the process that took them
	 * (Linux's files_struct owner); OFD and flock locks: their open file. */
	const void *owner;
	int class;
	bool posix;
	int pid;		/* POSIX: the process that took it (F_GETLK's l_pid) */
	int type;
	int64_t start, end;
};

/* A process asleep in F_SETLKW and the owner of the POSIX lock in its way:
 * an edge of the wait-for graph that deadlock detection walks.  The
 * sleeper keeps it on its stack and in the list while it waits; holder is
 * NULL from a change until the sleeper looks again (Linux forgets whom a
 * waiter waited for when it wakes it, so a wait about to end is no edge). */
struct blocked {
	struct list link;
	const void *waiter, *holder;
};

/* Linux's MAX_DEADLK_ITERATIONS: longer chains are not looked at. */
#define MAX_DEADLK_STEPS	10

static struct spinlock lock = SPINLOCK_INIT;	/* guards every inode's locks, nrecords, blocked */
static int nrecords;
static struct list blocked = LIST_INIT(blocked);
static struct waitq waiters = WAITQ_INIT(waiters);	/* woken on every unlock */

static struct lock *lock_at(struct list *l) { return list_entry(l, struct lock, link); }

static bool overlaps(const struct lock *k, int64_t start, int64_t end)
{
	return k->start <= end && start <= k->end;
}

/* Caller holds lock. */
static struct lock *conflict(struct inode *i, const void *owner, int class,
			     const struct lock_range *r)
{
	struct list *l;

	if (r->type == F_UNLCK)
		return NULL;
	list_for_each(l, &i->locks) {
		struct lock *k = lock_at(l);
		if (k->class == class && k->owner != owner && overlaps(k, r->start, r->end) &&
		    (k->type == F_WRLCK || r->type == F_WRLCK))
			return k;
	}
	return NULL;
}

/* Locks changed: every sleeper is woken (after the caller lets go of lock)
 * and looks again, so none waits for anyone until then.  Caller holds
 * lock. */
static void forget_waits(void)
{
	struct list *l;

	list_for_each(l, &blocked)
		list_entry(l, struct blocked, link)->holder = NULL;
}

/* Would owner, by waiting for holder's lock, close a cycle of POSIX lock
 * owners each waiting for the next (Linux's posix_locks_deadlock)?
 * Caller holds lock. */
static bool would_deadlock(const void *owner, const void *holder)
{
	for (int n = 0; n < MAX_DEADLK_STEPS && holder; n++) {
		const void *next = NULL;
		struct list *l;
		list_for_each(l, &blocked) {
			struct blocked *b = list_entry(l, struct blocked, link);
			if (b->waiter == holder && b->holder) {
				next = b->holder;
				break;
			}
		}
		if (next == owner)
			return true;
		holder = next;
	}
	return false;
}

int locks_test(struct inode *i, const void *owner, struct lock_range *r, int *pid)
{
	spin_lock(&lock);
	struct lock *k = conflict(i, owner, CLASS_FCNTL, r);
	if (k) {
		*r = (struct lock_range){ k->type, k->start, k->end };
		*pid = k->posix ? k->pid : -1;
	}
	spin_unlock(&lock);
	return k != NULL;
}

/* Removes owner's coverage of [start, end], splitting a lock that spans it
 * with *spare (which is then used up).  Caller holds lock. */
static void cut(struct inode *i, const void *owner, int class, int64_t start, int64_t end,
		struct lock **spare)
{
	struct list *l, *n;

	list_for_each_safe(l, n, &i->locks) {
		struct lock *k = lock_at(l);
		if (k->owner != owner || k->class != class || !overlaps(k, start, end))
			continue;
		if (k->start < start && k->end > end) {
			struct lock *right = *spare;
			*spare = NULL;
			*right = *k;
			right->start = end + 1;
			list_add_head(&k->link, &right->link);
			nrecords++;
			k->end = start - 1;
		} else if (k->start < start) {
			k->end = start - 1;
		} else if (k->end > end) {
			k->start = end + 1;
		} else {
			list_del(&k->link);
			kfree(k);
			nrecords--;
		}
	}
}

/* Adds [r] for owner, merged with its touching locks of the same type.
 * Caller holds lock; owner has nothing inside r (cut). */
static void add(struct inode *i, const void *owner, int class, const struct lock_range *r,
		struct lock *k)
{
	struct list *l, *n;

	*k = (struct lock){ .owner = owner, .class = class, .posix = owner == locks_posix_owner(),
			    .pid = current()->tgid, .type = r->type, .start = r->start, .end = r->end };
	list_for_each_safe(l, n, &i->locks) {
		struct lock *o = lock_at(l);
		if (o->owner != owner || o->class != class || o->type != k->type)
			continue;
		if ((k->start > 0 && o->end == k->start - 1) || (k->end < LOCK_END && o->start == k->end + 1)) {
			k->start = o->start < k->start ? o->start : k->start;
			k->end = o->end > k->end ? o->end : k->end;
			list_del(&o->link);
			kfree(o);
			nrecords--;
		}
	}
	list_add_tail(&i->locks, &k->link);
	nrecords++;
}

/* A conflicting lock k is in the way of owner's request: may it wait?
 * Only POSIX waits are watched for deadlocks, as on Linux.  Caller holds
 * lock. */
static int may_wait(const void *owner, int class, const struct lock *k, struct blocked *b)
{
	if (class != CLASS_FCNTL || !k->posix || owner != locks_posix_owner())
		return 0;
	if (would_deadlock(owner, k->owner))
		return -EDEADLK;
	if (!b->waiter) {
		b->waiter = owner;
		list_add_tail(&blocked, &b->link);
	}
	b->holder = k->owner;
	return 0;
}

static int set(struct inode *i, const void *owner, int class, const struct lock_range *r,
	       bool wait)
{
	struct lock *spare = kmalloc_program(sizeof *spare), *fresh = kmalloc_program(sizeof *fresh);
	struct blocked b = { .waiter = NULL };
	int err = spare && fresh ? 0 : -ENOLCK;

	while (!err) {
		struct waiter w;
		spin_lock(&lock);
		if (nrecords + 2 > MAX_RECORDS) {	/* a split and a new one at most */
			spin_unlock(&lock);
			err = -ENOLCK;
			break;
		}
		struct lock *k = conflict(i, owner, class, r);
		if (!k) {
			cut(i, owner, class, r->start, r->end, &spare);
			if (r->type != F_UNLCK)
				add(i, owner, class, r, fresh), fresh = NULL;
			forget_waits();
			spin_unlock(&lock);
			waitq_wake_all(&waiters);
			break;
		}
		if (!wait || thread_signalled()) {
			spin_unlock(&lock);
			err = wait ? -ERESTARTSYS : -EAGAIN;
			break;
		}
		if ((err = may_wait(owner, class, k, &b))) {
			spin_unlock(&lock);
			break;
		}
		waitq_prepare(&waiters, &w);
		spin_unlock(&lock);
		wait_sleep(&waiters, &w, 0);
	}
	if (b.waiter) {
		spin_lock(&lock);
		list_del(&b.link);
		spin_unlock(&lock);
	}
	kfree(spare);
	kfree(fresh);
	return err;
}

int locks_set(struct inode *i, const void *owner, const struct lock_range *r, bool wait)
{
	return set(i, owner, CLASS_FCNTL, r, wait);
}

const void *locks_posix_owner(void) { return current()->files; }

/* flock(2) converts a lock by dropping it first, as Linux and BSD do
 * (flock(2): "not guaranteed to be atomic"), so two holders of LOCK_SH
 * that both ask for LOCK_EX do not wait for each other forever: one gets
 * it.  True when f already holds a lock of that type (nothing to do). */
static bool flock_convert(struct file *f, int type)
{
	struct list *l;
	struct lock *k = NULL;

	spin_lock(&lock);
	list_for_each(l, &f->inode->locks)
		if (lock_at(l)->owner == f && lock_at(l)->class == CLASS_FLOCK)
			k = lock_at(l);
	bool same = k && k->type == type;
	if (k && !same) {
		list_del(&k->link);
		kfree(k);
		nrecords--;
		forget_waits();
	}
	spin_unlock(&lock);
	if (k && !same)
		waitq_wake_all(&waiters);
	return same;
}

int locks_flock(struct file *f, int op)
{
	struct lock_range r = { F_UNLCK, 0, LOCK_END };

	switch (op & ~LOCK_NB) {
	case LOCK_SH: r.type = F_RDLCK; break;
	case LOCK_EX: r.type = F_WRLCK; break;
	case LOCK_UN: break;
	default: return -EINVAL;
	}
	if (!f->inode)
		return 0;	/* pipes and the console: nothing else can lock them */
	if (r.type != F_UNLCK && flock_convert(f, r.type))
		return 0;
	return set(f->inode, f, CLASS_FLOCK, &r, !(op & LOCK_NB));
}

/* Drops owner's locks on f's inode. */
static void drop_owned(struct file *f, const void *owner)
{
	struct inode *i = f->inode;
	struct list *l, *n;
	bool any = false;

	if (!i)
		return;
	spin_lock(&lock);
	list_for_each_safe(l, n, &i->locks) {
		struct lock *k = lock_at(l);
		if (k->owner == owner) {
			list_del(&k->link);
			kfree(k);
			nrecords--;
			any = true;
		}
	}
	if (any)
		forget_waits();
	spin_unlock(&lock);
	if (any)
		waitq_wake_all(&waiters);
}

void locks_close(struct file *f, const void *table) { drop_owned(f, table); }

void locks_release(struct file *f) { drop_owned(f, f); }
