/* Interrupt vectors handed out at run time (MSI, MSI-X, I/O APIC lines of
 * PCI and virtio-mmio devices), and the message that makes a device
 * deliver one to a CPU. */
#ifndef AMPHI_ARCH_MSI_H
#define AMPHI_ARCH_MSI_H

#include <stdbool.h>
#include <stdint.h>

/* Vectors 64..0xef: above the fixed ones (32-35) and the ISA lines (48-63),
 * below the relocated 8259s (0xf0-0xff). */
#define VEC_DYN_FIRST	64
#define VEC_DYN_LAST	0xef

/* Runs with interrupts off on the CPU the vector was delivered to (the
 * local APIC already acknowledged): acknowledge the device, wake a thread. */
typedef void irq_vector_fn(void *arg);

/* A free vector that will call fn(arg); -ENOSPC when none is left. */
int irq_vector_alloc(irq_vector_fn *fn, void *arg);
void irq_vector_free(int vector);
/* From trap.c: true if the vector was one of ours. */
bool irq_vector_dispatch(int vector);

/* The address/data pair an MSI or MSI-X entry needs to deliver `vector`
 * to CPU apic_id (fixed delivery, edge, physical destination). */
void msi_message(int vector, uint32_t apic_id, uint64_t *addr, uint32_t *data);

/* The CPU that takes device interrupts: the boot CPU (its APIC id). */
uint32_t irq_target_apic(void);

#endif
