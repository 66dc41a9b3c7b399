/* Sleeping reader-writer locks (rwmutex.h).  Two-phase as mutex.c: a
 * waiter counts and queues itself under m->lock, so a release between its
 * check and its sleep finds it.  Readers and writers wait on queues of
 * their own, so a release wakes all the readers or one writer. */
#include "core/rwmutex.h"

void rwmutex_init(struct rwmutex *m)
{
	m->lock = (struct spinlock)SPINLOCK_INIT;
	m->readers = m->readers_waiting = m->writers_waiting = 0;
	m->writer = m->reader_phase = false;
	waitq_init(&m->read_wq);
	waitq_init(&m->write_wq);
}

/* Sleeps once on wq.  Caller holds m->lock; it is dropped and taken
 * again. */
static void wait_once(struct rwmutex *m, struct waitq *wq)
{
	struct waiter w;

	waitq_prepare(wq, &w);
	spin_unlock(&m->lock);
	waitq_sleep(wq, &w);
	spin_lock(&m->lock);
}

void rwmutex_read_lock(struct rwmutex *m)
{
	spin_lock(&m->lock);
	while (m->writer || (m->writers_waiting && !m->reader_phase)) {
		m->readers_waiting++;
		wait_once(m, &m->read_wq);
		m->readers_waiting--;
	}
	m->readers++;
	spin_unlock(&m->lock);
}

void rwmutex_read_unlock(struct rwmutex *m)
{
	spin_lock(&m->lock);
	bool wake = !--m->readers && m->writers_waiting;
	if (!m->readers)
		m->reader_phase = false;
	spin_unlock(&m->lock);
	if (wake)
		waitq_wake_one(&m->write_wq);
}

void rwmutex_write_lock(struct rwmutex *m)
{
	spin_lock(&m->lock);
	while (m->writer || m->readers || m->reader_phase) {
		m->writers_waiting++;
		wait_once(m, &m->write_wq);
		m->writers_waiting--;
	}
	m->writer = true;
	spin_unlock(&m->lock);
}

/* The readers waiting now go first; else one writer. */
void rwmutex_write_unlock(struct rwmutex *m)
{
	spin_lock(&m->lock);
	m->writer = false;
	bool readers = m->readers_waiting > 0, writers = m->writers_waiting > 0;
	m->reader_phase = readers;
	spin_unlock(&m->lock);
	if (readers)
		waitq_wake_all(&m->read_wq);
	else if (writers)
		waitq_wake_one(&m->write_wq);
}
