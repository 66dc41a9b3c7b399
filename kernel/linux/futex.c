/* futex(2): wait, wake, requeue and wake-op, with bitsets and timeouts, as
 * Linux answers them (counts, errors, the order of its checks).  The
 * priority-inheritance operations are refused with ENOSYS, as a Linux
 * built without CONFIG_FUTEX_PI does; C libraries then report ENOTSUP for
 * PTHREAD_PRIO_INHERIT mutexes.
 *
 * Waiters hang on a hashed bucket.  A waiter reads the futex word under the
 * bucket lock and queues itself before dropping it; a waker changes the word
 * first and takes the bucket lock after; so a wake-up between "the value is
 * still val" and "asleep" is never lost.  A requeue moves a waiter to
 * another bucket while holding both locks, so a waiter that leaves on its
 * own (timeout, signal) finds its bucket through w->bucket and checks, with
 * that lock held, that it is still the one (Linux's lock_ptr).  The bucket
 * locks keep interrupts on, so the word read (or changed) under them may
 * fault a page in, but must not sleep: the copy is a no-sleep one (core/
 * uaccess.h), and a word it cannot reach so (a page of a mapped 9p or ext4
 * file not yet in) is brought in with the locks dropped, then read again,
 * as Linux's futex does.
 *
 * Keys, as Linux's get_futex_key makes them: a private futex (or a shared
 * one in private memory) is its address space and address; a shared one
 * in a MAP_SHARED mapping (or a read-only private one of a file, while the
 * page is the file's own: vm_shared_word) is the physical address of its
 * word, so processes that map the page at different addresses meet (a
 * shared key needs a readable word). */
#include "linux/futex.h"

#include <stdbool.h>

#include "core/errno.h"
#include "core/list.h"
#include "core/mm.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "linux/futex_internal.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define NBUCKETS		64

struct bucket {
	struct spinlock lock;	/* guards waiters and the fields of its waiters */
	struct list waiters;
};

struct futex_key {
	uint64_t space;			/* the mm for a private key, 0 for a physical one */
	uint64_t addr;			/* the user address, or the word's physical address */
};

struct futex_waiter {
	struct list link;		/* in bucket->waiters while queued */
	/* The bucket holding link: changed only with it and the new one
	 * locked (requeue), so holding the lock of the bucket read here and
	 * finding it unchanged means holding the right one. */
	struct bucket *bucket;
	uint64_t uaddr;			/* where it reads its word */
	struct futex_key key;
	uint32_t bitset;
	struct thread *thread;
	bool woken;			/* a waker took it off the queue */
};

static struct bucket buckets[NBUCKETS];	/* lists set up by futex_init */

static bool same_key(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->addr == b->addr;
}

static struct bucket *bucket_of(const struct futex_key *k)
{
	return &buckets[(((k->addr >> 2) ^ (k->space >> 4)) * 0x9e3779b97f4a7c15ull) >> 58];
}

void futex_init(void)
{
	for (int i = 0; i < NBUCKETS; i++)
		list_init(&buckets[i].waiters);
}

int futex_key_check(uint64_t uaddr, bool shared)
{
	uint32_t v;

	if (uaddr & 3)
		return -EINVAL;
	if (!user_range_ok(uaddr, sizeof v))
		return -EFAULT;
	return shared && copy_from_user(&v, uaddr, sizeof v) ? -EFAULT : 0;
}

/* The key for uaddr, checked as futex_key_check says. */
static int key_of(uint64_t uaddr, bool shared, struct futex_key *k)
{
	int err = futex_key_check(uaddr, shared);

	*k = (struct futex_key){ (uint64_t)mm_current(), uaddr };
	for (int tries = 0; !err && shared; tries++) {
		uint64_t pa;
		int r = vm_shared_word(mm_current(), uaddr, &pa);
		if (r >= 0) {
			if (r)
				*k = (struct futex_key){ 0, pa };
			break;
		}
		uint32_t v;	/* gone meanwhile: bring it in again */
		err = tries < 3 && !copy_from_user(&v, uaddr, sizeof v) ? 0 : -EFAULT;
	}
	return err;
}

static void lock_two(struct bucket *a, struct bucket *b)
{
	if (a > b) {
		struct bucket *t = a;
		a = b;
		b = t;
	}
	spin_lock(&a->lock);
	if (a != b)
		spin_lock(&b->lock);
}

static void unlock_two(struct bucket *a, struct bucket *b)
{
	spin_unlock(&a->lock);
	if (a != b)
		spin_unlock(&b->lock);
}

/* Locks a and b and reads the word at uaddr under them, without sleeping;
 * a word it cannot reach so is brought in with the locks dropped, and
 * read again.  0 with both locks held, or -EFAULT with neither. */
static long lock_and_read(struct bucket *a, struct bucket *b, uint64_t uaddr, uint32_t *v)
{
	for (;;) {
		lock_two(a, b);
		uaccess_nosleep_begin();
		long err = copy_from_user(v, uaddr, sizeof *v);
		uaccess_nosleep_end();
		if (!err)
			return 0;
		unlock_two(a, b);
		if (user_fault_in(uaddr, sizeof *v, false))
			return -EFAULT;
	}
}

/* Locks the bucket w is queued on, following requeues; returns it. */
static struct bucket *lock_waiter_bucket(struct futex_waiter *w)
{
	for (;;) {
		struct bucket *b = __atomic_load_n(&w->bucket, __ATOMIC_ACQUIRE);
		spin_lock(&b->lock);
		if (b == w->bucket)
			return b;
		spin_unlock(&b->lock);
	}
}

/* Takes w off its queue unless a waker already did; true if it was still
 * queued (so nobody woke it). */
static bool unqueue(struct futex_waiter *w)
{
	struct bucket *b = lock_waiter_bucket(w);
	bool queued = !w->woken;

	if (queued)
		list_del(&w->link);
	spin_unlock(&b->lock);
	return queued;
}

/* Caller holds w's bucket lock. */
static void wake_one(struct futex_waiter *w)
{
	list_del(&w->link);
	w->woken = true;
	sched_wake(w->thread);	/* w lives until the waiter takes this lock */
}

/* Queues w if the word still holds val: 0, -EAGAIN or -EFAULT. */
static long queue_if_value(struct futex_waiter *w, uint32_t val)
{
	struct bucket *b = bucket_of(&w->key);
	uint32_t cur;

	if (lock_and_read(b, b, w->uaddr, &cur))
		return -EFAULT;
	long err = cur == val ? 0 : -EAGAIN;
	if (!err) {
		w->bucket = b;
		w->woken = false;
		list_add_tail(&b->waiters, &w->link);
		current()->state = THREAD_BLOCKED;
	}
	spin_unlock(&b->lock);
	return err;
}

long futex_wait(uint64_t uaddr, bool shared, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w = { .uaddr = uaddr, .bitset = bitset, .thread = current() };
	long err;

	if (!bitset)
		return -EINVAL;
	if ((err = key_of(uaddr, shared, &w.key)))
		return err;
	for (;;) {
		if ((err = queue_if_value(&w, val)))
			return err;
		sched_block_interruptible(deadline);
		if (!unqueue(&w))
			return 0;
		if (deadline && clock_ns() >= deadline)
			return -ETIMEDOUT;
		if (thread_signalled())
			return deadline ? futex_wait_interrupted(uaddr, shared, val, deadline, bitset)
					: -ERESTARTSYS;
		/* Woken by nothing we know of: wait again, as Linux does. */
	}
}

/* Caller holds b->lock.  Linux wakes one waiter even when n <= 0. */
static int wake_locked(struct bucket *b, const struct futex_key *k, int n, uint32_t bitset)
{
	struct list *l, *next;
	int woken = 0;

	list_for_each_safe(l, next, &b->waiters) {
		struct futex_waiter *w = list_entry(l, struct futex_waiter, link);
		if (!same_key(&w->key, k) || !(w->bitset & bitset))
			continue;
		wake_one(w);
		if (++woken >= n)
			break;
	}
	return woken;
}

static int wake_key(const struct futex_key *k, int n, uint32_t bitset)
{
	struct bucket *b = bucket_of(k);

	spin_lock(&b->lock);
	int woken = wake_locked(b, k, n, bitset);
	spin_unlock(&b->lock);
	return woken;
}

int futex_wake(uint64_t uaddr, int n, uint32_t bitset)
{
	struct futex_key k;

	return key_of(uaddr, true, &k) ? 0 : wake_key(&k, n, bitset);
}

long futex_wake_checked(uint64_t uaddr, bool shared, int n, uint32_t bitset)
{
	struct futex_key k;

	if (!bitset)
		return -EINVAL;
	long err = key_of(uaddr, shared, &k);
	return err ? err : wake_key(&k, n, bitset);
}

/* Caller holds both buckets' locks. */
static void move_waiter(struct futex_waiter *w, struct bucket *to, uint64_t uaddr2,
			const struct futex_key *k2)
{
	w->uaddr = uaddr2;
	w->key = *k2;
	if (w->bucket == to)
		return;	/* same queue: moving it would meet it again in the walk */
	list_del(&w->link);
	list_add_tail(&to->waiters, &w->link);
	__atomic_store_n(&w->bucket, to, __ATOMIC_RELEASE);
}

/* Wakes nwake of uaddr's waiters and moves up to nmove more to uaddr2;
 * each waiter is looked at once, so a word requeued to itself counts its
 * waiters.  How many were woken or moved, as Linux counts them. */
static long requeue_locked(struct bucket *b1, struct bucket *b2, const struct futex_key *k1,
			   uint64_t uaddr2, const struct futex_key *k2, int nwake, int nmove)
{
	struct list *l, *next;
	int count = 0;

	list_for_each_safe(l, next, &b1->waiters) {
		if (count - nwake >= nmove)
			break;
		struct futex_waiter *w = list_entry(l, struct futex_waiter, link);
		if (!same_key(&w->key, k1))
			continue;
		if (++count <= nwake)
			wake_one(w);
		else
			move_waiter(w, b2, uaddr2, k2);
	}
	return count;
}

long futex_requeue(uint64_t uaddr, bool shared, int nwake, int nmove, uint64_t uaddr2,
		   const uint32_t *cmpval)
{
	long err;

	struct futex_key k1, k2;

	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	if ((err = key_of(uaddr, shared, &k1)) || (err = key_of(uaddr2, shared, &k2)))
		return err;
	struct bucket *b1 = bucket_of(&k1), *b2 = bucket_of(&k2);
	uint32_t cur;

	if (!cmpval)
		lock_two(b1, b2);
	else if (lock_and_read(b1, b2, uaddr, &cur))
		return -EFAULT;
	if (cmpval && cur != *cmpval)
		err = -EAGAIN;
	else
		err = requeue_locked(b1, b2, &k1, uaddr2, &k2, nwake, nmove);
	unlock_two(b1, b2);
	return err;
}

/* Locks a and b and applies WAKE_OP's operation to the word at uaddr
 * under them, as lock_and_read reads it: the result of futex_op_apply
 * with both locks held, or -EFAULT with neither (the word unchanged). */
static long lock_and_apply(struct bucket *a, struct bucket *b, uint64_t uaddr, uint32_t encoded)
{
	for (;;) {
		lock_two(a, b);
		uaccess_nosleep_begin();
		long hit = futex_op_apply(uaddr, encoded);
		uaccess_nosleep_end();
		if (hit != -EFAULT)
			return hit;
		unlock_two(a, b);
		if (user_fault_in(uaddr, sizeof(uint32_t), true))
			return -EFAULT;
	}
}

long futex_wake_op(uint64_t uaddr, bool shared, int n, uint64_t uaddr2, int n2, uint32_t encoded)
{
	struct futex_key k1, k2;
	long err;

	if ((err = key_of(uaddr, shared, &k1)) || (err = key_of(uaddr2, shared, &k2)))
		return err;
	struct bucket *b1 = bucket_of(&k1), *b2 = bucket_of(&k2);

	/* Both locks, as Linux: a waiter of either word that checked its value
	 * before the operation is queued before it, so it is woken. */
	long hit = lock_and_apply(b1, b2, uaddr2, encoded);
	if (hit == -EFAULT)
		return hit;
	long woken = hit < 0 ? hit : wake_locked(b1, &k1, n, ~0u);
	if (hit > 0)
		woken += wake_locked(b2, &k2, n2, ~0u);
	unlock_two(b1, b2);
	return woken;
}
