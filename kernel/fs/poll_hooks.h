/* Watching a file without sleeping on it: a callback waiter on each wait
 * queue the file's poll op names, kept in a list by the watcher (an epoll
 * item, an O_ASYNC file's SIGIO state).  The callback runs in the waker's
 * context (an interrupt maybe, the queue's lock held) and finds its
 * watcher with poll_hook_owner(). */
#ifndef AMPHI_FS_POLL_HOOKS_H
#define AMPHI_FS_POLL_HOOKS_H

#include "core/list.h"
#include "core/waitq.h"

struct file;

struct poll_hook {
	struct waiter w;		/* on wq, with w.wake the watcher's callback */
	struct waitq *wq;
	void *owner;
	struct poll_hook *next;
};

/* f's events from its poll op, which hooks wake (for owner) onto each queue
 * it names, adding the hooks to *list.  *error: 0, or -ENOMEM when a hook
 * could not be made (those made stay on *list). */
unsigned poll_hooks_add(struct file *f, struct poll_hook **list, void (*wake)(struct waiter *w),
			void *owner, int *error);
/* Takes every hook of *list off its queue (after which its callback
 * cannot run) and frees it. */
void poll_hooks_remove(struct poll_hook **list);

static inline void *poll_hook_owner(struct waiter *w)
{
	return container_of(w, struct poll_hook, w)->owner;
}

#endif
