/* Pipes (pipe(7)): a 64 KiB byte ring shared by a read end and a write end,
 * each a struct file.  Writes of at most PIPE_BUF bytes are atomic. */
#ifndef AMPHI_FS_PIPE_H
#define AMPHI_FS_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct pipe;

#define PIPE_BUF	4096
#define PIPE_SIZE	(64 * 1024)

/* A new pipe: *r reading, *w writing.  flags: O_NONBLOCK (other bits are
 * ignored).  0, or -ENOMEM. */
int pipe_create(struct file **r, struct file **w, unsigned flags);

/* The capacity of the pipe f is an end of, in bytes, or -EBADF when f is
 * not a pipe end.  pipe_resize sets it to size, a power of two pages (the
 * caller rounds): size, -EBUSY when more than that is queued, -ENOMEM. */
long pipe_capacity(struct file *f);
long pipe_resize(struct file *f, size_t size);

/* A read or write of pipe end f with its own O_NONBLOCK or nonblock
 * (vmsplice): -EBADF when f is not that end of a pipe. */
struct iobuf;
long pipe_transfer(struct file *f, const struct iobuf *b, bool write, bool nonblock);

/* splice and tee (pipe_splice.c): up to len bytes from pipe end in to
 * file out at *opos (NULL: its own offset); from file in at *ipos into
 * pipe end out; between two pipes, taking them from in (splice) or
 * leaving them there (tee).  The pipes' sides wait unless nonblock; a
 * move stops at what the other side took.  Bytes moved, 0 at a pipe's
 * end, -EPIPE when nobody reads the pipe written, -EAGAIN, -errno. */
long pipe_splice_out(struct file *in, struct file *out, int64_t *opos, size_t len, bool nonblock);
long pipe_splice_in(struct file *in, int64_t *ipos, struct file *out, size_t len, bool nonblock);
long pipe_to_pipe(struct file *in, struct file *out, size_t len, bool nonblock, bool take);

/* For FIFOs, where each open(2) adds an end to one pipe kept with the
 * inode: pipe_new() gives a pipe with one reference, pipe_open() an end
 * (flags' access mode says which: O_RDONLY, O_WRONLY or O_RDWR) holding its
 * own, pipe_put() drops the caller's.  Opening blocks for nothing: waiting
 * for the other side (fifo(7)) is the opener's business, helped by
 * pipe_has_readers()/pipe_has_writers() and pipe_waitq(). */
struct pipe *pipe_new(void);
struct file *pipe_open(struct pipe *p, unsigned flags);
void pipe_put(struct pipe *p);
bool pipe_has_readers(struct pipe *p);
bool pipe_has_writers(struct pipe *p);
/* Woken whenever an end opens or closes (and on data moving). */
struct waitq *pipe_waitq(struct pipe *p);

#endif
