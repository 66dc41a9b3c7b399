/* Descriptor tables.  Each process has one (threads share it, and so do
 * processes made with CLONE_FILES); the calls without a table argument
 * work on the calling thread's (struct thread's files). */
#ifndef AMPHI_FS_FDTABLE_H
#define AMPHI_FS_FDTABLE_H

#include <stdbool.h>

struct fdtable;
struct file;

#define FD_MAX 4096	/* hard limit; RLIMIT_NOFILE may be lower */

/* An empty table with one holder; NULL if no memory. */
struct fdtable *fdtable_new(void);
/* A copy for a new process (fork): the same open files, new references. */
struct fdtable *fdtable_copy(struct fdtable *t);
/* A table the caller's process has to itself (execve): t if nobody else
 * holds it, else a copy, or NULL if no memory.  The caller's reference to
 * t stays: it releases it once the copy has taken t's place. */
struct fdtable *fdtable_unshare(struct fdtable *t);
void fdtable_hold(struct fdtable *t);
/* Drops a holder; the last closes every descriptor.  May sleep. */
void fdtable_release(struct fdtable *t);
/* execve: closes the descriptors marked close-on-exec. */
void fdtable_close_on_exec(struct fdtable *t);
/* Another table's file at fd with a new reference, or NULL (/proc/PID/fd). */
struct file *fdtable_get(struct fdtable *t, int fd);
/* The lowest open descriptor >= fd, or -1. */
int fdtable_next(struct fdtable *t, int fd);

/* Installs f at the lowest free descriptor >= min; takes over the caller's
 * reference.  The descriptor, or -EMFILE (the reference is dropped then). */
int fd_install(struct file *f, int min, bool cloexec);
/* 0 if fd_install could find a descriptor now, else -EMFILE: for a call
 * that must not take what it cannot hand over (accept's connection).
 * Another thread may take the descriptor before the install. */
int fd_room(void);
/* Installs f at exactly fd, closing what was there (dup2). */
int fd_install_at(struct file *f, int fd, bool cloexec);
int fdtable_install_at(struct fdtable *t, struct file *f, int fd, bool cloexec);
/* The file at fd with a new reference (file_put it), or NULL. */
struct file *fd_get(int fd);
int fd_close(int fd);
int fd_get_cloexec(int fd);	/* 0/1, or -EBADF */
int fd_set_cloexec(int fd, bool on);
/* Limit on new descriptors (RLIMIT_NOFILE's soft value). */
void fd_set_limit(int limit);
int fd_get_limit(void);
/* The calling thread's table's size: every open descriptor is below it
 * (Linux's max_fds, as far as select looks). */
int fd_table_size(void);

#endif
