/* Between pipe.c and pipe_splice.c: the pipe itself. */
#ifndef AMPHI_FS_PIPE_INTERNAL_H
#define AMPHI_FS_PIPE_INTERNAL_H

#include <stddef.h>

#include "core/mutex.h"
#include "core/spinlock.h"
#include "core/waitq.h"
#include "fs/pipe.h"

struct pipe {
	/* Held over each move of bytes in or out (not while waiting for
	 * them), so a splice can copy bytes out and take only those its
	 * file accepted, as Linux's pipe mutex lets it. */
	struct mutex io;
	struct spinlock lock;	/* guards buf through refs */
	char *buf;		/* size bytes; made by a write, freed with the last end */
	size_t size;		/* a power of two pages: PIPE_SIZE, or F_SETPIPE_SZ's */
	size_t head, tail;	/* free-running: head - tail bytes queued */
	int readers, writers;	/* open ends that read, that write */
	int refs;		/* open ends + a pipe_new() holder */
	unsigned writer_opens;	/* write ends ever opened (see reader_saw_writer) */
	unsigned id;		/* inode number: fstat, "pipe:[N]" */
	struct waitq rd_wait;	/* readers: data came, the last writer left */
	struct waitq wr_wait;	/* writers: room was made, the last reader left */
	struct waitq ends_wait;	/* an end opened or closed */
};

/* Caller holds p->lock. */
static inline size_t pipe_queued(const struct pipe *p) { return p->head - p->tail; }
static inline size_t pipe_room(const struct pipe *p) { return p->size - pipe_queued(p); }

/* The pipe f is an end of, or NULL. */
struct pipe *pipe_of(struct file *f);
/* Its ring, made if it is not yet: 0 or -ENOMEM. */
int pipe_ensure_buffer(struct pipe *p);
/* n queued bytes copied to dst, left queued; n bytes from src queued
 * (the caller checked the room).  Caller holds p->lock. */
void pipe_peek(const struct pipe *p, char *dst, size_t n);
void pipe_fill(struct pipe *p, const char *src, size_t n);
/* Sleep, neither lock held, until p has bytes (1), or has none and no
 * writer (0); or room (1), or no reader (-EPIPE).  -EAGAIN when nonblock
 * and it would sleep, -ERESTARTSYS for a signal. */
long pipe_wait_data(struct pipe *p, bool nonblock);
long pipe_wait_room(struct pipe *p, bool nonblock);

#endif
