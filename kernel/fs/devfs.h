/* Character devices: a table from device number to an open function, so a
 * node made by mknod(2) anywhere opens the same device as /dev's. */
#ifndef AMPHI_FS_DEVFS_H
#define AMPHI_FS_DEVFS_H

#include <stdint.h>

struct file;
struct inode;

typedef int chrdev_open_fn(struct inode *i, unsigned flags, struct file **out);

/* Device numbers as stat(2) shows them (glibc's makedev). */
static inline uint64_t dev_make(uint32_t major, uint32_t minor)
{
	return ((uint64_t)(major & 0xfff) << 8) | (minor & 0xff) | ((uint64_t)(minor & ~0xffu) << 12) |
	       ((uint64_t)(major & ~0xfffu) << 32);
}

/* 0, or -ENOMEM. */
int chrdev_register(uint64_t rdev, chrdev_open_fn *open);
/* Opens the device i->rdev names; -ENXIO when there is none. */
int chrdev_open(struct inode *i, unsigned flags, struct file **out);

/* Registers null, zero, full, random and urandom. */
void devfs_init(void);

#endif
