/* ACPI tables: which CPUs and interrupt controllers the machine has. */
#ifndef AMPHI_ARCH_ACPI_H
#define AMPHI_ARCH_ACPI_H

#include <stdbool.h>
#include <stdint.h>

struct madt_info {
	uint64_t lapic_phys;
	uint32_t apic_ids[64];	/* enabled CPUs, boot CPU included */
	int ncpus;
};

/* Parses the MADT (registering I/O APICs and overrides on the way).
 * Without ACPI, reports one CPU: the boot CPU. */
void acpi_init(struct madt_info *out);

/* After acpi_init: the table with this signature ("MCFG"), mapped and
 * checksum-verified, its length in *len; NULL without ACPI or the table. */
const void *acpi_table(const char *sig, uint32_t *len);
/* The DSDT (reached through the FADT), or NULL. */
const void *acpi_dsdt(uint32_t *len);

/* acpi_off.c: S5 through the FADT's PM1 control registers, once enabled
 * (amphi.poweroff=acpi); returns if it cannot (no ACPI, no \_S5). */
void acpi_poweroff_enable(void);
void acpi_poweroff(void);

#endif
