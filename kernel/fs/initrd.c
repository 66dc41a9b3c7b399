#include "fs/initrd.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "core/watchdog.h"
#include "cpio.h"
#include "fs/path.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "fs/vfs_kernel.h"

static const void *archive;
static size_t archive_size;

void initrd_init(const void *start, size_t size)
{
	archive = start;
	archive_size = size;
}

int initrd_lookup(const char *path, const void **data, size_t *size)
{
	struct cpio_entry e;
	size_t off = 0;
	int r;

	if (!archive_size)
		return -ENOENT;
	while (*path == '/')
		path++;
	size_t len = strlen(path);
	while ((r = cpio_next(archive, archive_size, &off, &e)) == 1) {
		const char *name = e.name;
		size_t name_len = e.name_len;
		if (name_len >= 2 && name[0] == '.' && name[1] == '/')
			name += 2, name_len -= 2;
		if (name_len == len && !memcmp(name, path, len)) {
			if ((e.mode & S_IFMT) != S_IFREG)
				return -EISDIR;
			*data = e.data;
			*size = e.size;
			return 0;
		}
	}
	return r < 0 ? -EIO : -ENOENT;
}

/* The entry's path without "./" or "/" in front, NUL-terminated in a new
 * buffer; NULL for the root itself, amphi's own files, or no memory. */
static char *entry_path(const struct cpio_entry *e)
{
	const char *name = e->name;
	size_t len = e->name_len;

	while (len && (*name == '/' || (*name == '.' && len > 1 && name[1] == '/')))
		name += *name == '/' ? 1 : 2, len--;
	while (len && *name == '/')
		name++, len--;
	if (!len || (len == 1 && *name == '.'))
		return NULL;
	if (len >= 6 && !memcmp(name, ".amphi", 6) && (len == 6 || name[6] == '/'))
		return NULL;
	char *path = kmalloc(len + 2);
	if (path) {
		path[0] = '/';
		memcpy(path + 1, name, len);
		path[len + 1] = 0;
	}
	return path;
}

static int set_attrs(const char *path, const struct cpio_entry *e, bool mode)
{
	struct inode *i;
	int err = path_lookup(vfs_root(), path, false, &i, NULL);

	if (err)
		return err;
	if (mode)
		i->mode = (i->mode & S_IFMT) | (e->mode & 07777);
	i->atime_ns = i->mtime_ns = i->ctime_ns = (int64_t)e->mtime * 1000000000;
	inode_put(i);
	return 0;
}

static int unpack_symlink(const char *path, const struct cpio_entry *e)
{
	char *target = kmalloc(e->size + 1);

	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->size);
	target[e->size] = 0;
	int err = vfs_make_symlink(path, target);
	kfree(target);
	return err ? err : set_attrs(path, e, false);
}

/* A bit for each page of the archive that a file took (NULL: no memory
 * for it, and files are copied): initrd_release frees the others. */
static uint64_t *taken;

static uint64_t first_page(void) { return PAGE_ROUND_DOWN((uintptr_t)archive); }
static size_t archive_pages(void)
{
	return (PAGE_ROUND_UP((uintptr_t)archive + archive_size) - first_page()) / PAGE_SIZE;
}

static bool page_taken(size_t k) { return taken && taken[k / 64] >> (k % 64) & 1; }

/* Taking the archive's pages saves a copy of the file, in time and in
 * memory (the archive's pages were otherwise kept for nothing). */
static int make_file(const char *path, const struct cpio_entry *e)
{
	if ((uintptr_t)e->data % PAGE_SIZE || e->size < PAGE_SIZE || !taken ||
	    !page_is_ram(virt_to_phys(e->data), e->size / PAGE_SIZE))
		return vfs_make_file(path, e->data, e->size, e->mode);
	size_t n;
	int err = vfs_make_file_taking_pages(path, (void *)e->data, e->size, e->mode, &n);
	for (size_t k = ((uintptr_t)e->data - first_page()) / PAGE_SIZE; n--; k++)
		taken[k / 64] |= 1ull << (k % 64);
	return err;
}

static int unpack_entry(const struct cpio_entry *e)
{
	char *path = entry_path(e);
	int err = 0;

	if (!path)
		return e->name_len ? 0 : -EINVAL;
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		err = vfs_make_dirs(path, e->mode & 07777, NULL);
		if (!err)
			err = set_attrs(path, e, true);
		break;
	case S_IFREG:
		err = make_file(path, e);
		if (!err)
			err = set_attrs(path, e, true);
		break;
	case S_IFLNK:
		err = unpack_symlink(path, e);
		break;
	default:
		break;	/* device nodes and FIFOs: /dev is made by the kernel */
	}
	if (err && err != -ENOMEM && err != -ENOSPC)
		printk("amphi: initrd: cannot make %s (error %d)\n", path, -err);
	kfree(path);
	return err;
}

/* Making entries inside a directory changed its mtime: a second pass puts
 * back the archive's times, as Linux's initramfs unpacker does. */
static void restore_dir_times(void)
{
	struct cpio_entry e;
	size_t off = 0;

	while (cpio_next(archive, archive_size, &off, &e) == 1) {
		char *path = (e.mode & S_IFMT) == S_IFDIR ? entry_path(&e) : NULL;
		if (path)
			set_attrs(path, &e, false);
		kfree(path);
	}
}

/* An entry that cannot be made (a file where the archive has a directory
 * too, say) is reported and skipped; running out of memory stops it all. */
int initrd_unpack(void)
{
	struct cpio_entry e;
	size_t off = 0;
	int r;

	size_t words = (archive_pages() + 63) / 64;
	taken = kmalloc(words * sizeof *taken);
	if (taken)
		memset(taken, 0, words * sizeof *taken);
	while ((r = cpio_next(archive, archive_size, &off, &e)) == 1) {
		watchdog_progress();	/* a large --files tree is work, not a hang */
		int err = unpack_entry(&e);
		if (err == -ENOMEM || err == -ENOSPC)
			return err;
	}
	if (r < 0)
		printk("amphi: initrd: malformed archive after %lu bytes\n", off);
	restore_dir_times();
	return 0;
}

/* The pages wholly inside the archive that no file took, in runs; the
 * first and last may hold what the loader put beside it. */
void initrd_release(void)
{
	size_t n = archive_pages(), k = 0;
	uint64_t first = first_page();

	while (k < n) {
		size_t run = 0;
		while (k + run < n && !page_taken(k + run))
			run++;
		uint64_t start = first + k * PAGE_SIZE, end = start + run * PAGE_SIZE;
		if (start < (uintptr_t)archive)
			start += PAGE_SIZE;
		if (end > (uintptr_t)archive + archive_size)
			end -= PAGE_SIZE;
		if (end > start)
			page_release_reserved(virt_to_phys((void *)start), (end - start) / PAGE_SIZE);
		k += run + 1;
	}
	kfree(taken);
	taken = NULL;
	archive = NULL;
	archive_size = 0;
}
