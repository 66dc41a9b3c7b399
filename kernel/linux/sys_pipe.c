/* pipe, pipe2: a new pipe's two ends on the lowest free descriptors. */
#include "core/errno.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "linux/fd.h"
#include "linux/syscall.h"

#define PAGE_BYTES	4096
#define PIPE_MAX_SIZE	(1024 * 1024)	/* /proc/sys/fs/pipe-max-size */

/* F_SETPIPE_SZ's size, as Linux's round_pipe_size: the argument's low 32
 * bits, at least a page, up to a power of two; 0 past 2 GiB. */
static size_t round_pipe_size(uint32_t want)
{
	size_t size = PAGE_BYTES;

	if (want > 1u << 31)
		return 0;
	while (size < want)
		size <<= 1;
	return size;
}

long pipe_fcntl_size(struct file *f) { return pipe_capacity(f); }

/* Beyond pipe-max-size is EPERM even for root (as on a Linux without
 * CAP_SYS_RESOURCE). */
long pipe_fcntl_set_size(struct file *f, uint64_t arg)
{
	size_t size = round_pipe_size((uint32_t)arg);
	long cap = pipe_capacity(f);

	if (cap < 0)
		return cap;
	if (!size)
		return -EINVAL;
	return size > PIPE_MAX_SIZE && size > (size_t)cap ? -EPERM : pipe_resize(f, size);
}

static long make_pipe(uint64_t ufds, uint64_t flags)
{
	struct file *r, *w;
	int fds[2];

	if (flags & ~(uint64_t)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;	/* O_DIRECT (packet mode) is not supported */
	long err = pipe_create(&r, &w, flags);
	if (err)
		return err;
	fds[0] = fd_install(r, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(w);
		return fds[0];
	}
	fds[1] = fd_install(w, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		return fds[1];
	}
	if (!copy_to_user(ufds, fds, sizeof fds))
		return 0;
	/* Linux checks the pointer before installing; closing afterwards is
	 * the same to a program that did not share the numbers yet. */
	fd_close(fds[0]);
	fd_close(fds[1]);
	return -EFAULT;
}

static long sys_pipe(const struct sysargs *a) { return make_pipe(a->a[0], 0); }
static long sys_pipe2(const struct sysargs *a) { return make_pipe(a->a[0], a->a[1]); }

static const struct syscall_entry pipe_calls[] = {
	{ 22, sys_pipe },
	{ 293, sys_pipe2 },
};

SYSCALL_TABLE(pipe_calls);
