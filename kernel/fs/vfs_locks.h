/* Advisory locks: fcntl(2) record locks (POSIX, owned by the process, and
 * open file description ones, owned by a struct file) and flock(2) locks
 * (owned by a struct file).  The two families never see each other, as on
 * Linux.
 *
 * amphi runs one process, so POSIX locks never conflict with each other:
 * F_SETLK from the program always succeeds against its own POSIX locks
 * (replacing and merging ranges) and F_GETLK reports F_UNLCK unless an OFD
 * lock is in the way.  OFD locks conflict with POSIX locks and with OFD
 * locks of other open file descriptions; flock locks conflict between open
 * file descriptions.  Closing a file's last descriptor drops its OFD and
 * flock locks and the process's POSIX locks on that inode (Linux drops the
 * POSIX ones on closing any descriptor of the inode: the difference shows
 * only for a dup()ed descriptor closed while another stays open). */
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

/* owner: NULL for the process (POSIX locks), else the open file (OFD). */
/* The first lock of another owner in the way of *r: 1 with *r replaced by
 * it and *by_process telling whose it is, or 0. */
int locks_test(struct inode *i, const struct file *owner, struct lock_range *r, bool *by_process);
/* Sets, changes or removes owner's lock over r; waits while another owner's
 * lock is in the way if wait (-ERESTARTSYS on a signal), else -EAGAIN. */
int locks_set(struct inode *i, const struct file *owner, const struct lock_range *r, bool wait);

/* flock(2): LOCK_SH, LOCK_EX, LOCK_UN, with LOCK_NB. */
int locks_flock(struct file *f, int op);

/* The file's last reference is going: drops its locks (see above). */
void locks_release(struct file *f);

#endif
