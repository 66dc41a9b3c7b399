/* The mounts the kernel command line asks for (mount=, share=). */
#ifndef AMPHI_LINUX_BOOT_MOUNT_H
#define AMPHI_LINUX_BOOT_MOUNT_H

/* After rootfs_init: 0, or -EINVAL once a mount failed and its one line
 * is written (the run must not start). */
int boot_mount(void);

#endif
