/* The initrd as loaded by the boot loader: a read-only cpio archive. */
#ifndef AMPHI_FS_INITRD_H
#define AMPHI_FS_INITRD_H

#include <stddef.h>

void initrd_init(const void *start, size_t size);

/* Finds a regular file by absolute path; its bytes stay in the initrd. */
int initrd_lookup(const char *path, const void **data, size_t *size);

/* Makes every directory, regular file and symlink of the archive in the
 * VFS with its mode (and a file's mtime), making missing parents; amphi's
 * own /.amphi stays out.  A file whose data starts on a page boundary
 * (the host command aligns every file of a page or more) takes its whole
 * pages from the archive; the rest is copied.  Caller holds vfs_lock.  0, or the first -errno
 * (the rest is still tried). */
int initrd_unpack(void);

/* Frees the archive's memory, but for the pages unpacked files took as
 * their own; initrd_lookup finds nothing after it. */
void initrd_release(void);

#endif
