/* /sys (sysfs.c, sysfs_block.c). */
#ifndef AMPHI_LINUX_SYSFS_H
#define AMPHI_LINUX_SYSFS_H

struct inode;
struct seqbuf;

/* Makes sys (made by the caller, which keeps its reference) /sys, whose
 * entries are made at the first look into it.  Caller holds vfs_lock. */
int sysfs_init(struct inode *sys);

/* For the parts of /sys: a read-only file whose text gen(s, arg) writes
 * when it is opened; a symlink; a directory (not referenced by the
 * caller; NULL without memory).  0 or -ENOMEM. */
typedef void sys_gen_fn(struct seqbuf *s, const void *arg);
int sys_add_file(struct inode *dir, const char *name, sys_gen_fn *gen, const void *arg);
int sys_add_link(struct inode *dir, const char *name, const char *target);
struct inode *sys_add_dir(struct inode *dir, const char *name);

/* sysfs_block.c: block/ and dev/block/. */
int sysfs_block_make(struct inode *sys);

#endif
