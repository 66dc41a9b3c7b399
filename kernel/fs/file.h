/* Open files: what a file descriptor points at.
 *
 * A struct file is shared by every descriptor dup()ed from it and holds the
 * offset and status flags; its ops say what it is (a tmpfs file, a pipe end,
 * the console, an eventfd ...).  Data moves through a struct iobuf, which is
 * either user memory (checked on every copy) or kernel memory, so the same
 * read/write serve system calls and in-kernel copies (sendfile). */
#ifndef AMPHI_FS_FILE_H
#define AMPHI_FS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"
#include "core/spinlock.h"

struct file;
struct file_async;
struct kstat;
struct poll_table;
struct inode;

/* open(2) flags, as Linux numbers them. */
#define O_ACCMODE	00000003
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002
#define O_CREAT		00000100
#define O_EXCL		00000200
#define O_NOCTTY	00000400
#define O_TRUNC		00001000
#define O_APPEND	00002000
#define O_NONBLOCK	00004000
#define O_ASYNC		00020000
#define O_DIRECT	00040000
#define O_DIRECTORY	00200000
#define O_NOFOLLOW	00400000
#define O_NOATIME	01000000
#define O_CLOEXEC	02000000
#define O_PATH		010000000

/* lseek(2)'s whence, as Linux numbers it (flock's l_whence too). */
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2
#define SEEK_DATA	3
#define SEEK_HOLE	4

/* poll(2) events. */
#define POLLIN		0x001
#define POLLPRI		0x002
#define POLLOUT		0x004
#define POLLERR		0x008
#define POLLHUP		0x010
#define POLLNVAL	0x020
#define POLLRDNORM	0x040
#define POLLWRNORM	0x100
#define POLLRDHUP	0x2000

struct iobuf {
	uint64_t user;		/* user address, or 0 when kernel is used */
	char *kernel;
	size_t len;
	/* A write to a regular file may not take it past this offset: the
	 * store cuts it there, or fails it with -EFBIG when it would start
	 * at or past it (vfs_data_fit).  The layer above sets it for a limit
	 * only known once the store has fixed where an append lands;
	 * UINT64_MAX for none. */
	uint64_t max_end;
};

static inline struct iobuf iobuf_user(uint64_t uaddr, size_t len) { return (struct iobuf){ uaddr, NULL, len, UINT64_MAX }; }
static inline struct iobuf iobuf_kernel(void *p, size_t len) { return (struct iobuf){ 0, p, len, UINT64_MAX }; }

/* Copies n bytes from src to the buffer at offset off (a read filling it),
 * or from the buffer at off to dst (a write draining it).  0 or -EFAULT. */
long iobuf_fill(const struct iobuf *b, size_t off, const void *src, size_t n);
long iobuf_drain(const struct iobuf *b, size_t off, void *dst, size_t n);
/* Brings in the program's pages behind n bytes at off (write: for a read
 * to fill), sleeping if need be: for a copy that failed holding a
 * spinlock to be tried again (core/uaccess.h).  0 or -EFAULT. */
long iobuf_fault_in(const struct iobuf *b, size_t off, size_t n, bool write);

struct file_ops {
	/* Both advance *pos where the file has positions; return bytes moved,
	 * or -errno (-EAGAIN when O_NONBLOCK and nothing can move now). */
	long (*read)(struct file *f, const struct iobuf *b, int64_t *pos);
	long (*write)(struct file *f, const struct iobuf *b, int64_t *pos);
	/* The events ready now; with pt, also registers on the wait queues
	 * that will announce changes (poll_wait). */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	long (*ioctl)(struct file *f, unsigned long cmd, uint64_t arg);
	int (*stat)(struct file *f, struct kstat *st);
	/* Directories: fills b with linux_dirent64 records from *pos. */
	long (*getdents)(struct file *f, const struct iobuf *b, int64_t *pos);
	long (*truncate)(struct file *f, uint64_t size);
	/* Where lseek's SEEK_END counts from: 0 and *end, or -errno (EINVAL
	 * for files made as Linux's seq_files make theirs).  Without it, the
	 * size stat gives. */
	int (*seek_end)(struct file *f, int64_t *end);
	/* A file whose positions are not offsets (/dev/kmsg): lseek(2) is
	 * this, whatever whence says; its answer is lseek's. */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	/* fsync(2), fdatasync(2): what was written made durable.  Without it,
	 * the file lives in memory and there is nothing to do. */
	int (*fsync)(struct file *f, bool datasync);
	void (*release)(struct file *f);
	/* Each close of a descriptor to the file (close, dup2 over it, exec's
	 * close-on-exec, the table's end), in the closing thread, before the
	 * reference goes: Linux's f_op->flush (a POSIX message queue forgets
	 * the closing process's mq_notify). */
	void (*flush)(struct file *f);
	/* O_ASYNC makes the Linux layer signal the owner on the wake-ups of
	 * the queues poll names (Linux's fasync: pipes, sockets, ttys). */
	bool async;
	/* read and write see transfers of 0 bytes (inotify: EINVAL with an
	 * event queued; eventfd: EINVAL, as any transfer short of 8 bytes, as
	 * on Linux); without it, such a transfer gives 0 before reaching them. */
	bool sees_empty;
	/* lseek moves the offset of a file outside the VFS (a POSIX message
	 * queue's status line); without it, such a file is ESPIPE. */
	bool seekable;
};

struct file {
	const struct file_ops *ops;
	volatile int refs;
	unsigned flags;			/* O_* status flags (O_NONBLOCK, O_APPEND, access mode) */
	struct spinlock pos_lock;	/* guards pos */
	int64_t pos;
	struct inode *inode;		/* for files in the VFS; NULL otherwise */
	void *priv;			/* the ops' own state */
	/* epoll items watching this file (fs/epoll.c's, under its lock); they
	 * hold no reference, and its release takes them out first. */
	struct list ep_items;
	struct file *ep_check_next;	/* fs/epoll_nest.c's, under its nest_lock */
	unsigned ep_check_gen;
	char *path;			/* for /proc/self/fd (may be NULL) */
	struct file_async *async;	/* the owner and O_ASYNC's watch, or NULL */
	struct file *release_next;	/* in current()->release_later (file.c) */
	bool denies_write;		/* a program runs from it (vfs_file_deny_write) */
	bool counts_write;		/* counted in its inode's write_count */
};

/* fcntl's owner of a file and O_ASYNC's watch on it, kept by the layer
 * above (linux/sigio.c) in a structure that starts with this one; made at
 * most once per file, it goes when the file does, before ops->release. */
struct file_async {
	void (*release)(struct file *f);
};

/* A new file with one reference; NULL when out of memory. */
struct file *file_new(const struct file_ops *ops, unsigned flags, void *priv);
void file_get(struct file *f);
/* A new reference unless the last is already gone (f is being released):
 * for code that finds files through something that does not keep them
 * (epoll items).  Whether it took one. */
bool file_tryget(struct file *f);
/* The last put calls ops->release, at once or, when the thread is already
 * releasing a file or holds vfs_lock, just after that one or once the
 * lock is let go (file.c says why). */
void file_put(struct file *f);
/* From now on the calling thread's last puts wait (vfs_lock): false if
 * they already did, for a release outside (then leave them to it). */
bool file_release_defer(void);
/* The releases that waited, and the thread's puts release at once again. */
void file_release_deferred(void);

static inline bool file_readable(const struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY; }
static inline bool file_writable(const struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY; }

#endif
