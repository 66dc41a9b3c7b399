/* The memory devices: null, zero, full, random, urandom (mem(4),
 * random(4)), and the table every character device is found through. */
#include "fs/devfs.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/random.h"
#include "core/spinlock.h"
#include "fs/vfs_file.h"

struct chrdev {
	struct chrdev *next;
	uint64_t rdev;
	chrdev_open_fn *open;
};

static struct spinlock lock = SPINLOCK_INIT;	/* guards devices */
static struct chrdev *devices;

int chrdev_register(uint64_t rdev, chrdev_open_fn *open)
{
	struct chrdev *d = kmalloc(sizeof *d);

	if (!d)
		return -ENOMEM;
	d->rdev = rdev;
	d->open = open;
	spin_lock(&lock);
	d->next = devices;
	devices = d;
	spin_unlock(&lock);
	return 0;
}

int chrdev_open(struct inode *i, unsigned flags, struct file **out)
{
	chrdev_open_fn *open = NULL;

	spin_lock(&lock);
	for (struct chrdev *d = devices; d && !open; d = d->next)
		if (d->rdev == i->rdev)
			open = d->open;
	spin_unlock(&lock);
	return open ? open(i, flags, out) : -ENXIO;
}

static long read_nothing(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return 0;
}

/* Swallows everything without looking at it, as Linux's /dev/null does. */
static long write_all(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)pos;
	return (long)b->len;
}

static long write_full(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return -ENOSPC;
}

static long read_zeros(struct file *f, const struct iobuf *b, int64_t *pos)
{
	size_t done = 0;

	(void)f, (void)pos;
	while (done < b->len) {
		size_t n = b->len - done < PAGE_SIZE ? b->len - done : PAGE_SIZE;
		if (iobuf_fill(b, done, zero_page, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

static long read_random(struct file *f, const struct iobuf *b, int64_t *pos)
{
	uint8_t chunk[256];
	size_t done = 0;

	(void)f, (void)pos;
	while (done < b->len) {
		size_t n = b->len - done < sizeof chunk ? b->len - done : sizeof chunk;
		random_fill(chunk, n);
		if (iobuf_fill(b, done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

#define MEM_OPS(rd, wr) { .read = rd, .write = wr, .poll = vfs_file_poll, \
			  .stat = vfs_file_stat, .release = vfs_file_release }

static const struct file_ops null_ops = MEM_OPS(read_nothing, write_all);
static const struct file_ops zero_ops = MEM_OPS(read_zeros, write_all);
static const struct file_ops full_ops = MEM_OPS(read_zeros, write_full);
static const struct file_ops random_ops = MEM_OPS(read_random, write_all);

static int open_with(struct inode *i, unsigned flags, const struct file_ops *ops, struct file **out)
{
	*out = vfs_file_new(i, ops, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC), NULL);
	return *out ? 0 : -ENOMEM;
}

static int open_null(struct inode *i, unsigned flags, struct file **out) { return open_with(i, flags, &null_ops, out); }
static int open_zero(struct inode *i, unsigned flags, struct file **out) { return open_with(i, flags, &zero_ops, out); }
static int open_full(struct inode *i, unsigned flags, struct file **out) { return open_with(i, flags, &full_ops, out); }
static int open_random(struct inode *i, unsigned flags, struct file **out) { return open_with(i, flags, &random_ops, out); }

void devfs_init(void)
{
	chrdev_register(dev_make(1, 3), open_null);
	chrdev_register(dev_make(1, 5), open_zero);
	chrdev_register(dev_make(1, 7), open_full);
	chrdev_register(dev_make(1, 8), open_random);
	chrdev_register(dev_make(1, 9), open_random);
}
