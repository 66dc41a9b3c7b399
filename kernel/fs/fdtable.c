/* Descriptors: an array of file pointers under one lock.  References keep a
 * file alive while a system call uses it, even if another thread closes the
 * descriptor meanwhile. */
#include "fs/fdtable.h"

#include "core/errno.h"
#include "core/spinlock.h"
#include "fs/epoll.h"
#include "fs/file.h"

static struct spinlock lock = SPINLOCK_INIT;	/* guards files, cloexec, limit */
static struct file *files[FD_MAX];
static bool cloexec[FD_MAX];
static int limit = 1024;

void fd_set_limit(int l) { limit = l < 1 ? 1 : l > FD_MAX ? FD_MAX : l; }
int fd_get_limit(void) { return __atomic_load_n(&limit, __ATOMIC_RELAXED); }

int fd_install(struct file *f, int min, bool ce)
{
	spin_lock(&lock);
	for (int fd = min < 0 ? 0 : min; fd < limit; fd++) {
		if (!files[fd]) {
			files[fd] = f;
			cloexec[fd] = ce;
			spin_unlock(&lock);
			return fd;
		}
	}
	spin_unlock(&lock);
	file_put(f);
	return -EMFILE;
}

/* A descriptor's reference goes: when epoll registrations are all that
 * would keep the file open, they go first (Linux drops them on release). */
static void drop(struct file *f)
{
	epoll_forget_file(f);
	file_put(f);
}

int fd_install_at(struct file *f, int fd, bool ce)
{
	if (fd < 0 || fd >= limit) {
		file_put(f);
		return -EBADF;
	}
	spin_lock(&lock);
	struct file *old = files[fd];
	files[fd] = f;
	cloexec[fd] = ce;
	spin_unlock(&lock);
	if (old)
		drop(old);
	return fd;
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	spin_lock(&lock);
	struct file *f = files[fd];
	if (f)
		file_get(f);
	spin_unlock(&lock);
	return f;
}

int fd_close(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&lock);
	struct file *f = files[fd];
	files[fd] = NULL;
	spin_unlock(&lock);
	if (!f)
		return -EBADF;
	drop(f);
	return 0;
}

int fd_get_cloexec(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&lock);
	int r = files[fd] ? cloexec[fd] : -EBADF;
	spin_unlock(&lock);
	return r;
}

int fd_set_cloexec(int fd, bool on)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	spin_lock(&lock);
	int r = files[fd] ? (cloexec[fd] = on, 0) : -EBADF;
	spin_unlock(&lock);
	return r;
}
