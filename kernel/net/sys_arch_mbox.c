/* lwIP's operating-system layer, part two: counting semaphores and bounded
 * mailboxes, both sleeping on wait queues with an optional timeout in
 * milliseconds (0: none), as lwIP's sys.h specifies. */
#include "lwip/sys.h"

#include "core/kmalloc.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/waitq.h"
#include "core/watchdog.h"

#define NS_PER_MS 1000000ull

struct net_sem {
	struct spinlock lock;	/* guards count */
	unsigned count;
	struct waitq wq;	/* threads waiting for count > 0 */
};

/* A ring of pointers: msgs[head], ... msgs[head + count - 1], modulo size. */
struct net_mbox {
	struct spinlock lock;	/* guards head and count */
	unsigned head, count, size;
	struct waitq not_empty, not_full;
	void *msgs[];
};

static uint64_t deadline_of(u32_t timeout_ms)
{
	return timeout_ms ? clock_ns() + timeout_ms * NS_PER_MS : 0;
}

/* What sys_arch_sem_wait and sys_arch_mbox_fetch return on success: the
 * milliseconds spent waiting. */
static u32_t waited_ms(uint64_t start)
{
	u32_t ms = (u32_t)((clock_ns() - start) / NS_PER_MS);
	return ms == SYS_ARCH_TIMEOUT ? ms - 1 : ms;
}

/* Second phase of a wait: the caller queued itself (waitq_prepare) while
 * holding `lock`, which this drops before sleeping. */
static void sleep_on(struct waitq *wq, struct waiter *w, struct spinlock *lock, uint64_t deadline)
{
	spin_unlock(lock);
	waitq_sleep_until(wq, w, deadline);
}

/* ---- semaphores ------------------------------------------------------------ */
err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	sem->s = kmalloc(sizeof *sem->s);
	if (!sem->s)
		return ERR_MEM;
	sem->s->lock = (struct spinlock)SPINLOCK_INIT;
	sem->s->count = count;
	waitq_init(&sem->s->wq);
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
	kfree(sem->s);
	sem->s = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
	struct net_sem *s = sem->s;

	spin_lock(&s->lock);
	s->count++;
	spin_unlock(&s->lock);
	waitq_wake_all(&s->wq);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	struct net_sem *s = sem->s;
	uint64_t start = clock_ns(), deadline = deadline_of(timeout);

	for (;;) {
		struct waiter w;
		spin_lock(&s->lock);
		if (s->count) {
			s->count--;
			spin_unlock(&s->lock);
			return waited_ms(start);
		}
		if (deadline && clock_ns() >= deadline) {
			spin_unlock(&s->lock);
			return SYS_ARCH_TIMEOUT;
		}
		waitq_prepare(&s->wq, &w);
		sleep_on(&s->wq, &w, &s->lock, deadline);
	}
}

/* ---- mailboxes ----------------------------------------------------------------- */
err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	unsigned n = size > 0 ? (unsigned)size : 64;
	struct net_mbox *b = kmalloc(sizeof *b + n * sizeof b->msgs[0]);

	mbox->b = b;
	if (!b)
		return ERR_MEM;
	b->lock = (struct spinlock)SPINLOCK_INIT;
	b->head = b->count = 0;
	b->size = n;
	waitq_init(&b->not_empty);
	waitq_init(&b->not_full);
	return ERR_OK;
}

/* lwIP empties a mailbox before freeing it. */
void sys_mbox_free(sys_mbox_t *mbox)
{
	kfree(mbox->b);
	mbox->b = NULL;
}

/* Caller holds b->lock and saw room. */
static void put(struct net_mbox *b, void *msg)
{
	b->msgs[(b->head + b->count) % b->size] = msg;
	b->count++;
}

/* Caller holds b->lock and saw a message. */
static void *take(struct net_mbox *b)
{
	void *msg = b->msgs[b->head];

	b->head = (b->head + 1) % b->size;
	b->count--;
	return msg;
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	struct net_mbox *b = mbox->b;

	spin_lock(&b->lock);
	if (b->count == b->size) {
		spin_unlock(&b->lock);
		return ERR_MEM;
	}
	put(b, msg);
	spin_unlock(&b->lock);
	waitq_wake_all(&b->not_empty);
	return ERR_OK;
}

/* lwIP is never entered from interrupt handlers here; this is trypost. */
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	struct net_mbox *b = mbox->b;

	for (;;) {
		struct waiter w;
		spin_lock(&b->lock);
		if (b->count < b->size)
			break;
		waitq_prepare(&b->not_full, &w);
		sleep_on(&b->not_full, &w, &b->lock, 0);
	}
	put(b, msg);
	spin_unlock(&b->lock);
	waitq_wake_all(&b->not_empty);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	struct net_mbox *b = mbox->b;
	void *m;

	spin_lock(&b->lock);
	if (!b->count) {
		spin_unlock(&b->lock);
		return SYS_MBOX_EMPTY;
	}
	m = take(b);
	spin_unlock(&b->lock);
	waitq_wake_all(&b->not_full);
	if (msg)
		*msg = m;
	return 0;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	struct net_mbox *b = mbox->b;
	uint64_t start = clock_ns(), deadline = deadline_of(timeout);
	void *m;

	for (;;) {
		struct waiter w;
		spin_lock(&b->lock);
		if (b->count)
			break;
		if (deadline && clock_ns() >= deadline) {
			spin_unlock(&b->lock);
			return SYS_ARCH_TIMEOUT;
		}
		waitq_prepare(&b->not_empty, &w);
		sleep_on(&b->not_empty, &w, &b->lock, deadline);
	}
	m = take(b);
	spin_unlock(&b->lock);
	watchdog_progress();	/* lwIP's thread, busy while messages keep coming */
	waitq_wake_all(&b->not_full);
	if (msg)
		*msg = m;
	return waited_ms(start);
}
