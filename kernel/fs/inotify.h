/* inotify: what happens to files, told to the programs that watch them.
 *
 * The VFS reports each change where it makes it (fsnotify_*), whatever
 * file system the inode is on; an inotify instance (a file) holds watches
 * on inodes and queues the events they want, as Linux's inotify(7).  A
 * directory's watch also sees what happens to its entries' own inodes
 * (opened, read, written, closed, their attributes), by name: the name is
 * the inode's most recent one (its alias), so of a file with several
 * links, one directory hears. */
#ifndef AMPHI_FS_INOTIFY_H
#define AMPHI_FS_INOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct dentry;
struct file;
struct inode;

/* Linux's event bits. */
#define IN_ACCESS	0x00000001
#define IN_MODIFY	0x00000002
#define IN_ATTRIB	0x00000004
#define IN_CLOSE_WRITE	0x00000008
#define IN_CLOSE_NOWRITE 0x00000010
#define IN_OPEN		0x00000020
#define IN_MOVED_FROM	0x00000040
#define IN_MOVED_TO	0x00000080
#define IN_CREATE	0x00000100
#define IN_DELETE	0x00000200
#define IN_DELETE_SELF	0x00000400
#define IN_MOVE_SELF	0x00000800
#define IN_ALL_EVENTS	0x00000fff
#define IN_UNMOUNT	0x00002000
#define IN_Q_OVERFLOW	0x00004000
#define IN_IGNORED	0x00008000
#define IN_ONLYDIR	0x01000000
#define IN_DONT_FOLLOW	0x02000000
#define IN_EXCL_UNLINK	0x04000000
#define IN_MASK_CREATE	0x10000000
#define IN_MASK_ADD	0x20000000
#define IN_ISDIR	0x40000000
#define IN_ONESHOT	0x80000000

/* ---- the VFS's reports ----------------------------------------------------- */

/* i itself changed (mask: IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_OPEN,
 * IN_CLOSE_*): its watches hear, and its directory's, by name. */
void fsnotify_inode(struct inode *i, uint32_t mask);
/* i's own watches only, without IN_ISDIR (link counts, moves,
 * deletion). */
void fsnotify_self(struct inode *i, uint32_t mask);
/* An entry of dir changed (IN_CREATE, IN_DELETE, IN_MOVED_*): name is
 * the entry's; cookie pairs a move's two halves (fsnotify_cookie). */
void fsnotify_entry(struct inode *dir, uint32_t mask, const char *name, uint32_t cookie);
uint32_t fsnotify_cookie(void);
/* i has no name left: IN_DELETE_SELF, then its watches go (IN_IGNORED). */
void fsnotify_deleted(struct inode *i);
void fsnotify_forget(struct inode *i);
/* The dentries that name inodes, as dir_add and dir_remove change them. */
void fsnotify_alias_set(struct inode *i, struct dentry *d);
void fsnotify_alias_drop(struct inode *i, struct dentry *d);

/* ---- instances ------------------------------------------------------------- */

/* A new instance; flags: O_NONBLOCK.  NULL without memory, or -EMFILE
 * past the instances a machine may have (*err). */
struct file *inotify_new(unsigned flags, int *err);
bool is_inotify(const struct file *f);
/* Watches i with mask (IN_MASK_ADD adds to a watch's mask, IN_MASK_CREATE
 * refuses one that exists: EEXIST): its descriptor, or -ENOSPC past the
 * watches a machine may have, -ENOMEM. */
int inotify_watch(struct file *f, struct inode *i, uint32_t mask);
/* The watch goes (IN_IGNORED); -EINVAL if there is no such one. */
int inotify_unwatch(struct file *f, int wd);

#endif
