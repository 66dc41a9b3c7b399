/* ACPI tables: which CPUs and interrupt controllers the machine has. */
#ifndef AMPHI_ARCH_ACPI_H
#define AMPHI_ARCH_ACPI_H

#include <stdint.h>

struct madt_info {
	uint64_t lapic_phys;
	uint32_t apic_ids[64];	/* enabled CPUs, boot CPU included */
	int ncpus;
};

/* Parses the MADT (registering I/O APICs and overrides on the way).
 * Without ACPI, reports one CPU: the boot CPU. */
void acpi_init(struct madt_info *out);

#endif
