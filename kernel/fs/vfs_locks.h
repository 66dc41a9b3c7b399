/* Advisory locks: fcntl(2) record locks (POSIX, owned by the process --
 * by its descriptor table, as Linux's are by its files_struct -- and open
 * file description ones, owned by a struct file) and flock(2) locks (owned
 * by a struct file).  The two families never see each other, as on Linux.
 *
 * A process's POSIX locks never conflict with each other (a new one
 * replaces and merges ranges) and are not inherited by fork; other
 * processes' do conflict, and OFD locks conflict with POSIX locks and with
 * OFD locks of other open file descriptions; flock locks conflict between
 * open file descriptions.  Closing any descriptor of an inode drops the
 * process's POSIX locks on it (as on Linux); the file's last close drops
 * its OFD and flock locks.  F_SETLKW refuses, with -EDEADLK, a POSIX wait
 * that would close a cycle of processes each waiting for the next (up to
 * Linux's 10 steps); flock(2) converts a lock by dropping it first, as
 * Linux does. */
#ifndef AMPHI_FS_VFS_LOCKS_H
#define AMPHI_FS_VFS_LOCKS_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct inode;

#define F_RDLCK		0
#define F_WRLCK		1
#define F_UNLCK		2
#define LOCK_END	INT64_MAX	/* a range "to the end of the file, however long" */

struct lock_range {
	int type;		/* F_RDLCK, F_WRLCK, F_UNLCK */
	int64_t start, end;	/* inclusive */
};

/* owner: locks_posix_owner() for the caller's POSIX locks, else the open
 * file (OFD). */
const void *locks_posix_owner(void);
/* The first lock of another owner in the way of *r: 1 with *r replaced by
 * it and *pid the process holding it (-1 for an OFD lock), or 0. */
int locks_test(struct inode *i, const void *owner, struct lock_range *r, int *pid);
/* Sets, changes or removes owner's lock over r; waits while another owner's
 * lock is in the way if wait (-ERESTARTSYS on a signal, -EDEADLK for a POSIX
 * wait that would never end), else -EAGAIN. */
int locks_set(struct inode *i, const void *owner, const struct lock_range *r, bool wait);

/* flock(2): LOCK_SH, LOCK_EX, LOCK_UN, with LOCK_NB. */
int locks_flock(struct file *f, int op);

/* A descriptor of f in table is closing: drops that process's POSIX locks
 * on f's inode. */
void locks_close(struct file *f, const void *table);
/* The file's last reference is going: drops its OFD and flock locks. */
void locks_release(struct file *f);

#endif
