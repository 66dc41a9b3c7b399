/* Regular files as core/vm.c maps them.  A mapping holds the open file (a
 * reference, as Linux's vm_file) and takes the file's own pages from
 * tmpfs (tmpfs.c's pages_lock) or from a mounted store's get_page (the
 * page cache, which may sleep; 9p gives copies): a shared mapping writes
 * them, so read() and every other mapping see its stores at once; a
 * private one copies a page on its first write (core/vm_fault.c). */
#include "fs/vfs_mmap.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "core/vm.h"
#include "fs/file.h"
#include "fs/stat.h"
#include "fs/super.h"
#include "fs/vfs.h"
#include "fs/vfs_file.h"
#include "fs/vfs_open.h"

/* A mounted store's page, looked up under the file's fault_lock, which a
 * truncation holds whole: the size checked and the page found are both
 * from before it or both from after it.  No room on the disk for the
 * page's block is SIGBUS, as on Linux (-EFAULT: vm_fault answers -EIO),
 * not the out-of-memory end. */
static int store_get_page(struct inode *i, uint64_t idx, bool may_write, uint64_t *pa)
{
	rwmutex_read_lock(&i->fault_lock);
	int64_t size = __atomic_load_n(&i->size, __ATOMIC_RELAXED);	/* a write() may grow it */
	int err = idx < pages_for(size) ? i->sb->ops->get_page(i, idx, may_write, pa) : -EFAULT;
	rwmutex_read_unlock(&i->fault_lock);
	return err == -ENOSPC ? -EFAULT : err;
}

/* Past the last page of the file: SIGBUS, as on Linux.  A shared mapping
 * makes the page of a hole (shmem allocates it too); a private one leaves
 * the hole (-ENOENT: vm_fault maps a zeroed page of its own). */
static int file_get_page(void *obj, uint64_t idx, bool shared, uint64_t *pa)
{
	struct file *f = obj;
	struct inode *i = f->inode;

	/* A store's page is written back only if a mapping may store into it */
	if (i->sb)
		return store_get_page(i, idx, shared && (f->flags & O_ACCMODE) != O_RDONLY, pa);
	if (idx >= pages_for(__atomic_load_n(&i->size, __ATOMIC_RELAXED)))
		return -EFAULT;
	int err = tmpfs_get_page(i, idx, shared, pa);
	return err == -ENOSPC ? -ENOMEM : err;	/* tmpfs's pages are memory */
}

static struct vm_object *file_object(void *obj) { return &((struct file *)obj)->inode->mapped; }

static void file_hold(void *obj) { file_get(obj); }
static void file_release(void *obj) { file_put(obj); }

static void file_describe(void *obj, char *name, size_t size, uint64_t *dev, uint64_t *ino)
{
	struct file *f = obj;
	struct kstat st;

	inode_stat(f->inode, &st);
	*dev = st.dev;
	*ino = st.ino;
	snprintf(name, size, "%s%s", f->path ? f->path : "", f->path && !f->inode->nlink ? " (deleted)" : "");
}

/* MADV_REMOVE, as fallocate(PUNCH_HOLE | KEEP_SIZE) of those pages. */
static int file_punch(void *obj, uint64_t idx, uint64_t npages)
{
	struct file *f = obj;

	if (idx > INT64_MAX / PAGE_SIZE || npages > INT64_MAX / PAGE_SIZE - idx)
		return -EFBIG;
	return vfs_data_punch(f->inode, (int64_t)(idx * PAGE_SIZE), (int64_t)(npages * PAGE_SIZE));
}

/* msync(MS_SYNC), as fdatasync of the file (Linux's vfs_fsync_range):
 * a mounted store writes the pages back; tmpfs has nothing to do. */
static int file_sync(void *obj)
{
	struct file *f = obj;

	return f->ops->fsync ? f->ops->fsync(f, true) : vfs_data_fsync(f->inode, true);
}

static const struct vm_file_ops file_vm_ops = {
	.object = file_object,
	.get_page = file_get_page,
	.hold = file_hold,
	.release = file_release,
	.punch = file_punch,
	.sync = file_sync,
	.describe = file_describe,
};

const struct vm_file_ops *vfs_mmap_ops(struct file *f)
{
	/* /proc's files are made when read, with nothing to map (ENODEV, as
	 * Linux's seq_files); so are a mounted store's without get_page */
	struct inode *i = f->inode;
	return i && is_reg(i) && !vfs_generated(i) && !file_is_path(f) && (!i->sb || i->sb->ops->get_page)
	       ? &file_vm_ops : NULL;
}

bool vfs_mmap_readonly(struct file *f)
{
	return f->inode->sb && f->inode->sb->ops->mmap_readonly;
}

struct file *vfs_shmem_file(uint64_t size, const char *name)
{
	struct inode *i = size <= INT64_MAX ? vfs_create_unnamed(FS_TMPFS, 0600) : NULL;
	struct file *f = NULL;

	if (!i)
		return NULL;
	vfs_lock();
	long err = tmpfs_truncate(i, (int64_t)size);
	if (!err)
		err = vfs_open_inode(i, O_RDWR, &f);
	vfs_unlock();
	inode_put(i);
	if (err)
		return NULL;
	if ((f->path = kmalloc(strlen(name) + 1)))
		memcpy(f->path, name, strlen(name) + 1);
	return f;
}
