/* Run-time interrupt vectors: a table from vector to handler, filled as
 * drivers ask.  Entries are written once before the device can raise the
 * vector, and cleared only after the device was told to stop. */
#include "arch/x86_64/msi.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/sched.h"
#include "core/spinlock.h"

struct vector_slot {
	irq_vector_fn *fn;
	void *arg;
};

static struct spinlock vectors_lock = SPINLOCK_INIT;	/* guards allocation */
static struct vector_slot slots[VEC_DYN_LAST - VEC_DYN_FIRST + 1];

int irq_vector_alloc(irq_vector_fn *fn, void *arg)
{
	uint64_t flags = spin_lock_irqsave(&vectors_lock);
	int v = -ENOSPC;

	for (int i = 0; i <= VEC_DYN_LAST - VEC_DYN_FIRST; i++) {
		if (!slots[i].fn) {
			slots[i].arg = arg;
			/* arg before fn: a dispatcher that sees fn sees arg */
			__atomic_store_n(&slots[i].fn, fn, __ATOMIC_RELEASE);
			v = VEC_DYN_FIRST + i;
			break;
		}
	}
	spin_unlock_irqrestore(&vectors_lock, flags);
	return v;
}

void irq_vector_free(int vector)
{
	if (vector >= VEC_DYN_FIRST && vector <= VEC_DYN_LAST)
		__atomic_store_n(&slots[vector - VEC_DYN_FIRST].fn, NULL, __ATOMIC_RELEASE);
}

bool irq_vector_dispatch(int vector)
{
	if (vector < VEC_DYN_FIRST || vector > VEC_DYN_LAST)
		return false;
	struct vector_slot *s = &slots[vector - VEC_DYN_FIRST];
	irq_vector_fn *fn = __atomic_load_n(&s->fn, __ATOMIC_ACQUIRE);

	if (fn)
		fn(s->arg);
	return true;
}

void msi_message(int vector, uint32_t apic_id, uint64_t *addr, uint32_t *data)
{
	/* Intel SDM 10.11: 0xfee in bits 31-20, destination APIC id in 19-12,
	 * RH = DM = 0 (physical); data: vector, fixed delivery, edge. */
	*addr = 0xfee00000u | ((apic_id & 0xff) << 12);
	*data = (uint32_t)vector & 0xff;
}

uint32_t irq_target_apic(void) { return cpus[0].apic_id; }
