/* /sys/block and /sys/dev/block: each disk the block layer registered, a
 * directory of its partitions, and a link by device number to each, as
 * lsblk walks them.  Sizes in 512-byte sectors, whatever the disk's own,
 * as Linux gives them.  /sys/block/NAME is a directory here, not a link
 * into devices/ (there is no device tree); the links by number lead to
 * it.  No statistics (stat, inflight): amphi keeps none. */
#include "core/errno.h"
#include "core/format.h"
#include "core/string.h"
#include "dev/blk.h"
#include "fs/seqbuf.h"
#include "fs/vfs.h"
#include "linux/sysfs.h"

struct walk {
	struct inode *block, *by_number;
	int err;
};

static const struct blk_dev *dev_of(const void *arg) { return arg; }

static uint64_t sectors_512(const struct blk_dev *d, uint64_t n) { return n * (d->sector_size / 512); }

static void gen_dev(struct seqbuf *s, const void *arg)
{
	seq_printf(s, "%u:%u\n", dev_of(arg)->major, dev_of(arg)->minor);
}

static void gen_size(struct seqbuf *s, const void *arg)
{
	seq_printf(s, "%lu\n", (unsigned long)sectors_512(dev_of(arg), dev_of(arg)->nsectors));
}

static void gen_start(struct seqbuf *s, const void *arg)
{
	const struct blk_dev *d = dev_of(arg);

	seq_printf(s, "%lu\n", (unsigned long)sectors_512(d->parent, d->start));
}

/* Partitions are named after their disk: vda1, nvme0n1p1. */
static void gen_partition(struct seqbuf *s, const void *arg)
{
	const char *name = dev_of(arg)->name;
	size_t n = strlen(name);

	while (n && name[n - 1] >= '0' && name[n - 1] <= '9')
		n--;
	seq_printf(s, "%s\n", name + n);
}

static void gen_ro(struct seqbuf *s, const void *arg) { seq_printf(s, "%d\n", dev_of(arg)->read_only); }
static void gen_zero(struct seqbuf *s, const void *arg) { (void)arg, seq_printf(s, "0\n"); }
static void gen_block(struct seqbuf *s, const void *arg) { seq_printf(s, "%u\n", dev_of(arg)->sector_size); }

static void gen_max_kb(struct seqbuf *s, const void *arg)
{
	seq_printf(s, "%lu\n", (unsigned long)dev_of(arg)->max_count * dev_of(arg)->sector_size / 1024);
}

static void gen_discard_max(struct seqbuf *s, const void *arg)
{
	const struct blk_dev *d = dev_of(arg);
	uint64_t blocks = d->max_discard ? d->max_discard : d->max_count;

	seq_printf(s, "%lu\n", d->discard ? (unsigned long)(blocks * d->sector_size) : 0ul);
}

static void gen_discard_granularity(struct seqbuf *s, const void *arg)
{
	seq_printf(s, "%u\n", dev_of(arg)->discard ? dev_of(arg)->sector_size : 0);
}

static void gen_write_cache(struct seqbuf *s, const void *arg)
{
	seq_printf(s, "%s\n", dev_of(arg)->volatile_cache ? "write back" : "write through");
}

static void gen_read_ahead(struct seqbuf *s, const void *arg) { (void)arg, seq_printf(s, "128\n"); }
static void gen_scheduler(struct seqbuf *s, const void *arg) { (void)arg, seq_printf(s, "[none]\n"); }
static void gen_zoned(struct seqbuf *s, const void *arg) { (void)arg, seq_printf(s, "none\n"); }

struct attr {
	const char *name;
	sys_gen_fn *gen;
};

static const struct attr disk_attrs[] = {
	{ "dev", gen_dev }, { "size", gen_size }, { "ro", gen_ro }, { "removable", gen_zero },
	{ "hidden", gen_zero }, { "alignment_offset", gen_zero }, { "discard_alignment", gen_zero },
};
static const struct attr part_attrs[] = {
	{ "dev", gen_dev }, { "size", gen_size }, { "ro", gen_ro }, { "start", gen_start },
	{ "partition", gen_partition }, { "alignment_offset", gen_zero }, { "discard_alignment", gen_zero },
};
static const struct attr queue_attrs[] = {
	{ "logical_block_size", gen_block }, { "physical_block_size", gen_block },
	{ "hw_sector_size", gen_block }, { "minimum_io_size", gen_block },
	{ "optimal_io_size", gen_zero }, { "rotational", gen_zero }, { "read_ahead_kb", gen_read_ahead },
	{ "max_sectors_kb", gen_max_kb }, { "max_hw_sectors_kb", gen_max_kb },
	{ "discard_granularity", gen_discard_granularity }, { "discard_max_bytes", gen_discard_max },
	{ "write_cache", gen_write_cache }, { "scheduler", gen_scheduler }, { "zoned", gen_zoned },
};

static int add_attrs(struct inode *dir, const struct attr *attrs, size_t n, const struct blk_dev *d)
{
	int err = 0;

	for (size_t k = 0; k < n && !err; k++)
		err = sys_add_file(dir, attrs[k].name, attrs[k].gen, d);
	return err;
}

/* A disk's or partition's directory, its attributes, and its link by number. */
static int add_device(struct walk *w, struct inode *parent, const struct blk_dev *d)
{
	struct inode *dir = sys_add_dir(parent, d->name);
	char number[24], target[80];

	if (!dir || !sys_add_dir(dir, "holders"))
		return -ENOMEM;
	int err = d->parent ? add_attrs(dir, part_attrs, sizeof part_attrs / sizeof part_attrs[0], d)
			    : add_attrs(dir, disk_attrs, sizeof disk_attrs / sizeof disk_attrs[0], d);
	if (!err && !d->parent) {
		struct inode *queue = sys_add_dir(dir, "queue");
		err = !queue || !sys_add_dir(dir, "slaves") ? -ENOMEM :
		      add_attrs(queue, queue_attrs, sizeof queue_attrs / sizeof queue_attrs[0], d);
	}
	snprintf(number, sizeof number, "%u:%u", d->major, d->minor);
	if (d->parent)
		snprintf(target, sizeof target, "../../block/%s/%s", d->parent->name, d->name);
	else
		snprintf(target, sizeof target, "../../block/%s", d->name);
	return err ? err : sys_add_link(w->by_number, number, target);
}

static void add_one(struct blk_dev *d, void *arg)
{
	struct walk *w = arg;
	struct inode *parent = w->block;

	if (w->err || d->gone)
		return;
	if (d->parent) {	/* its disk came first (blk_each's order) */
		struct dentry *disk = dir_find(w->block, d->parent->name, strlen(d->parent->name));
		if (!disk)
			return;
		parent = disk->inode;
	}
	w->err = add_device(w, parent, d);
}

int sysfs_block_make(struct inode *sys)
{
	struct inode *dev = sys_add_dir(sys, "dev");
	struct walk w = { sys_add_dir(sys, "block"), dev ? sys_add_dir(dev, "block") : NULL, 0 };

	if (!w.block || !w.by_number)
		return -ENOMEM;
	blk_each(add_one, &w);
	return w.err;
}
