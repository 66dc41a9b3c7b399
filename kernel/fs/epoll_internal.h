/* What fs/epoll.c (items, ready lists, the epoll file) and
 * fs/epoll_nest.c (how far epolls nest, and waking them without recursion)
 * share.  See the top of each for the locks. */
#ifndef AMPHI_FS_EPOLL_INTERNAL_H
#define AMPHI_FS_EPOLL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/spinlock.h"
#include "core/waitq.h"
#include "fs/epoll.h"
#include "fs/file.h"
#include "core/mutex.h"

struct epoll {
	struct mutex mtx;		/* guards items and every item's key, events, data */
	struct list items;
	struct spinlock lock;		/* irqsave; guards ready, item state/rewoken/rlink */
	struct list ready;
	struct waitq wq;		/* epoll_wait sleepers and pollers of the epoll file */
	struct file *file;		/* its own file, until that is released */
	int refs;			/* atomic: the file's, and one per queued wake-up */
	/* epoll_nest.c's. */
	bool wake_queued;		/* atomic: on some CPU's list of epolls to wake */
	struct epoll *wake_next;	/* in that list */
	unsigned check_gen;		/* under nest_lock: the nesting check that saw it last */
	int check_depth;		/* and the depth that check found there */
};

struct poll_hook;

struct ep_item {
	struct list link;		/* in ep->items */
	struct list rlink;		/* in ep->ready, or a harvest's list */
	struct list flink;		/* in file->ep_items, under epoll_files_lock */
	int state;			/* enum item_state (epoll.c) */
	bool rewoken;			/* woken while TAKEN: ready again after */
	struct epoll *ep;
	int fd;				/* the key: (fd, file), as Linux */
	struct file *file;		/* not referenced: its release frees the item */
	uint32_t events;		/* asked for, with EPOLLERR|HUP and private bits */
	uint64_t data;
	struct poll_hook *hooks;	/* fs/poll_hooks.h */
};

/* Guards every file's ep_items list (which items watch it). */
extern struct spinlock epoll_files_lock;

static inline struct epoll *ep_of(const struct file *f) { return f->priv; }

/* Drops a reference to ep; the last frees it.  Fine with interrupts off. */
void epoll_put(struct epoll *ep);

/* ---- epoll_nest.c -------------------------------------------------------- */

/* Wakes ep's waiters (threads in epoll_wait, pollers, the epolls watching
 * it) after something in it became ready.  The epolls that wakes in turn
 * are queued and woken by a loop, never by recursion: however deep the
 * nesting, one wake-up takes a fixed amount of stack, and an epoll reached
 * by many paths is woken once.  Any context. */
void epoll_wake(struct epoll *ep);

/* An EPOLL_CTL_ADD that may change how epolls nest: the target is an
 * epoll, or ep is watched by one.  Between nest_begin and nest_end no
 * other such change runs. */
struct nest_check {
	bool full;			/* the checks below are needed */
	struct file *files;		/* non-epoll files whose paths to count */
};
/* Takes the nesting lock when needed; then -ELOOP when adding target to ep
 * would close a loop or make a chain of more than 5 epolls, counting up
 * from ep and down from target, as Linux does.  Caller holds no ep->mtx. */
int nest_begin(struct nest_check *c, struct epoll *ep, struct file *target);
/* After the item is in: -EINVAL when some file now has more paths of
 * wake-ups up to the top epolls than Linux allows (then the caller takes
 * the item out again). */
int nest_paths_check(struct nest_check *c);
void nest_end(struct nest_check *c);

#endif
