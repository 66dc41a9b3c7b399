/* Multiboot1 and PVH boot information.  Both hand us a memory map and the
 * initrd; PVH also gives the ACPI RSDP. */
#include "arch/x86_64/bootinfo.h"

#include "arch/x86_64/arch.h"
#include "boot_cmdline.h"
#include "core/printk.h"
#include "core/string.h"

struct boot_info boot_info;
static char cmdline[BOOT_CMDLINE_MAX];	/* a copy: the loader's may lie in memory we hand out */

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
};

struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct pvh_module {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct e820_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

static void add_ram(uint64_t addr, uint64_t len)
{
	if (boot_info.nram < BOOT_MAX_REGIONS && len)
		boot_info.ram[boot_info.nram++] = (struct mem_region){ addr, addr + len };
}

static void parse_multiboot(const struct mb_info *mb)
{
	if (mb->flags & (1 << 2) && mb->cmdline)
		boot_info.cmdline = phys_to_virt(mb->cmdline);
	if (mb->flags & (1 << 3) && mb->mods_count) {
		const struct mb_module *m = phys_to_virt(mb->mods_addr);
		boot_info.initrd_start = m->start;
		boot_info.initrd_end = m->end;
	}
	if (mb->flags & (1 << 6)) {
		uint64_t p = mb->mmap_addr, end = p + mb->mmap_length;
		while (p < end) {
			const struct mb_mmap_entry *e = phys_to_virt(p);
			if (e->type == 1)
				add_ram(e->addr, e->len);
			else if ((e->type == 3 || e->type == 4) && boot_info.nacpi < 4)
				boot_info.acpi[boot_info.nacpi++] = (struct mem_region){ e->addr, e->addr + e->len };
			p += e->size + 4;
		}
	} else if (mb->flags & 1) {
		add_ram(0, (uint64_t)mb->mem_lower << 10);
		add_ram(1 << 20, (uint64_t)mb->mem_upper << 10);
	}
}

static void parse_pvh(const struct pvh_start_info *si)
{
	if (si->cmdline_paddr)
		boot_info.cmdline = phys_to_virt(si->cmdline_paddr);
	if (si->nr_modules) {
		const struct pvh_module *m = phys_to_virt(si->modlist_paddr);
		boot_info.initrd_start = m->paddr;
		boot_info.initrd_end = m->paddr + m->size;
	}
	boot_info.rsdp = si->rsdp_paddr;
	if (si->version >= 1 && si->memmap_paddr) {
		const struct e820_entry *e = phys_to_virt(si->memmap_paddr);
		for (uint32_t i = 0; i < si->memmap_entries; i++)
			if (e[i].type == 1)
				add_ram(e[i].addr, e[i].size);
	}
}

void bootinfo_parse(int kind, uint32_t info_phys)
{
	boot_info.kind = kind;
	boot_info.cmdline = "";
	if (kind == BOOT_MULTIBOOT)
		parse_multiboot(phys_to_virt(info_phys));
	else
		parse_pvh(phys_to_virt(info_phys));
	if (!boot_info.nram)
		panic("the boot loader gave no memory map");
	size_t n = strnlen(boot_info.cmdline, sizeof cmdline - 1);
	memcpy(cmdline, boot_info.cmdline, n);
	boot_info.cmdline = cmdline;
}
