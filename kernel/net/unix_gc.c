/* Files in flight over AF_UNIX (SCM_RIGHTS), and the garbage collection of
 * sockets that only cycles of in-flight messages keep alive, as Linux does.
 *
 * A socketpair whose two ends are sent into its own queue and then closed
 * holds itself: each end's file is referenced only by a record in the
 * other's queue.  Nothing can ever read those queues again, yet reference
 * counts alone never reach zero.  The collector finds such sockets:
 *
 *  1. candidates: sockets in flight whose every file reference comes from
 *     a record in some queue (file refs == inflight);
 *  2. for each candidate, count the references found in candidates' queues
 *     (and in the queues of a candidate listener's unaccepted connections);
 *  3. a candidate with a reference from elsewhere (a descriptor cannot be:
 *     it would be no candidate; so a queue of a live socket, or a record on
 *     its way out of a queue) is alive, and so is everything in its queues;
 *  4. the rest is garbage: its queued records are taken out and freed, which
 *     drops the references that closed the cycle.
 *
 * Why the picture holds still while gc_lock is held: files enter flight
 * (unix_inflight_add) and leave it (unix_inflight_del) under gc_lock.  A
 * file leaving a queue leaves it first and its flight afterwards, so while
 * it is on its way it is found in no queue, which only ever makes its
 * socket look alive.  Reaching a candidate's queue takes a handle on it,
 * and a handle (a descriptor, a call in progress) is a reference that
 * makes it no candidate.
 *
 * Lock order: gc_lock, then a socket's lock, then (a listener's) the locks
 * of its unaccepted connections.  No socket lock is held when taking
 * gc_lock. */
#include "net/unix_internal.h"

#include "core/errno.h"
#include "fs/fdtable.h"

enum { GC_NONE, GC_CANDIDATE, GC_ALIVE };

static struct spinlock gc_lock = SPINLOCK_INIT;	/* guards everything below and unix_sock.gc_* */
static struct list inflight_socks = LIST_INIT(inflight_socks);	/* unix_sock.gc_link, inflight > 0 */
static int inflight_files;	/* every file in flight, sockets or not */
static bool gc_running;

struct unix_sock *unix_sock_of(struct file *f)
{
	struct socket *s = f ? socket_of(f) : NULL;

	return s && s->ops == &unix_ops ? unix_of(s) : NULL;
}

int unix_inflight_add(struct file **files, int n)
{
	/* Linux's limit for a user without CAP_SYS_RESOURCE: no more files in
	 * flight than RLIMIT_NOFILE; here for every program, since nothing else
	 * bounds the memory they hold.  Cycles may be all that fills it. */
	if (__atomic_load_n(&inflight_files, __ATOMIC_RELAXED) > fd_get_limit())
		unix_gc();
	spin_lock(&gc_lock);
	if (inflight_files > fd_get_limit()) {
		spin_unlock(&gc_lock);
		return -ETOOMANYREFS;
	}
	for (int i = 0; i < n; i++) {
		struct unix_sock *u = unix_sock_of(files[i]);
		inflight_files++;
		if (u && !u->inflight++)
			list_add_tail(&inflight_socks, &u->gc_link);
	}
	spin_unlock(&gc_lock);
	return 0;
}

void unix_inflight_del(struct file *f)
{
	struct unix_sock *u = unix_sock_of(f);

	spin_lock(&gc_lock);
	inflight_files--;
	if (u && !--u->inflight)
		list_del(&u->gc_link);
	spin_unlock(&gc_lock);
}

/* ---- the collector ------------------------------------------------------ */

typedef void gc_visit_fn(struct unix_sock *child, struct list *work);

static void visit_queue(struct list *queue, gc_visit_fn *fn, struct list *work)
{
	struct list *l;

	list_for_each(l, queue) {
		struct unix_rec *r = list_entry(l, struct unix_rec, link);
		for (int i = 0; i < r->nfds; i++) {
			struct unix_sock *c = unix_sock_of(r->fds[i]);
			if (c && c->gc_state != GC_NONE)
				fn(c, work);
		}
	}
}

/* Calls fn for every candidate or live socket in u's queues: its own and,
 * for a listener, its unaccepted connections'.  Caller holds gc_lock. */
static void visit_children(struct unix_sock *u, gc_visit_fn *fn, struct list *work)
{
	struct list *l;

	spin_lock(&u->lock);
	visit_queue(&u->queue, fn, work);
	list_for_each(l, &u->pending) {
		struct unix_sock *e = list_entry(l, struct unix_sock, plink);
		spin_lock(&e->lock);
		visit_queue(&e->queue, fn, work);
		spin_unlock(&e->lock);
	}
	spin_unlock(&u->lock);
}

static void count_ref(struct unix_sock *c, struct list *work)
{
	(void)work;
	c->gc_refs++;
}

static void mark_alive(struct unix_sock *c, struct list *work)
{
	if (c->gc_state != GC_CANDIDATE)
		return;
	c->gc_state = GC_ALIVE;
	list_add_tail(work, &c->gc_work);
}

static bool is_candidate(struct unix_sock *u)
{
	return __atomic_load_n(&u->sock->file->refs, __ATOMIC_ACQUIRE) == u->inflight;
}

/* Moves the records of u's queues to out.  Caller holds gc_lock. */
static void take_queues(struct unix_sock *u, struct list *out)
{
	struct list *l;

	spin_lock(&u->lock);
	unix_queue_move(out, &u->queue);
	u->queued = 0;
	u->oob = NULL;
	list_for_each(l, &u->pending) {
		struct unix_sock *e = list_entry(l, struct unix_sock, plink);
		spin_lock(&e->lock);
		unix_queue_move(out, &e->queue);
		e->queued = 0;
		e->oob = NULL;
		spin_unlock(&e->lock);
	}
	spin_unlock(&u->lock);
}

/* Steps 1-4 of the header.  Caller holds gc_lock. */
static void find_garbage(struct list *hitlist)
{
	struct list *l, work;

	list_init(&work);
	list_for_each(l, &inflight_socks) {
		struct unix_sock *u = list_entry(l, struct unix_sock, gc_link);
		u->gc_refs = 0;
		u->gc_state = is_candidate(u) ? GC_CANDIDATE : GC_NONE;
	}
	list_for_each(l, &inflight_socks) {
		struct unix_sock *u = list_entry(l, struct unix_sock, gc_link);
		if (u->gc_state == GC_CANDIDATE)
			visit_children(u, count_ref, &work);
	}
	list_for_each(l, &inflight_socks) {
		struct unix_sock *u = list_entry(l, struct unix_sock, gc_link);
		if (u->gc_state == GC_CANDIDATE && u->gc_refs < u->inflight)
			mark_alive(u, &work);
	}
	while (!list_empty(&work)) {
		struct unix_sock *u = list_entry(work.next, struct unix_sock, gc_work);
		list_del(&u->gc_work);
		visit_children(u, mark_alive, &work);
	}
	list_for_each(l, &inflight_socks) {
		struct unix_sock *u = list_entry(l, struct unix_sock, gc_link);
		if (u->gc_state == GC_CANDIDATE)
			take_queues(u, hitlist);
		u->gc_state = GC_NONE;
	}
}

void unix_gc(void)
{
	struct list hitlist, *l, *n;

	list_init(&hitlist);
	spin_lock(&gc_lock);
	if (gc_running || list_empty(&inflight_socks)) {
		spin_unlock(&gc_lock);
		return;
	}
	gc_running = true;
	find_garbage(&hitlist);
	spin_unlock(&gc_lock);
	/* Freeing drops the files that held the cycles; their sockets' releases
	 * call here again and find gc_running. */
	list_for_each_safe(l, n, &hitlist) {
		list_del(l);
		unix_rec_free(list_entry(l, struct unix_rec, link));
	}
	spin_lock(&gc_lock);
	gc_running = false;
	spin_unlock(&gc_lock);
}
