#include "core/mutex.h"

void mutex_init(struct mutex *m)
{
	m->lock = (struct spinlock)SPINLOCK_INIT;
	m->held = false;
	m->waiters = 0;
	waitq_init(&m->wq);
}

/* Two-phase: the waiter queues itself under m->lock, so an unlock between
 * our check and the sleep finds it and wakes it.  An unlock wakes one
 * waiter; if another thread takes the mutex first, that one queues again
 * and the next unlock wakes the next. */
void mutex_lock(struct mutex *m)
{
	for (;;) {
		struct waiter w;
		spin_lock(&m->lock);
		if (!m->held) {
			m->held = true;
			spin_unlock(&m->lock);
			return;
		}
		m->waiters++;
		waitq_prepare(&m->wq, &w);
		spin_unlock(&m->lock);
		waitq_sleep(&m->wq, &w);
		spin_lock(&m->lock);
		m->waiters--;
		spin_unlock(&m->lock);
	}
}

void mutex_unlock(struct mutex *m)
{
	spin_lock(&m->lock);
	m->held = false;
	bool wake = m->waiters > 0;
	spin_unlock(&m->lock);
	if (wake)
		waitq_wake_one(&m->wq);
}
