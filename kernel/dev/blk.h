/* The block layer: what a disk driver (virtio-blk, NVMe) offers and what a
 * file system or a raw /dev node uses.
 *
 * A request names whole sectors of the device's logical block size and a
 * list of physically contiguous segments (direct-map addresses, so drivers
 * hand them to the device as they are).  Requests are submitted in batches:
 * blk_submit() queues one on the calling CPU's list, adjacent ones of the
 * same kind are merged, and blk_unplug() (or the synchronous helpers) hands
 * the batch to the driver's queue for that CPU.  The driver calls
 * blk_complete() from its interrupt handler; that runs the request's done
 * callback, which must not sleep (the synchronous helpers' callback wakes
 * the waiting thread).
 *
 * Errors.  A device error, a timeout or a device that left fails the
 * request with -EIO; the layer logs the first failure of each device once.
 * Nothing a device reports may crash the kernel or leave a request without
 * a completion. */
#ifndef AMPHI_DEV_BLK_H
#define AMPHI_DEV_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"
#include "core/spinlock.h"
#include "core/waitq.h"

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD };

struct blk_dev;

/* Segments: only a request's first segment may start, and only its last
 * may end, off a page boundary (NVMe's PRP lists need it; the layer's own
 * requests and its merging keep it). */
struct blk_seg {
	uint64_t pa;		/* physical address */
	uint32_t len;		/* bytes; a multiple of the sector size in total */
};

#define BLK_MAX_SEGS	64	/* per request, after merging */

struct blk_req {
	enum blk_op op;
	uint64_t sector;	/* in the device's logical blocks */
	uint32_t count;		/* logical blocks (0 for FLUSH) */
	unsigned nsegs;
	struct blk_seg segs[BLK_MAX_SEGS];
	int status;		/* 0 or -errno, set before done runs */
	void (*done)(struct blk_req *r);	/* interrupt context, may not sleep */
	void *priv;		/* the submitter's */
	struct list link;	/* the layer's and then the driver's while in flight */
	struct blk_dev *dev;	/* set by the layer: the whole disk it went to */
};

/* What a driver provides.  submit takes requests for one hardware queue
 * (queue < dev->nqueues; the layer picks the submitting CPU's) and must
 * complete each exactly once, possibly before it returns. */
struct blk_ops {
	void (*submit)(struct blk_dev *d, unsigned queue, struct list *reqs);
};

struct blk_dev {
	char name[24];			/* "vda", "nvme0n1", "vda1" */
	uint64_t nsectors;		/* logical blocks */
	uint32_t sector_size;		/* 512 or 4096 */
	uint32_t max_count;		/* largest request in logical blocks */
	uint32_t max_discard;		/* largest DISCARD in logical blocks (0: max_count) */
	bool read_only;
	bool volatile_cache;		/* writes need a FLUSH to be durable */
	bool discard;
	unsigned nqueues;		/* hardware queues, >= 1 */
	const struct blk_ops *ops;
	void *priv;			/* the driver's */

	/* Partitions: a window of their parent.  The layer fills these. */
	struct blk_dev *parent;		/* NULL for a whole disk */
	uint64_t start;			/* first logical block in the parent */
	uint32_t major, minor;		/* the /dev node's numbers */
	volatile bool gone;		/* the device left: every request fails */
	bool error_logged;
};

/* Called by a driver once the device works: names it (prefix "vd" gives
 * vda, vdb, ...; "nvme0n" gives nvme0n1, ...) and reads its partition
 * table (GPT or MBR), registering each partition too.  0 or -errno.  The
 * /dev nodes are fs/'s business (it walks blk_each); this layer knows
 * nothing above it. */
int blk_register(struct blk_dev *d, const char *prefix);
/* The device left (hot-unplug, a dead controller): requests fail with
 * -EIO from now on; the driver still completes those it holds. */
void blk_gone(struct blk_dev *d);
/* A registered disk or partition by name, or NULL. */
struct blk_dev *blk_find(const char *name);
/* Calls fn for each registered device, disks before their partitions. */
void blk_each(void (*fn)(struct blk_dev *d, void *arg), void *arg);

/* Asynchronous: queue r on this CPU's batch (merging it with its
 * neighbours where it can), and hand the batch to the driver. */
void blk_submit(struct blk_dev *d, struct blk_req *r);
/* Bytes submitted for reading and writing since boot, all disks. */
void blk_io_totals(uint64_t *read_bytes, uint64_t *written_bytes);
void blk_unplug(void);
/* Drivers, from interrupt context. */
void blk_complete(struct blk_req *r, int status);

/* A group of requests waited for together (blk_sync.c): each one
 * submitted through blk_wait_submit, which sets its done and priv, then
 * blk_wait_finish unplugs and sleeps until all are done (CPU 0's idle
 * thread, at boot, halts instead).  It may live on the waiter's stack. */
struct blk_wait {
	struct spinlock lock;	/* guards pending, status */
	int pending;
	int status;		/* the first failure */
	struct waitq wq;
};
void blk_wait_init(struct blk_wait *w);
void blk_wait_submit(struct blk_wait *w, struct blk_dev *d, struct blk_req *r);
/* A failure of the caller's own (a request it could not make) that the
 * finish reports unless a request failed first. */
void blk_wait_fail(struct blk_wait *w, int err);
/* 0, or the first -errno. */
int blk_wait_finish(struct blk_wait *w);

/* Synchronous, sleeping: len bytes at byte offset off (both multiples of
 * the sector size) to or from kernel memory buf.  0 or -errno. */
int blk_read(struct blk_dev *d, uint64_t off, void *buf, size_t len);
int blk_write(struct blk_dev *d, uint64_t off, const void *buf, size_t len);
/* Scattered pieces written together: requests for pieces that follow
 * each other on the disk are joined, and all are in flight at once.  Each
 * piece's buf is kernel memory of the direct map (kmalloc, pages), its off
 * and len multiples of the sector size.  0 or the first -errno (which
 * pieces were written is then not known). */
struct blk_piece {
	uint64_t off;
	const void *buf;
	uint32_t len;
};
int blk_write_pieces(struct blk_dev *d, const struct blk_piece *p, unsigned n);
int blk_flush(struct blk_dev *d);	/* 0 at once without a volatile cache */
int blk_discard(struct blk_dev *d, uint64_t off, uint64_t len);

static inline uint64_t blk_bytes(const struct blk_dev *d) { return d->nsectors * d->sector_size; }

#endif
