/* POSIX message queues: the queue object (linux/mqueue.h says what it
 * promises).  One spinlock per queue guards its messages and waiters;
 * user memory is never touched under it: senders fill their message
 * before, receivers empty it after. */
#include "linux/mqueue.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/timer.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "linux/mqueue_internal.h"

/* What Linux charges per message slot: a struct msg_msg, and a tree
 * node per priority that may be used (x86_64 sizes). */
#define MSG_MSG_SIZE	48
#define TREE_NODE_SIZE	48

/* A thread waiting to send (msg: its message) or to receive (msg: what
 * it was handed).  done is set, under the queue's lock, by whoever
 * finished its operation for it; it is then off its list. */
struct mq_wait {
	struct list link;
	struct mq_msg *msg;
	bool done;
	struct waiter w;
};

/* ---- accounting ------------------------------------------------------------ */

/* Bytes charged per real user; an entry goes when it reaches 0. */
struct mq_user {
	struct list link;
	uint32_t uid;
	uint64_t bytes;
};

static struct spinlock users_lock = SPINLOCK_INIT;	/* guards users and queues */
static struct list users = LIST_INIT(users);
static int queues;					/* queues that exist */

static struct mq_user *user_find(uint32_t uid)
{
	struct list *l;

	list_for_each(l, &users) {
		struct mq_user *u = list_entry(l, struct mq_user, link);
		if (u->uid == uid)
			return u;
	}
	return NULL;
}

/* Linux's mqueue_get_inode: the queue's slots and bytes, or 0 when the
 * sum overflows (EOVERFLOW). */
static uint64_t charge_of(long maxmsg, long msgsize)
{
	uint64_t n = (uint64_t)maxmsg, size = (uint64_t)msgsize;
	uint64_t slots = n * MSG_MSG_SIZE + (n < MQ_PRIO_MAX ? n : MQ_PRIO_MAX) * TREE_NODE_SIZE;

	if (size > UINT64_MAX / n || n * size + slots < n * size)
		return 0;
	return n * size + slots;
}

/* Charges q to ruid; spare is a zeroed entry for a user not yet seen,
 * taken (*spare = NULL) if used. */
static long charge(struct mqueue *q, uint32_t ruid, uint64_t limit, bool capable,
		   struct mq_user **spare)
{
	spin_lock(&users_lock);
	struct mq_user *u = user_find(ruid);
	long err = !capable && queues >= MQ_QUEUES_MAX ? -ENOSPC : 0;
	uint64_t had = u ? u->bytes : 0;
	if (!err && (had + q->charge < had || had + q->charge > limit))
		err = -EMFILE;
	if (!err && !u) {
		u = *spare;
		*spare = NULL;
		u->uid = ruid;
		list_add_tail(&users, &u->link);
	}
	if (!err) {
		u->bytes += q->charge;
		queues++;	/* counted even past the bound, as Linux counts them */
		q->charged_uid = ruid;
	}
	spin_unlock(&users_lock);
	return err;
}

static void uncharge(struct mqueue *q)
{
	struct mq_user *gone = NULL;

	spin_lock(&users_lock);
	struct mq_user *u = user_find(q->charged_uid);
	u->bytes -= q->charge;
	if (!u->bytes) {
		list_del(&u->link);
		gone = u;
	}
	queues--;
	spin_unlock(&users_lock);
	kfree(gone);
}

/* ---- life ------------------------------------------------------------------ */

/* Linux's order: the number of queues, the bounds, the sum, the limit. */
static long check(long maxmsg, long msgsize, bool capable)
{
	spin_lock(&users_lock);
	bool full = !capable && queues >= MQ_QUEUES_MAX;
	spin_unlock(&users_lock);
	if (full)
		return -ENOSPC;
	if (maxmsg <= 0 || msgsize <= 0)
		return -EINVAL;
	if (capable ? maxmsg > MQ_HARD_MSGMAX || msgsize > MQ_HARD_MSGSIZEMAX
		    : maxmsg > MQ_MSG_MAX || msgsize > MQ_MSGSIZE_MAX)
		return -EINVAL;
	return charge_of(maxmsg, msgsize) ? 0 : -EOVERFLOW;
}

long mqueue_new(struct mqueue **out, long maxmsg, long msgsize, const struct mq_owner *o,
		uint32_t ruid, uint64_t limit, bool capable)
{
	long err = check(maxmsg, msgsize, capable);

	if (err)
		return err;
	struct mqueue *q = kmalloc_program(sizeof *q);
	struct mq_user *spare = kmalloc_program(sizeof *spare);
	err = q && spare ? 0 : -ENOMEM;
	if (!err) {
		q->charge = charge_of(maxmsg, msgsize);
		err = charge(q, ruid, limit, capable, &spare);
	}
	kfree(spare);
	if (err) {
		kfree(q);
		return err;
	}
	q->refs = 1;
	q->maxmsg = maxmsg;
	q->msgsize = msgsize;
	q->owner = *o;
	q->lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&q->msgs);
	list_init(&q->receivers);
	list_init(&q->senders);
	waitq_init(&q->sleepers);
	waitq_init(&q->pollers);
	*out = q;
	return 0;
}

void mqueue_get(struct mqueue *q) { __atomic_add_fetch(&q->refs, 1, __ATOMIC_RELAXED); }

void mqueue_put(struct mqueue *q)
{
	if (__atomic_sub_fetch(&q->refs, 1, __ATOMIC_ACQ_REL))
		return;
	while (!list_empty(&q->msgs)) {
		struct mq_msg *m = list_entry(q->msgs.next, struct mq_msg, link);
		list_del(&m->link);
		kfree(m);
	}
	mqueue_notify_drop(q);
	uncharge(q);
	kfree(q);
}

long mqueue_maxmsg(const struct mqueue *q) { return q->maxmsg; }
long mqueue_msgsize(const struct mqueue *q) { return q->msgsize; }
const struct mq_owner *mqueue_owner(const struct mqueue *q) { return &q->owner; }

long mqueue_curmsgs(struct mqueue *q)
{
	spin_lock(&q->lock);
	long n = q->curmsgs;
	spin_unlock(&q->lock);
	return n;
}

struct mq_msg *mqueue_msg_new(size_t len, uint32_t prio)
{
	struct mq_msg *m = kmalloc_program(sizeof *m + len);

	if (m) {
		m->len = len;
		m->prio = prio;
	}
	return m;
}

/* ---- the messages ---------------------------------------------------------- */

/* After the last message of its priority or higher: from the tail, so
 * the usual case (one priority) costs one step.  Caller holds q->lock. */
static void insert(struct mqueue *q, struct mq_msg *m)
{
	struct list *at = q->msgs.prev;

	while (at != &q->msgs && list_entry(at, struct mq_msg, link)->prio < m->prio)
		at = at->prev;
	list_add_head(at, &m->link);
	q->curmsgs++;
	q->qsize += m->len;
}

static struct mq_msg *take_first(struct mqueue *q)
{
	struct mq_msg *m = list_entry(q->msgs.next, struct mq_msg, link);

	list_del(&m->link);
	q->curmsgs--;
	q->qsize -= m->len;
	return m;
}

/* The longest waiter of list, done with msg (handed over, or taken into
 * the queue), woken.  Its wait ends under q->lock, so it is still there
 * to wake.  Caller holds q->lock. */
static struct mq_wait *finish_first(struct mqueue *q, struct list *list)
{
	if (list_empty(list))
		return NULL;
	struct mq_wait *w = list_entry(list->next, struct mq_wait, link);
	list_del(&w->link);
	w->done = true;
	waitq_wake_waiter(&q->sleepers, &w->w);
	return w;
}

/* Sleeps on list until done, a signal, or deadline: 0 when done.  Caller
 * holds q->lock, and holds it again on return. */
static long wait_on(struct mqueue *q, struct list *list, struct mq_wait *w, uint64_t deadline)
{
	list_add_tail(list, &w->link);
	for (;;) {
		long r = thread_signalled() ? -ERESTARTSYS
			 : deadline && clock_ns() >= deadline ? -ETIMEDOUT : 1;
		if (w->done)
			return 0;
		if (r != 1) {
			list_del(&w->link);
			return r;
		}
		waitq_prepare(&q->sleepers, &w->w);
		spin_unlock(&q->lock);
		waitq_sleep_interruptible(&q->sleepers, &w->w, deadline);
		spin_lock(&q->lock);
	}
}

long mqueue_send(struct mqueue *q, struct mq_msg *m, bool nonblock, uint64_t deadline)
{
	struct mq_wait w = { .msg = m };
	long r = 0;

	spin_lock(&q->lock);
	if (q->curmsgs >= q->maxmsg) {
		r = nonblock ? -EAGAIN : wait_on(q, &q->senders, &w, deadline);
	} else if (!list_empty(&q->receivers)) {
		list_entry(q->receivers.next, struct mq_wait, link)->msg = m;
		finish_first(q, &q->receivers);
	} else {
		insert(q, m);
		if (q->curmsgs == 1)
			mqueue_notify_fire(q);
	}
	spin_unlock(&q->lock);
	if (!r)
		waitq_wake_all(&q->pollers);
	return r;
}

long mqueue_receive(struct mqueue *q, struct mq_msg **m, bool nonblock, uint64_t deadline)
{
	struct mq_wait w = { 0 };
	long r = 0;

	spin_lock(&q->lock);
	if (!q->curmsgs) {
		r = nonblock ? -EAGAIN : wait_on(q, &q->receivers, &w, deadline);
		*m = w.msg;
	} else {
		*m = take_first(q);
		/* The room made goes to the sender that waited longest. */
		if (!list_empty(&q->senders))
			insert(q, finish_first(q, &q->senders)->msg);
	}
	spin_unlock(&q->lock);
	if (!r)
		waitq_wake_all(&q->pollers);
	return r;
}

/* ---- poll and read --------------------------------------------------------- */

unsigned mqueue_poll(struct mqueue *q, struct poll_table *pt)
{
	unsigned events = 0;

	poll_wait(pt, &q->pollers);
	spin_lock(&q->lock);
	if (q->curmsgs)
		events |= POLLIN | POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		events |= POLLOUT | POLLWRNORM;
	spin_unlock(&q->lock);
	return events;
}
