/* /proc: generated files about the machine and the program. */
#ifndef AMPHI_LINUX_PROCFS_H
#define AMPHI_LINUX_PROCFS_H

struct inode;

/* Fills the directory proc (made by rootfs.c) with /proc's entries.  Caller
 * holds vfs_lock.  0, or -ENOMEM. */
int procfs_init(struct inode *proc);

#endif
