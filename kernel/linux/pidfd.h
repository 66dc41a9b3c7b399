/* pidfds (pidfd_open(2)): files that name a process, whoever gets its pid
 * next.  One is readable (poll, epoll) once the process has ended, and
 * also hung up once it has been waited for; reading it is EINVAL. */
#ifndef AMPHI_LINUX_PIDFD_H
#define AMPHI_LINUX_PIDFD_H

#include <stdbool.h>

struct file;
struct pid_handle;
struct process;

/* A new pidfd file for p, which the caller keeps alive (it holds sig_lock,
 * or p has not started): NULL without memory.  nonblock: PIDFD_NONBLOCK. */
struct file *pidfd_file(struct process *p, bool nonblock);

/* The handle of the pidfd at fd, with a reference (pidfd_handle_put), and
 * whether it is non-blocking; -EBADF if fd is no pidfd. */
int pidfd_handle_get(int fd, struct pid_handle **h, bool *nonblock);
void pidfd_handle_put(struct pid_handle *h);
/* p's handle with a new reference, made at the first (mq_notify keeps
 * its registered process so).  NULL without memory.  Caller holds
 * sig_lock or p has not started. */
struct pid_handle *pidfd_handle_of(struct process *p);
/* The process h names, NULL once it has been waited for.  Caller holds
 * sig_lock. */
struct process *pidfd_process(const struct pid_handle *h);
/* The pid h names (its process may be gone). */
int pidfd_pid(const struct pid_handle *h);

/* p's life, for its pidfds: it ended (a zombie now), it was taken out of
 * the tree (both under sig_lock), it is freed. */
void pidfd_process_ended(struct process *p);
void pidfd_process_unlinked(struct process *p);
void pidfd_process_freed(struct process *p);

#endif
