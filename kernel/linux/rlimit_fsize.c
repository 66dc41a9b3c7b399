/* RLIMIT_FSIZE: the largest file a process may make, as Linux's
 * generic_write_check_limits and inode_newsize_ok enforce it.  Only
 * regular files are limited (memfds and /dev/shm too, not pipes, sockets
 * or devices); a refusal is EFBIG and sends SIGXFSZ to the caller, whose
 * default action ends the process.
 *
 * The limit and the signal are known here, above the VFS, where a write
 * at a known position is cut or refused.  An O_APPEND write's position
 * is only known under the file system's lock, where another appender may
 * just have moved the end: so it takes the limit down as the write's
 * bound (iobuf.max_end), which the file system applies there as Linux's
 * generic_write_check_limits does under the inode's lock, and the
 * SIGXFSZ follows its EFBIG here. */
#include "linux/fd.h"

#include "core/errno.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "linux/process.h"
#include "linux/signal.h"

static uint64_t fsize_limit(void)
{
	return process_soft_limit(process_current(), RLIMIT_FSIZE);
}

static bool limited(const struct file *f)
{
	return f->inode && is_reg(f->inode) && !vfs_generated(f->inode);
}

long fsize_limit_at(struct file *f, int64_t at, size_t *len)
{
	if (!limited(f))
		return 0;
	uint64_t limit = fsize_limit();
	if (limit == RLIM_INFINITY)
		return 0;
	if ((uint64_t)at >= limit) {
		signal_raise_self(SIGXFSZ);
		return -EFBIG;
	}
	if (*len > limit - (uint64_t)at)
		*len = limit - (uint64_t)at;
	return 0;
}

long fsize_limit_write(struct file *f, const int64_t *pos, struct iobuf *b)
{
	if (!(f->flags & O_APPEND))
		return fsize_limit_at(f, pos ? *pos : f->pos, &b->len);
	if (limited(f))
		b->max_end = fsize_limit();	/* RLIM_INFINITY is UINT64_MAX: no bound */
	return 0;
}

long fsize_limit_appended(const struct iobuf *b, int64_t at, long n)
{
	if (n == -EFBIG && (uint64_t)at >= b->max_end)
		signal_raise_self(SIGXFSZ);
	return n;
}

long fsize_limit_grow(struct inode *i, uint64_t size)
{
	uint64_t limit = fsize_limit();

	if (limit == RLIM_INFINITY || size <= limit ||
	    size <= (uint64_t)__atomic_load_n(&i->size, __ATOMIC_RELAXED))
		return 0;
	signal_raise_self(SIGXFSZ);
	return -EFBIG;
}
