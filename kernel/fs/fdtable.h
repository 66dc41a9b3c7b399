/* The program's file descriptor table (one: threads share it). */
#ifndef AMPHI_FS_FDTABLE_H
#define AMPHI_FS_FDTABLE_H

#include <stdbool.h>

struct file;

#define FD_MAX 4096	/* hard limit; RLIMIT_NOFILE may be lower */

/* Installs f at the lowest free descriptor >= min; takes over the caller's
 * reference.  The descriptor, or -EMFILE (the reference is dropped then). */
int fd_install(struct file *f, int min, bool cloexec);
/* Installs f at exactly fd, closing what was there (dup2). */
int fd_install_at(struct file *f, int fd, bool cloexec);
/* The file at fd with a new reference (file_put it), or NULL. */
struct file *fd_get(int fd);
int fd_close(int fd);
int fd_get_cloexec(int fd);	/* 0/1, or -EBADF */
int fd_set_cloexec(int fd, bool on);
/* Limit on new descriptors (RLIMIT_NOFILE's soft value). */
void fd_set_limit(int limit);
int fd_get_limit(void);

#endif
