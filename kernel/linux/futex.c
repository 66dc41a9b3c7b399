/* futex(2): wait, wake, requeue, with bitsets and timeouts.
 *
 * Waiters hang on a hashed bucket.  A waiter reads the futex word under the
 * bucket lock and queues itself before dropping it; a waker changes the word
 * first and takes the bucket lock after; so a wake-up between "the value is
 * still val" and "asleep" is never lost.  The bucket locks keep interrupts on:
 * reading the word may fault a page in.  Private and shared futexes are the
 * same here: the program has one address space. */
#include "linux/futex.h"

#include <stdbool.h>

#include "core/errno.h"
#include "core/list.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "linux/syscall.h"
#include "linux/time.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAKE_OP		5
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE		128
#define FUTEX_CLOCK_REALTIME	256
#define NBUCKETS		64

struct futex_waiter {
	struct list link;
	uint64_t uaddr;
	uint32_t bitset;
	struct thread *thread;
	bool woken;
};

struct bucket {
	struct spinlock lock;	/* guards waiters and their fields */
	struct list waiters;
};

static struct bucket buckets[NBUCKETS];

static struct bucket *bucket_of(uint64_t uaddr)
{
	struct bucket *b = &buckets[((uaddr >> 2) * 0x9e3779b97f4a7c15ull) >> 58];

	if (!b->waiters.next)
		list_init(&b->waiters);	/* zero-initialized: first use */
	return b;
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

static long futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct bucket *b = bucket_of(uaddr);
	struct futex_waiter w = { .uaddr = uaddr, .bitset = bitset, .thread = current() };
	uint32_t cur;

	if (!bitset)
		return -EINVAL;
	spin_lock(&b->lock);
	if (copy_from_user(&cur, uaddr, sizeof cur)) {
		spin_unlock(&b->lock);
		return -EFAULT;
	}
	if (cur != val) {
		spin_unlock(&b->lock);
		return -EAGAIN;
	}
	list_add_tail(&b->waiters, &w.link);
	current()->state = THREAD_BLOCKED;
	spin_unlock(&b->lock);

	/* A signal sent before we were BLOCKED found nothing to wake: look
	 * (the fence orders the state store before the load) and wake
	 * ourselves, so the sleep ends at once. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (thread_signalled())
		sched_wake(current());
	if (deadline)
		sched_block_until(deadline);
	else
		sched_yield_blocked();

	spin_lock(&b->lock);
	bool woken = w.woken;
	if (!woken)
		list_del(&w.link);
	spin_unlock(&b->lock);
	if (woken)
		return 0;
	if (deadline && clock_ns() >= deadline)
		return -ETIMEDOUT;
	/* Interrupted: EINTR after a handler (futex(2)); with SA_RESTART an
	 * untimed wait restarts, as on Linux.  A timed one is restarted only
	 * when no handler ran, with its original timeout. */
	if (thread_signalled())
		return deadline ? -ERESTARTNOHAND : -ERESTARTSYS;
	return 0;	/* spurious: callers check the word again */
}

/* Caller holds b->lock. */
static int wake_locked(struct bucket *b, uint64_t uaddr, int n, uint32_t bitset)
{
	struct list *l, *next;
	int woken = 0;

	list_for_each_safe(l, next, &b->waiters) {
		if (woken >= n)
			break;
		struct futex_waiter *w = list_entry(l, struct futex_waiter, link);
		if (w->uaddr != uaddr || !(w->bitset & bitset))
			continue;
		struct thread *t = w->thread;
		list_del(&w->link);
		w->woken = true;
		sched_wake(t);
		woken++;
	}
	return woken;
}

int futex_wake(uint64_t uaddr, int n, uint32_t bitset)
{
	struct bucket *b = bucket_of(uaddr);

	spin_lock(&b->lock);
	int woken = wake_locked(b, uaddr, n, bitset);
	spin_unlock(&b->lock);
	return woken;
}

static long futex_requeue(uint64_t uaddr, int nwake, int nmove, uint64_t uaddr2,
			  bool cmp, uint32_t val)
{
	struct bucket *b1 = bucket_of(uaddr), *b2 = bucket_of(uaddr2);
	struct list *l, *next;
	uint32_t cur;
	long done;

	lock_two(b1, b2);
	if (cmp && copy_from_user(&cur, uaddr, sizeof cur)) {
		done = -EFAULT;
	} else if (cmp && cur != val) {
		done = -EAGAIN;
	} else {
		done = wake_locked(b1, uaddr, nwake, ~0u);
		list_for_each_safe(l, next, &b1->waiters) {
			struct futex_waiter *w = list_entry(l, struct futex_waiter, link);
			if (nmove <= 0)
				break;
			if (w->uaddr != uaddr)
				continue;
			list_del(&w->link);
			w->uaddr = uaddr2;
			list_add_tail(&b2->waiters, &w->link);
			nmove--;
			done++;
		}
	}
	unlock_two(b1, b2);
	return done;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake uaddr; if the old value
 * of uaddr2 passes cmp, wake uaddr2 too. */
static long futex_wake_op(uint64_t uaddr, int n, uint64_t uaddr2, int n2, uint32_t encoded)
{
	int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	uint32_t oparg = (encoded >> 12) & 0xfff, cmparg = encoded & 0xfff;
	uint32_t old, new;

	if (encoded & (8u << 28))
		oparg = 1u << (oparg & 31);
	if (copy_from_user(&old, uaddr2, 4))
		return -EFAULT;
	switch (op) {
	case 0: new = oparg; break;
	case 1: new = old + oparg; break;
	case 2: new = old | oparg; break;
	case 3: new = old & ~oparg; break;
	case 4: new = old ^ oparg; break;
	default: return -ENOSYS;
	}
	/* Not atomic against other CPUs' plain stores; glibc and musl do not
	 * use WAKE_OP on words other threads update without the futex. */
	if (copy_to_user(uaddr2, &new, 4))
		return -EFAULT;
	bool hit;
	switch (cmp) {
	case 0: hit = old == cmparg; break;
	case 1: hit = old != cmparg; break;
	case 2: hit = (int32_t)old < (int32_t)cmparg; break;
	case 3: hit = (int32_t)old <= (int32_t)cmparg; break;
	case 4: hit = (int32_t)old > (int32_t)cmparg; break;
	case 5: hit = (int32_t)old >= (int32_t)cmparg; break;
	default: return -ENOSYS;
	}
	long woken = futex_wake(uaddr, n, ~0u);
	if (hit)
		woken += futex_wake(uaddr2, n2, ~0u);
	return woken;
}

/* The wait deadline in clock_ns() terms: relative for FUTEX_WAIT, absolute
 * (monotonic or, with FUTEX_CLOCK_REALTIME, wall clock) for WAIT_BITSET. */
static long wait_deadline(uint64_t uts, bool absolute, bool realtime, uint64_t *deadline)
{
	uint64_t ns;

	*deadline = 0;
	if (!uts)
		return 0;
	long err = timespec_read_ns(uts, &ns);
	if (err)
		return err;
	if (!absolute)
		*deadline = clock_ns() + ns;
	else if (realtime)
		*deadline = ns > time_realtime_offset_ns() ? ns - time_realtime_offset_ns() : 1;
	else
		*deadline = ns ? ns : 1;
	return 0;
}

static long sys_futex(const struct sysargs *a)
{
	uint64_t uaddr = a->a[0], uaddr2 = a->a[4];
	int op = a->a[1] & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
	bool realtime = a->a[1] & FUTEX_CLOCK_REALTIME;
	uint32_t val = a->a[2], val3 = a->a[5];
	uint64_t deadline;
	long err;

	if (uaddr & 3)
		return -EINVAL;
	switch (op) {
	case FUTEX_WAIT:
		val3 = ~0u;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		err = wait_deadline(a->a[3], op == FUTEX_WAIT_BITSET, realtime, &deadline);
		return err ? err : futex_wait(uaddr, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = ~0u;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		return val3 ? futex_wake(uaddr, (int)(val > 0x7fffffff ? 0x7fffffff : val), val3) : -EINVAL;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if (uaddr2 & 3)
			return -EINVAL;
		return futex_requeue(uaddr, (int)val, (int)a->a[3], uaddr2, op == FUTEX_CMP_REQUEUE, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, (int)val, uaddr2, (int)a->a[3], val3);
	default:
		return -ENOSYS;
	}
}

void sys_futex_register(void)
{
	syscall_register(202, sys_futex);
}
