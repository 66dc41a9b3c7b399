/* pipe, pipe2: a new pipe's two ends on the lowest free descriptors. */
#include "core/errno.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "linux/syscall.h"

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

void sys_pipe_register(void)
{
	syscall_register(22, sys_pipe);
	syscall_register(293, sys_pipe2);
}
