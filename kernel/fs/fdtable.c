/* Descriptor tables: an array of file pointers under a lock, grown as
 * descriptors are taken.  References keep a file alive while a system call
 * uses it, even if another thread closes the descriptor meanwhile.  The
 * calls without a table argument work on the calling thread's. */
#include "fs/fdtable.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "fs/file.h"
#include "fs/vfs_locks.h"

#define FIRST_SIZE	64

struct fdtable {
	volatile int refs;	/* threads sharing it (CLONE_FILES) */
	struct spinlock lock;	/* guards everything below */
	struct file **files;	/* size slots */
	bool *cloexec;
	int size;
	int limit;		/* RLIMIT_NOFILE's soft value */
};

static struct fdtable *table(void) { return current()->files; }

static struct fdtable *alloc_table(int size, int limit)
{
	struct fdtable *t = kmalloc_program(sizeof *t);

	if (!t)
		return NULL;
	t->files = kmalloc_program(size * sizeof *t->files);
	t->cloexec = kmalloc_program(size * sizeof *t->cloexec);
	if (!t->files || !t->cloexec) {
		kfree(t->files);
		kfree(t->cloexec);
		kfree(t);
		return NULL;
	}
	t->refs = 1;
	t->lock = (struct spinlock)SPINLOCK_INIT;
	t->size = size;
	t->limit = limit;
	return t;
}

struct fdtable *fdtable_new(void) { return alloc_table(FIRST_SIZE, 1024); }

struct fdtable *fdtable_copy(struct fdtable *from)
{
	for (;;) {
		int size = __atomic_load_n(&from->size, __ATOMIC_RELAXED);
		struct fdtable *t = alloc_table(size, 0);
		if (!t)
			return NULL;
		spin_lock(&from->lock);
		if (from->size == size) {
			t->limit = from->limit;
			for (int fd = 0; fd < size; fd++) {
				if ((t->files[fd] = from->files[fd]))
					file_get(t->files[fd]);
				t->cloexec[fd] = from->cloexec[fd];
			}
			spin_unlock(&from->lock);
			return t;
		}
		spin_unlock(&from->lock);	/* it grew meanwhile: again */
		fdtable_release(t);
	}
}

struct fdtable *fdtable_unshare(struct fdtable *t)
{
	if (__atomic_load_n(&t->refs, __ATOMIC_ACQUIRE) == 1)
		return t;
	return fdtable_copy(t);
}

void fdtable_hold(struct fdtable *t) { __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED); }

/* A descriptor of t goes: the file's flush runs, and the process's POSIX
 * locks on the file go (as on Linux, whatever other descriptors it has).
 * Its epoll registrations go with the file's release (fs/epoll.h). */
static void drop(struct fdtable *t, struct file *f)
{
	if (f->ops->flush)
		f->ops->flush(f);
	locks_close(f, t);
	file_put(f);
}

void fdtable_release(struct fdtable *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (int fd = 0; fd < t->size; fd++)
		if (t->files[fd])
			drop(t, t->files[fd]);
	kfree(t->files);
	kfree(t->cloexec);
	kfree(t);
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (int fd = 0;; fd++) {
		spin_lock(&t->lock);
		if (fd >= t->size) {
			spin_unlock(&t->lock);
			return;
		}
		struct file *f = t->cloexec[fd] ? t->files[fd] : NULL;
		if (f)
			t->files[fd] = NULL;
		spin_unlock(&t->lock);
		if (f)
			drop(t, f);
	}
}

/* Makes room for descriptor fd (below the hard limit): 0 or -ENOMEM.
 * Caller holds t->lock; the arrays are allocated under it (kmalloc
 * never sleeps). */
static int grow(struct fdtable *t, int fd)
{
	int size = t->size;

	while (size <= fd)
		size *= 2;
	if (size > FD_MAX)
		size = FD_MAX;
	struct file **files = kmalloc_program(size * sizeof *files);
	bool *cloexec = kmalloc_program(size * sizeof *cloexec);
	if (!files || !cloexec) {
		kfree(files);
		kfree(cloexec);
		return -ENOMEM;
	}
	memcpy(files, t->files, t->size * sizeof *files);
	memcpy(cloexec, t->cloexec, t->size * sizeof *cloexec);
	kfree(t->files);
	kfree(t->cloexec);
	t->files = files;
	t->cloexec = cloexec;
	__atomic_store_n(&t->size, size, __ATOMIC_RELAXED);
	return 0;
}

void fd_set_limit(int l)
{
	__atomic_store_n(&table()->limit, l < 1 ? 1 : l > FD_MAX ? FD_MAX : l, __ATOMIC_RELAXED);
}

int fd_get_limit(void) { return __atomic_load_n(&table()->limit, __ATOMIC_RELAXED); }

int fd_table_size(void) { return __atomic_load_n(&table()->size, __ATOMIC_RELAXED); }

int fd_install(struct file *f, int min, bool ce)
{
	struct fdtable *t = table();
	int err = -EMFILE;

	spin_lock(&t->lock);
	for (int fd = min < 0 ? 0 : min; fd < t->limit; fd++) {
		if (fd >= t->size && grow(t, fd)) {
			err = -ENOMEM;
			break;
		}
		if (!t->files[fd]) {
			t->files[fd] = f;
			t->cloexec[fd] = ce;
			spin_unlock(&t->lock);
			return fd;
		}
	}
	spin_unlock(&t->lock);
	file_put(f);
	return err;
}

int fd_room(void)
{
	struct fdtable *t = table();
	int err = -EMFILE;

	spin_lock(&t->lock);
	for (int fd = 0; fd < t->limit && err; fd++)
		if (fd >= t->size || !t->files[fd])
			err = 0;
	spin_unlock(&t->lock);
	return err;
}

int fd_install_at(struct file *f, int fd, bool ce) { return fdtable_install_at(table(), f, fd, ce); }

int fdtable_install_at(struct fdtable *t, struct file *f, int fd, bool ce)
{
	spin_lock(&t->lock);
	int err = fd < 0 || fd >= t->limit ? -EBADF : fd >= t->size ? grow(t, fd) : 0;
	if (err) {
		spin_unlock(&t->lock);
		file_put(f);
		return err;
	}
	struct file *old = t->files[fd];
	t->files[fd] = f;
	t->cloexec[fd] = ce;
	spin_unlock(&t->lock);
	if (old)
		drop(t, old);
	return fd;
}

struct file *fdtable_get(struct fdtable *t, int fd)
{
	if (fd < 0)
		return NULL;
	spin_lock(&t->lock);
	struct file *f = fd < t->size ? t->files[fd] : NULL;
	if (f)
		file_get(f);
	spin_unlock(&t->lock);
	return f;
}

struct file *fd_get(int fd) { return fdtable_get(table(), fd); }

int fdtable_next(struct fdtable *t, int fd)
{
	int found = -1;

	spin_lock(&t->lock);
	for (; fd >= 0 && fd < t->size && found < 0; fd++)
		if (t->files[fd])
			found = fd;
	spin_unlock(&t->lock);
	return found;
}

int fd_close(int fd)
{
	struct fdtable *t = table();

	if (fd < 0)
		return -EBADF;
	spin_lock(&t->lock);
	struct file *f = fd < t->size ? t->files[fd] : NULL;
	if (f)
		t->files[fd] = NULL;
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	drop(t, f);
	return 0;
}

int fd_get_cloexec(int fd)
{
	struct fdtable *t = table();

	if (fd < 0)
		return -EBADF;
	spin_lock(&t->lock);
	int r = fd < t->size && t->files[fd] ? t->cloexec[fd] : -EBADF;
	spin_unlock(&t->lock);
	return r;
}

int fd_set_cloexec(int fd, bool on)
{
	struct fdtable *t = table();

	if (fd < 0)
		return -EBADF;
	spin_lock(&t->lock);
	int r = fd < t->size && t->files[fd] ? (t->cloexec[fd] = on, 0) : -EBADF;
	spin_unlock(&t->lock);
	return r;
}
