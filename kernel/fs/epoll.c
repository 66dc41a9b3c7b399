/* epoll: items, the ready list and the callbacks that fill it.
 *
 * Every item hooks a callback waiter onto each wait queue its file's poll op
 * names.  The callback runs in the waker's context (maybe an interrupt
 * handler, interrupts off, the file's queue lock held): it only moves the
 * item onto the ready list under ep->lock and wakes ep->wq.  epoll_wait then
 * polls each ready item's file (without pt) to learn its events: a wake-up
 * is a hint, the poll op is the truth.
 *
 * Items hold no reference to their files (epoll.h says why): a file's
 * release first takes its items out (epoll_forget_file), under the mutex of
 * each epoll they are in, so whoever holds ep->mtx may use its items' files
 * even when their last reference has just gone.  So nothing may drop a
 * file reference while holding an ep->mtx: that could release a file in
 * this very epoll and take ep->mtx again.
 *
 * Locks, outermost first: epoll_nest.c's nest_lock (a change to how epolls
 * nest), ep->mtx (the item set; epoll_wait's harvest; may copy to user
 * memory and call poll ops), epoll_files_lock (files' ep_items lists), a
 * file's queue lock, ep->lock (irqsave: the ready list), ep->wq's lock.
 * Epolls nest only without cycles, so their mutexes are taken outer to
 * inner; a file's release takes one ep->mtx at a time.  How deep they nest,
 * and how a wake-up travels up through them, is epoll_nest.c's. */
#include "fs/epoll_internal.h"
#include "fs/vfs_file.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/waitq.h"
#include "fs/file.h"
#include "core/mutex.h"
#include "fs/poll.h"
#include "fs/poll_hooks.h"
#include "fs/stat.h"
#include "fs/wait.h"

#define ANON_DEV	0x0e	/* st_dev of anonymous-inode files */
#define PRIVATE_BITS	(EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

enum item_state {
	IDLE,		/* not on the ready list */
	READY,		/* on ep->ready */
	TAKEN,		/* on a harvest's private list */
};

static const struct file_ops epoll_ops;
struct spinlock epoll_files_lock = SPINLOCK_INIT;

bool epoll_is(const struct file *f) { return f->ops == &epoll_ops; }

void epoll_put(struct epoll *ep)
{
	if (!__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL))
		kfree(ep);
}

/* ---- the ready list ----------------------------------------------------- */

/* Caller holds ep->lock. */
static void make_ready(struct epoll *ep, struct ep_item *it)
{
	if (it->state == IDLE) {
		it->state = READY;
		list_add_tail(&ep->ready, &it->rlink);
	} else if (it->state == TAKEN) {
		it->rewoken = true;
	}
}

static void mark_ready(struct epoll *ep, struct ep_item *it)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);

	make_ready(ep, it);
	spin_unlock_irqrestore(&ep->lock, flags);
	epoll_wake(ep);
}

/* In the waker's context: see the top of the file. */
static void hook_wake(struct waiter *w)
{
	struct ep_item *it = poll_hook_owner(w);

	mark_ready(it->ep, it);
}

/* A harvested item goes back: onto the ready list when requeue (level
 * triggered and still ready) or woken meanwhile, else idle. */
static void settle(struct epoll *ep, struct ep_item *it, bool requeue)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);

	if (requeue || it->rewoken) {
		it->state = READY;
		list_add_tail(&ep->ready, &it->rlink);
	} else {
		it->state = IDLE;
	}
	it->rewoken = false;
	spin_unlock_irqrestore(&ep->lock, flags);
}

/* ---- items -------------------------------------------------------------- */

/* The item's events now. */
static unsigned item_poll(struct ep_item *it)
{
	return it->file->ops->poll(it->file, NULL) & it->events & ~PRIVATE_BITS;
}

/* The same, hooking the item onto its file's queues first. */
static unsigned item_hook(struct ep_item *it, int *error)
{
	return poll_hooks_add(it->file, &it->hooks, hook_wake, it, error) & it->events &
	       ~PRIVATE_BITS;
}

/* Registrations in all epolls, at most Linux's default fs.epoll.max_user_watches:
 * 4% of RAM at 200 bytes a watch.  Beyond it, EPOLL_CTL_ADD fails (ENOSPC). */
static int watches;

static bool watch_take(void)
{
	int max = (int)(page_total_count() * PAGE_SIZE / 25 / 200);

	if (__atomic_add_fetch(&watches, 1, __ATOMIC_RELAXED) <= max)
		return true;
	__atomic_sub_fetch(&watches, 1, __ATOMIC_RELAXED);
	return false;
}

/* Unhooks, unlists and frees it.  Caller holds ep->mtx. */
static void item_free(struct epoll *ep, struct ep_item *it)
{
	poll_hooks_remove(&it->hooks);	/* after this no callback runs */
	uint64_t flags = spin_lock_irqsave(&ep->lock);
	if (it->state == READY)
		list_del(&it->rlink);
	spin_unlock_irqrestore(&ep->lock, flags);
	list_del(&it->link);
	spin_lock(&epoll_files_lock);
	list_del(&it->flink);
	spin_unlock(&epoll_files_lock);
	kfree(it);
	__atomic_sub_fetch(&watches, 1, __ATOMIC_RELAXED);
}

/* The item keyed (fd, file), or NULL.  Caller holds ep->mtx. */
static struct ep_item *item_find(struct epoll *ep, int fd, struct file *file)
{
	struct list *l;

	list_for_each(l, &ep->items) {
		struct ep_item *it = list_entry(l, struct ep_item, link);
		if (it->fd == fd && it->file == file)
			return it;
	}
	return NULL;
}

/* Caller holds ep->mtx and a reference to target, so target's release
 * (which takes the item out again) comes after the item is listed. */
static int item_add(struct epoll *ep, int fd, struct file *target, uint32_t events, uint64_t data)
{
	if (!watch_take())
		return -ENOSPC;
	struct ep_item *it = kmalloc_program(sizeof *it);
	int error;

	if (!it) {
		__atomic_sub_fetch(&watches, 1, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	*it = (struct ep_item){ .state = IDLE, .ep = ep, .fd = fd, .file = target,
				.events = events | EPOLLERR | EPOLLHUP, .data = data };
	list_init(&it->rlink);
	spin_lock(&epoll_files_lock);
	list_add_tail(&target->ep_items, &it->flink);
	spin_unlock(&epoll_files_lock);
	list_add_tail(&ep->items, &it->link);
	unsigned ev = item_hook(it, &error);
	if (error) {
		item_free(ep, it);
		return error;
	}
	if (ev)
		mark_ready(ep, it);
	return 0;
}

/* Caller holds ep->mtx. */
static int item_mod(struct epoll *ep, struct ep_item *it, uint32_t events, uint64_t data)
{
	if (it->events & EPOLLEXCLUSIVE)
		return -EINVAL;
	it->events = events | EPOLLERR | EPOLLHUP;
	it->data = data;
	if (item_poll(it))
		mark_ready(ep, it);
	return 0;
}

static int ctl_check(struct file *epf, int op, struct file *target, uint32_t events)
{
	/* Files that are always ready (regular files, directories, /dev/null,
	 * /proc) answer poll and select, but Linux's epoll refuses them, and
	 * programs rely on it: Go registers every file it opens and treats
	 * the EPERM as "not pollable, use plain reads". */
	if (!target->ops->poll || target->ops->poll == vfs_file_poll)
		return -EPERM;
	if (!epoll_is(epf) || epf == target)
		return -EINVAL;
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
		uint32_t ok = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
		if (op == EPOLL_CTL_MOD || epoll_is(target) || (events & ~ok))
			return -EINVAL;
	}
	return 0;
}

int epoll_ctl(struct file *epf, int op, int fd, struct file *target, uint32_t events, uint64_t data)
{
	struct epoll *ep = ep_of(epf);
	struct nest_check nc = { .full = false };
	int err = ctl_check(epf, op, target, events);

	if (!err && op == EPOLL_CTL_ADD)
		err = nest_begin(&nc, ep, target);
	if (err) {
		nest_end(&nc);
		return err;
	}
	mutex_lock(&ep->mtx);
	struct ep_item *it = item_find(ep, fd, target);
	if (op == EPOLL_CTL_ADD)
		err = it ? -EEXIST : item_add(ep, fd, target, events, data);
	else if (!it)
		err = -ENOENT;
	else if (op == EPOLL_CTL_MOD)
		err = item_mod(ep, it, events, data);
	else
		item_free(ep, it);
	if (!err && op == EPOLL_CTL_ADD && nest_paths_check(&nc)) {
		item_free(ep, item_find(ep, fd, target));
		err = -EINVAL;
	}
	mutex_unlock(&ep->mtx);
	nest_end(&nc);
	return err;
}

int epoll_item_file(struct file *epf, int fd, unsigned long nth, const struct file **out)
{
	if (!epoll_is(epf))
		return -EINVAL;
	struct epoll *ep = ep_of(epf);
	struct list *l;
	int err = -ENOENT;
	mutex_lock(&ep->mtx);
	list_for_each(l, &ep->items) {
		struct ep_item *it = list_entry(l, struct ep_item, link);
		if (it->fd == fd && !nth--) {
			*out = it->file;
			err = 0;
			break;
		}
	}
	mutex_unlock(&ep->mtx);
	return err;
}

/* ---- harvesting ---------------------------------------------------------- */

/* Moves the ready list to tx, marking the items TAKEN. */
static void take_ready(struct epoll *ep, struct list *tx)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);

	while (!list_empty(&ep->ready)) {
		struct ep_item *it = list_entry(ep->ready.next, struct ep_item, rlink);
		list_del(&it->rlink);
		it->state = TAKEN;
		it->rewoken = false;
		list_add_tail(tx, &it->rlink);
	}
	spin_unlock_irqrestore(&ep->lock, flags);
}

/* Items not looked at go back to the front, in order. */
static void give_back(struct epoll *ep, struct list *tx)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);

	while (!list_empty(tx)) {
		struct ep_item *it = list_entry(tx->prev, struct ep_item, rlink);
		list_del(&it->rlink);
		it->state = READY;
		it->rewoken = false;
		list_add_head(&ep->ready, &it->rlink);
	}
	spin_unlock_irqrestore(&ep->lock, flags);
}

/* Reports one taken item if it is ready: 1 when copied out, 0 when not
 * ready, -EFAULT.  Caller holds ep->mtx. */
static int harvest_one(struct epoll *ep, struct ep_item *it, const struct iobuf *out, int n)
{
	unsigned ev = item_poll(it);

	if (!ev) {
		settle(ep, it, false);
		return 0;
	}
	struct epoll_event_user e = { ev, it->data };
	if (iobuf_fill(out, n * sizeof e, &e, sizeof e)) {
		settle(ep, it, true);
		return -EFAULT;
	}
	if (it->events & EPOLLONESHOT)
		it->events &= PRIVATE_BITS;	/* disabled until EPOLL_CTL_MOD */
	settle(ep, it, !(it->events & (EPOLLET | EPOLLONESHOT)));
	return 1;
}

/* Copies out up to max ready events; level-triggered items that were
 * reported go back on the ready list, to be polled again next time. */
static long harvest(struct epoll *ep, const struct iobuf *out, int max)
{
	struct list tx;
	int n = 0;

	list_init(&tx);
	mutex_lock(&ep->mtx);
	take_ready(ep, &tx);
	while (!list_empty(&tx) && n < max) {
		struct ep_item *it = list_entry(tx.next, struct ep_item, rlink);
		list_del(&it->rlink);
		int r = harvest_one(ep, it, out, n);
		if (r < 0) {
			if (!n)
				n = r;
			break;
		}
		n += r;
	}
	give_back(ep, &tx);
	mutex_unlock(&ep->mtx);
	return n;
}

long epoll_wait(struct file *epf, const struct iobuf *out, int max, uint64_t deadline)
{
	struct epoll *ep = ep_of(epf);

	for (;;) {
		struct waiter w;
		long n = harvest(ep, out, max);
		if (n)
			return n;
		if (deadline && clock_ns() >= deadline)
			return 0;
		if (thread_signalled())
			return -EINTR;
		uint64_t flags = spin_lock_irqsave(&ep->lock);
		if (!list_empty(&ep->ready)) {
			spin_unlock_irqrestore(&ep->lock, flags);
			continue;
		}
		waitq_prepare(&ep->wq, &w);
		spin_unlock_irqrestore(&ep->lock, flags);
		wait_sleep(&ep->wq, &w, deadline);
	}
}

/* ---- the epoll file ------------------------------------------------------ */

/* Readable when an item on the ready list really has events. */
static unsigned epoll_file_poll(struct file *f, struct poll_table *pt)
{
	struct epoll *ep = ep_of(f);
	struct list *l;
	unsigned ev = 0;

	poll_wait(pt, &ep->wq);
	mutex_lock(&ep->mtx);
	list_for_each(l, &ep->items) {
		struct ep_item *it = list_entry(l, struct ep_item, link);
		if (__atomic_load_n(&it->state, __ATOMIC_RELAXED) == READY && item_poll(it)) {
			ev = POLLIN | POLLRDNORM;
			break;
		}
	}
	mutex_unlock(&ep->mtx);
	return ev;
}

/* The epoll of some item watching f, with a reference, or NULL. */
static struct epoll *first_watcher(struct file *f)
{
	struct epoll *ep = NULL;

	spin_lock(&epoll_files_lock);
	if (!list_empty(&f->ep_items)) {
		/* Alive: an epoll's release frees its items before its put. */
		ep = list_entry(f->ep_items.next, struct ep_item, flink)->ep;
		__atomic_add_fetch(&ep->refs, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&epoll_files_lock);
	return ep;
}

/* f's item in ep, or NULL.  Caller holds ep->mtx. */
static struct ep_item *file_item_in(struct file *f, struct epoll *ep)
{
	struct ep_item *found = NULL;
	struct list *l;

	spin_lock(&epoll_files_lock);
	list_for_each(l, &f->ep_items)
		if (list_entry(l, struct ep_item, flink)->ep == ep) {
			found = list_entry(l, struct ep_item, flink);
			break;
		}
	spin_unlock(&epoll_files_lock);
	return found;
}

void epoll_forget_file(struct file *f)
{
	struct epoll *ep;
	struct ep_item *it;

	/* Without references nobody can add an item now (EPOLL_CTL_ADD holds
	 * one), so a list seen empty stays so: most files skip the lock. */
	if (__atomic_load_n(&f->ep_items.next, __ATOMIC_ACQUIRE) == &f->ep_items)
		return;
	while ((ep = first_watcher(f))) {
		mutex_lock(&ep->mtx);
		/* Its epoll's release may have freed it meanwhile: look again. */
		while ((it = file_item_in(f, ep)))
			item_free(ep, it);
		mutex_unlock(&ep->mtx);
		epoll_put(ep);
	}
}

/* Events come from epoll_wait, not read(2); Linux says EINVAL. */
static long epoll_file_io(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return -EINVAL;
}

static int epoll_file_stat(struct file *f, struct kstat *st)
{
	(void)f;
	*st = (struct kstat){ .dev = ANON_DEV, .ino = 1, .nlink = 1, .mode = 0600, .blksize = 4096 };
	return 0;
}

/* The last reference: no epoll_ctl or epoll_wait can be running, and the
 * epolls watching this one have let it go (epoll_forget_file). */
static void epoll_release(struct file *f)
{
	struct epoll *ep = ep_of(f);

	mutex_lock(&ep->mtx);
	while (!list_empty(&ep->items))
		item_free(ep, list_entry(ep->items.next, struct ep_item, link));
	mutex_unlock(&ep->mtx);
	epoll_put(ep);		/* a wake-up still queued holds it on */
}

static const struct file_ops epoll_ops = {
	.read = epoll_file_io,
	.write = epoll_file_io,
	.poll = epoll_file_poll,
	.stat = epoll_file_stat,
	.release = epoll_release,
};

struct file *epoll_new(void)
{
	struct epoll *ep = kmalloc(sizeof *ep);
	struct file *f = ep ? file_new(&epoll_ops, O_RDWR, ep) : NULL;
	static const char name[] = "anon_inode:[eventpoll]";

	if (!f) {
		kfree(ep);
		return NULL;
	}
	mutex_init(&ep->mtx);
	ep->file = f;
	ep->refs = 1;
	list_init(&ep->items);
	list_init(&ep->ready);
	waitq_init(&ep->wq);
	f->path = kmalloc(sizeof name);
	if (f->path)
		memcpy(f->path, name, sizeof name);
	return f;
}
