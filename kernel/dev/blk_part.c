/* The registry of block devices (blk.h): names, device numbers, lookup,
 * and the partitions a disk's table names (lib/parttable.c), each a
 * window of its disk.
 *
 * Numbers as Linux gives them: virtio disks major 254, 16 minors each
 * (the disk, then partitions 1 to 15); everything else (NVMe namespaces,
 * their partitions, a virtio disk's 16th partition on) takes the next
 * minor of major 259 in registration order. */
#include "dev/blk.h"
#include "dev/devices.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "dev/blk_internal.h"
#include "parttable.h"

#define MAX_DEVS	256
#define VIRTIO_MAJOR	254
#define EXT_MAJOR	259
#define VD_MINORS	16

static struct spinlock devs_lock = SPINLOCK_INIT;	/* guards devs, ndevs, counters */
static struct blk_dev *devs[MAX_DEVS];
static int ndevs;
static unsigned nvd;		/* virtio disks named so far */
static unsigned next_ext;	/* the next minor of EXT_MAJOR */
static bool started;

/* Adds d after the devices of its parent (or at the end); false when
 * the table is full. */
static bool add(struct blk_dev *d)
{
	uint64_t f = spin_lock_irqsave(&devs_lock);
	bool ok = ndevs < MAX_DEVS;

	if (ok) {
		int at = ndevs;
		if (d->parent) {
			for (at = 0; at < ndevs && devs[at] != d->parent; at++)
				;
			while (++at < ndevs && devs[at]->parent == d->parent)
				;
		}
		memmove(&devs[at + 1], &devs[at], sizeof devs[0] * (size_t)(ndevs - at));
		devs[at] = d;
		ndevs++;
	}
	spin_unlock_irqrestore(&devs_lock, f);
	return ok;
}

/* Caller holds devs_lock. */
static void name_disk(struct blk_dev *d, const char *prefix)
{
	if (!strcmp(prefix, "vd") && nvd < 26) {
		snprintf(d->name, sizeof d->name, "vd%c", 'a' + nvd);
		d->major = VIRTIO_MAJOR;
		d->minor = VD_MINORS * nvd++;
		return;
	}
	unsigned n = 1;	/* "nvme0n" -> nvme0n1, nvme0n2, ... */
	for (int i = 0; i < ndevs; i++)
		if (!devs[i]->parent && !strncmp(devs[i]->name, prefix, strlen(prefix)))
			n++;
	snprintf(d->name, sizeof d->name, "%s%u", prefix, n);
	d->major = EXT_MAJOR;
	d->minor = next_ext++;
}

int blk_register(struct blk_dev *d, const char *prefix)
{
	if (!d->nqueues || !d->ops || !d->ops->submit ||
	    (d->sector_size != 512 && d->sector_size != 1024 && d->sector_size != 2048 &&
	     d->sector_size != 4096))
		return -EINVAL;
	uint64_t f = spin_lock_irqsave(&devs_lock);
	if (!started) {
		blk_batches_init();
		started = true;
	}
	name_disk(d, prefix);
	spin_unlock_irqrestore(&devs_lock, f);
	/* A disk can be read-only without its device saying so (an NVMe
	 * namespace under QEMU 7.2): amphi's launcher says it instead. */
	if (dev_cmdline_names("blk.ro=", d->name))
		d->read_only = true;
	d->parent = NULL;
	d->start = 0;
	if (!add(d))
		return -ENOSPC;
	blk_scan_partitions(d);
	return 0;
}

struct blk_dev *blk_find(const char *name)
{
	struct blk_dev *found = NULL;
	uint64_t f = spin_lock_irqsave(&devs_lock);

	for (int i = 0; i < ndevs && !found; i++)
		if (!strcmp(devs[i]->name, name))
			found = devs[i];
	spin_unlock_irqrestore(&devs_lock, f);
	return found;
}

/* Devices never leave the table (one that went is marked gone), so the
 * walk needs the lock only to read each entry. */
void blk_each(void (*fn)(struct blk_dev *d, void *arg), void *arg)
{
	for (int i = 0;; i++) {
		uint64_t f = spin_lock_irqsave(&devs_lock);
		struct blk_dev *d = i < ndevs ? devs[i] : NULL;
		spin_unlock_irqrestore(&devs_lock, f);
		if (!d)
			return;
		fn(d, arg);
	}
}

/* ---- partitions ---------------------------------------------------------------- */

static int read_sector(void *ctx, uint64_t lba, uint8_t *buf)
{
	struct blk_dev *d = ctx;

	return blk_read(d, lba * d->sector_size, buf, d->sector_size);
}

static void add_partition(struct blk_dev *disk, const struct pt_part *p)
{
	struct blk_dev *d = kmalloc(sizeof *d);

	if (!d)
		return;
	*d = *disk;
	const char *sep = disk->name[strlen(disk->name) - 1] <= '9' ? "p" : "";
	snprintf(d->name, sizeof d->name, "%s%s%u", disk->name, sep, p->number);
	d->parent = disk;
	d->start = p->start;
	d->nsectors = p->count;
	d->error_logged = false;
	uint64_t f = spin_lock_irqsave(&devs_lock);
	if (disk->major == VIRTIO_MAJOR && p->number < VD_MINORS) {
		d->minor = disk->minor + p->number;
	} else {
		d->major = EXT_MAJOR;
		d->minor = next_ext++;
	}
	spin_unlock_irqrestore(&devs_lock, f);
	if (!add(d))
		kfree(d);
}

void blk_scan_partitions(struct blk_dev *disk)
{
	struct pt_part *parts = kmalloc(sizeof *parts * PT_MAX_PARTS);
	uint8_t *scratch = page_alloc_virt_uninit(1);
	const char *kind, *why;

	if (!parts || !scratch || disk->sector_size > PAGE_SIZE) {
		printk("%s: out of memory reading its partition table\n", disk->name);
	} else {
		int n = pt_parse(read_sector, disk, disk->sector_size, disk->nsectors, scratch, parts,
				 &kind, &why);
		if (n < 0)
			printk("%s: bad %s partition table (%s): no partitions used\n", disk->name,
			       kind, why);
		for (int i = 0; i < n; i++)
			add_partition(disk, &parts[i]);
		if (n > 0)
			printk_info("%s: %s partition table, %d partition%s\n", disk->name, kind, n,
				    n == 1 ? "" : "s");
	}
	kfree(parts);
	if (scratch)
		page_free_virt(scratch, 1);
}
