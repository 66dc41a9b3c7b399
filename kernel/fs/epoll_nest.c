/* Epolls inside epolls, bounded as Linux bounds them (fs/eventpoll.c), so
 * that no program can make one wake-up cost unbounded time or stack.
 *
 * At EPOLL_CTL_ADD: a chain of epolls may be at most 5 long (EP_MAX_NESTS,
 * 4 inside the outermost), counted down from the target and up from the
 * epoll it goes into, and may not close a loop (ELOOP); and no file may
 * end up with more wake-up paths to the epolls at the top than 1000 of
 * length 1, 500 of 2, 100 of 3, 50 of 4 and 10 of 5 (EINVAL: Linux's
 * reverse_path_check).  Paths of length 0 (a file in a top-level epoll)
 * are not limited.
 *
 * At wake-up: an epoll whose item became ready wakes its own waiters, and
 * the epolls watching it get the wake-up through their hooks on its wait
 * queue.  Those are queued on a per-CPU list and woken by one loop, not by
 * calls nested once per level: the loop runs with interrupts off, so the
 * list is the CPU's alone; an epoll already queued (on any CPU) is not
 * queued again, so an epoll reached by many paths is woken once per
 * wake-up, not once per path.  A queued epoll holds a reference, so it
 * outlives its file's release until the loop is done with it.
 *
 * Locks: nest_lock (one nesting change at a time) before any ep->mtx, then
 * epoll_files_lock (held across the walks up the graph, so no item they
 * pass is freed under them). */
#include "fs/epoll_internal.h"

#include "core/errno.h"
#include "core/sched.h"

#define EP_MAX_NESTS	4	/* epolls inside the outermost, as Linux */
#define TOO_DEEP	(EP_MAX_NESTS + 1)

static const int path_limits[EP_MAX_NESTS + 1] = { 1000, 500, 100, 50, 10 };

static struct mutex nest_lock = MUTEX_INIT(nest_lock);
/* Under nest_lock: the current check's number, and the paths counted. */
static unsigned check_gen;
static struct epoll *inserting_into;
static int path_count[EP_MAX_NESTS + 1];

/* ---- waking without recursion ------------------------------------------- */

/* The epolls this CPU's wake-up loop still has to wake (interrupts off). */
static struct pending {
	struct epoll *head, *tail;
	bool running;
} pending[MAX_CPUS];

static void queue(struct pending *p, struct epoll *ep)
{
	__atomic_add_fetch(&ep->refs, 1, __ATOMIC_RELAXED);
	ep->wake_next = NULL;
	if (p->tail)
		p->tail->wake_next = ep;
	else
		p->head = ep;
	p->tail = ep;
}

static struct epoll *dequeue(struct pending *p)
{
	struct epoll *ep = p->head;

	if (ep && !(p->head = ep->wake_next))
		p->tail = NULL;
	return ep;
}

void epoll_wake(struct epoll *ep)
{
	uint64_t flags = irq_save();
	struct pending *p = &pending[this_cpu()->id];

	/* Already queued: whoever dequeues it wakes it after clearing the
	 * flag, and that clearing exchange reads ours, so what the caller
	 * made ready before this is seen by the wake-up. */
	if (!__atomic_exchange_n(&ep->wake_queued, true, __ATOMIC_ACQ_REL))
		queue(p, ep);
	if (p->running) {
		irq_restore(flags);
		return;		/* the loop below, further up this CPU's stack, does it */
	}
	p->running = true;
	while ((ep = dequeue(p))) {
		(void)__atomic_exchange_n(&ep->wake_queued, false, __ATOMIC_ACQ_REL);
		waitq_wake_all(&ep->wq);	/* watching epolls queue themselves */
		epoll_put(ep);
	}
	p->running = false;
	irq_restore(flags);
}

/* ---- chains and loops --------------------------------------------------- */

/* Adds f to the files whose paths nest_paths_check counts, once.  Items
 * hold no reference: a file already being released is about to lose its
 * items, and with them its paths, so it is not counted. */
static void list_file(struct nest_check *c, struct file *f)
{
	if (f->ep_check_gen == check_gen)
		return;
	f->ep_check_gen = check_gen;
	if (!file_tryget(f))
		return;
	f->ep_check_next = c->files;
	c->files = f;
}

/* The longest chain of epolls below ep (0: none inside it), or TOO_DEEP
 * when one is too long or leads back to inserting_into.  Each epoll is
 * looked at once per check, so a wide graph costs its size, not its paths. */
static int depth_below(struct nest_check *c, struct epoll *ep, int depth)
{
	struct list *l;
	int result = 0;

	if (ep->check_gen == check_gen)
		return ep->check_depth;
	mutex_lock(&ep->mtx);
	ep->check_gen = check_gen;
	list_for_each(l, &ep->items) {
		struct ep_item *it = list_entry(l, struct ep_item, link);
		if (!epoll_is(it->file)) {
			list_file(c, it->file);
			continue;
		}
		struct epoll *child = ep_of(it->file);
		int d = child == inserting_into || depth > EP_MAX_NESTS ? TOO_DEEP
			: depth_below(c, child, depth + 1) + 1;
		if (d > result)
			result = d;
		if (result > EP_MAX_NESTS)
			break;
	}
	ep->check_depth = result;
	mutex_unlock(&ep->mtx);
	return result;
}

/* The longest chain of epolls above ep.  Caller holds epoll_files_lock;
 * the graph above is one that passed these checks, so no deeper than 5. */
static int depth_above(struct epoll *ep)
{
	struct list *l;
	int result = 0;

	if (ep->check_gen == check_gen)
		return ep->check_depth;
	list_for_each(l, &ep->file->ep_items) {
		int d = depth_above(list_entry(l, struct ep_item, flink)->ep) + 1;
		if (d > result)
			result = d;
	}
	ep->check_gen = check_gen;
	ep->check_depth = result;
	return result;
}

static bool watched(struct epoll *ep)
{
	spin_lock(&epoll_files_lock);
	bool w = !list_empty(&ep->file->ep_items);
	spin_unlock(&epoll_files_lock);
	return w;
}

int nest_begin(struct nest_check *c, struct epoll *ep, struct file *target)
{
	*c = (struct nest_check){ .full = epoll_is(target) || watched(ep) };
	if (!c->full)
		return 0;
	mutex_lock(&nest_lock);
	check_gen++;
	if (!epoll_is(target)) {
		list_file(c, target);
		return 0;
	}
	inserting_into = ep;
	int below = depth_below(c, ep_of(target), 0);
	if (below > EP_MAX_NESTS)
		return -ELOOP;
	spin_lock(&epoll_files_lock);
	int above = depth_above(ep);
	spin_unlock(&epoll_files_lock);
	return below + 1 + above > EP_MAX_NESTS ? -ELOOP : 0;
}

/* ---- wake-up paths ------------------------------------------------------ */

/* Counts the paths from a file (whose watchers' items are on `items`) up
 * to epolls nobody watches; -1 when a count passes its limit or a path is
 * too long.  Caller holds epoll_files_lock. */
static int count_paths(struct list *items, int depth)
{
	struct list *l;

	if (depth > EP_MAX_NESTS)
		return -1;
	list_for_each(l, items) {
		struct epoll *ep = list_entry(l, struct ep_item, flink)->ep;
		if (!list_empty(&ep->file->ep_items)) {
			if (count_paths(&ep->file->ep_items, depth + 1))
				return -1;
		} else if (depth && ++path_count[depth] > path_limits[depth]) {
			return -1;
		}
	}
	return 0;
}

int nest_paths_check(struct nest_check *c)
{
	int err = 0;

	if (!c->full)
		return 0;
	spin_lock(&epoll_files_lock);
	for (struct file *f = c->files; f && !err; f = f->ep_check_next) {
		for (int k = 0; k <= EP_MAX_NESTS; k++)
			path_count[k] = 0;
		err = count_paths(&f->ep_items, 0) ? -EINVAL : 0;
	}
	spin_unlock(&epoll_files_lock);
	return err;
}

void nest_end(struct nest_check *c)
{
	if (!c->full)
		return;
	while (c->files) {
		struct file *f = c->files;
		c->files = f->ep_check_next;
		file_put(f);
	}
	mutex_unlock(&nest_lock);
}
