/* The kernel command line amphi passes (QEMU's -append: the disks' and
 * shares' mounts, the kernel's switches) and the kernel keeps: it copies
 * at most BOOT_CMDLINE_MAX - 1 bytes out of the loader's memory, so amphi
 * refuses options that would make the line longer (a cut line would mount
 * a share at a cut path, or not at all, without a word). */
#ifndef AMPHI_LIB_BOOT_CMDLINE_H
#define AMPHI_LIB_BOOT_CMDLINE_H

#define BOOT_CMDLINE_MAX	512	/* with its NUL */
/* The longest GUESTDIR of a mount=DEV:GUESTDIR or share=TAG:GUESTDIR word
 * (kernel/linux/boot_mount.c). */
#define BOOT_GUESTDIR_MAX	255

#endif
