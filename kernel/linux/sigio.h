/* SIGIO (fcntl(2)): a file's owner, and the signal it is sent when the
 * file, with O_ASYNC, becomes readable or writable. */
#ifndef AMPHI_LINUX_SIGIO_H
#define AMPHI_LINUX_SIGIO_H

#include <stdint.h>

struct file;

/* The fcntl commands sigio_fcntl takes. */
#define F_SETOWN	8
#define F_GETOWN	9
#define F_SETSIG	10
#define F_GETSIG	11
#define F_SETOWN_EX	15
#define F_GETOWN_EX	16

/* F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX, F_SETSIG, F_GETSIG on f
 * (descriptor fd); -EINVAL for another cmd. */
long sigio_fcntl(struct file *f, int cmd, uint64_t arg);
/* O_ASYNC was set on f through descriptor fd (F_SETFL, FIOASYNC): from
 * now on its readiness is watched; fd goes in a real-time signal's
 * si_fd.  0, or -ENOMEM. */
int sigio_watch(struct file *f, int fd);
/* Out-of-band data came to f (a socket): SIGURG to its owner, as Linux's
 * send_sigurg.  net/socket.h's urgent hook; no lock held. */
void sigio_urgent(struct file *f);

#endif
