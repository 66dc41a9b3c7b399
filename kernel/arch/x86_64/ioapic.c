/* The I/O APIC: legacy (ISA) interrupt lines, here the serial port's. */
#include "arch/x86_64/arch.h"
#include "arch/x86_64/lapic.h"
#include "core/printk.h"

#define MAX_IOAPICS 4

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base, nlines;
};

static struct ioapic ioapics[MAX_IOAPICS];
static int nioapics;

/* ISA IRQ -> GSI and polarity/trigger, from the MADT's overrides. */
static struct { uint32_t gsi; uint16_t flags; bool set; } isa_map[16];

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	io->regs[0] = reg;
	return io->regs[4];
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[0] = reg;
	io->regs[4] = v;
}

void ioapic_add(uint64_t phys, uint32_t gsi_base)
{
	if (nioapics == MAX_IOAPICS)
		return;
	struct ioapic *io = &ioapics[nioapics++];

	io->regs = mmu_map_phys(phys, PAGE_SIZE, true);
	io->gsi_base = gsi_base;
	io->nlines = ((ioapic_read(io, 1) >> 16) & 0xff) + 1;
	for (uint32_t i = 0; i < io->nlines; i++)
		ioapic_write(io, 0x10 + 2 * i, 1u << 16);	/* masked */
}

void ioapic_override(uint8_t isa_irq, uint32_t gsi, uint16_t flags)
{
	if (isa_irq < 16)
		isa_map[isa_irq] = (typeof(isa_map[0])){ gsi, flags, true };
}

int ioapic_route_gsi(uint32_t gsi, int vector, uint32_t apic_id, bool level, bool active_low)
{
	uint32_t lo = (uint32_t)vector | (active_low ? 1u << 13 : 0) | (level ? 1u << 15 : 0);

	for (int i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->nlines) {
			uint32_t line = gsi - io->gsi_base;
			ioapic_write(io, 0x11 + 2 * line, apic_id << 24);
			ioapic_write(io, 0x10 + 2 * line, lo);
			return 0;
		}
	}
	return -1;
}

void ioapic_route_isa(int irq, uint32_t apic_id)
{
	uint32_t gsi = isa_map[irq].set ? isa_map[irq].gsi : (uint32_t)irq;
	uint16_t flags = isa_map[irq].set ? isa_map[irq].flags : 0;
	uint32_t lo = VEC_IRQ_BASE + irq;

	/* MPS INTI flags: polarity bits 0-1 (3 = active low), trigger bits
	 * 2-3 (3 = level); ISA defaults are active high, edge. */
	if ((flags & 3) == 3)
		lo |= 1u << 13;
	if (((flags >> 2) & 3) == 3)
		lo |= 1u << 15;
	for (int i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->nlines) {
			uint32_t line = gsi - io->gsi_base;
			ioapic_write(io, 0x11 + 2 * line, apic_id << 24);
			ioapic_write(io, 0x10 + 2 * line, lo);
			return;
		}
	}
	printk("ioapic: no I/O APIC handles GSI %u (ISA IRQ %d)\n", gsi, irq);
}
