/* Files that can be mapped (mmap), as core/vm.c sees them. */
#ifndef AMPHI_FS_VFS_MMAP_H
#define AMPHI_FS_VFS_MMAP_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct vm_file_ops;

/* How f's pages are mapped (the object is f itself), or NULL: a file that
 * cannot be mapped (ENODEV). */
const struct vm_file_ops *vfs_mmap_ops(struct file *f);
/* Its file system maps copies (9p): no shared mapping of f open for
 * writing (EINVAL, as Linux's generic_file_readonly_mmap). */
bool vfs_mmap_readonly(struct file *f);
/* A file of size zeroed bytes in no directory, open for reading and
 * writing, that maps show by name (Linux: /dev/zero for what backs shared
 * anonymous memory, /SYSV<key> for a System V segment); NULL if no
 * memory. */
struct file *vfs_shmem_file(uint64_t size, const char *name);

#endif
