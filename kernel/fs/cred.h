/* Who is asking, as the file system sees it (Linux's struct cred as the VFS
 * reads it): the fs ids, the supplementary groups, and which of the file
 * capabilities are in effect.  fs/ knows nothing of processes: the Linux
 * layer registers the function that fills one for the calling thread
 * (vfs_cred_set_source); without one, or on a kernel thread, the caller is
 * root with every capability. */
#ifndef AMPHI_FS_CRED_H
#define AMPHI_FS_CRED_H

#include <stdbool.h>
#include <stdint.h>

#define VFS_NGROUPS	64

/* Capabilities the file system honours, numbered as Linux numbers them
 * (bit N of caps: capability N). */
enum {
	VFS_CAP_CHOWN = 0,
	VFS_CAP_DAC_OVERRIDE = 1,
	VFS_CAP_DAC_READ_SEARCH = 2,
	VFS_CAP_FOWNER = 3,
	VFS_CAP_FSETID = 4,
	VFS_CAP_SYS_ADMIN = 21,
	VFS_CAP_MKNOD = 27,
};

struct vfs_cred {
	uint32_t fsuid, fsgid;
	uint64_t caps;			/* effective capabilities */
	int ngroups;
	uint32_t groups[VFS_NGROUPS];
};

/* Permission masks, as Linux's MAY_*. */
#define MAY_EXEC	1
#define MAY_WRITE	2
#define MAY_READ	4

struct inode;

void vfs_cred_set_source(void (*fill)(struct vfs_cred *c));
void vfs_cred_current(struct vfs_cred *c);
bool vfs_capable(const struct vfs_cred *c, int cap);
bool vfs_in_group(const struct vfs_cred *c, uint32_t gid);

/* The rest: caller holds vfs_lock.  0, or -EACCES / -EPERM as Linux. */
/* generic_permission: mask of MAY_* against the owner, group or other bits. */
int vfs_permission(const struct vfs_cred *c, const struct inode *i, int mask);
/* The same for what is not an inode but has a mode (S_IFMT bits too) and
 * an owner (a POSIX message queue).  Needs no lock. */
int vfs_permission_of(const struct vfs_cred *c, uint32_t mode, uint32_t uid, uint32_t gid, int mask);
/* The owner, or CAP_FOWNER (inode_owner_or_capable). */
bool vfs_owner_or_capable(const struct vfs_cred *c, const struct inode *i);
/* A new name in dir: write and search on it. */
int vfs_may_create(const struct vfs_cred *c, const struct inode *dir);
/* victim's name in dir may go: write and search on dir, and the sticky bit's
 * rule (the file's owner, the directory's, or CAP_FOWNER). */
int vfs_may_delete(const struct vfs_cred *c, const struct inode *dir, const struct inode *victim);
/* A write or truncate by the calling thread clears set-user-ID, and
 * set-group-ID with group execute, unless it has CAP_FSETID
 * (file_remove_privs).  The first: caller holds vfs_lock; the second takes
 * it when there may be something to clear. */
void vfs_kill_privs(struct inode *i);
void vfs_kill_privs_unlocked(struct inode *i);

#endif
