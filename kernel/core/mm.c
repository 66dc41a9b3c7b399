/* Address spaces: lifetime, switching roots, shoot-downs to the CPUs that
 * use one.
 *
 * A CPU keeps the last user root it loaded while it runs kernel threads
 * (this_cpu()->active_mm, which holds a reference), so going idle and back
 * to the same program costs no TLB flush.  An address space's mappings go
 * when its last user leaves (mm_unuse, from a thread with interrupts on);
 * the struct and the empty root go with the last reference, which may be
 * a CPU's, dropped by the scheduler with interrupts off: nothing then
 * needs a shoot-down, since loading another root flushed that CPU. */
#include "core/mm.h"

#include "arch/x86_64/arch.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/vm.h"

/* Every address space with users, oldest first (mm_for_each). */
static struct list mms = LIST_INIT(mms);
static struct spinlock mms_lock = SPINLOCK_INIT;
static void (*teardown_hook)(struct mm *mm);

void mm_set_teardown_hook(void (*fn)(struct mm *mm)) { teardown_hook = fn; }

struct mm *mm_new(void)
{
	struct mm *mm = kmalloc_program(sizeof *mm);

	if (!mm)
		return NULL;
	mm->root = mmu_root_new();
	if (!mm->root) {
		kfree(mm);
		return NULL;
	}
	mm->lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&mm->vmas);
	mm->users = 1;
	mm->refs = 1;
	for (int i = 0; i < (int)(sizeof mm->limits / sizeof mm->limits[0]); i++)
		mm->limits[i] = UINT64_MAX;
	mm->def_flags = 0;
	spin_lock(&mms_lock);
	list_add_tail(&mms, &mm->all);
	spin_unlock(&mms_lock);
	return mm;
}

void mm_use(struct mm *mm) { __atomic_add_fetch(&mm->users, 1, __ATOMIC_RELAXED); }

void mm_grab(struct mm *mm) { __atomic_add_fetch(&mm->refs, 1, __ATOMIC_RELAXED); }

void mm_drop(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->refs, 1, __ATOMIC_ACQ_REL))
		return;
	BUG_ON(mm->cpus);
	mmu_root_free(mm->root);
	kfree(mm);
}

void mm_unuse(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL))
		return;
	if (teardown_hook)
		teardown_hook(mm);
	vm_unmap_all(mm);
	spin_lock(&mms_lock);
	list_del(&mm->all);
	spin_unlock(&mms_lock);
	mm_drop(mm);
}

void mm_for_each(void (*fn)(struct mm *mm, void *ctx), void *ctx)
{
	struct list *l;

	spin_lock(&mms_lock);
	list_for_each(l, &mms)
		fn(list_entry(l, struct mm, all), ctx);
	spin_unlock(&mms_lock);
}

void mm_switch_to(struct mm *mm)
{
	struct cpu *c = this_cpu();
	struct mm *prev = c->active_mm;
	uint64_t bit = 1ull << c->id;

	if (!mm || mm == prev)
		return;
	mm_grab(mm);
	/* A full barrier: a shoot-down that changed mm's tables before this
	 * finds our bit, or we load tables that already hold its change. */
	__atomic_fetch_or(&mm->cpus, bit, __ATOMIC_SEQ_CST);
	mmu_root_load(mm->root);
	c->active_mm = mm;
	if (prev) {
		__atomic_fetch_and(&prev->cpus, ~bit, __ATOMIC_RELEASE);
		mm_drop(prev);
	}
}

void mm_barrier(struct mm *mm)
{
	/* Ordered before reading who runs mm, as mm_flush's fence. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	arch_cpus_sync(mm ? __atomic_load_n(&mm->cpus, __ATOMIC_RELAXED) : ~0ull);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void mm_flush(struct mm *mm, uint64_t start, uint64_t end)
{
	/* Orders the caller's page-table stores before reading who may
	 * cache them (the other side of mm_switch_to's barrier). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint64_t cpus = __atomic_load_n(&mm->cpus, __ATOMIC_RELAXED);

	if (cpus)
		arch_tlb_shootdown_cpus(cpus, start, end);
}
