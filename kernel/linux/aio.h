/* Linux native AIO (io_setup(2)): the context and its completion ring.
 *
 * A context belongs to an address space.  Its ring is a shared mapping in
 * that address space, laid out as Linux's struct aio_ring (a 32-byte
 * header, then the events), which the kernel fills through its own
 * references to the pages: libaio reads completions straight from it
 * while it is not empty, and moves head itself.  The kernel trusts only
 * its own copy of tail and of the ring's size; head, which the program
 * may write, is taken modulo the size.
 *
 * A context lives in its address space's table until io_destroy or the
 * address space's end (core/mm.h's teardown hook), which mark it dead,
 * cancel what can be cancelled, and wait for every request it still has.
 *
 * What may be outstanding is counted as Linux counts it: a ring of N
 * slots takes N - 1 requests that are in flight or completed but not yet
 * reaped, handed to each CPU in batches (so one CPU alone may get fewer). */
#ifndef AMPHI_LINUX_AIO_H
#define AMPHI_LINUX_AIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"

/* /proc/sys/fs/aio-max-nr, fixed. */
#define AIO_MAX_NR	65536

struct aio_ctx;
struct file;

/* One completion, as the ring and io_getevents hold it. */
struct io_event {
	uint64_t data;	/* the iocb's aio_data */
	uint64_t obj;	/* the iocb's address */
	int64_t res, res2;
};

/* A request that completes later (IOCB_CMD_POLL): on its context's list
 * of those io_cancel may find, until it completes. */
struct aio_pending {
	struct list link;	/* in ctx->active, under ctx->lock */
	uint64_t obj;
	/* Asks the owner to complete it soon with what it has (io_cancel,
	 * a context's end).  Called with ctx->lock held, interrupts off. */
	void (*cancel)(struct aio_pending *p);
};

/* io_setup: a new context of nr events in the calling address space,
 * its ring mapped there: 0 and *ctx_id (the ring's address), -EAGAIN
 * (nr 0 or past aio-max-nr), -EINVAL (nr too large), -ENOMEM. */
long aio_setup(unsigned nr, uint64_t *ctx_id);
/* The context ctx_id names in the calling address space, referenced
 * (aio_put), or NULL (-EINVAL for the caller): Linux's test, which reads
 * the ring's id from the program's memory. */
struct aio_ctx *aio_lookup(uint64_t ctx_id);
void aio_put(struct aio_ctx *ctx);
/* The events its ring holds (io_submit takes no more at once). */
unsigned aio_ring_size(const struct aio_ctx *ctx);
/* io_destroy of a context the caller has looked up (and still holds):
 * 0 once every request is done, -EINVAL if another got there first.
 * Unmaps the ring from the calling address space. */
long aio_destroy(struct aio_ctx *ctx);

/* A slot for one more request (0, or -EAGAIN when the ring could not
 * take its completion); aio_put_slot gives one back unused. */
long aio_get_slot(struct aio_ctx *ctx);
void aio_put_slot(struct aio_ctx *ctx);
/* Posts ev to the ring and wakes io_getevents (any context: a waker's
 * callback too): the slot's request is done, and its reference on ctx
 * (aio_hold) goes with it. */
void aio_complete(struct aio_ctx *ctx, const struct io_event *ev);
void aio_hold(struct aio_ctx *ctx);

/* Puts p on ctx's cancellable list: false if ctx is dead already (the
 * caller then completes it itself, as cancelled). */
bool aio_pending_add(struct aio_ctx *ctx, struct aio_pending *p);
/* Takes p off the list (it is completing); true if it was on it. */
bool aio_pending_del(struct aio_ctx *ctx, struct aio_pending *p);
/* io_cancel: the pending request whose iocb is at obj, asked to cancel:
 * 0, or -EINVAL when there is none. */
long aio_cancel(struct aio_ctx *ctx, uint64_t obj);

/* io_getevents: between min_nr and nr events to uevents, waiting until
 * deadline (clock_ns(); 0: for ever; UINT64_MAX: not at all) or a signal.
 * The count, or -EFAULT when none could be copied, -EINVAL for a context
 * destroyed meanwhile with nothing read. */
long aio_getevents(struct aio_ctx *ctx, long min_nr, long nr, uint64_t uevents, uint64_t deadline);

/* /proc/sys/fs/aio-nr: the events all live contexts asked for. */
unsigned long aio_nr(void);

/* The requests themselves (aio_submit.c): one iocb at uiocb.  0 when it
 * went in (its result comes through the ring), or -errno. */
long aio_submit_one(struct aio_ctx *ctx, uint64_t uiocb);

/* Wires the address spaces' end to their contexts (once, at start-up). */
void aio_init(void);

#endif
