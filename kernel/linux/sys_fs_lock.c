/* Advisory locks from user space: fcntl's record locks (F_GETLK, F_SETLK,
 * F_SETLKW and their F_OFD_ forms), memfd seals, and flock(2).  The rules
 * for a one-process system are in fs/vfs_locks.h. */
#include "core/errno.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/vfs_file.h"
#include "fs/vfs_locks.h"
#include "linux/fd.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "linux/sys_fs_internal.h"

#define F_GETLK		5
#define F_SETLK		6
#define F_SETLKW	7
#define F_OFD_GETLK	36
#define F_OFD_SETLK	37
#define F_OFD_SETLKW	38
#define F_GETLEASE	1025
#define F_ADD_SEALS	1033
#define F_GET_SEALS	1034
#define F_SEAL_SEAL	0x0001
#define F_SEAL_WRITE	0x0008
#define F_SEAL_ALL	0x003f

struct linux_flock {
	int16_t type, whence;
	int32_t pad0;
	int64_t start, len;
	int32_t pid, pad1;
};

/* The absolute byte range a struct flock describes, checked as Linux's
 * flock64_to_posix_lock checks it: a start or end past the largest offset
 * is -EOVERFLOW, a range reaching below 0 -EINVAL.  Each sum is checked
 * before it is made, so no overflow ever wraps a range around. */
static long range_of(struct file *f, const struct linux_flock *l, struct lock_range *r)
{
	int64_t base;

	switch (l->whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->pos; break;
	case SEEK_END: base = f->inode->size; break;
	default: return -EINVAL;
	}
	if (l->start > INT64_MAX - base)	/* base >= 0: no overflow here */
		return -EOVERFLOW;
	r->start = base + l->start;
	if (r->start < 0)
		return -EINVAL;
	r->end = LOCK_END;
	if (l->len > 0) {
		if (l->len - 1 > INT64_MAX - r->start)
			return -EOVERFLOW;
		r->end = r->start + (l->len - 1);
	} else if (l->len < 0) {
		if (r->start + l->len < 0)	/* start >= 0: no overflow */
			return -EINVAL;
		r->end = r->start - 1;
		r->start += l->len;
	}
	return 0;
}

static long get_lock(struct file *f, struct linux_flock *l, bool ofd)
{
	struct lock_range r;
	int pid;

	if (l->type != F_RDLCK && l->type != F_WRLCK)
		return -EINVAL;
	if (ofd && l->pid)
		return -EINVAL;
	long err = range_of(f, l, &r);
	if (err)
		return err;
	r.type = l->type;
	if (!locks_test(f->inode, ofd ? (const void *)f : locks_posix_owner(), &r, &pid)) {
		l->type = F_UNLCK;
		return 0;
	}
	*l = (struct linux_flock){ .type = (int16_t)r.type, .whence = SEEK_SET, .start = r.start,
				   .len = r.end == LOCK_END ? 0 : r.end - r.start + 1,
				   .pid = pid };
	return 0;
}

static long set_lock(struct file *f, const struct linux_flock *l, bool ofd, bool wait)
{
	struct lock_range r;

	if (l->type != F_RDLCK && l->type != F_WRLCK && l->type != F_UNLCK)
		return -EINVAL;
	if (ofd && l->pid)
		return -EINVAL;
	if ((l->type == F_RDLCK && !file_readable(f)) || (l->type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	long err = range_of(f, l, &r);
	if (err)
		return err;
	r.type = l->type;
	return locks_set(f->inode, ofd ? (const void *)f : locks_posix_owner(), &r, wait);
}

static long record_lock(struct file *f, int cmd, uint64_t arg)
{
	struct linux_flock l;
	bool ofd = cmd >= F_OFD_GETLK;

	if (copy_from_user(&l, arg, sizeof l))
		return -EFAULT;
	if (!f->inode) {	/* pipes and the console: nobody else to lock against */
		if (cmd != F_GETLK && cmd != F_OFD_GETLK)
			return 0;
		l.type = F_UNLCK;
		return copy_to_user(arg, &l, sizeof l) ? -EFAULT : 0;
	}
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		long err = get_lock(f, &l, ofd);
		return err ? err : copy_to_user(arg, &l, sizeof l) ? -EFAULT : 0;
	}
	return set_lock(f, &l, ofd, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

static long seals(struct file *f, int cmd, unsigned add)
{
	struct inode *i = f->inode;

	if (!i || !is_reg(i) || vfs_generated(i))
		return -EINVAL;
	rwmutex_write_lock(&i->data_lock);
	long ret = i->seals;
	if (cmd == F_ADD_SEALS) {
		if (add & ~F_SEAL_ALL)
			ret = -EINVAL;
		else if (!file_writable(f))
			ret = -EPERM;
		else if (i->seals & F_SEAL_SEAL)
			ret = -EPERM;
		else if ((add & F_SEAL_WRITE) && !(i->seals & F_SEAL_WRITE))
			ret = vm_object_deny_write(&i->mapped);	/* -EBUSY if mapped so */
		else
			ret = 0;
		if (!ret)
			i->seals |= add;
	}
	rwmutex_write_unlock(&i->data_lock);
	return ret;
}

long fcntl_more(int fd, int cmd, uint64_t arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		ret = file_is_path(f) ? -EBADF : record_lock(f, cmd, arg);
		break;
	case F_ADD_SEALS: case F_GET_SEALS:
		ret = seals(f, cmd, (unsigned)arg);
		break;
	case F_GETLEASE:
		ret = F_UNLCK;
		break;
	default:
		ret = -EINVAL;
	}
	file_put(f);
	return ret;
}

static long sys_flock(const struct sysargs *a)
{
	struct file *f = fd_get((int)a->a[0]);

	if (!f)
		return -EBADF;
	long ret = file_is_path(f) ? -EBADF : locks_flock(f, (int)a->a[1]);
	file_put(f);
	return ret;
}

static const struct syscall_entry fs_lock_calls[] = {
	{ 73, sys_flock },
};

SYSCALL_TABLE(fs_lock_calls);
