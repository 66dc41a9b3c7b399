/* RLIMIT_FSIZE: the largest file a process may make, as Linux's
 * generic_write_check_limits and inode_newsize_ok enforce it.  Only
 * regular files are limited (memfds and /dev/shm too, not pipes, sockets
 * or devices); a refusal is EFBIG and sends SIGXFSZ to the caller, whose
 * default action ends the process.
 *
 * The checks are made here, above the VFS, where the limit and signals
 * are known.  An O_APPEND write's position is the size read before the
 * write, so appenders racing each other can pass the limit by what the
 * others add meanwhile (Linux checks under the inode's lock). */
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

long fsize_limit_write(struct file *f, const int64_t *pos, size_t *len)
{
	if (!limited(f))
		return 0;
	uint64_t limit = fsize_limit();
	if (limit == RLIM_INFINITY)
		return 0;
	int64_t at = f->flags & O_APPEND ? __atomic_load_n(&f->inode->size, __ATOMIC_RELAXED)
		     : pos ? *pos : f->pos;
	if ((uint64_t)at >= limit) {
		signal_raise_self(SIGXFSZ);
		return -EFBIG;
	}
	if (*len > limit - (uint64_t)at)
		*len = limit - (uint64_t)at;
	return 0;
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
