/* Block special files: /dev/vda, /dev/vda1, ... for the disks the block
 * layer (dev/blk.h) registered, and opening any S_IFBLK node (mknod(2)'s
 * too) by its device number.  Bytes at any offset and length: partial
 * sectors are read, changed and written back. */
#ifndef AMPHI_FS_BLKDEV_H
#define AMPHI_FS_BLKDEV_H

struct file;
struct inode;
struct seqbuf;

/* Makes /dev/NAME for every registered disk and partition.  Caller holds
 * vfs_lock and the reference on dev.  0 or -errno. */
int blkdev_make_nodes(struct inode *dev);
/* Opens the block device i->rdev names: -ENXIO when there is none,
 * -EROFS for writing a read-only one. */
int blkdev_open(struct inode *i, unsigned flags, struct file **out);
/* /proc/partitions. */
void blkdev_gen_partitions(struct seqbuf *s);

#endif
