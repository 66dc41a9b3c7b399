/* Regular file contents, wherever they live: tmpfs's pages, or the store
 * of a mounted file system through its fs_ops under the inode's
 * data_lock (fs/super.h).  Changes to a file of a read-only mount are
 * refused with EROFS here, whatever path they come by. */
#include "fs/vfs.h"

#include "core/errno.h"
#include "fs/mount.h"
#include "fs/super.h"

long vfs_data_read(struct inode *i, const struct iobuf *b, int64_t pos)
{
	if (!i->sb)
		return tmpfs_read(i, b, pos);
	rwmutex_read_lock(&i->data_lock);
	long n = i->sb->ops->read(i, b, pos);
	rwmutex_read_unlock(&i->data_lock);
	return n;
}

long vfs_data_write(struct inode *i, const struct iobuf *b, int64_t *pos, bool append)
{
	if (!i->sb)
		return tmpfs_write(i, b, pos, append);
	int err = mount_writable(i);
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	long n = i->sb->ops->write(i, b, pos, append);
	rwmutex_write_unlock(&i->data_lock);
	return n;
}

long vfs_data_direct(struct inode *i, const struct iobuf *b, int64_t *pos, bool write, bool append)
{
	if (!i->sb || !i->sb->ops->direct_io) {
		if (!write)
			return vfs_data_read(i, b, *pos);
		return vfs_data_write(i, b, pos, append);
	}
	int err = write ? mount_writable(i) : 0;
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	long n = i->sb->ops->direct_io(i, b, pos, write, append);
	rwmutex_write_unlock(&i->data_lock);
	return n;
}

int vfs_data_truncate(struct inode *i, int64_t size)
{
	if (!i->sb)
		return tmpfs_truncate(i, size);
	int err = mount_writable(i);
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	rwmutex_write_lock(&i->fault_lock);	/* no fault finds a page it is dropping */
	err = i->sb->ops->truncate(i, size);
	rwmutex_write_unlock(&i->fault_lock);
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

int vfs_data_allocate(struct inode *i, int64_t off, int64_t len, bool keep_size)
{
	if (!i->sb)
		return tmpfs_allocate(i, off, len, keep_size);
	if (!i->sb->ops->allocate)
		return -EOPNOTSUPP;
	int err = mount_writable(i);
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	err = i->sb->ops->allocate(i, off, len, keep_size);
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

int vfs_data_punch(struct inode *i, int64_t off, int64_t len)
{
	if (!i->sb)
		return tmpfs_punch(i, off, len);
	if (!i->sb->ops->punch)
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (off > INT64_MAX - len)
		return -EFBIG;
	int err = mount_writable(i);
	if (err)
		return err;
	rwmutex_write_lock(&i->data_lock);
	rwmutex_write_lock(&i->fault_lock);	/* no fault maps a page it drops */
	err = i->sb->ops->punch(i, off, len);
	rwmutex_write_unlock(&i->fault_lock);
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

/* A punched hole, then blocks for it that read as zeroes: a reader in
 * between finds zeroes too. */
int vfs_data_zero(struct inode *i, int64_t off, int64_t len, bool keep_size)
{
	if (!i->sb || !i->sb->ops->punch || !i->sb->ops->allocate)
		return -EOPNOTSUPP;
	int err = vfs_data_punch(i, off, len);
	return err ? err : vfs_data_allocate(i, off, len, keep_size);
}

int vfs_data_fsync(struct inode *i, bool datasync)
{
	if (!i->sb || !i->sb->ops->fsync)
		return 0;	/* tmpfs: nothing is more durable than memory */
	rwmutex_write_lock(&i->data_lock);
	int err = i->sb->ops->fsync(i, datasync);
	rwmutex_write_unlock(&i->data_lock);
	return err;
}
