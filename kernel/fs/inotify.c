/* inotify: watches on inodes, and each instance's queue of events.
 *
 * One spinlock guards every watch list, every queue and the inodes'
 * aliases, so a report can walk an inode's watches and its directory's
 * without any VFS lock, from wherever the change is made.  A report costs
 * one atomic read while no watch exists anywhere.
 *
 * As Linux's: an event the same as the last one queued (watch, mask, name)
 * is not queued again; a full queue (16384 events) ends with one
 * IN_Q_OVERFLOW; a watch holds its inode, and goes (IN_IGNORED) when
 * removed, after an IN_ONESHOT event, or once the inode has no name left.
 * What differs: that last comes at the unlink even when the file is still
 * open (Linux waits for its last close); limits are the machine's, not
 * each user's (1024 instances: EMFILE; 65536 watches: ENOSPC). */
#include "fs/inotify.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/wait.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "fs/wait.h"

#define MAX_QUEUED	16384	/* Linux's max_queued_events */
#define MAX_INSTANCES	1024
#define MAX_WATCHES	65536
#define FIONREAD	0x541b
#define ANON_DEV	0x0e	/* st_dev of anonymous-inode files */

struct inotify_event {
	int32_t wd;
	uint32_t mask, cookie, len;
};

struct event {
	struct list link;
	struct inotify_event head;	/* head.len: the name with its NUL padding */
	char name[];
};

struct inotify {
	struct list watches;		/* struct watch, by in_instance */
	struct list events;		/* oldest first */
	int nevents;
	size_t bytes;			/* as read() gives them (FIONREAD) */
	int last_wd;
	struct waitq wq;
};

struct watch {
	struct list in_inode, in_instance;
	struct inode *inode;		/* referenced */
	struct inotify *in;
	int wd;
	uint32_t mask;			/* events, IN_ONESHOT, IN_EXCL_UNLINK */
};

static struct spinlock notify_lock = SPINLOCK_INIT;
static int instances, watches_total;	/* under notify_lock; watches_total read without */
static uint32_t next_cookie;

static const struct file_ops inotify_ops;

static bool watched_anywhere(void) { return __atomic_load_n(&watches_total, __ATOMIC_RELAXED) > 0; }

/* ---- queues ---------------------------------------------------------------- */

static bool same_as_last(struct inotify *in, int wd, uint32_t mask, const char *name)
{
	if (list_empty(&in->events))
		return false;
	struct event *e = list_entry(in->events.prev, struct event, link);
	return e->head.wd == wd && e->head.mask == mask && !(mask & IN_IGNORED) &&
	       (name ? e->head.len && !strcmp(e->name, name) : !e->head.len);
}

static void add_event(struct inotify *in, struct event *e)
{
	list_add_tail(&in->events, &e->link);
	in->nevents++;
	in->bytes += sizeof e->head + e->head.len;
	waitq_wake_all(&in->wq);
}

/* One IN_Q_OVERFLOW ends a full queue (it may take one event more). */
static void overflow(struct inotify *in)
{
	struct event *e;

	if (!same_as_last(in, -1, IN_Q_OVERFLOW, NULL) && (e = kmalloc(sizeof *e))) {
		e->head = (struct inotify_event){ .wd = -1, .mask = IN_Q_OVERFLOW };
		add_event(in, e);
	}
}

static void queue(struct inotify *in, int wd, uint32_t mask, uint32_t cookie, const char *name)
{
	size_t len = name ? (strlen(name) + 1 + 15) / 16 * 16 : 0;	/* Linux pads to 16 */

	if (same_as_last(in, wd, mask, name))
		return;
	struct event *e = in->nevents < MAX_QUEUED ? kmalloc_program(sizeof *e + len) : NULL;
	if (!e) {
		overflow(in);
		return;
	}
	e->head = (struct inotify_event){ .wd = wd, .mask = mask, .cookie = cookie, .len = (uint32_t)len };
	if (name)
		memcpy(e->name, name, strlen(name) + 1);	/* the rest is zero */
	add_event(in, e);
}

/* ---- watches --------------------------------------------------------------- */

/* w leaves its inode and instance; the caller puts it on gone, to free
 * after letting go of the lock (that drops its inode). */
static void unlink_watch(struct watch *w, struct list *gone)
{
	list_del(&w->in_inode);
	list_del(&w->in_instance);
	watches_total--;
	list_add_tail(gone, &w->in_inode);
}

static void free_unlinked(struct list *gone)
{
	while (!list_empty(gone)) {
		struct watch *w = list_entry(gone->next, struct watch, in_inode);
		list_del(&w->in_inode);
		inode_put(w->inode);
		kfree(w);
	}
}

static void ignore(struct watch *w, struct list *gone)
{
	queue(w->in, w->wd, IN_IGNORED, 0, NULL);
	unlink_watch(w, gone);
}

/* i's watches that want mask hear of it (name: the entry of i it is
 * about); an IN_ONESHOT watch goes after its event.  Caller holds the
 * lock. */
static void deliver(struct inode *i, uint32_t mask, const char *name, uint32_t cookie,
		    struct list *gone)
{
	struct list *l, *n;

	list_for_each_safe(l, n, &i->watches) {
		struct watch *w = list_entry(l, struct watch, in_inode);
		uint32_t want = w->mask & mask & IN_ALL_EVENTS;
		if (!want)
			continue;
		queue(w->in, w->wd, want | (mask & IN_ISDIR), cookie, name);
		if (w->mask & IN_ONESHOT)
			ignore(w, gone);
	}
}

static uint32_t subject(const struct inode *i, uint32_t mask) { return is_dir(i) ? mask | IN_ISDIR : mask; }

void fsnotify_inode(struct inode *i, uint32_t mask)
{
	struct list gone = LIST_INIT(gone);

	if (!watched_anywhere())
		return;
	mask = subject(i, mask);
	spin_lock(&notify_lock);
	struct dentry *d = i->alias;
	if (d)
		deliver(d->dir, mask, d->name, 0, &gone);	/* the directory first, as Linux */
	deliver(i, mask, NULL, 0, &gone);
	spin_unlock(&notify_lock);
	free_unlinked(&gone);
}

/* deliver() under the lock, for i's own watches alone. */
static void deliver_once(struct inode *i, uint32_t mask, const char *name, uint32_t cookie)
{
	struct list gone = LIST_INIT(gone);

	if (!watched_anywhere())
		return;
	spin_lock(&notify_lock);
	deliver(i, mask, name, cookie, &gone);
	spin_unlock(&notify_lock);
	free_unlinked(&gone);
}

/* Without IN_ISDIR: Linux gives it to a directory's IN_DELETE_SELF and
 * IN_MOVE_SELF neither. */
void fsnotify_self(struct inode *i, uint32_t mask) { deliver_once(i, mask, NULL, 0); }

void fsnotify_entry(struct inode *dir, uint32_t mask, const char *name, uint32_t cookie)
{
	deliver_once(dir, mask, name, cookie);
}

uint32_t fsnotify_cookie(void) { return __atomic_add_fetch(&next_cookie, 1, __ATOMIC_RELAXED); }

void fsnotify_deleted(struct inode *i) { fsnotify_self(i, IN_DELETE_SELF); }

void fsnotify_forget(struct inode *i)
{
	struct list gone = LIST_INIT(gone);

	if (!watched_anywhere())
		return;
	spin_lock(&notify_lock);
	while (!list_empty(&i->watches))
		ignore(list_entry(i->watches.next, struct watch, in_inode), &gone);
	spin_unlock(&notify_lock);
	free_unlinked(&gone);
}

void fsnotify_alias_set(struct inode *i, struct dentry *d)
{
	spin_lock(&notify_lock);
	i->alias = d;
	spin_unlock(&notify_lock);
}

void fsnotify_alias_drop(struct inode *i, struct dentry *d)
{
	spin_lock(&notify_lock);
	if (i->alias == d)
		i->alias = NULL;
	spin_unlock(&notify_lock);
}

/* ---- instances ------------------------------------------------------------- */

/* Counts one instance more, unless the machine has all it may. */
static bool count_instance(int step)
{
	spin_lock(&notify_lock);
	bool room = step < 0 || instances < MAX_INSTANCES;
	if (room)
		instances += step;
	spin_unlock(&notify_lock);
	return room;
}

static struct watch *find_watch(struct inotify *in, struct inode *i, int wd)
{
	struct list *l;

	list_for_each(l, &in->watches) {
		struct watch *w = list_entry(l, struct watch, in_instance);
		if (i ? w->inode == i : w->wd == wd)
			return w;
	}
	return NULL;
}

/* Linux's descriptors count up, skipping those in use. */
static int next_wd(struct inotify *in)
{
	do
		in->last_wd = in->last_wd == INT32_MAX ? 1 : in->last_wd + 1;
	while (find_watch(in, NULL, in->last_wd));
	return in->last_wd;
}

int inotify_watch(struct file *f, struct inode *i, uint32_t mask)
{
	struct inotify *in = f->priv;
	uint32_t kept = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
	int r;

	spin_lock(&notify_lock);
	struct watch *w = find_watch(in, i, 0);
	if (w && (mask & IN_MASK_CREATE)) {
		r = -EEXIST;
	} else if (w) {
		w->mask = mask & IN_MASK_ADD ? w->mask | kept : kept;
		r = w->wd;
	} else if (watches_total >= MAX_WATCHES) {
		r = -ENOSPC;
	} else if (!(w = kmalloc_program(sizeof *w))) {
		r = -ENOMEM;
	} else {
		inode_get(i);
		*w = (struct watch){ .inode = i, .in = in, .wd = next_wd(in), .mask = kept };
		list_add_tail(&i->watches, &w->in_inode);
		list_add_tail(&in->watches, &w->in_instance);
		__atomic_add_fetch(&watches_total, 1, __ATOMIC_RELAXED);
		r = w->wd;
	}
	spin_unlock(&notify_lock);
	return r;
}

int inotify_unwatch(struct file *f, int wd)
{
	struct list gone = LIST_INIT(gone);

	spin_lock(&notify_lock);
	struct watch *w = wd > 0 ? find_watch(f->priv, NULL, wd) : NULL;
	if (w)
		ignore(w, &gone);
	spin_unlock(&notify_lock);
	free_unlinked(&gone);
	return w ? 0 : -EINVAL;
}

/* Takes the events that fit in size bytes off the queue, onto *taken:
 * their bytes, or -EINVAL when the first does not fit, 0 when there is
 * none.  Caller holds the lock. */
static long take_events(struct inotify *in, size_t size, struct list *taken)
{
	size_t n = 0;

	while (!list_empty(&in->events)) {
		struct event *e = list_entry(in->events.next, struct event, link);
		size_t one = sizeof e->head + e->head.len;
		if (n + one > size)
			return n ? (long)n : -EINVAL;
		list_del(&e->link);
		list_add_tail(taken, &e->link);
		in->nevents--;
		in->bytes -= one;
		n += one;
	}
	return (long)n;
}

/* Events taken but not copied (a bad buffer) go back to the head of the
 * queue, in their order. */
static void put_back(struct inotify *in, struct list *taken)
{
	spin_lock(&notify_lock);
	while (!list_empty(taken)) {
		struct event *e = list_entry(taken->prev, struct event, link);
		list_del(&e->link);
		list_add_head(&in->events, &e->link);
		in->nevents++;
		in->bytes += sizeof e->head + e->head.len;
	}
	waitq_wake_all(&in->wq);
	spin_unlock(&notify_lock);
}

/* The events taken, copied out in order: at a bad buffer the one being
 * copied is lost and the rest kept, as on Linux, which takes them one at
 * a time; the answer is then EFAULT, even after some were copied. */
static long copy_events(struct inotify *in, const struct iobuf *b, struct list *taken)
{
	size_t n = 0;

	while (!list_empty(taken)) {
		struct event *e = list_entry(taken->next, struct event, link);
		bool bad = iobuf_fill(b, n, &e->head, sizeof e->head) ||
			   iobuf_fill(b, n + sizeof e->head, e->name, e->head.len);
		n += sizeof e->head + e->head.len;
		list_del(&e->link);
		kfree(e);
		if (bad) {
			if (!list_empty(taken))
				put_back(in, taken);
			return -EFAULT;
		}
	}
	return (long)n;
}

static long inotify_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct inotify *in = f->priv;
	struct list taken = LIST_INIT(taken);
	struct waiter w;
	long r;

	(void)pos;
	for (;;) {
		spin_lock(&notify_lock);
		r = take_events(in, b->len, &taken);
		if (!r && !(r = wait_refusal(f)))
			waitq_prepare(&in->wq, &w);
		spin_unlock(&notify_lock);
		if (r)
			break;
		wait_sleep(&in->wq, &w, 0);
	}
	return r > 0 ? copy_events(in, b, &taken) : r;
}

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
	struct inotify *in = f->priv;

	poll_wait(pt, &in->wq);
	return __atomic_load_n(&in->nevents, __ATOMIC_RELAXED) ? POLLIN | POLLRDNORM : 0;
}

static long inotify_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct inotify *in = f->priv;

	if (cmd != FIONREAD)
		return -EINVAL;
	spin_lock(&notify_lock);
	int n = (int)in->bytes;
	spin_unlock(&notify_lock);
	struct iobuf out = iobuf_user(arg, sizeof n);
	return iobuf_fill(&out, 0, &n, sizeof n);
}

static int inotify_stat(struct file *f, struct kstat *st)
{
	(void)f;
	*st = (struct kstat){ .dev = ANON_DEV, .ino = 4, .nlink = 1, .mode = 0600, .blksize = 4096 };
	return 0;
}

static void inotify_release(struct file *f)
{
	struct inotify *in = f->priv;
	struct list gone = LIST_INIT(gone);

	spin_lock(&notify_lock);
	while (!list_empty(&in->watches))
		unlink_watch(list_entry(in->watches.next, struct watch, in_instance), &gone);
	spin_unlock(&notify_lock);
	count_instance(-1);
	free_unlinked(&gone);
	while (!list_empty(&in->events)) {
		struct event *e = list_entry(in->events.next, struct event, link);
		list_del(&e->link);
		kfree(e);
	}
	kfree(in);
}

static const struct file_ops inotify_ops = {
	.read = inotify_read,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.stat = inotify_stat,
	.release = inotify_release,
	.sees_empty = true,
};

bool is_inotify(const struct file *f) { return f->ops == &inotify_ops; }

struct file *inotify_new(unsigned flags, int *err)
{
	static const char name[] = "anon_inode:inotify";

	*err = -EMFILE;
	if (!count_instance(1))
		return NULL;
	struct inotify *in = kmalloc_program(sizeof *in);
	struct file *f = in ? file_new(&inotify_ops, O_RDONLY | (flags & O_NONBLOCK), in) : NULL;
	*err = -ENOMEM;
	if (!f) {
		kfree(in);
		count_instance(-1);
		return NULL;
	}
	list_init(&in->watches);
	list_init(&in->events);
	waitq_init(&in->wq);
	if ((f->path = kmalloc(sizeof name)))
		memcpy(f->path, name, sizeof name);
	return f;
}
