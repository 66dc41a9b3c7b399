/* The NVMe driver's own declarations: a controller, its queues and its
 * namespaces.  nvme.c sets the controller up, nvme_queue.c moves entries
 * through the rings, nvme_io.c turns block requests into commands. */
#ifndef AMPHI_DEV_NVME_INTERNAL_H
#define AMPHI_DEV_NVME_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "dev/blk.h"
#include "dev/nvme_regs.h"
#include "dev/pci_msi.h"

/* Entries per queue (fewer if the controller's MQES says so): two pages of
 * submissions.  A request becomes up to BLK_MAX_SEGS commands (nvme_io.c),
 * so a queue must hold that many at once. */
#define NVME_QDEPTH	128
#define NVME_MAX_IOQ	16	/* I/O queue pairs per controller */

/* The largest transfer of one command: with 4 KiB memory pages one page
 * of PRP list holds 512 entries, which with PRP1 covers 2 MiB at any
 * alignment, so a list never needs a second page chained to it. */
#define NVME_MAX_XFER	(2u << 20)

struct nvme_ctrl;

/* A command in flight.  A request split into several commands (pieces)
 * has a slot per piece, chained from its first slot, which counts the
 * pieces still out and keeps the first error. */
struct nvme_slot {
	struct blk_req *req;	/* NULL: free */
	uint64_t deadline;	/* clock_ns() by which the controller must answer */
	uint64_t *page;		/* PRP list or DSM range, kept once allocated */
	uint64_t page_pa;
	int16_t first;		/* the request's first slot */
	int16_t next;		/* its next piece's slot, -1 after the last */
	uint16_t left;		/* in the first slot: pieces not yet completed */
	bool done;		/* this piece's completion arrived */
	int status;		/* in the first slot: 0 or the first error */
};

struct nvme_queue {
	struct nvme_ctrl *ctrl;
	uint16_t qid;		/* 0: the admin queue */
	uint16_t size;		/* entries of each ring */
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	uint64_t sq_pa, cq_pa;
	volatile uint32_t *sq_doorbell, *cq_doorbell;
	int cpu;		/* where its interrupt goes */
	int vector;		/* 0: none */

	struct spinlock lock;	/* guards everything below */
	uint16_t sq_tail, cq_head;
	uint16_t phase;		/* the phase tag new completions carry */
	unsigned nslots, nfree;
	int16_t free[NVME_QDEPTH];
	struct nvme_slot slots[NVME_QDEPTH];
	struct timer timer;	/* checks deadlines while commands are out */
	bool timer_on;
	bool bad_cid_logged;
};

struct nvme_ns {
	struct blk_dev blk;
	struct nvme_ctrl *ctrl;
	uint32_t nsid;
	struct nvme_ns *next;
	/* Requests not issued yet, in order, per I/O queue (guarded by that
	 * queue's lock): the queues are the controller's, shared by its
	 * namespaces. */
	struct list waiting[NVME_MAX_IOQ];
};

struct nvme_ctrl {
	struct pci_dev *pci;
	volatile uint8_t *regs;
	char name[12];		/* "nvme0" */
	uint64_t cap;
	unsigned dstrd;		/* doorbell stride: 4 << dstrd bytes */
	uint32_t max_xfer;	/* bytes per command */
	bool vwc;		/* a volatile write cache: flushes matter */
	bool dsm;		/* Dataset Management (deallocate) */
	uint64_t timeout_ns;	/* per command, before the controller is dead */
	struct pci_msix msix;
	struct nvme_queue admin;
	struct nvme_queue *io[NVME_MAX_IOQ];
	unsigned nio;
	struct nvme_ns *ns;
	volatile bool dead;
	bool error_logged;
};

/* Registers.  64-bit ones as two 32-bit halves, low first: what every
 * controller must accept. */
uint32_t nvme_read32(const struct nvme_ctrl *c, unsigned off);
void nvme_write32(const struct nvme_ctrl *c, unsigned off, uint32_t v);
uint64_t nvme_read64(const struct nvme_ctrl *c, unsigned off);
void nvme_write64(const struct nvme_ctrl *c, unsigned off, uint64_t v);

/* nvme_queue.c.  Rings of `size` entries for queue qid: 0 or -ENOMEM. */
int nvme_queue_init(struct nvme_queue *q, struct nvme_ctrl *c, uint16_t qid, uint16_t size);
void nvme_queue_free(struct nvme_queue *q);
/* Caller holds q->lock (or owns q alone).  Copies e into the next
 * submission entry; nvme_queue_ring tells the controller. */
void nvme_queue_push(struct nvme_queue *q, const struct nvme_sqe *e);
void nvme_queue_ring(struct nvme_queue *q);
/* Caller holds q->lock.  Passes each new completion (at most one ring's
 * worth) to fn and frees their entries; returns how many. */
typedef void nvme_cqe_fn(struct nvme_queue *q, const struct nvme_cqe *e, void *arg);
unsigned nvme_queue_reap(struct nvme_queue *q, nvme_cqe_fn *fn, void *arg);
/* One admin command, waited for by polling (set-up only): 0, -EIO with
 * the status logged, or -ETIMEDOUT.  *result gets the completion's dword 0. */
int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *e, uint32_t *result);

/* nvme_io.c */
extern const struct blk_ops nvme_blk_ops;
void nvme_io_interrupt(void *queue);
/* Fails every request q holds or waits with, with -EIO. */
void nvme_io_drain(struct nvme_queue *q);
void nvme_io_timer(struct timer *t);

/* nvme.c: the controller stopped answering or reported a fatal error:
 * it is switched off, its namespaces are gone, its requests fail. */
void nvme_ctrl_fail(struct nvme_ctrl *c, const char *why);

#endif
