/* Shared by aio.c, aio_ring.c and aio_submit.c. */
#ifndef AMPHI_LINUX_AIO_INTERNAL_H
#define AMPHI_LINUX_AIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aio_ctx;
struct file;
struct mm;

/* What every request carries to its completion. */
struct aio_req {
	struct aio_ctx *ctx;	/* referenced (aio_hold), and a slot taken */
	uint64_t data, obj;	/* the event's: aio_data and the iocb's address */
	struct file *file;	/* aio_fildes's, referenced */
	struct file *eventfd;	/* IOCB_FLAG_RESFD's, referenced, or NULL */
};

/* Posts res as r's event, signals its eventfd, lets go of the files and
 * the context (aio_submit.c). */
void aio_req_finish(struct aio_req *r, int64_t res);

/* IOCB_CMD_POLL (aio_poll.c): events, the iocb's aio_buf.  0 when it went
 * in (done now or later), or -errno (nothing of r used). */
long aio_poll_submit(const struct aio_req *r, uint64_t events);

/* The ring's header, as Linux lays it out (the program reads it). */
struct aio_ring {
	uint32_t id;		/* the context's index in its address space's table */
	uint32_t nr;		/* events the ring holds */
	uint32_t head;		/* the program's: next to reap */
	uint32_t tail;		/* the kernel's: next to fill */
	uint32_t magic;
	uint32_t compat_features;
	uint32_t incompat_features;
	uint32_t header_length;	/* sizeof(struct aio_ring) */
};

#define AIO_RING_MAGIC		0xa10a10a1
#define AIO_RING_COMPAT		1
#define AIO_EVENTS_PER_PAGE	(4096 / 32)	/* PAGE_SIZE / sizeof(struct io_event) */
#define AIO_EVENTS_OFFSET	1		/* the header takes one event's room */

/* Each address space's contexts by id (aio_table.c).  All under
 * aio_table_lock, a mutex (the calls may allocate). */
void aio_table_lock(void);
void aio_table_unlock(void);
/* Puts ctx in mm's table at its lowest free id: 0 and *id, or -ENOMEM. */
long aio_table_insert(struct mm *mm, struct aio_ctx *ctx, uint32_t *id);
struct aio_ctx *aio_table_find(struct mm *mm, uint32_t id);
void aio_table_remove(struct mm *mm, uint32_t id);
/* Any context of mm, or NULL. */
struct aio_ctx *aio_table_any(struct mm *mm);

/* The ring's pages: the context holds them once, each mapping of them
 * once more, so a program that unmaps its ring leaves the kernel's copy
 * whole (its later calls then fail with EINVAL, as on Linux). */
struct aio_pages;

/* npages zeroed pages, referenced once; NULL if no memory. */
struct aio_pages *aio_pages_new(size_t npages);
void aio_pages_put(struct aio_pages *p);
/* Maps them shared and writable where mm has room: the address, or
 * -ENOMEM. */
long aio_pages_map(struct aio_pages *p, struct mm *mm);
/* Whether the whole of p is mapped at addr in mm, from its first page:
 * where mremap moved a ring. */
bool aio_pages_mapped_at(struct aio_pages *p, struct mm *mm, uint64_t addr);
/* The kernel's view of byte off (inside one page). */
void *aio_pages_at(struct aio_pages *p, size_t off);

#endif
