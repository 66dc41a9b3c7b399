/* The virtio 1.x PCI transport ("modern", virtio 1.1, 4.1): the common,
 * notify, ISR and device configuration structures found through vendor
 * capabilities in memory BARs.  Binds 1af4:1041 (modern virtio-net) and
 * 1af4:1000 (transitional virtio-net, which also carries the modern
 * capabilities), and the same two for virtio-blk (1af4:1042, 1af4:1001).
 *
 * Interrupts: MSI-X first, one vector for configuration changes (entry 0)
 * and one per queue (entry 1 + queue); without MSI-X, the INTx line the
 * firmware assigned, through the I/O APIC, reading the ISR to learn why. */
#include "arch/x86_64/arch.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/msi.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "dev/pci.h"
#include "dev/pci_msi.h"
#include "dev/virtio.h"
#include "dev/virtio_pci.h"
#include "dev/virtq.h"

#define CAP_COMMON	1
#define CAP_NOTIFY	2
#define CAP_ISR		3
#define CAP_DEVICE	4

/* The common configuration structure (virtio 1.1, 4.1.4.3). */
struct common_cfg {
	uint32_t device_feature_select, device_feature;
	uint32_t driver_feature_select, driver_feature;
	uint16_t msix_config, num_queues;
	uint8_t device_status, config_generation;
	uint16_t queue_select, queue_size, queue_msix_vector, queue_enable, queue_notify_off;
	uint64_t queue_desc, queue_driver, queue_device;
} __attribute__((packed));

#define NO_VECTOR	0xffff

struct vpci {
	struct virtio_dev vd;
	struct pci_dev *pci;
	volatile struct common_cfg *common;
	volatile uint8_t *notify, *isr, *device;
	uint32_t notify_mult;
	struct pci_msix msix;
	bool use_msix;
	int vectors[1 + 2 * 8];		/* taken by setup_irq: configuration, then
					 * a queue pair per CPU, up to 8 */
	int nvectors;
	char irq_desc[24];
};

static struct vpci *to_vpci(struct virtio_dev *vd) { return vd->transport_priv; }

static uint8_t get_status(struct virtio_dev *vd) { return to_vpci(vd)->common->device_status; }

static void set_status(struct virtio_dev *vd, uint8_t s)
{
	struct vpci *v = to_vpci(vd);

	v->common->device_status = s;
	/* A reset completes when the device reads back 0; one that never
	 * does is left to fail the next step rather than hang the boot. */
	for (int n = 0; s == 0 && v->common->device_status != 0 && n < 1000000; n++)
		cpu_relax();
}

static uint64_t get_features(struct virtio_dev *vd)
{
	volatile struct common_cfg *c = to_vpci(vd)->common;

	c->device_feature_select = 0;
	uint64_t lo = c->device_feature;
	c->device_feature_select = 1;
	return lo | (uint64_t)c->device_feature << 32;
}

static void set_features(struct virtio_dev *vd, uint64_t f)
{
	volatile struct common_cfg *c = to_vpci(vd)->common;

	c->driver_feature_select = 0;
	c->driver_feature = (uint32_t)f;
	c->driver_feature_select = 1;
	c->driver_feature = (uint32_t)(f >> 32);
}

static void read_config(struct virtio_dev *vd, unsigned off, void *buf, size_t len)
{
	struct vpci *v = to_vpci(vd);
	uint8_t gen;

	do {	/* a change while we read shows as a new generation: read again */
		gen = v->common->config_generation;
		for (size_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = v->device[off + i];
	} while (gen != v->common->config_generation);
}

static uint16_t queue_max(struct virtio_dev *vd, uint16_t index)
{
	volatile struct common_cfg *c = to_vpci(vd)->common;

	if (index >= c->num_queues)
		return 0;
	c->queue_select = index;
	return c->queue_size;
}

static int queue_enable(struct virtio_dev *vd, struct virtq *vq)
{
	struct vpci *v = to_vpci(vd);
	volatile struct common_cfg *c = v->common;

	c->queue_select = vq->index;
	c->queue_size = vq->size;
	if (v->use_msix) {
		uint16_t vec = vq->index < vd->nqueues ? (uint16_t)(vq->index + 1) : NO_VECTOR;
		c->queue_msix_vector = vec;
		if (c->queue_msix_vector != vec)
			return -EIO;	/* the device could not take the vector */
	}
	c->queue_desc = vq->desc_pa;
	c->queue_driver = vq->avail_pa;
	c->queue_device = vq->used_pa;
	vq->transport_priv = (void *)(v->notify + (uint64_t)c->queue_notify_off * v->notify_mult);
	c->queue_enable = 1;
	return 0;
}

static void notify(struct virtio_dev *vd, struct virtq *vq)
{
	(void)vd;
	*(volatile uint16_t *)vq->transport_priv = vq->index;
}

static void msix_queue_irq(void *arg)
{
	struct virtq *vq = arg;

	vq->dev->interrupt(vq->dev, vq->index);
}

static void msix_config_irq(void *arg)
{
	struct virtio_dev *vd = arg;

	vd->interrupt(vd, -1);
}

/* INTx: reading the ISR tells why and lowers the line. */
static void intx_irq(void *arg)
{
	struct virtio_dev *vd = arg;
	uint8_t isr = *to_vpci(vd)->isr;

	if (isr & 1)
		for (int q = 0; q < vd->nqueues; q++)
			vd->interrupt(vd, q);
	if (isr & 2)
		vd->interrupt(vd, -1);
}

/* A vector for fn(arg), remembered for free_irq. */
static int take_vector(struct vpci *v, irq_vector_fn *fn, void *arg)
{
	if (v->nvectors == (int)(sizeof v->vectors / sizeof v->vectors[0]))
		return -ENOSPC;
	int vec = irq_vector_alloc(fn, arg);
	if (vec >= 0)
		v->vectors[v->nvectors++] = vec;
	return vec;
}

static int setup_msix(struct vpci *v, int nqueues)
{
	struct virtio_dev *vd = &v->vd;

	if (pci_msix_init(v->pci, &v->msix) || v->msix.nentries < (unsigned)nqueues + 1)
		return -ENODEV;
	int vec = take_vector(v, msix_config_irq, vd);
	if (vec < 0)
		return vec;
	pci_msix_set(&v->msix, 0, vec, irq_target_apic());
	v->common->msix_config = 0;
	if (v->common->msix_config != 0)
		return -EIO;
	for (int q = 0; q < nqueues; q++) {
		vec = take_vector(v, msix_queue_irq, vd->queues[q]);
		if (vec < 0)
			return vec;
		uint32_t apic = vd->queue_cpu ? cpus[vd->queue_cpu(vd, q)].apic_id : irq_target_apic();
		pci_msix_set(&v->msix, (unsigned)q + 1, vec, apic);
	}
	v->use_msix = true;
	vd->irq_kind = "MSI-X";
	return 0;
}

static int setup_intx(struct vpci *v)
{
	if (!v->pci->irq_pin || v->pci->irq_line == 0xff || v->pci->irq_line == 0)
		return -ENODEV;
	int vec = take_vector(v, intx_irq, &v->vd);
	if (vec < 0)
		return vec;
	/* QEMU's PIIX/ICH9 route PCI INTx to the I/O APIC line the firmware
	 * wrote in the interrupt line register, level-triggered, active high
	 * there (its ACPI link devices say so). */
	if (ioapic_route_gsi(v->pci->irq_line, vec, irq_target_apic(), true, false)) {
		irq_vector_free(vec);
		return -ENODEV;
	}
	snprintf(v->irq_desc, sizeof v->irq_desc, "INTx (GSI %u)", v->pci->irq_line);
	v->vd.irq_kind = v->irq_desc;
	return 0;
}

static int setup_irq(struct virtio_dev *vd, int nqueues)
{
	struct vpci *v = to_vpci(vd);

	if (setup_msix(v, nqueues) == 0)
		return 0;
	if (v->msix.table)
		pci_msix_disable(v->pci, &v->msix);	/* vectors taken stay unused */
	return setup_intx(v);
}

static void free_irq(struct virtio_dev *vd)
{
	struct vpci *v = to_vpci(vd);

	for (int i = 0; i < v->nvectors; i++)
		irq_vector_free(v->vectors[i]);
	v->nvectors = 0;
}

static const struct virtio_ops vpci_ops = {
	.get_status = get_status, .set_status = set_status,
	.get_features = get_features, .set_features = set_features,
	.read_config = read_config, .queue_max = queue_max,
	.queue_enable = queue_enable, .notify = notify, .setup_irq = setup_irq,
	.free_irq = free_irq,
};

/* Maps the structure a capability describes; NULL if it is not usable. */
static volatile uint8_t *cap_region(struct pci_dev *d, unsigned cap, uint32_t need)
{
	uint8_t bar = pci_read8(d, cap + 4);
	uint32_t off = pci_read32(d, cap + 8), len = pci_read32(d, cap + 12);

	if (bar > 5 || len < need || (uint64_t)off + len > d->bar[bar].size)
		return NULL;
	uint8_t *base = pci_map_bar(d, bar);
	return base ? base + off : NULL;
}

static int find_caps(struct vpci *v)
{
	struct pci_dev *d = v->pci;

	for (unsigned cap = pci_find_cap(d, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_find_cap(d, PCI_CAP_VENDOR, cap)) {
		uint8_t type = pci_read8(d, cap + 3);
		if (type == CAP_COMMON && !v->common)
			v->common = (void *)cap_region(d, cap, sizeof(struct common_cfg));
		else if (type == CAP_NOTIFY && !v->notify) {
			v->notify = cap_region(d, cap, 2);
			v->notify_mult = pci_read32(d, cap + 16);
		} else if (type == CAP_ISR && !v->isr)
			v->isr = cap_region(d, cap, 1);
		else if (type == CAP_DEVICE && !v->device)
			v->device = cap_region(d, cap, 1);
	}
	return v->common && v->notify && v->isr && v->device ? 0 : -ENODEV;
}

static int virtio_pci_probe(struct pci_dev *d)
{
	struct vpci *v = kmalloc(sizeof *v);

	if (!v)
		return -ENOMEM;
	v->pci = d;
	v->vd.ops = &vpci_ops;
	v->vd.transport = "pci";
	v->vd.transport_priv = v;
	/* 0x1040 + type for modern ids; transitional 0x1000 is a NIC, 0x1001
	 * a disk, 0x1009 a 9p share. */
	v->vd.device_id = d->device >= 0x1040   ? d->device - 0x1040
			  : d->device == 0x1001 ? VIRTIO_ID_BLOCK
			  : d->device == 0x1009 ? VIRTIO_ID_9P
						: VIRTIO_ID_NET;
	int err = find_caps(v);
	if (!err) {
		pci_enable(d);
		err = virtio_bind(&v->vd);
	}
	if (err && !v->vd.irq_kind)
		kfree(v);	/* no interrupt vector points at it */
	else if (!err)
		d->driver_data = v;
	return err;
}

/* Hot-unplug: the device driver lets go (and resets the device), then the
 * transport's own memory goes. */
static void virtio_pci_remove(struct pci_dev *d, bool gone)
{
	struct vpci *v = d->driver_data;

	virtio_unbind(&v->vd, gone);
	if (!gone && v->use_msix)
		pci_msix_disable(d, &v->msix);
	kfree(v);
}

const struct pci_driver virtio_pci_net_modern = {
	.name = "virtio-net", .vendor = 0x1af4, .device = 0x1041,
	.probe = virtio_pci_probe, .remove = virtio_pci_remove,
};
const struct pci_driver virtio_pci_9p_modern = {
	.name = "virtio-9p", .vendor = 0x1af4, .device = 0x1049,
	.probe = virtio_pci_probe, .remove = virtio_pci_remove,
};
const struct pci_driver virtio_pci_9p_transitional = {
	.name = "virtio-9p", .vendor = 0x1af4, .device = 0x1009,
	.probe = virtio_pci_probe, .remove = virtio_pci_remove,
};
const struct pci_driver virtio_pci_net_transitional = {
	.name = "virtio-net", .vendor = 0x1af4, .device = 0x1000,
	.probe = virtio_pci_probe, .remove = virtio_pci_remove,
};
const struct pci_driver virtio_pci_blk_modern = {
	.name = "virtio-blk", .vendor = 0x1af4, .device = 0x1042,
	.probe = virtio_pci_probe, .remove = virtio_pci_remove,
};
const struct pci_driver virtio_pci_blk_transitional = {
	.name = "virtio-blk", .vendor = 0x1af4, .device = 0x1001,
	.probe = virtio_pci_probe, .remove = virtio_pci_remove,
};
