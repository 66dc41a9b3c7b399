/* lwIP's operating-system layer, part one: time, threads, the critical
 * section, mutexes and the core lock.  Semaphores and mailboxes are in
 * sys_arch_mbox.c, memory in sys_arch_mem.c.
 *
 * lwIP runs only in threads: the tcpip thread (timers, loopback), the
 * ports' receive threads and the program's threads in socket calls, each
 * holding the core lock (LOCK_TCPIP_CORE) while inside lwIP.  Nothing here
 * may be called from an interrupt handler. */
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcp_priv.h"

#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/mutex.h"
#include "net/lwip_hooks.h"
#include "net/netif.h"
#include "net/netif_tx.h"
#include "net/rx_backlog.h"

void sys_init(void) {}

u32_t sys_now(void)
{
	return (u32_t)(clock_ns() / 1000000);
}

uint32_t net_rand32(void)
{
	uint32_t v;

	random_fill(&v, sizeof v);
	return v;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
	(void)stacksize, (void)prio;	/* kernel threads have one stack size, one priority */
	struct thread *t = thread_create(name, fn, arg);

	if (!t)
		panic("lwIP: no memory for thread %s", name);	/* lwIP has no way to fail here */
	thread_start(t);
	return t;
}

/* ---- SYS_ARCH_PROTECT: one lock for lwIP's short critical sections -------
 * (pbuf reference counts, memory statistics).  Interrupts stay off while it
 * is held, so the holder cannot be switched out; the same CPU may take it
 * again inside (nesting), which lwIP allows a port to require. */
static struct spinlock prot_lock = SPINLOCK_INIT;
static volatile int prot_cpu = -1;	/* CPU holding prot_lock */
static int prot_depth;			/* under prot_lock */

sys_prot_t sys_arch_protect(void)
{
	uint64_t flags = irq_save();
	int cpu = this_cpu()->id;

	if (__atomic_load_n(&prot_cpu, __ATOMIC_RELAXED) == cpu) {
		prot_depth++;
		return flags;
	}
	spin_lock(&prot_lock);
	prot_cpu = cpu;
	prot_depth = 1;
	return flags;
}

void sys_arch_unprotect(sys_prot_t flags)
{
	if (--prot_depth == 0) {
		prot_cpu = -1;
		spin_unlock(&prot_lock);
	}
	irq_restore(flags);
}

/* ---- mutexes: the file system's sleeping mutex ------------------------- */
err_t sys_mutex_new(sys_mutex_t *mu)
{
	mu->m = kmalloc(sizeof *mu->m);
	if (!mu->m)
		return ERR_MEM;
	mutex_init(mu->m);
	return ERR_OK;
}

void sys_mutex_lock(sys_mutex_t *mu) { mutex_lock(mu->m); }
void sys_mutex_unlock(sys_mutex_t *mu) { mutex_unlock(mu->m); }

void sys_mutex_free(sys_mutex_t *mu)
{
	kfree(mu->m);
	mu->m = NULL;
}

/* ---- the core lock ------------------------------------------------------ */
static struct thread *volatile core_owner;	/* written only by the holder */
static volatile bool core_checked;		/* set once tcpip_init returned */

void net_core_lock(void)
{
	sys_mutex_lock(&lock_tcpip_core);
	core_owner = current();
}

bool net_core_trylock(void)
{
	if (!mutex_trylock(lock_tcpip_core.m))
		return false;
	core_owner = current();
	return true;
}

/* Segments ACKs acknowledged while the lock was held: freeing them (a
 * pbuf chain each, sendfile's page references, the segment) needs no lock,
 * so it is done after the lock is let go, while other CPUs may take it. */
static struct tcp_seg *acked_segs;	/* under the core lock */

void net_acked_seg_free(struct tcp_seg *seg)
{
	seg->next = acked_segs;
	acked_segs = seg;
}

/* Frames that waited for the lock go in first (rx_backlog.c); then what
 * eth0 gathered for segmentation leaves, before anyone else may send
 * (netif_tx.c); acknowledged segments are freed after. */
static void core_release(void)
{
	net_netif_rx_backlog();
	netif_tx_flush();
	struct tcp_seg *acked = acked_segs;
	acked_segs = NULL;
	core_owner = NULL;
	sys_mutex_unlock(&lock_tcpip_core);
	tcp_segs_free(acked);
}

/* How many times an unlock takes the lock again for frames that came
 * meanwhile before it leaves them to lwIP's thread.  Under a flood the
 * receive threads push faster than lwIP takes frames in, and without a
 * bound the thread that happened to hold the lock (a program's system
 * call, holding its own locks) would feed the flood as long as it lasts. */
#define RETAKES_BEFORE_HANDOFF	8

static bool handoff_pending;	/* a message to lwIP's thread is on its way */
static unsigned long handoffs;

/* Runs on lwIP's thread, under the core lock; its unlock feeds the
 * backlog in. */
static void take_handoff(void *unused)
{
	(void)unused;
	__atomic_store_n(&handoff_pending, false, __ATOMIC_SEQ_CST);
}

/* Whether lwIP's thread will take the lock and feed the backlog: a message
 * is on its way, or posting one worked.  Without a message to spare, the
 * caller feeds it itself. */
static bool hand_off_backlog(void)
{
	if (__atomic_exchange_n(&handoff_pending, true, __ATOMIC_SEQ_CST))
		return true;
	if (tcpip_try_callback(take_handoff, NULL) == ERR_OK) {
		__atomic_fetch_add(&handoffs, 1, __ATOMIC_RELAXED);
		return true;
	}
	__atomic_store_n(&handoff_pending, false, __ATOMIC_SEQ_CST);
	return false;
}

unsigned long net_core_handoffs(void) { return handoffs; }

/* A frame left after our last look found the lock still ours: take it
 * again for that, unless someone else has, or after a few rounds leave it
 * to lwIP's thread.  Either way someone takes the lock and looks again. */
void net_core_unlock(void)
{
	for (int retakes = 0;; retakes++) {
		core_release();
		if (!rx_backlog_waiting())
			return;
		if (retakes >= RETAKES_BEFORE_HANDOFF && hand_off_backlog())
			return;
		if (!net_core_trylock())
			return;
	}
}

int net_core_locked(void)
{
	return core_owner == current();
}

/* Before tcpip_init has returned, lwip_init runs alone (it adds the
 * loopback netif without the lock, which does not exist yet). */
void net_core_start_checking(void)
{
	core_checked = true;
}

void net_core_assert_locked(const char *file, int line)
{
	if (core_checked && !net_core_locked())
		panic("lwIP entered without the core lock at %s:%d", file, line);
}
