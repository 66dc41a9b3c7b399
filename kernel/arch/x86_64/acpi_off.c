/* Powering the machine off through ACPI (sleep state S5), for machines
 * that boot amphi without an amphi on the console to stop QEMU: a libvirt
 * domain shuts off instead of sitting halted.  Asked for on the command
 * line (amphi.poweroff=acpi); otherwise the end is QEMU's isa-debug-exit,
 * and a halt that keeps the last words on the screen.
 *
 * S5's sleep type comes from the DSDT's \_S5 package, found by its bytes
 * (NameOp "_S5_" PackageOp) rather than by running AML: what every
 * firmware we boot on writes, QEMU's included. */
#include "arch/x86_64/acpi.h"

#include "arch/x86_64/x86.h"
#include "core/string.h"

#define SLP_EN		(1u << 13)
#define SCI_EN		1u

static bool wanted;

void acpi_poweroff_enable(void)
{
	wanted = true;
}

/* A package element that is a small integer: Zero, One, or BytePrefix n. */
static int small_int(const uint8_t *p, const uint8_t *end, int *v)
{
	if (p >= end)
		return 0;
	if (*p == 0x00 || *p == 0x01) {
		*v = *p;
		return 1;
	}
	if (*p == 0x0a && p + 1 < end) {
		*v = p[1];
		return 2;
	}
	return 0;
}

/* SLP_TYPa and SLP_TYPb of \_S5, or -1. */
static int s5_types(int *a, int *b)
{
	uint32_t len;
	const uint8_t *dsdt = acpi_dsdt(&len);

	for (uint32_t i = 36; dsdt && i + 8 < len; i++) {
		if (memcmp(dsdt + i, "_S5_", 4) || dsdt[i + 4] != 0x12)
			continue;
		const uint8_t *p = dsdt + i + 5, *end = dsdt + len;
		p += 1 + (*p >> 6);	/* PkgLength: its lead byte says how many follow */
		p++;			/* NumElements */
		int n = small_int(p, end, a);
		if (!n || !small_int(p + n, end, b))
			return -1;
		return 0;
	}
	return -1;
}

void acpi_poweroff(void)
{
	uint32_t flen;
	const uint8_t *fadt = wanted ? acpi_table("FACP", &flen) : NULL;
	uint32_t pm1a, pm1b, smi_cmd;
	int a, b;

	if (!fadt || flen < 72 || s5_types(&a, &b))
		return;
	memcpy(&smi_cmd, fadt + 48, 4);
	memcpy(&pm1a, fadt + 64, 4);
	memcpy(&pm1b, fadt + 68, 4);
	if (!pm1a)
		return;
	/* Still in legacy mode: ask the firmware to hand ACPI over. */
	if (!(inw((uint16_t)pm1a) & SCI_EN) && smi_cmd && fadt[52]) {
		outb((uint16_t)smi_cmd, fadt[52]);
		for (int i = 0; i < 1000000 && !(inw((uint16_t)pm1a) & SCI_EN); i++)
			__asm__ volatile("pause");
	}
	outw((uint16_t)pm1a, (uint16_t)((unsigned)a << 10 | SLP_EN));
	if (pm1b)
		outw((uint16_t)pm1b, (uint16_t)((unsigned)b << 10 | SLP_EN));
}
