/* Local APIC: interrupts between CPUs, end of interrupt, the one-shot timer. */
#include "arch/x86_64/lapic.h"

#include "arch/x86_64/arch.h"
#include "core/format.h"
#include "core/printk.h"

#define REG_ID		0x020
#define REG_TPR		0x080
#define REG_PPR		0x0a0
#define REG_EOI		0x0b0
#define REG_SVR		0x0f0
#define REG_ISR		0x100	/* ISR and IRR: eight registers each, 16 bytes */
#define REG_IRR		0x200	/* apart, bit v % 32 of the v / 32nd: vector v */
#define REG_ICR_LO	0x300
#define REG_ICR_HI	0x310
#define REG_LVT_TIMER	0x320
#define REG_LVT_LINT0	0x350
#define REG_LVT_LINT1	0x360
#define REG_LVT_ERROR	0x370
#define REG_TIMER_INIT	0x380
#define REG_TIMER_CUR	0x390
#define REG_TIMER_DIV	0x3e0
#define LVT_MASKED	(1u << 16)
#define ICR_PENDING	(1u << 12)

static volatile uint32_t *regs;
static uint64_t ticks_per_ns_32;	/* timer ticks per ns, as a 32.32 fixed-point number */

static uint32_t rd(int reg) { return regs[reg / 4]; }
static void wr(int reg, uint32_t v) { regs[reg / 4] = v; }

void lapic_init(uint64_t phys)
{
	regs = mmu_map_phys(phys, PAGE_SIZE, true);
}

void lapic_init_cpu(void)
{
	wr(REG_SVR, 0x100 | VEC_SPURIOUS);	/* software enable */
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, 0x400);		/* NMI */
	wr(REG_LVT_ERROR, LVT_MASKED);
	wr(REG_TIMER_DIV, 0x3);			/* divide by 16 */
	wr(REG_LVT_TIMER, VEC_TIMER);		/* one-shot; a count of 0 keeps it still */
	wr(REG_EOI, 0);
}

uint32_t lapic_id(void) { return rd(REG_ID) >> 24; }
void lapic_eoi(void) { wr(REG_EOI, 0); }

/* The vectors set in the ISR or IRR (bank), as " 32 35", or " none";
 * cut short when buf is full. */
static void list_vectors(char *buf, size_t size, int bank)
{
	uint32_t bits[8];
	size_t at = 0;

	for (int r = 0; r < 8; r++)
		bits[r] = rd(bank + 0x10 * r);
	for (int v = 0; v < 256 && at + 5 < size; v++)
		if (bits[v / 32] & (1u << (v % 32)))
			at += (size_t)snprintf(buf + at, size - at, " %d", v);
	if (!at)
		snprintf(buf, size, " none");
}

/* A lockup report's clue to a lost interrupt: a vector waiting in the IRR
 * is held back by the priority (PPR: the TPR, or a vector in service never
 * ended) or by interrupts off; one in neither was never delivered. */
void arch_dump_irq_state(void)
{
	char isr[96], irr[96];

	list_vectors(isr, sizeof isr, REG_ISR);
	list_vectors(irr, sizeof irr, REG_IRR);
	printk("  apic: tpr %02x ppr %02x, in service:%s, waiting:%s\n", rd(REG_TPR), rd(REG_PPR), isr, irr);
}

static void icr_send(uint32_t apic_id, uint32_t lo)
{
	uint64_t flags = irq_save();

	while (rd(REG_ICR_LO) & ICR_PENDING)
		cpu_relax();
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, lo);
	irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, int vector) { icr_send(apic_id, (uint32_t)vector); }

void lapic_send_init_sipi(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, 0x4500);		/* INIT, assert */
	icr_send(apic_id, 0x4600 | page);	/* start-up at page * 4096 */
}

/* For calibration: counts down with its interrupt masked; a count of 0
 * stops it and leaves it as lapic_init_cpu did, ready for
 * arch_timer_oneshot. */
void lapic_timer_start_count(uint32_t count)
{
	wr(REG_LVT_TIMER, VEC_TIMER | (count ? LVT_MASKED : 0));
	wr(REG_TIMER_INIT, count);
}

uint32_t lapic_timer_current(void) { return rd(REG_TIMER_CUR); }
void lapic_timer_set_hz(uint64_t hz) { ticks_per_ns_32 = (hz << 32) / 1000000000u; }

void arch_timer_oneshot(uint64_t ns)
{
	uint64_t ticks = (unsigned __int128)ns * ticks_per_ns_32 >> 32;

	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	/* One write: the LVT stays one-shot and unmasked from lapic_init_cpu
	 * on.  Each access to the APIC is an exit to QEMU, under TCG one that
	 * takes QEMU's global lock. */
	wr(REG_TIMER_INIT, (uint32_t)ticks);
}
