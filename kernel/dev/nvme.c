/* NVMe controllers on PCI (class 01:08:02): reset, the admin queue,
 * Identify, an I/O queue pair per CPU (as many as the controller grants,
 * CPUs sharing the rest), each completion queue with its own MSI-X vector
 * routed to its CPU, and a block device per active namespace (nvme0n1,
 * nvme0n2, ...).
 *
 * A controller that stops answering or reports a fatal status is switched
 * off (which stops its DMA) and its namespaces are gone: every request
 * fails with -EIO from then on. */
#include "dev/nvme.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/msi.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "dev/devices.h"
#include "dev/nvme_internal.h"
#include "dev/pci.h"

#define ADMIN_DEPTH	32
#define MAX_NAMESPACES	1024	/* what one Identify list holds */

static int next_index;	/* nvme0, nvme1, ... in probe order */

/* Waits for CSTS.RDY to become `ready`, at most CAP.TO. */
static int wait_ready(struct nvme_ctrl *c, bool ready)
{
	uint32_t to_ms = NVME_CAP_TO_MS(c->cap);
	uint64_t deadline = clock_ns() + (uint64_t)(to_ms ? to_ms : 500) * 1000000;

	for (;;) {
		uint32_t csts = nvme_read32(c, NVME_REG_CSTS);
		if (csts == 0xffffffff)
			return -ENODEV;
		if (ready && (csts & NVME_CSTS_CFS))
			return -EIO;
		if (!!(csts & NVME_CSTS_RDY) == ready)
			return 0;
		if (clock_ns() > deadline)
			return -ETIMEDOUT;
		cpu_relax();
	}
}

static int ctrl_disable(struct nvme_ctrl *c)
{
	nvme_write32(c, NVME_REG_CC, nvme_read32(c, NVME_REG_CC) & ~NVME_CC_EN);
	return wait_ready(c, false);
}

static int ctrl_enable(struct nvme_ctrl *c)
{
	int err = nvme_queue_init(&c->admin, c, 0, ADMIN_DEPTH);

	if (err)
		return err;
	nvme_write32(c, NVME_REG_AQA, (ADMIN_DEPTH - 1u) << 16 | (ADMIN_DEPTH - 1u));
	nvme_write64(c, NVME_REG_ASQ, c->admin.sq_pa);
	nvme_write64(c, NVME_REG_ACQ, c->admin.cq_pa);
	nvme_write32(c, NVME_REG_CC, NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS_4K |
				     NVME_CC_AMS_RR | NVME_CC_IOSQES | NVME_CC_IOCQES);
	return wait_ready(c, true);
}

static int identify(struct nvme_ctrl *c, uint32_t cns, uint32_t nsid, void *buf)
{
	struct nvme_sqe e = { .opcode = NVME_ADMIN_IDENTIFY, .nsid = nsid,
			      .prp1 = virt_to_phys(buf), .cdw10 = cns };

	return nvme_admin(c, &e, NULL);
}

/* An ASCII field of Identify data without its trailing blanks. */
static void id_string(char *out, const uint8_t *field, size_t len)
{
	while (len && (field[len - 1] == ' ' || !field[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++)
		out[i] = field[i] >= 0x20 && field[i] < 0x7f ? (char)field[i] : '?';
	out[len] = 0;
}

static int identify_ctrl(struct nvme_ctrl *c, uint8_t *id)
{
	int err = identify(c, NVME_IDENTIFY_CTRL, 0, id);

	if (err)
		return err;
	uint8_t mdts = id[NVME_IDC_MDTS];
	uint16_t oncs;
	memcpy(&oncs, id + NVME_IDC_ONCS, 2);
	c->max_xfer = NVME_MAX_XFER;
	if (mdts && mdts < 10 && (PAGE_SIZE << mdts) < NVME_MAX_XFER)
		c->max_xfer = (uint32_t)(PAGE_SIZE << mdts);
	c->vwc = id[NVME_IDC_VWC] & 1;
	c->dsm = oncs & NVME_ONCS_DSM;
	char model[41], serial[21];
	id_string(model, id + NVME_IDC_MN, 40);
	id_string(serial, id + NVME_IDC_SN, 20);
	printk_info("%s: %s, serial %s%s%s\n", c->name, model, serial,
		    c->vwc ? ", write cache" : "", c->dsm ? ", deallocate" : "");
	return 0;
}

/* Asks for `want` I/O queue pairs; how many the controller grants. */
static unsigned ask_queues(struct nvme_ctrl *c, unsigned want)
{
	struct nvme_sqe e = { .opcode = NVME_ADMIN_SET_FEATURES, .cdw10 = NVME_FEAT_NUM_QUEUES,
			      .cdw11 = (want - 1) << 16 | (want - 1) };
	uint32_t res;

	if (nvme_admin(c, &e, &res))
		return 0;
	unsigned nsq = (res & 0xffff) + 1, ncq = (res >> 16) + 1;
	unsigned n = nsq < ncq ? nsq : ncq;
	return n < want ? n : want;
}

/* I/O queue pair i (queue id i + 1, MSI-X entry i + 1) for CPU i. */
static int create_queue(struct nvme_ctrl *c, unsigned i, uint16_t depth)
{
	struct nvme_queue *q = kmalloc(sizeof *q);
	uint16_t qid = (uint16_t)(i + 1);

	if (!q || nvme_queue_init(q, c, qid, depth)) {
		kfree(q);
		return -ENOMEM;
	}
	q->cpu = (int)i;
	q->vector = irq_vector_alloc(nvme_io_interrupt, q);
	int err = q->vector < 0 ? q->vector : pci_msix_set(&c->msix, qid, q->vector, cpus[i].apic_id);
	struct nvme_sqe cq = { .opcode = NVME_ADMIN_CREATE_CQ, .prp1 = q->cq_pa,
			       .cdw10 = (uint32_t)(depth - 1) << 16 | qid,
			       .cdw11 = (uint32_t)qid << 16 | NVME_CREATE_CQ_IEN | NVME_CREATE_CONTIG };
	struct nvme_sqe sq = { .opcode = NVME_ADMIN_CREATE_SQ, .prp1 = q->sq_pa,
			       .cdw10 = (uint32_t)(depth - 1) << 16 | qid,
			       .cdw11 = (uint32_t)qid << 16 | NVME_CREATE_CONTIG };
	if (!err)
		err = nvme_admin(c, &cq, NULL);
	if (!err)
		err = nvme_admin(c, &sq, NULL);
	if (err) {
		/* A completion queue without its submission queue gets no
		 * entries, so the rings may go. */
		if (q->vector > 0)
			irq_vector_free(q->vector);
		nvme_queue_free(q);
		kfree(q);
		return err;
	}
	c->io[c->nio++] = q;
	return 0;
}

static int start_queues(struct nvme_ctrl *c)
{
	int err = pci_msix_init(c->pci, &c->msix);

	if (err || c->msix.nentries < 2) {
		printk("%s: no usable MSI-X: not used\n", c->name);
		return err ? err : -ENODEV;
	}
	unsigned want = (unsigned)ncpus < NVME_MAX_IOQ ? (unsigned)ncpus : NVME_MAX_IOQ;
	if (want > c->msix.nentries - 1)
		want = c->msix.nentries - 1;
	want = ask_queues(c, want);
	uint32_t mqes = NVME_CAP_MQES(c->cap);
	uint16_t depth = (uint16_t)(mqes < NVME_QDEPTH ? mqes : NVME_QDEPTH);
	for (unsigned i = 0; i < want && create_queue(c, i, depth) == 0; i++)
		;
	return c->nio ? 0 : -EIO;
}

static int add_namespace(struct nvme_ctrl *c, uint32_t nsid, uint8_t *id, const char *prefix)
{
	if (identify(c, NVME_IDENTIFY_NS, nsid, id))
		return -EIO;
	uint64_t nsze;
	uint32_t lbaf;
	unsigned fmt = id[NVME_IDN_FLBAS] & 0xf;
	memcpy(&nsze, id + NVME_IDN_NSZE, 8);
	memcpy(&lbaf, id + NVME_IDN_LBAF + 4 * fmt, 4);
	unsigned lbads = (lbaf >> 16) & 0xff;
	if (!nsze || fmt > id[NVME_IDN_NLBAF])
		return 0;	/* not active after all */
	if ((lbaf & 0xffff) || lbads < 9 || lbads > 12) {
		printk("%s: namespace %u: blocks of 2^%u bytes with %u bytes of metadata: not supported\n",
		       c->name, nsid, lbads, lbaf & 0xffff);
		return 0;
	}
	struct nvme_ns *ns = kmalloc(sizeof *ns);
	if (!ns)
		return -ENOMEM;
	*ns = (struct nvme_ns){ .ctrl = c, .nsid = nsid };
	for (unsigned i = 0; i < NVME_MAX_IOQ; i++)
		list_init(&ns->waiting[i]);
	ns->blk = (struct blk_dev){ .nsectors = nsze, .sector_size = 1u << lbads,
				    .max_count = c->max_xfer >> lbads, .volatile_cache = c->vwc,
				    .discard = c->dsm, .nqueues = c->nio, .ops = &nvme_blk_ops,
				    .priv = ns };
	/* Linked before registering: reading the partition table already
	 * goes through the queues, which walk this list. */
	struct nvme_ns **tail = &c->ns;
	while (*tail)
		tail = &(*tail)->next;
	*tail = ns;
	int err = blk_register(&ns->blk, prefix);
	if (err)
		printk("%s: namespace %u not registered (%d)\n", c->name, nsid, err);
	return 0;
}

/* Registers each active namespace, from the Identify list (NVMe 1.1 on)
 * or by trying ids 1 to NN. */
static void scan_namespaces(struct nvme_ctrl *c, uint8_t *id, uint8_t *list)
{
	uint32_t nn, vs = nvme_read32(c, NVME_REG_VS);
	char prefix[16];

	memcpy(&nn, id + NVME_IDC_NN, 4);
	snprintf(prefix, sizeof prefix, "%sn", c->name);
	bool listed = vs >= 0x10100 && identify(c, NVME_IDENTIFY_NS_LIST, 0, list) == 0;
	for (uint32_t i = 0; i < MAX_NAMESPACES; i++) {
		uint32_t nsid = i + 1;
		if (listed)
			memcpy(&nsid, list + 4 * i, 4);
		if (!nsid || (!listed && nsid > nn))
			break;
		if (add_namespace(c, nsid, id, prefix) == -ENOMEM)
			break;
	}
}

static int ctrl_start(struct nvme_ctrl *c, uint8_t *id)
{
	c->regs = pci_map_bar(c->pci, 0);
	if (!c->regs || c->pci->bar[0].size < NVME_REG_DOORBELLS + 0x1000)
		return -ENODEV;
	pci_enable(c->pci);
	c->cap = nvme_read64(c, NVME_REG_CAP);
	c->dstrd = NVME_CAP_DSTRD(c->cap);
	c->timeout_ns = dev_cmdline_num("nvme.timeout_ms=", 30000) * 1000000ull;
	if (!NVME_CAP_CSS_NVM(c->cap) || NVME_CAP_MPSMIN(c->cap) != 0 || NVME_CAP_MQES(c->cap) < 2) {
		printk("%s: no NVM command set or no 4 KiB pages: not used\n", c->name);
		return -ENODEV;
	}
	int err = ctrl_disable(c);
	if (!err)
		err = ctrl_enable(c);
	if (err)
		printk("%s: reset failed (%d)\n", c->name, err);
	if (!err)
		err = identify_ctrl(c, id);
	if (!err)
		err = start_queues(c);
	return err;
}

/* After a failed start: the controller off first, so nothing it still
 * does reaches memory given back. */
static void ctrl_teardown(struct nvme_ctrl *c)
{
	if (c->regs)
		ctrl_disable(c);
	if (c->msix.table)
		pci_msix_disable(c->pci, &c->msix);
	for (unsigned i = 0; i < c->nio; i++) {
		irq_vector_free(c->io[i]->vector);
		nvme_queue_free(c->io[i]);
		kfree(c->io[i]);
	}
	nvme_queue_free(&c->admin);
	kfree(c);
}

static int nvme_probe(struct pci_dev *d)
{
	struct nvme_ctrl *c = kmalloc(sizeof *c);
	uint8_t *id = page_alloc_virt(2);

	if (!c || !id) {
		kfree(c);
		if (id)
			page_free_virt(id, 2);
		return -ENOMEM;
	}
	c->pci = d;
	snprintf(c->name, sizeof c->name, "nvme%d", next_index);
	int err = ctrl_start(c, id);
	if (err) {
		ctrl_teardown(c);
	} else {
		next_index++;
		d->driver_data = c;
		printk_info("%s: %u I/O queue%s on MSI-X\n", c->name, c->nio, c->nio == 1 ? "" : "s");
		scan_namespaces(c, id, id + PAGE_SIZE);
	}
	page_free_virt(id, 2);
	return err;
}

void nvme_ctrl_fail(struct nvme_ctrl *c, const char *why)
{
	if (__atomic_exchange_n(&c->dead, true, __ATOMIC_ACQ_REL))
		return;
	printk("%s: %s: the controller is switched off, its requests fail\n", c->name, why);
	for (struct nvme_ns *ns = c->ns; ns; ns = ns->next)
		blk_gone(&ns->blk);
	/* Off, so it no longer writes into the buffers of the requests about
	 * to fail.  Not waited for here (interrupt context): CSTS.RDY going
	 * to 0 only says it finished shutting down. */
	if (nvme_read32(c, NVME_REG_CSTS) != 0xffffffff)
		nvme_write32(c, NVME_REG_CC, 0);
	for (unsigned i = 0; i < c->nio; i++)
		nvme_io_drain(c->io[i]);
}

/* Hot-unplug: the controller is failed as a dead one is (its namespaces
 * stay registered and every request fails with -EIO), then never reached
 * through d again, which the PCI layer frees. */
static void nvme_remove(struct pci_dev *d, bool gone)
{
	struct nvme_ctrl *c = d->driver_data;

	if (!c)
		return;
	nvme_ctrl_fail(c, gone ? "the device vanished" : "the device is removed");
	if (!gone && c->msix.table)
		pci_msix_disable(d, &c->msix);
	c->pci = NULL;
}

const struct pci_driver nvme_driver = {
	.name = "nvme",
	.class_code = 0x010802,	/* mass storage, non-volatile memory, NVMe */
	.probe = nvme_probe,
	.remove = nvme_remove,
};
