/* Moving data between files in the kernel (sendfile, copy_file_range),
 * preallocation, syncing (nothing to do: it is all memory), advice, and
 * memfd_create. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "fs/fdtable.h"
#include "fs/inotify.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/super.h"
#include "fs/vfs_file.h"
#include "fs/vfs_mmap.h"
#include "linux/fd.h"
#include "linux/signal.h"
#include "net/socket.h"
#include "linux/syscall.h"
#include "linux/sys_fs_internal.h"

#define CHUNK		(64 * 1024)
#define MFD_CLOEXEC	1u
#define MFD_ALLOW_SEALING 2u
#define MFD_NOEXEC_SEAL	8u
#define MFD_EXEC	0x10u
#define F_SEAL_SEAL	1u
#define F_SEAL_EXEC	0x20u
#define MFD_NAME_MAX	249
#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE	2
#define SYNC_FILE_RANGE_WAIT_AFTER 4

/* One read or write at *pos (the file's own offset when pos is NULL). */
static long rw(struct file *f, void *buf, size_t n, int64_t *pos, bool write)
{
	struct iobuf b = iobuf_kernel(buf, n);

	return file_transfer(f, &b, pos, write);
}

/* Writes all n bytes unless the output stops; bytes written or -errno. */
static long write_all(struct file *out, char *buf, size_t n, int64_t *pos)
{
	size_t done = 0;

	while (done < n) {
		long w = rw(out, buf + done, n - done, pos, true);
		if (w <= 0)
			return done ? (long)done : w;
		done += (size_t)w;
	}
	return (long)done;
}

/* One CHUNK buffer kept per CPU, so sendfile and copy_file_range allocate
 * (and clear) nothing per call.  A caller takes its CPU's buffer with an
 * exchange and owns it while it sleeps in the copy; it gives it back to
 * whichever CPU it ends on, and frees it only when that CPU already has
 * one again (a second copy ran there meanwhile).  The buffer is never
 * cleared: only bytes just read from the file go out of it. */
static char *spare[MAX_CPUS];

static char *chunk_get(void)
{
	char *buf = __atomic_exchange_n(&spare[this_cpu()->id], NULL, __ATOMIC_ACQUIRE);

	return buf ? buf : page_alloc_virt_uninit(CHUNK / PAGE_SIZE);
}

static void chunk_put(char *buf)
{
	char *none = NULL;

	if (buf && !__atomic_compare_exchange_n(&spare[this_cpu()->id], &none, buf, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		page_free_virt(buf, CHUNK / PAGE_SIZE);
}

/* The loop both calls share: copies up to len bytes from in to out. */
static long pump(struct file *in, int64_t *ipos, struct file *out, int64_t *opos, size_t len)
{
	char *buf = chunk_get();
	size_t done = 0;
	long err = buf ? 0 : -ENOMEM;

	while (!err && done < len) {
		size_t n = len - done < CHUNK ? len - done : CHUNK;
		int64_t at = ipos ? *ipos : in->pos;
		long r = rw(in, buf, n, ipos, false);
		if (r <= 0) {
			err = r;
			break;
		}
		long w = write_all(out, buf, (size_t)r, opos);
		if (w < r && in->inode) {	/* give back what was read but not written */
			if (ipos)
				*ipos = at + (w > 0 ? w : 0);
			else
				in->pos = at + (w > 0 ? w : 0);
		}
		if (w > 0)
			done += (size_t)w;
		if (w < r) {
			err = w < 0 ? w : 0;
			break;
		}
	}
	chunk_put(buf);
	return done ? (long)done : err;
}

/* ---- sendfile to a TCP socket: the file's pages, not copies ------------- */

/* The file's page idx with a reference, as a mapping would take it; a
 * hole (no page in tmpfs) is a new page of zeros. */
static int file_page(void *ctx, uint64_t idx, uint64_t *pa)
{
	struct file *f = ctx;
	int err = vfs_mmap_ops(f)->get_page(f, idx, false, pa);

	if (err != -ENOENT)
		return err;
	*pa = page_alloc(1);
	return *pa ? 0 : -ENOMEM;
}

/* Sends len bytes of in at *ipos (the file's own offset when NULL) to the
 * socket s where they lie in the file's pages, for files that have pages
 * (tmpfs, the page cache; not 9p's copies): bytes sent, or -errno;
 * -EOPNOTSUPP when this way does not apply and pump must copy. */
static long send_pages(struct file *in, int64_t *ipos, struct socket *s, size_t len)
{
	if (!vfs_mmap_ops(in) || vfs_mmap_readonly(in))
		return -EOPNOTSUPP;
	int64_t pos = ipos ? *ipos : in->pos;
	int64_t size = __atomic_load_n(&in->inode->size, __ATOMIC_RELAXED);
	if (pos >= size)
		return 0;
	if ((uint64_t)(size - pos) < len)
		len = (size_t)(size - pos);
	struct page_source src = { file_page, in, (uint64_t)pos };
	long n = socket_sendpages(s, &src, len, 0);
	if (n == -EFAULT)	/* the file was cut short meanwhile: its end */
		return 0;
	if (n > 0 && ipos)
		*ipos = pos + n;
	else if (n > 0)
		in->pos = pos + n;
	return n;
}

/* sendfile's move: a file's pages to a TCP socket where they lie, any
 * other pair through pump's buffer. */
static long transfer(struct file *in, int64_t *ipos, struct file *out, size_t len)
{
	struct socket *s = socket_of(out);
	long n = s && len ? send_pages(in, ipos, s, len) : -EOPNOTSUPP;

	return n == -EOPNOTSUPP ? pump(in, ipos, out, NULL, len) : n;
}

static long check_pair(struct file *in, struct file *out)
{
	if (!in || !out || file_is_path(in) || file_is_path(out))
		return -EBADF;
	if (!file_readable(in) || !in->ops->read || !file_writable(out) || !out->ops->write)
		return -EBADF;
	return 0;
}

static long sendfile(struct file *in, struct file *out, uint64_t uoff, uint64_t count)
{
	int64_t off;
	long err = check_pair(in, out);

	if (!err && (out->flags & O_APPEND))
		err = -EINVAL;
	if (err || !uoff)
		return err ? err : transfer(in, NULL, out, count);
	if (!in->inode)
		return -ESPIPE;
	if (copy_from_user(&off, uoff, sizeof off))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	long n = transfer(in, &off, out, count);
	return n >= 0 && copy_to_user(uoff, &off, sizeof off) ? -EFAULT : n;
}

static long sys_sendfile(const struct sysargs *a)
{
	struct file *out = fd_get((int)a->a[0]), *in = fd_get((int)a->a[1]);
	uint64_t count = a->a[3] > MAX_RW_COUNT ? MAX_RW_COUNT : a->a[3];
	long ret = sendfile(in, out, a->a[2], count);

	if (out)
		ret = socket_of(out) ? signal_epipe_socket(socket_of(out), 0, ret) : signal_epipe(ret);

	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return ret;
}

static long regular_file(struct file *f)
{
	if (is_dir(f->inode))
		return -EISDIR;
	return is_reg(f->inode) && !vfs_generated(f->inode) ? 0 : -EINVAL;
}

/* Both offsets from user memory (or the files' own); same-file copies must
 * not overlap. */
static long copy_range(struct file *in, uint64_t uin, struct file *out, uint64_t uout, size_t len)
{
	int64_t ioff = in->pos, ooff = out->pos;

	if ((uin && copy_from_user(&ioff, uin, 8)) || (uout && copy_from_user(&ooff, uout, 8)))
		return -EFAULT;
	if (ioff < 0 || ooff < 0)
		return -EINVAL;
	if (in->inode == out->inode && ioff < ooff + (int64_t)len && ooff < ioff + (int64_t)len)
		return -EINVAL;
	long n = fsize_limit_at(out, ooff, &len);	/* the count cut first, as Linux's */
	if (!n)
		n = pump(in, &ioff, out, &ooff, len);
	if (n <= 0)
		return n;
	if ((uin && copy_to_user(uin, &ioff, 8)) || (uout && copy_to_user(uout, &ooff, 8)))
		return -EFAULT;
	if (!uin)
		in->pos = ioff;
	if (!uout)
		out->pos = ooff;
	return n;
}

static long sys_copy_file_range(const struct sysargs *a)
{
	struct file *in = fd_get((int)a->a[0]), *out = fd_get((int)a->a[2]);
	size_t len = a->a[4] > MAX_RW_COUNT ? MAX_RW_COUNT : a->a[4];
	long err = a->a[5] ? -EINVAL : check_pair(in, out);

	if (!err && (out->flags & O_APPEND))
		err = -EBADF;
	if (!err && (!in->inode || !out->inode))
		err = -EINVAL;
	if (!err)
		err = regular_file(in);
	if (!err)
		err = regular_file(out);
	if (!err)
		err = copy_range(in, a->a[1], out, a->a[3], len);
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return err;
}

#define FALLOC_FL_KEEP_SIZE	1
#define FALLOC_FL_PUNCH_HOLE	2
#define FALLOC_FL_ZERO_RANGE	0x10

/* fallocate's mode: 0 or KEEP_SIZE (allocate), PUNCH_HOLE|KEEP_SIZE (free,
 * which Linux takes only with KEEP_SIZE), ZERO_RANGE with or without
 * KEEP_SIZE; -EOPNOTSUPP for the rest (collapsing, inserting ranges). */
static int falloc_mode(uint64_t mode)
{
	uint64_t what = mode & ~(uint64_t)FALLOC_FL_KEEP_SIZE;

	if (what == 0 || what == FALLOC_FL_ZERO_RANGE || mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		return 0;
	return -EOPNOTSUPP;
}

static long sys_fallocate(const struct sysargs *a)
{
	struct file *f = fd_get((int)a->a[0]);
	uint64_t mode = a->a[1];
	int64_t off = (int64_t)a->a[2], len = (int64_t)a->a[3];

	if (!f)
		return -EBADF;
	long err = file_is_path(f) || !file_writable(f) ? -EBADF : 0;
	if (!err)
		err = falloc_mode(mode);
	if (!err && (off < 0 || len <= 0))
		err = -EINVAL;
	if (!err && !f->inode)
		err = -ESPIPE;
	if (!err)
		err = is_dir(f->inode) ? -EISDIR : is_reg(f->inode) && !vfs_generated(f->inode) ? 0 : -ENODEV;
	if (!err && !(mode & FALLOC_FL_KEEP_SIZE))
		err = fsize_limit_grow(f->inode, (uint64_t)off + (uint64_t)len);
	if (!err && mode & FALLOC_FL_PUNCH_HOLE)
		err = vfs_data_punch(f->inode, off, len);
	else if (!err && mode & FALLOC_FL_ZERO_RANGE)
		err = vfs_data_zero(f->inode, off, len, mode & FALLOC_FL_KEEP_SIZE);
	else if (!err)
		err = vfs_data_allocate(f->inode, off, len, mode & FALLOC_FL_KEEP_SIZE);
	if (!err)
		fsnotify_inode(f->inode, IN_MODIFY);
	file_put(f);
	return err;
}

/* tmpfs keeps everything in memory: syncing its files only checks the
 * descriptor.  A mounted store's file syncs through its fs_ops (fsync of a
 * directory syncs the whole file system: its entries live in the store's
 * metadata, which sync writes), syncfs its whole file system; a block
 * special file flushes its device. */
static long sync_file(struct file *f, bool files_only, bool datasync)
{
	struct inode *i = f->inode;
	long err = files_only && !i ? -EINVAL : 0;

	if (!err && files_only && f->ops->fsync)
		err = f->ops->fsync(f, datasync);
	else if (!err && i && i->sb)
		err = !files_only || !is_reg(i) ? mount_sync(i->sb) : vfs_data_fsync(i, datasync);
	return err;
}

static long sync_fd(int fd, bool files_only, bool datasync)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	long err = sync_file(f, files_only, datasync);
	file_put(f);
	return err;
}

long file_sync(struct file *f, bool datasync) { return sync_file(f, true, datasync); }

long fd_sync_file(int fd, bool datasync)
{
	struct file *f = fd_get(fd);
	long err = f && f->inode && is_reg(f->inode) ? sync_file(f, true, datasync) : 0;

	if (f)
		file_put(f);
	return err;
}

/* Writes back the file's data, all of it rather than the range asked:
 * more than asked is what a program wants of it anyway.  Linux's checks
 * and their order: the descriptor, the flags, the range, the file's type
 * (pipes and sockets: ESPIPE). */
static long sys_sync_file_range(const struct sysargs *a)
{
	int64_t off = (int64_t)a->a[1], len = (int64_t)a->a[2];
	uint64_t flags = a->a[3];
	struct file *f = fd_get((int)a->a[0]);

	if (!f)
		return -EBADF;
	struct inode *i = f->inode;
	uint32_t type = i ? i->mode & S_IFMT : 0;
	long err = flags & ~(uint64_t)(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				       SYNC_FILE_RANGE_WAIT_AFTER) ? -EINVAL
		   : off < 0 || len < 0 || off > INT64_MAX - len ? -EINVAL
		   : type != S_IFREG && type != S_IFBLK && type != S_IFDIR && type != S_IFLNK ? -ESPIPE
		   : 0;
	if (!err && type == S_IFREG && (flags & SYNC_FILE_RANGE_WRITE))
		err = sync_file(f, true, true);
	file_put(f);
	return err;
}

/* A hint, as fadvise's WILLNEED is here: pages are read when first used.
 * Linux's checks: a descriptor open for reading, on a regular file or a
 * block device. */
static long sys_readahead(const struct sysargs *a)
{
	struct file *f = fd_get((int)a->a[0]);

	if (!f)
		return -EBADF;
	uint32_t type = f->inode ? f->inode->mode & S_IFMT : 0;
	long err = !file_readable(f) ? -EBADF : type != S_IFREG && type != S_IFBLK ? -EINVAL : 0;
	file_put(f);
	return err;
}

static long sys_fsync(const struct sysargs *a) { return sync_fd((int)a->a[0], true, false); }
static long sys_fdatasync(const struct sysargs *a) { return sync_fd((int)a->a[0], true, true); }
static long sys_syncfs(const struct sysargs *a) { return sync_fd((int)a->a[0], false, false); }

/* sync(2) cannot fail. */
static long sys_sync(const struct sysargs *a)
{
	(void)a;
	mount_sync_all();
	return 0;
}

static long sys_fadvise64(const struct sysargs *a)
{
	struct file *f = fd_get((int)a->a[0]);

	if (!f)
		return -EBADF;
	long err = !f->inode || (f->inode->mode & S_IFMT) == S_IFIFO ? -ESPIPE : a->a[3] > 5 ? -EINVAL : 0;
	file_put(f);
	return err;
}

static long memfd_open(const char *name, unsigned flags, struct file **out)
{
	uint32_t mode = flags & MFD_NOEXEC_SEAL ? 0666 : 0777;
	struct inode *i = vfs_create_unnamed(FS_TMPFS, mode);

	if (!i)
		return -ENOMEM;
	i->seals = flags & MFD_ALLOW_SEALING ? 0 : F_SEAL_SEAL;
	if (flags & MFD_NOEXEC_SEAL)
		i->seals |= F_SEAL_EXEC;
	vfs_lock();
	long err = vfs_open_inode(i, O_RDWR, out);
	vfs_unlock();
	inode_put(i);
	if (err)
		return err;
	vfs_file_uncount_write(*out);
	(*out)->path = kmalloc(strlen(name) + 8);
	if ((*out)->path) {
		memcpy((*out)->path, "/memfd:", 7);
		memcpy((*out)->path + 7, name, strlen(name) + 1);
	}
	return 0;
}

static long sys_memfd_create(const struct sysargs *a)
{
	char name[MFD_NAME_MAX + 1];
	unsigned flags = (unsigned)a->a[1];
	struct file *f;

	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC))
		return -EINVAL;
	if ((flags & MFD_NOEXEC_SEAL) && (flags & MFD_EXEC))
		return -EINVAL;
	long err = copy_string_from_user(name, a->a[0], sizeof name);
	if (err == -ENAMETOOLONG)
		return -EINVAL;
	if (err < 0)
		return err;
	err = memfd_open(name, flags, &f);
	return err ? err : fd_install(f, 0, flags & MFD_CLOEXEC);
}

static const struct syscall_entry fs_io_calls[] = {
	{ 40, sys_sendfile },
	{ 326, sys_copy_file_range },
	{ 285, sys_fallocate },
	{ 74, sys_fsync },
	{ 75, sys_fdatasync },
	{ 162, sys_sync },
	{ 306, sys_syncfs },
	{ 221, sys_fadvise64 },
	{ 187, sys_readahead },
	{ 277, sys_sync_file_range },
	{ 319, sys_memfd_create },
};

SYSCALL_TABLE(fs_io_calls);
