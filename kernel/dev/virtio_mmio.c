/* The virtio-mmio transport (virtio 1.1, 4.2): version 2 registers, and
 * version 1 ("legacy", page-frame queue addresses) as QEMU still offers it.
 *
 * Finding the transports.  QEMU's microvm puts up to 24 transports of 512
 * bytes from 0xfeb00000, with interrupt lines on its second I/O APIC (GSI
 * 24 + slot) when ACPI is on, else GSI 16 + slot or 5 + slot.  It says
 * where the ones in use are in two ways, and we read both rather than
 * guess from the numbers above:
 *   - "virtio_mmio.device=512@0xADDR:IRQ" on the kernel command line, which
 *     QEMU appends only when ACPI is off (and a user may write by hand);
 *   - devices with _HID "LNRO0005" in the DSDT when ACPI is on.  We do not
 *     interpret AML: after each "LNRO0005" string we look for the _CRS
 *     buffer's Memory32Fixed descriptor (0x86) and Extended Interrupt
 *     descriptor (0x89), which QEMU emits in that order; a DSDT not shaped
 *     that way yields no device rather than a wrong one.
 * Probing the window for the magic value would also work but reads device
 * registers at addresses that on other machines may belong to PCI BARs. */
#include "dev/virtio_mmio.h"

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/bootinfo.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/msi.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "dev/devices.h"
#include "dev/virtio.h"
#include "dev/virtq.h"

#define R_MAGIC		0x000
#define R_VERSION	0x004
#define R_DEVICE_ID	0x008
#define R_DEV_FEATURES	0x010
#define R_DEV_FEAT_SEL	0x014
#define R_DRV_FEATURES	0x020
#define R_DRV_FEAT_SEL	0x024
#define R_GUEST_PAGE	0x028	/* v1 */
#define R_QUEUE_SEL	0x030
#define R_QUEUE_MAX	0x034
#define R_QUEUE_NUM	0x038
#define R_QUEUE_ALIGN	0x03c	/* v1 */
#define R_QUEUE_PFN	0x040	/* v1 */
#define R_QUEUE_READY	0x044
#define R_QUEUE_NOTIFY	0x050
#define R_INT_STATUS	0x060
#define R_INT_ACK	0x064
#define R_STATUS	0x070
#define R_QUEUE_DESC	0x080
#define R_QUEUE_AVAIL	0x090
#define R_QUEUE_USED	0x0a0
#define R_CONFIG_GEN	0x0fc	/* v2 */
#define R_CONFIG	0x100

#define MAGIC		0x74726976	/* "virt" */
#define MAX_SLOTS	32

struct vmmio {
	struct virtio_dev vd;
	volatile uint8_t *regs;
	uint64_t phys;
	uint32_t gsi;
	bool level, active_low;
};

static struct vmmio *to_vm(struct virtio_dev *vd) { return vd->transport_priv; }
static uint32_t rd(struct vmmio *m, unsigned r) { return *(volatile uint32_t *)(m->regs + r); }
static void wr(struct vmmio *m, unsigned r, uint32_t v) { *(volatile uint32_t *)(m->regs + r) = v; }

static uint8_t get_status(struct virtio_dev *vd) { return (uint8_t)rd(to_vm(vd), R_STATUS); }
static void set_status(struct virtio_dev *vd, uint8_t s) { wr(to_vm(vd), R_STATUS, s); }

static uint64_t get_features(struct virtio_dev *vd)
{
	struct vmmio *m = to_vm(vd);

	wr(m, R_DEV_FEAT_SEL, 0);
	uint64_t lo = rd(m, R_DEV_FEATURES);
	wr(m, R_DEV_FEAT_SEL, 1);
	return lo | (uint64_t)rd(m, R_DEV_FEATURES) << 32;
}

static void set_features(struct virtio_dev *vd, uint64_t f)
{
	struct vmmio *m = to_vm(vd);

	wr(m, R_DRV_FEAT_SEL, 0);
	wr(m, R_DRV_FEATURES, (uint32_t)f);
	wr(m, R_DRV_FEAT_SEL, 1);
	wr(m, R_DRV_FEATURES, (uint32_t)(f >> 32));
}

static void read_config(struct virtio_dev *vd, unsigned off, void *buf, size_t len)
{
	struct vmmio *m = to_vm(vd);
	uint32_t gen;

	do {	/* version 1 has no generation register: one pass */
		gen = vd->legacy ? 0 : rd(m, R_CONFIG_GEN);
		for (size_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = m->regs[R_CONFIG + off + i];
	} while (!vd->legacy && gen != rd(m, R_CONFIG_GEN));
}

static uint16_t queue_max(struct virtio_dev *vd, uint16_t index)
{
	struct vmmio *m = to_vm(vd);

	wr(m, R_QUEUE_SEL, index);
	uint32_t max = rd(m, R_QUEUE_MAX);
	return max > 0x8000 ? 0x8000 : (uint16_t)max;
}

static void wr64(struct vmmio *m, unsigned r, uint64_t v)
{
	wr(m, r, (uint32_t)v);
	wr(m, r + 4, (uint32_t)(v >> 32));
}

static int queue_enable(struct virtio_dev *vd, struct virtq *vq)
{
	struct vmmio *m = to_vm(vd);

	wr(m, R_QUEUE_SEL, vq->index);
	wr(m, R_QUEUE_NUM, vq->size);
	if (vd->legacy) {
		/* virtq.c lays the rings out as version 1 wants: used ring on
		 * the page after the available ring. */
		wr(m, R_QUEUE_ALIGN, PAGE_SIZE);
		wr(m, R_QUEUE_PFN, (uint32_t)(vq->desc_pa >> PAGE_SHIFT));
		return 0;
	}
	wr64(m, R_QUEUE_DESC, vq->desc_pa);
	wr64(m, R_QUEUE_AVAIL, vq->avail_pa);
	wr64(m, R_QUEUE_USED, vq->used_pa);
	wr(m, R_QUEUE_READY, 1);
	return 0;
}

static void notify(struct virtio_dev *vd, struct virtq *vq) { wr(to_vm(vd), R_QUEUE_NOTIFY, vq->index); }

/* The line stays up until the status bits are acknowledged: acknowledge
 * what we saw, then report it. */
static void mmio_irq(void *arg)
{
	struct vmmio *m = arg;
	struct virtio_dev *vd = &m->vd;
	uint32_t st = rd(m, R_INT_STATUS);

	wr(m, R_INT_ACK, st);
	if (st & 1)
		for (int q = 0; q < vd->nqueues; q++)
			vd->interrupt(vd, q);
	if (st & 2)
		vd->interrupt(vd, -1);
}

static char irq_kind[MAX_SLOTS][20];

static int setup_irq(struct virtio_dev *vd, int nqueues)
{
	struct vmmio *m = to_vm(vd);
	(void)nqueues;
	int vec = irq_vector_alloc(mmio_irq, m);

	if (vec < 0)
		return vec;
	if (ioapic_route_gsi(m->gsi, vec, irq_target_apic(), m->level, m->active_low)) {
		irq_vector_free(vec);
		printk("virtio-mmio 0x%lx: no I/O APIC line for GSI %u\n", m->phys, m->gsi);
		return -ENODEV;
	}
	return 0;
}

static const struct virtio_ops vmmio_ops = {
	.get_status = get_status, .set_status = set_status,
	.get_features = get_features, .set_features = set_features,
	.read_config = read_config, .queue_max = queue_max,
	.queue_enable = queue_enable, .notify = notify, .setup_irq = setup_irq,
};

static int nslots;

static void add_transport(uint64_t phys, uint32_t gsi, bool level, bool active_low)
{
	if (nslots == MAX_SLOTS)
		return;
	volatile uint8_t *regs = mmu_map_phys(phys, 0x200, true);
	uint32_t magic = *(volatile uint32_t *)(regs + R_MAGIC);
	uint32_t version = *(volatile uint32_t *)(regs + R_VERSION);
	uint32_t id = *(volatile uint32_t *)(regs + R_DEVICE_ID);

	if (magic != MAGIC || (version != 1 && version != 2) || id == 0)
		return;		/* no device behind this transport */
	struct vmmio *m = kmalloc(sizeof *m);
	if (!m)
		return;
	*m = (struct vmmio){ .regs = regs, .phys = phys, .gsi = gsi, .level = level,
			     .active_low = active_low };
	m->vd = (struct virtio_dev){ .ops = &vmmio_ops, .transport = "mmio", .device_id = (uint16_t)id,
				     .legacy = version == 1, .transport_priv = m };
	if (version == 1)
		wr(m, R_GUEST_PAGE, PAGE_SIZE);
	snprintf(irq_kind[nslots], sizeof irq_kind[0], "GSI %u", gsi);
	m->vd.irq_kind = irq_kind[nslots++];
	int err = virtio_bind(&m->vd);
	if (err && err != -ENODEV)
		printk("virtio-mmio 0x%lx: device %u failed (%d)\n", phys, id, err);
	if (err == -ENOMEM) {
		char name[40];
		snprintf(name, sizeof name, "virtio-mmio 0x%lx %s", phys, virtio_kind((uint16_t)id));
		dev_note_no_memory(name);
	}
}

/* A number in C notation (0x for hex), with an optional K/M/G suffix;
 * the end in *end.  No digits: *end == s. */
static uint64_t parse_num(const char *s, const char **end)
{
	uint64_t v = 0;
	unsigned base = 10;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	const char *digits = p;
	for (;; p++) {
		unsigned d = *p >= '0' && *p <= '9' ? (unsigned)(*p - '0') :
			     *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10) :
			     *p >= 'A' && *p <= 'F' ? (unsigned)(*p - 'A' + 10) : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (p == digits) {
		*end = s;
		return 0;
	}
	if (*p == 'K' || *p == 'k')
		v <<= 10, p++;
	else if (*p == 'M' || *p == 'm')
		v <<= 20, p++;
	else if (*p == 'G' || *p == 'g')
		v <<= 30, p++;
	*end = p;
	return v;
}

/* "virtio_mmio.device=<size>@<base>:<irq>[:<id>]", as Linux takes it. */
static int from_cmdline(void)
{
	static const char key[] = "virtio_mmio.device=";
	int found = 0;

	for (const char *p = strstr(boot_info.cmdline, key); p; p = strstr(p, key)) {
		const char *s = p + sizeof key - 1, *e;
		p = s;
		uint64_t size = parse_num(s, &e);
		if (e == s || *e != '@' || size < 0x100)
			continue;
		s = e + 1;
		uint64_t base = parse_num(s, &e);
		if (e == s || *e != ':' || (base & 0xff))
			continue;
		s = e + 1;
		uint64_t irq = parse_num(s, &e);
		if (e == s || irq > 255)
			continue;
		add_transport(base, (uint32_t)irq, true, false);
		found++;
	}
	return found;
}

/* After the "LNRO0005" at hid, within its _CRS: Memory32Fixed (0x86,
 * length 9: info, base, size) then Extended Interrupt (0x89, length,
 * flags, count, first interrupt).  Flags: bit 1 edge, bit 2 active low. */
static void from_dsdt_device(const uint8_t *hid, const uint8_t *end)
{
	const uint8_t *lim = hid + 160 < end ? hid + 160 : end;
	uint32_t base = 0, size = 0, gsi = 0;

	for (const uint8_t *p = hid + 8; p + 12 <= lim; p++) {
		if (p[0] == 0x86 && p[1] == 9 && p[2] == 0) {
			memcpy(&base, p + 4, 4);
			memcpy(&size, p + 8, 4);
			for (const uint8_t *q = p + 12; q + 9 <= lim; q++) {
				if (q[0] == 0x89 && q[2] == 0 && q[1] >= 6 && q[4] >= 1) {
					memcpy(&gsi, q + 5, 4);
					if (size >= 0x100 && !(base & 0xff))
						add_transport(base, gsi, !(q[3] & 2), q[3] & 4);
					return;
				}
			}
			return;
		}
		if (!memcmp(p, "LNRO0005", 8))
			return;		/* the next device: this one had no _CRS we read */
	}
}

static void from_dsdt(void)
{
	uint32_t len;
	const uint8_t *d = acpi_dsdt(&len);

	if (!d)
		return;
	const uint8_t *end = d + len;
	for (const uint8_t *p = d + 36; p + 8 <= end; p++)
		if (!memcmp(p, "LNRO0005", 8))
			from_dsdt_device(p, end);
}

void virtio_mmio_init(void)
{
	if (!from_cmdline())
		from_dsdt();
}
