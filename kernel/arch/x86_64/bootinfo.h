/* What the boot loader told us, in one shape for multiboot1 and PVH. */
#ifndef AMPHI_ARCH_BOOTINFO_H
#define AMPHI_ARCH_BOOTINFO_H

#include <stdint.h>

#define BOOT_MULTIBOOT	1
#define BOOT_PVH	2
#define BOOT_MAX_REGIONS 32

struct mem_region {
	uint64_t start, end;	/* usable RAM, [start, end) */
};

struct boot_info {
	int kind;
	struct mem_region ram[BOOT_MAX_REGIONS];
	int nram;
	uint64_t initrd_start, initrd_end;	/* physical; 0 if none */
	uint64_t rsdp;				/* physical; 0 if not given */
	/* ACPI reclaimable and NVS memory from the memory map: where UEFI
	 * firmware keeps the RSDP, which multiboot1 cannot pass (GRUB on
	 * UEFI, amphi iso). */
	struct mem_region acpi[4];
	int nacpi;
	const char *cmdline;			/* never NULL */
};

extern struct boot_info boot_info;

/* Fills boot_info from the loader's structure at info_phys.  Runs on the
 * boot page tables (the first GiB is direct-mapped). */
void bootinfo_parse(int kind, uint32_t info_phys);

#endif
