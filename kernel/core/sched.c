/* The scheduler: per-CPU run queues, round robin with a 10 ms slice, idle
 * CPUs that halt and steal work, wake-ups that prefer an idle CPU.  A
 * thread's weight scales its slice, so that busy threads sharing a CPU
 * get it in proportion to their weights (within the slices' bounds).
 *
 * Switching out a thread ends on the next thread's stack, in
 * sched_finish_switch(), which clears prev->on_cpu.  Until then no other CPU
 * may run prev, even if a wake-up already put it on a run queue: whoever
 * picks it waits for on_cpu to drop. */
#include "core/sched.h"

#include "arch/x86_64/arch.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/printk.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/watchdog.h"

struct cpu cpus[MAX_CPUS];
int ncpus = 1;

static struct spinlock threads_lock = SPINLOCK_INIT;	/* guards all_threads, nthreads */
static struct list all_threads = LIST_INIT(all_threads);
static int nthreads;
static int next_tid = 1;

struct thread *switch_to(struct thread *prev, struct thread *next);
void sched_finish_switch(struct thread *prev);
extern char thread_trampoline[];
extern char enter_user[];

static bool cpu_is_idle(const struct cpu *c)
{
	return c->online && c->current == c->idle_thread && c->nr_ready == 0;
}

static void enqueue(struct thread *t, int cpu)
{
	struct cpu *c = &cpus[cpu];
	uint64_t flags = spin_lock_irqsave(&c->rq_lock);

	t->cpu = cpu;
	list_add_tail(&c->rq, &t->rq_link);
	c->nr_ready++;
	spin_unlock_irqrestore(&c->rq_lock, flags);
	if (c != this_cpu())
		arch_send_resched(cpu);
}

/* Caller holds c->rq_lock. */
static struct thread *dequeue(struct cpu *c)
{
	if (list_empty(&c->rq))
		return NULL;
	struct list *l = c->rq.next;
	list_del(l);
	c->nr_ready--;
	return list_entry(l, struct thread, rq_link);
}

static int find_idle_cpu(int prefer)
{
	if (cpu_is_idle(&cpus[prefer]))
		return prefer;
	for (int i = 0; i < ncpus; i++)
		if (cpu_is_idle(&cpus[i]))
			return i;
	return -1;
}

static int least_loaded_cpu(void)
{
	int best = this_cpu()->id;

	for (int i = 0; i < ncpus; i++)
		if (cpus[i].online && cpus[i].nr_ready < cpus[best].nr_ready)
			best = i;
	return best;
}

/* Where a woken t runs: its own CPU if pinned; the waker's if the waker
 * hands off (thread_set_handoff) and nothing else waits there; else its
 * last CPU if idle, any idle CPU, or its last. */
static int wake_cpu(struct thread *t)
{
	struct cpu *c = this_cpu();

	if (t->pinned)
		return t->cpu;
	if (c->current->hands_off && !c->irq_depth && c->nr_ready == 0)
		return c->id;
	int cpu = find_idle_cpu(t->cpu);
	return cpu >= 0 ? cpu : t->cpu;
}

bool sched_wake(struct thread *t)
{
	int expected = THREAD_BLOCKED;

	if (!__atomic_compare_exchange_n(&t->state, &expected, THREAD_RUNNABLE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	enqueue(t, wake_cpu(t));
	return true;
}

void thread_start(struct thread *t)
{
	int cpu = t->pinned ? t->cpu : find_idle_cpu(this_cpu()->id);

	t->state = THREAD_RUNNABLE;
	enqueue(t, cpu >= 0 ? cpu : least_loaded_cpu());
}

void thread_pin(struct thread *t, int cpu)
{
	t->cpu = cpu;
	t->pinned = true;
}

void thread_set_handoff(struct thread *t) { t->hands_off = true; }

uint64_t sched_slice_ns(const struct thread *t)
{
	uint64_t ns = SLICE_NS * t->weight / SCHED_WEIGHT_DEFAULT;

	return ns < SLICE_MIN_NS ? SLICE_MIN_NS : ns > SLICE_MAX_NS ? SLICE_MAX_NS : ns;
}

void sched_set_weight(struct thread *t, uint32_t weight) { t->weight = weight; }

uint64_t thread_cpu_ns(const struct thread *t)
{
	uint64_t flags = irq_save();	/* the tick moves the current run into run_ns */
	uint64_t ns = t->run_ns + (t == current() ? clock_ns() - t->run_start : 0);

	irq_restore(flags);
	return ns;
}

static void account(struct thread *prev, struct thread *next, uint64_t now)
{
	prev->run_ns += now - prev->run_start;
	next->run_start = now;
	next->slice_end = now + sched_slice_ns(next);
}

static void switch_user_state(struct thread *prev, struct thread *next)
{
	if (prev->user)
		arch_fpu_save(prev->fpu);
	mm_switch_to(next->mm);
	if (next->user) {
		arch_fpu_restore(next->fpu);
		arch_set_fs_base(next->fs_base);
		arch_set_kernel_stack((uint64_t)next->kstack + KSTACK_SIZE);
	}
}

/* Picks what runs next on this CPU and switches to it.  Interrupts off. */
static void schedule(void)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current, *next;

	watchdog_progress();
	c->need_resched = false;
	spin_lock(&c->rq_lock);
	if (prev->state == THREAD_RUNNING && prev != c->idle_thread) {
		prev->state = THREAD_RUNNABLE;
		list_add_tail(&c->rq, &prev->rq_link);
		c->nr_ready++;
	}
	next = dequeue(c);
	spin_unlock(&c->rq_lock);
	if (!next)
		next = c->idle_thread;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return;
	}
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		cpu_relax();
	cpu_count(&c->nr_switches);
	next->state = THREAD_RUNNING;
	next->cpu = c->id;
	next->on_cpu = 1;
	c->current = next;
	account(prev, next, clock_ns());
	switch_user_state(prev, next);
	/* Flags are not switched: next would run with SMAP off. */
	BUG_ON(arch_user_access_open());
	prev = switch_to(prev, next);
	sched_finish_switch(prev);
}

void sched_finish_switch(struct thread *prev)
{
	/* Read before on_cpu drops: from then on a sleeper that was woken may
	 * run on another CPU, end there and be freed by that CPU, while this
	 * vCPU is held up (a host that preempts it).  Read after, it would be
	 * freed twice. */
	bool dead = prev->state == THREAD_DEAD;

	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	if (dead) {
		kstack_free(prev->kstack);
		kfree(prev);
	}
	timer_reprogram();
}

void sched_yield(void)
{
	uint64_t flags = irq_save();

	schedule();
	irq_restore(flags);
}

void sched_yield_if_queued(void)
{
	if (this_cpu()->nr_ready > 0)
		sched_yield();
}

void sched_yield_blocked(void)
{
	uint64_t flags = irq_save();

	/* Even when already woken (RUNNABLE, on some run queue), go through
	 * schedule(): it takes us off whichever queue holds us. */
	schedule();
	irq_restore(flags);
}

/* The last thread in c's run queue that may move, taken out of it, or
 * NULL.  Caller holds c->rq_lock. */
static struct thread *dequeue_movable(struct cpu *c)
{
	for (struct list *l = c->rq.prev; l != &c->rq; l = l->prev) {
		struct thread *t = list_entry(l, struct thread, rq_link);
		if (!t->pinned) {
			list_del(l);
			c->nr_ready--;
			return t;
		}
	}
	return NULL;
}

/* Takes a runnable thread from the busiest other CPU.  Interrupts off. */
static void steal(struct cpu *c)
{
	struct cpu *busiest = NULL;

	for (int i = 0; i < ncpus; i++)
		if (&cpus[i] != c && cpus[i].nr_ready > 0 &&
		    (!busiest || cpus[i].nr_ready > busiest->nr_ready))
			busiest = &cpus[i];
	if (!busiest)
		return;
	spin_lock(&busiest->rq_lock);
	struct thread *t = dequeue_movable(busiest);
	spin_unlock(&busiest->rq_lock);
	if (!t)
		return;
	spin_lock(&c->rq_lock);
	t->cpu = c->id;
	list_add_tail(&c->rq, &t->rq_link);
	c->nr_ready++;
	spin_unlock(&c->rq_lock);
}

_Noreturn void sched_idle_loop(void)
{
	for (;;) {
		irq_disable();
		struct cpu *c = this_cpu();
		if (c->nr_ready == 0)
			steal(c);
		if (c->nr_ready > 0) {
			schedule();
			continue;
		}
		watchdog_idle();
		c->idle = true;
		timer_reprogram();
		arch_cpu_idle();
		c->idle = false;
	}
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	uint64_t now = clock_ns();

	if (t == c->idle_thread)
		return;
	/* Its run so far counts now, so other CPUs reading its CPU time
	 * (RLIMIT_CPU, a process's clock) are at most a slice behind. */
	t->run_ns += now - t->run_start;
	t->run_start = now;
	if (now < t->slice_end)
		return;
	t->slice_end = now + sched_slice_ns(t);
	if (c->nr_ready > 0)
		c->need_resched = true;
}

void sched_return_to_user(void)
{
	watchdog_progress();
	while (this_cpu()->need_resched)
		sched_yield();
}

static uint64_t threads_made;

static struct thread *thread_alloc(const char *name)
{
	struct thread *t = kmalloc(sizeof *t);

	if (!t)
		return NULL;
	__atomic_add_fetch(&threads_made, 1, __ATOMIC_RELAXED);
	t->kstack = kstack_alloc();
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	for (int i = 0; i < (int)sizeof t->name - 1 && name[i]; i++)
		t->name[i] = name[i];
	t->state = THREAD_BLOCKED;
	t->cpu = this_cpu()->id;
	t->weight = SCHED_WEIGHT_DEFAULT;
	list_init(&t->rq_link);
	uint64_t flags = spin_lock_irqsave(&threads_lock);
	t->tid = next_tid++;
	list_add_tail(&all_threads, &t->all_link);
	nthreads++;
	spin_unlock_irqrestore(&threads_lock, flags);
	return t;
}

/* Lays out a stack that switch_to "returns" from into thread_trampoline,
 * which calls fn(arg).  top is 16-byte aligned; so is the fn slot, as the
 * trampoline's call needs. */
static void prepare_stack(struct thread *t, uint64_t top, void (*fn)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)(top - 32);

	sp[0] = (uint64_t)fn;
	sp[1] = (uint64_t)arg;
	sp -= 7;
	memset(sp, 0, 6 * sizeof *sp);	/* r15 r14 r13 r12 rbx rbp */
	sp[6] = (uint64_t)thread_trampoline;
	t->ksp = (uint64_t)sp;
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = thread_alloc(name);

	if (t)
		prepare_stack(t, (uint64_t)t->kstack + KSTACK_SIZE, fn, arg);
	return t;
}

struct thread *thread_create_user(const struct trapframe *tf)
{
	struct thread *t = thread_alloc("user");

	if (!t)
		return NULL;
	uint64_t top = (uint64_t)t->kstack + KSTACK_SIZE;
	struct trapframe *utf = (struct trapframe *)(top - sizeof *utf);

	*utf = *tf;
	t->user = true;
	arch_fpu_init_state(t->fpu);
	prepare_stack(t, (uint64_t)utf, (void (*)(void *))enter_user, utf);
	return t;
}

static void forget(struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&threads_lock);

	list_del(&t->all_link);
	nthreads--;
	spin_unlock_irqrestore(&threads_lock, flags);
}

void thread_destroy(struct thread *t)
{
	forget(t);
	kstack_free(t->kstack);
	kfree(t);
}

_Noreturn void thread_exit(void)
{
	struct thread *t = current();

	forget(t);
	irq_disable();
	t->state = THREAD_DEAD;
	schedule();
	panic("a dead thread ran again");
}

int sched_thread_count(void) { return nthreads; }

int sched_online_cpus(void)
{
	int n = 0;

	for (int i = 0; i < ncpus; i++)
		n += cpus[i].online;
	return n;
}

bool sched_prepare_cpu(int id)
{
	struct cpu *c = &cpus[id];

	if (!c->idle_thread)
		c->idle_thread = kmalloc(sizeof *c->idle_thread);
	return c->idle_thread != NULL;
}

void sched_init_cpu(int id)
{
	struct cpu *c = &cpus[id];

	if (!sched_prepare_cpu(id))
		panic("out of memory for CPU %d's idle thread", id);
	struct thread *idle = c->idle_thread;
	c->self = c;
	c->id = id;
	list_init(&c->rq);
	idle->state = THREAD_RUNNING;
	idle->on_cpu = 1;
	idle->cpu = id;
	idle->name[0] = 'i';
	list_init(&idle->rq_link);
	list_init(&idle->all_link);
	c->idle_thread = idle;
	c->current = idle;
	c->online = true;
}

struct sleeper {
	struct timer timer;
	struct thread *thread;
};

static void sleeper_wake(struct timer *t)
{
	sched_wake(container_of(t, struct sleeper, timer)->thread);
}

int sched_block_until(uint64_t deadline)
{
	struct sleeper s = { .timer.fn = sleeper_wake, .thread = current() };
	uint64_t flags = irq_save();

	timer_arm(&s.timer, deadline);	/* already past: it fires at once */
	sched_yield_blocked();
	timer_cancel(&s.timer);
	irq_restore(flags);
	return clock_ns() >= deadline ? 0 : 1;
}

int sched_sleep_until(uint64_t deadline)
{
	current()->state = THREAD_BLOCKED;
	return sched_block_until(deadline);
}

int sched_block_interruptible(uint64_t deadline)
{
	/* Orders our THREAD_BLOCKED store before the signalled load; a sender
	 * sets signalled, then wakes: one of us sees the other.  Seeing it
	 * here, wake ourselves and the sleep ends at once. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (thread_signalled())
		sched_wake(current());
	if (deadline)
		return sched_block_until(deadline);
	sched_yield_blocked();
	return 1;
}

void sched_totals(struct sched_totals *t)
{
	*t = (struct sched_totals){ .threads_made = __atomic_load_n(&threads_made, __ATOMIC_RELAXED) };
	for (int k = 0; k < ncpus; k++) {
		struct cpu *c = &cpus[k];
		t->switches += __atomic_load_n(&c->nr_switches, __ATOMIC_RELAXED);
		t->interrupts += __atomic_load_n(&c->nr_interrupts, __ATOMIC_RELAXED);
		t->faults += __atomic_load_n(&c->nr_faults, __ATOMIC_RELAXED);
		t->runnable += (unsigned)__atomic_load_n(&c->nr_ready, __ATOMIC_RELAXED) +
			       (__atomic_load_n(&c->current, __ATOMIC_RELAXED) != c->idle_thread);
	}
}
