/* The root file system the program starts with. */
#ifndef AMPHI_LINUX_ROOTFS_H
#define AMPHI_LINUX_ROOTFS_H

/* Builds it: the initrd's files, then /dev, /proc, the /etc files a
 * program expects (unless the initrd has its own), /tmp, /root, /home.
 * 0, or -errno (out of memory). */
int rootfs_init(void);

/* rootfs_net.c.  /etc/hosts and /etc/resolv.conf from the network's
 * settings, where the initrd has none; caller holds vfs_lock.  0, -errno. */
int rootfs_net_files_make(void);
/* Makes them again (a late DHCP lease), each only if it still holds what
 * amphi wrote. */
void rootfs_net_files_refresh(void);

#endif
