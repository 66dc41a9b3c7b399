#include "core/mutex.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/clock.h"
#include "core/sched.h"

/* How long a waiter spins, at most, while the holder runs.  Sleeping costs
 * more than most of these sections take: the waiter's CPU halts, and the
 * unlock must send it an IPI and its vCPU be woken, each an exit to the
 * hypervisor (tens of microseconds under TCG).  nginx at 2 vCPUs handed
 * lwIP's core lock to a sleeper about once a request (docs/bench.md). */
#define SPIN_LIMIT_US	200

void mutex_init(struct mutex *m)
{
	m->lock = (struct spinlock)SPINLOCK_INIT;
	m->held = false;
	m->waiters = 0;
	m->owner = NULL;
	m->heir = NULL;
	waitq_init(&m->wq);
}

/* Caller holds m->lock and found the mutex free. */
static void take(struct mutex *m)
{
	m->held = true;
	m->owner = current();
	m->owner_cpu = this_cpu()->id;
}

/* Whether owner is still the thread running on the CPU it took a mutex on
 * (it has not blocked or been switched out since). */
static bool owner_runs(struct thread *owner, int cpu)
{
	return __atomic_load_n(&cpus[cpu].current, __ATOMIC_RELAXED) == owner;
}

/* Waits, without the lock, while owner still holds m and runs, and the
 * time to spin lasts. */
static void spin_while_owner_runs(struct mutex *m, struct thread *owner, int cpu, uint64_t end)
{
	while (m->held && m->owner == owner && owner_runs(owner, cpu) && rdtsc() < end)
		cpu_relax();
}

/* A waiter that has slept this long in all and still finds the mutex taken
 * asks to be handed it.  Waking a sleeper takes an IPI and a vCPU's wake-up
 * (tens of microseconds under TCG), while a thread that unlocks and locks
 * again in a loop (syncfs in a loop, under vfs_lock) takes the mutex back
 * long before: its waiters' calls took seconds. */
#define HANDOFF_AFTER_US	1000

/* Caller holds m->lock.  Whether an unlock handed m to current(), which
 * asked to be the heir (*asked) before it slept; it is no longer the heir
 * in any case.  Only an unlock clears another thread's heir. */
static bool handed_to_me(struct mutex *m, struct waiter *w, bool *asked)
{
	bool handed = *asked && m->heir != w;

	if (m->heir == w)
		m->heir = NULL;
	*asked = false;
	if (handed)
		m->owner_cpu = this_cpu()->id;
	return handed;
}

/* Two-phase: the waiter queues itself under m->lock, so an unlock between
 * our check and the sleep finds it and wakes it.  An unlock wakes one
 * waiter; if another thread takes the mutex first, that one queues again
 * and the next unlock wakes the next, unless the waiter has been starved
 * for HANDOFF_AFTER_US: then it becomes the heir, to whom the next unlock
 * gives the mutex without letting it go.  Before it sleeps, a waiter
 * spins while a holder runs, holder after holder, for SPIN_LIMIT_US in
 * all. */
void mutex_lock(struct mutex *m)
{
	uint64_t spin_end = 0, starved_at = 0;
	bool asked = false;	/* to be the heir */
	struct waiter w;

	list_init(&w.link);
	for (;;) {
		spin_lock(&m->lock);
		if (handed_to_me(m, &w, &asked) || !m->held) {
			if (!m->held)
				take(m);
			spin_unlock(&m->lock);
			return;
		}
		struct thread *owner = m->owner;
		int cpu = m->owner_cpu;
		if (!spin_end)
			spin_end = rdtsc() + clock_tsc_hz() / 1000000 * SPIN_LIMIT_US;
		if (owner_runs(owner, cpu) && owner != current() && rdtsc() < spin_end) {
			spin_unlock(&m->lock);
			spin_while_owner_runs(m, owner, cpu, spin_end);
			continue;
		}
		if (!starved_at)
			starved_at = rdtsc() + clock_tsc_hz() / 1000000 * HANDOFF_AFTER_US;
		m->waiters++;
		waitq_prepare(&m->wq, &w);
		if (!m->heir && rdtsc() >= starved_at) {
			m->heir = &w;
			asked = true;
		}
		spin_unlock(&m->lock);
		waitq_sleep(&m->wq, &w);
		spin_lock(&m->lock);
		m->waiters--;
		spin_unlock(&m->lock);
	}
}

bool mutex_trylock(struct mutex *m)
{
	if (m->held)
		return false;
	spin_lock(&m->lock);
	bool free = !m->held;
	if (free)
		take(m);
	spin_unlock(&m->lock);
	return free;
}

void mutex_unlock(struct mutex *m)
{
	spin_lock(&m->lock);
	struct waiter *heir = m->heir;
	if (heir) {
		/* Still held, by the heir now: no one can slip in between. */
		m->heir = NULL;
		m->owner = heir->thread;
		waitq_wake_waiter(&m->wq, heir);
		spin_unlock(&m->lock);
		return;
	}
	m->held = false;
	m->owner = NULL;
	bool wake = m->waiters > 0;
	spin_unlock(&m->lock);
	if (wake)
		waitq_wake_one(&m->wq);
}
