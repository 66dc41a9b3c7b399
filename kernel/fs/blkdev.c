/* Block special files (blkdev.h).  No cache: every read and write goes to
 * the device, so a raw device and a file system on it never disagree; a
 * write that covers part of a sector reads the sector first.  O_DIRECT
 * with sector-aligned offset, length and buffer moves the bytes straight
 * between the device and the program's pages (fs/pagecache.h); anything
 * else goes through a bounce buffer.  Writes that
 * change part of a sector are serialised (one mutex), so two of them on
 * the same sector cannot undo each other. */
#include "fs/blkdev.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mutex.h"
#include "core/page_alloc.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "dev/blk.h"
#include "fs/devfs.h"
#include "fs/pagecache.h"
#include "fs/seqbuf.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "fs/vfs_file.h"

#define CHUNK_PAGES	256	/* the most moved per round: 1 MiB, several requests
				 * in flight at once */

#define BLKROGET	0x125e
#define BLKRRPART	0x125f
#define BLKGETSIZE	0x1260
#define BLKFLSBUF	0x1261
#define BLKSSZGET	0x1268
#define BLKDISCARD	0x1277
#define BLKIOMIN	0x1278
#define BLKIOOPT	0x1279
#define BLKPBSZGET	0x127b
#define BLKGETSIZE64	0x80081272

static struct mutex rmw_lock = MUTEX_INIT(rmw_lock);

static struct blk_dev *dev_of(struct file *f) { return f->priv; }

/* ---- data ---------------------------------------------------------------------- */

/* A bounce buffer for a transfer of len bytes: as many pages as it
 * needs up to CHUNK_PAGES, fewer when memory is short.  NULL, or the
 * buffer and its pages in *pages. */
static uint8_t *bounce_alloc(size_t len, size_t *pages)
{
	size_t want = PAGE_ROUND_UP(len) / PAGE_SIZE + 1;	/* + 1: the partial sectors around */
	uint8_t *b;

	*pages = want < CHUNK_PAGES ? want : CHUNK_PAGES;
	while (!(b = page_alloc_virt_uninit(*pages)) && *pages > 1)
		*pages /= 2;
	return b;
}

/* One piece of [pos, pos + len) that fits a buffer of cap bytes (whole
 * pages, so whole sectors): the sector-aligned range [*a, *a + *n) around
 * it, len clipped to what it covers.  A clipped piece ends on a sector
 * boundary, so only the first and last pieces of a transfer are partial. */
static size_t piece(struct blk_dev *d, uint64_t pos, size_t len, size_t cap, uint64_t *a, size_t *n)
{
	uint32_t ss = d->sector_size;

	*a = pos - pos % ss;
	size_t head = (size_t)(pos - *a);
	if (len > cap - head)
		len = cap - head;
	*n = (head + len + ss - 1) / ss * ss;
	return len;
}

/* O_DIRECT that needs no bounce buffer. */
static bool zero_copy(struct file *f, const struct iobuf *b, uint64_t p, size_t total)
{
	uint32_t ss = dev_of(f)->sector_size;
	return (f->flags & O_DIRECT) && b->user && !((p | total | b->user) % ss);
}

static long blkdev_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct blk_dev *d = dev_of(f);
	uint64_t size = blk_bytes(d), p = (uint64_t)*pos;
	size_t done = 0, total = b->len;

	if (p >= size || !total)
		return 0;
	if (total > size - p)
		total = (size_t)(size - p);
	if (zero_copy(f, b, p, total)) {
		long n = pcache_direct_dev(d, b->user, p, total, false);
		*pos += n > 0 ? n : 0;
		return n;
	}
	size_t pages;
	uint8_t *buf = bounce_alloc(total, &pages);
	if (!buf)
		return -ENOMEM;
	long err = 0;
	while (done < total && !err) {
		uint64_t a;
		size_t n, len = piece(d, p + done, total - done, pages * PAGE_SIZE, &a, &n);
		if (!(err = blk_read(d, a, buf, n)) && iobuf_fill(b, done, buf + (p + done - a), len))
			err = -EFAULT;
		if (!err)
			done += len;
	}
	page_free_virt(buf, pages);
	*pos = (int64_t)(p + done);
	return done ? (long)done : err;
}

/* Writes len bytes from b (at boff) to the device at pos through buf. */
static int write_piece(struct blk_dev *d, uint8_t *buf, const struct iobuf *b, size_t boff, uint64_t pos,
		       size_t len, uint64_t a, size_t n)
{
	uint32_t ss = d->sector_size;
	bool partial = pos != a || len != n;
	int err = 0;

	if (partial) {
		mutex_lock(&rmw_lock);
		if (pos != a)
			err = blk_read(d, a, buf, ss);
		if (!err && (pos + len) % ss && (n > ss || pos == a))
			err = blk_read(d, a + n - ss, buf + n - ss, ss);
	}
	if (!err && iobuf_drain(b, boff, buf + (pos - a), len))
		err = -EFAULT;
	if (!err)
		err = blk_write(d, a, buf, n);
	if (partial)
		mutex_unlock(&rmw_lock);
	return err;
}

static long blkdev_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct blk_dev *d = dev_of(f);
	uint64_t size = blk_bytes(d), p = (uint64_t)*pos;
	size_t done = 0, total = b->len;

	if (d->read_only)
		return -EPERM;		/* Linux's answer: the open for writing was allowed */
	if (!total)
		return 0;
	if (p >= size)
		return -ENOSPC;		/* as Linux says past a block device's end */
	if (total > size - p)
		total = (size_t)(size - p);
	if (zero_copy(f, b, p, total)) {
		long n = pcache_direct_dev(d, b->user, p, total, true);
		*pos += n > 0 ? n : 0;
		return n;
	}
	size_t pages;
	uint8_t *buf = bounce_alloc(total, &pages);
	if (!buf)
		return -ENOMEM;
	int err = 0;
	while (done < total && !err) {
		uint64_t a;
		size_t n, len = piece(d, p + done, total - done, pages * PAGE_SIZE, &a, &n);
		if (!(err = write_piece(d, buf, b, done, p + done, len, a, n)))
			done += len;
	}
	page_free_virt(buf, pages);
	*pos = (int64_t)(p + done);
	return done ? (long)done : err;
}

/* ---- the rest of the file -------------------------------------------------------- */

static int blkdev_seek_end(struct file *f, int64_t *end)
{
	*end = (int64_t)blk_bytes(dev_of(f));
	return 0;
}

static int blkdev_fsync(struct file *f, bool datasync)
{
	(void)datasync;
	return blk_flush(dev_of(f));
}

static long put(uint64_t arg, const void *v, size_t n) { return copy_to_user(arg, v, n) ? -EFAULT : 0; }

/* BLKDISCARD: {start, length} in bytes, 512-aligned, inside the device. */
static long discard(struct file *f, uint64_t arg)
{
	struct blk_dev *d = dev_of(f);
	uint64_t r[2];

	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (d->read_only)
		return -EPERM;
	if (copy_from_user(r, arg, sizeof r))
		return -EFAULT;
	if (r[0] % 512 || r[1] % 512 || r[0] > blk_bytes(d) || r[1] > blk_bytes(d) - r[0])
		return -EINVAL;
	if (r[0] % d->sector_size || r[1] % d->sector_size)
		return -EINVAL;
	if (!d->discard)
		return -EOPNOTSUPP;
	return blk_discard(d, r[0], r[1]);
}

static long blkdev_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct blk_dev *d = dev_of(f);
	uint64_t bytes = blk_bytes(d), sectors = bytes / 512;
	int ro = d->read_only, ss = (int)d->sector_size;
	unsigned pbs = d->sector_size;

	switch (cmd) {
	case BLKGETSIZE64: return put(arg, &bytes, 8);
	case BLKGETSIZE: return put(arg, &sectors, 8);
	case BLKSSZGET: return put(arg, &ss, 4);
	case BLKPBSZGET: case BLKIOMIN: return put(arg, &pbs, 4);
	case BLKIOOPT: { unsigned zero = 0; return put(arg, &zero, 4); }
	case BLKROGET: return put(arg, &ro, 4);
	case BLKFLSBUF: return blk_flush(d);	/* no cache of ours to drop */
	case BLKDISCARD: return discard(f, arg);
	case BLKRRPART: return -EINVAL;		/* tables are read once, at boot */
	default: return -ENOTTY;
	}
}

static void blkdev_release(struct file *f)
{
	vfs_file_release(f);
}

static const struct file_ops blkdev_ops = {
	.read = blkdev_read, .write = blkdev_write, .poll = vfs_file_poll, .ioctl = blkdev_ioctl,
	.stat = vfs_file_stat, .seek_end = blkdev_seek_end, .fsync = blkdev_fsync,
	.release = blkdev_release,
};

/* ---- finding devices ------------------------------------------------------------- */

struct match {
	uint64_t rdev;
	struct blk_dev *found;
};

static void match_rdev(struct blk_dev *d, void *arg)
{
	struct match *m = arg;

	if (!m->found && dev_make(d->major, d->minor) == m->rdev)
		m->found = d;
}

int blkdev_open(struct inode *i, unsigned flags, struct file **out)
{
	struct match m = { i->rdev, NULL };

	blk_each(match_rdev, &m);
	if (!m.found)
		return -ENXIO;
	/* A read-only device opens for writing too, as on Linux 6.1; its
	 * writes and discards fail with EPERM. */
	*out = vfs_file_new(i, &blkdev_ops, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC), m.found);
	return *out ? 0 : -ENOMEM;
}

struct nodes {
	struct inode *dev;
	int err;
};

static void make_node(struct blk_dev *d, void *arg)
{
	struct nodes *n = arg;

	if (!n->err && !dir_find(n->dev, d->name, strlen(d->name)))
		n->err = vfs_create(n->dev, d->name, S_IFBLK | 0660, dev_make(d->major, d->minor), NULL);
}

int blkdev_make_nodes(struct inode *dev)
{
	struct nodes n = { dev, 0 };

	blk_each(make_node, &n);
	return n.err;
}

static void partition_line(struct blk_dev *d, void *arg)
{
	seq_printf(arg, "%4u  %7u %10lu %s\n", d->major, d->minor, blk_bytes(d) >> 10, d->name);
}

void blkdev_gen_partitions(struct seqbuf *s)
{
	seq_printf(s, "major minor  #blocks  name\n\n");
	blk_each(partition_line, s);
}
