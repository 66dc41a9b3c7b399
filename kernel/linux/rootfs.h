/* The root file system the program starts with. */
#ifndef AMPHI_LINUX_ROOTFS_H
#define AMPHI_LINUX_ROOTFS_H

/* Builds it: the initrd's files, then /dev, /proc, the /etc files a
 * program expects (unless the initrd has its own), /tmp, /root, /home.
 * 0, or -errno (out of memory). */
int rootfs_init(void);

#endif
