/* The console as the controlling terminal of the first process's session
 * (ctty.c): its foreground process group and the job-control checks. */
#ifndef AMPHI_LINUX_CTTY_H
#define AMPHI_LINUX_CTTY_H

#include <stdbool.h>

/* A new first process (a step) owns the terminal with its group in the
 * foreground.  Caller holds sig_lock. */
void ctty_reset_locked(int pgid);

/* A signal the terminal makes (amphi's ^C, ^\, a new size), to its
 * foreground group as Linux's line discipline sends it; to init when no
 * process is left in that group, so that ^C still reaches the program.
 * Interrupt context. */
void ctty_signal(int sig);

/* Before a read of the terminal: 0, -EIO, or -ERESTARTSYS with SIGTTIN
 * sent to the caller's background group. */
long ctty_may_read(void);
/* Before tcsetattr: 0, or -ERESTARTSYS with SIGTTOU sent to the caller's
 * background group. */
long ctty_may_change(void);
/* tcgetpgrp or tcgetsid (session), tcsetpgrp (0, -EINVAL, -ESRCH, -EPERM,
 * -ENOTTY, or -ERESTARTSYS with SIGTTOU sent); -ENOTTY for a caller of
 * another session. */
long ctty_query(bool session);
long ctty_set_foreground(int pgid);

#endif
