/* The initrd as loaded by the boot loader: a read-only cpio archive. */
#ifndef AMPHI_FS_INITRD_H
#define AMPHI_FS_INITRD_H

#include <stddef.h>

void initrd_init(const void *start, size_t size);

/* Finds a regular file by absolute path; its bytes stay in the initrd. */
int initrd_lookup(const char *path, const void **data, size_t *size);

/* Copies every directory, regular file and symlink of the archive into the
 * VFS with its mode (and a file's mtime), making missing parents; amphi's
 * own /.amphi stays out.  Caller holds vfs_lock.  0, or the first -errno
 * (the rest is still tried). */
int initrd_unpack(void);

#endif
