/* ACPI: the RSDP (from PVH, or by scanning the BIOS areas), the RSDT/XSDT,
 * and the MADT.  Only reading; no AML. */
#include "arch/x86_64/acpi.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/bootinfo.h"
#include "arch/x86_64/lapic.h"
#include "core/printk.h"
#include "core/string.h"

struct rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t xchecksum, reserved[3];
} __attribute__((packed));

struct sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

struct madt {
	struct sdt h;
	uint32_t lapic;
	uint32_t flags;
	uint8_t entries[];
} __attribute__((packed));

static int checksum_ok(const void *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static uint64_t scan_rsdp(uint64_t start, uint64_t len)
{
	const char *p = mmu_map_phys(start, len, false);

	for (uint64_t off = 0; off + 20 <= len; off += 16)
		if (!memcmp(p + off, "RSD PTR ", 8) && checksum_ok(p + off, 20))
			return start + off;
	return 0;
}

static uint64_t find_rsdp(void)
{
	if (boot_info.rsdp)
		return boot_info.rsdp;
	uint16_t ebda = *(uint16_t *)mmu_map_phys(0x40e, 2, false);
	uint64_t r = ebda ? scan_rsdp((uint64_t)ebda << 4, 1024) : 0;

	if (!r)
		r = scan_rsdp(0xe0000, 0x20000);
	/* UEFI firmware has no BIOS areas: its RSDP lies in ACPI memory. */
	for (int i = 0; !r && i < boot_info.nacpi; i++)
		r = scan_rsdp(boot_info.acpi[i].start, boot_info.acpi[i].end - boot_info.acpi[i].start);
	return r;
}

static const struct sdt *map_sdt(uint64_t pa)
{
	const struct sdt *h = mmu_map_phys(pa, sizeof *h, false);

	mmu_map_phys(pa, h->length, false);
	return checksum_ok(h, h->length) ? h : NULL;
}

static uint64_t rsdp_found;	/* set by acpi_init */

/* The first table with signature sig in the RSDT/XSDT, checksum verified. */
static const struct sdt *find_table(uint64_t rsdp_pa, const char *sig)
{
	const struct rsdp *rp = mmu_map_phys(rsdp_pa, sizeof *rp, false);
	int x = rp->revision >= 2 && rp->xsdt;
	const struct sdt *root = map_sdt(x ? rp->xsdt : rp->rsdt);

	if (!root)
		return NULL;
	size_t n = (root->length - sizeof *root) / (x ? 8 : 4);
	const uint8_t *ents = (const uint8_t *)(root + 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = 0;
		memcpy(&pa, ents + i * (x ? 8 : 4), x ? 8 : 4);
		const struct sdt *t = map_sdt(pa);
		if (t && !memcmp(t->sig, sig, 4))
			return t;
	}
	return NULL;
}

static const struct madt *find_madt(uint64_t rsdp_pa)
{
	return (const struct madt *)find_table(rsdp_pa, "APIC");
}

const void *acpi_table(const char *sig, uint32_t *len)
{
	const struct sdt *t = rsdp_found ? find_table(rsdp_found, sig) : NULL;

	if (t && len)
		*len = t->length;
	return t;
}

/* The DSDT is not in the RSDT: the FADT points to it (X_DSDT at offset
 * 140 when the FADT is long enough and it is set, else DSDT at 40). */
const void *acpi_dsdt(uint32_t *len)
{
	uint32_t flen;
	const uint8_t *fadt = acpi_table("FACP", &flen);
	uint64_t pa = 0;

	if (!fadt || flen < 44)
		return NULL;
	if (flen >= 148)
		memcpy(&pa, fadt + 140, 8);
	if (!pa)
		memcpy(&pa, fadt + 40, 4);
	const struct sdt *t = pa ? map_sdt(pa) : NULL;
	if (!t || memcmp(t->sig, "DSDT", 4))
		return NULL;
	*len = t->length;
	return t;
}

static void add_cpu(struct madt_info *out, uint32_t apic_id, uint32_t flags)
{
	if ((flags & 1) && out->ncpus < 64)	/* enabled; not just hot-pluggable */
		out->apic_ids[out->ncpus++] = apic_id;
}

static void parse_madt(const struct madt *m, struct madt_info *out)
{
	const uint8_t *p = m->entries, *end = (const uint8_t *)m + m->h.length;

	out->lapic_phys = m->lapic;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		uint32_t u32a, u32b;
		uint16_t u16;
		switch (p[0]) {
		case 0:	/* processor local APIC: acpi id, apic id, flags */
			memcpy(&u32a, p + 4, 4);
			add_cpu(out, p[3], u32a);
			break;
		case 1:	/* I/O APIC: id, reserved, address, GSI base */
			memcpy(&u32a, p + 4, 4);
			memcpy(&u32b, p + 8, 4);
			ioapic_add(u32a, u32b);
			break;
		case 2:	/* interrupt source override: bus, irq, gsi, flags */
			memcpy(&u32a, p + 4, 4);
			memcpy(&u16, p + 8, 2);
			ioapic_override(p[3], u32a, u16);
			break;
		case 9:	/* processor local x2APIC: reserved, x2apic id, flags */
			memcpy(&u32a, p + 4, 4);
			memcpy(&u32b, p + 8, 4);
			add_cpu(out, u32a, u32b);
			break;
		}
	}
}

void acpi_init(struct madt_info *out)
{
	uint64_t rsdp = find_rsdp();
	const struct madt *m = rsdp ? find_madt(rsdp) : NULL;

	rsdp_found = rsdp;
	out->ncpus = 0;
	out->lapic_phys = 0xfee00000;
	if (m)
		parse_madt(m, out);
	else
		printk("acpi: no MADT; running on the boot CPU only\n");
}
