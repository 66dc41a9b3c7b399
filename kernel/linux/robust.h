/* Robust futex lists (set_robust_list): the locks a thread holds, which
 * the kernel marks when it ends. */
#ifndef AMPHI_LINUX_ROBUST_H
#define AMPHI_LINUX_ROBUST_H

struct thread;

/* sizeof(struct robust_list_head), the only size set_robust_list takes
 * and get_robust_list gives, as on Linux. */
#define ROBUST_HEAD_SIZE	24

/* The current thread (t) ends or execs: each lock on its robust list that
 * tid owns gets FUTEX_OWNER_DIED and one waiter is woken, as Linux's
 * exit_robust_list does.  Reads the list through the current address
 * space, so runs before t lets go of it; the list is forgotten first, so
 * it is walked at most once. */
void robust_list_release(struct thread *t, int tid);

#endif
