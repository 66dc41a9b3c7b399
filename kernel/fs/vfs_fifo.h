/* FIFOs (mkfifo, mknod S_IFIFO): each node keeps one pipe; open(2) adds an
 * end to it, waiting for the other side as fifo(7) says. */
#ifndef AMPHI_FS_VFS_FIFO_H
#define AMPHI_FS_VFS_FIFO_H

struct file;
struct inode;

/* Caller holds a reference on i, not vfs_lock (opening may wait). */
int fifo_open(struct inode *i, unsigned flags, struct file **out);
/* The inode is being freed: drops its pipe. */
void fifo_release(struct inode *i);

#endif
