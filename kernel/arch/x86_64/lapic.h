/* The local APIC (xAPIC, memory-mapped) and the I/O APIC. */
#ifndef AMPHI_ARCH_LAPIC_H
#define AMPHI_ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VEC_TIMER	32
#define VEC_RESCHED	33
#define VEC_STOP	34
#define VEC_TLB		35
#define VEC_IRQ_BASE	48	/* ISA IRQ n arrives at VEC_IRQ_BASE + n */
#define VEC_SPURIOUS	255

void lapic_init(uint64_t phys);		/* once: map the registers */
void lapic_init_cpu(void);		/* every CPU: enable, timer vector */
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, int vector);
void lapic_send_init_sipi(uint32_t apic_id, uint8_t page);
void lapic_timer_start_count(uint32_t count);
uint32_t lapic_timer_current(void);
void lapic_timer_set_hz(uint64_t hz);

void ioapic_add(uint64_t phys, uint32_t gsi_base);
void ioapic_override(uint8_t isa_irq, uint32_t gsi, uint16_t flags);
/* Routes ISA interrupt `irq` to vector VEC_IRQ_BASE + irq on CPU apic_id. */
void ioapic_route_isa(int irq, uint32_t apic_id);
/* Routes global system interrupt gsi to `vector` on CPU apic_id; -1 if no
 * I/O APIC has that line. */
int ioapic_route_gsi(uint32_t gsi, int vector, uint32_t apic_id, bool level, bool active_low);

#endif
