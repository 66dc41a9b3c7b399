/* System V message queues: msgget, msgsnd, msgrcv, msgctl.
 *
 * As the semaphores (sys_sem.c): one lock, the table's, guards every
 * queue, and senders and receivers wait on one queue each, looking again
 * after any change; a queue removed under a waiter ends its wait with
 * EIDRM.  A queue holds at most msg_qbytes bytes, and as many messages,
 * as Linux counts them. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "core/waitq.h"
#include "linux/cred.h"
#include "linux/ipc.h"
#include "linux/process.h"
#include "linux/syscall.h"

#define MSGMAX		8192	/* Linux's defaults */
#define MSGMNB		16384
#define MSGMNI		32000
#define MSG_STAT	11
#define MSG_INFO	12
#define MSG_STAT_ANY	13
#define MSG_NOERROR	010000
#define MSG_EXCEPT	020000
#define MSG_COPY	040000

struct message {
	struct list link;
	int64_t type;
	size_t size;
	char text[];
};

struct msg_queue {
	struct ipc_object ipc;
	struct list messages;		/* struct message, oldest first */
	uint64_t cbytes, qnum, qbytes;
	int64_t stime, rtime;
	int lspid, lrpid;
};

struct msqid64_ds {
	struct ipc64_perm perm;
	int64_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	uint64_t unused4, unused5;
};

struct msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

static struct ipc_table queues = IPC_TABLE_INIT(queues, MSGMNI);
static struct waitq senders = WAITQ_INIT(senders), receivers = WAITQ_INIT(receivers);
static uint64_t messages_total, bytes_total;	/* under the table's lock */

static struct msg_queue *queue_of(struct ipc_object *o) { return (struct msg_queue *)o; }

/* ---- msgget ---------------------------------------------------------------- */

static long new_queue(int32_t key, int flags)
{
	struct msg_queue *q = kmalloc_program(sizeof *q);

	if (!q)
		return -ENOMEM;
	long err = ipc_add(&queues, &q->ipc, key, flags);
	if (err) {
		kfree(q);
		return err;
	}
	list_init(&q->messages);
	q->qbytes = MSGMNB;
	return q->ipc.id;
}

static long sys_msgget(const struct sysargs *a)
{
	int32_t key = (int32_t)a->a[0];
	int flags = (int)a->a[1];
	struct ipc_object *o;
	long r;

	mutex_lock(&queues.lock);
	if (key != IPC_PRIVATE && (o = ipc_find_key(&queues, key)))
		r = (flags & IPC_CREAT) && (flags & IPC_EXCL) ? -EEXIST
		    : ipc_may(o, flags) ? o->id : -EACCES;
	else if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
		r = -ENOENT;
	else
		r = new_queue(key, flags);
	mutex_unlock(&queues.lock);
	return r;
}

/* ---- waiting --------------------------------------------------------------- */

/* One look under the lock (step), then sleep on wq while it says 1, until
 * a signal (EINTR) or the queue goes (EIDRM). */
static long wait_for(struct waitq *wq, long (*step)(struct msg_queue *q, void *arg), int id,
		     void *arg)
{
	struct waiter w = { 0 };
	bool waited = false;
	long r;

	for (;;) {
		mutex_lock(&queues.lock);
		struct ipc_object *o = ipc_find_id(&queues, id);
		r = !o ? (waited ? -EIDRM : -EINVAL) : step(queue_of(o), arg);
		if (r == 1 && thread_signalled())
			r = -EINTR;
		if (r == 1)
			waitq_prepare(wq, &w);
		mutex_unlock(&queues.lock);
		if (r != 1)
			return r;
		waitq_sleep_interruptible(wq, &w, 0);
		waited = true;
	}
}

/* ---- msgsnd ---------------------------------------------------------------- */

struct send {
	struct message *m;
	int flags;
	bool checked;
};

static long send_step(struct msg_queue *q, void *arg)
{
	struct send *s = arg;

	if (!s->checked && !ipc_may(&q->ipc, 0222))
		return -EACCES;
	s->checked = true;
	if (q->cbytes + s->m->size > q->qbytes || q->qnum + 1 > q->qbytes)
		return s->flags & IPC_NOWAIT ? -EAGAIN : 1;
	list_add_tail(&q->messages, &s->m->link);
	q->cbytes += s->m->size;
	q->qnum++;
	q->lspid = process_current()->pid;
	q->stime = ipc_now();
	messages_total++;
	bytes_total += s->m->size;
	s->m = NULL;
	return 0;
}

/* Linux's order: the type's word, the size and id, the type, the text. */
static long sys_msgsnd(const struct sysargs *a)
{
	int id = (int)a->a[0], flags = (int)a->a[3];
	uint64_t umsg = a->a[1];
	int64_t size = (int64_t)a->a[2], type;

	if (copy_from_user(&type, umsg, sizeof type))
		return -EFAULT;
	if (size > MSGMAX || size < 0 || id < 0 || type < 1)
		return -EINVAL;
	struct send s = { .m = kmalloc_program(sizeof *s.m + (size_t)size), .flags = flags };
	if (!s.m)
		return -ENOMEM;
	s.m->type = type;
	s.m->size = (size_t)size;
	long r = copy_from_user(s.m->text, umsg + sizeof type, (size_t)size) ? -EFAULT
		 : wait_for(&senders, send_step, id, &s);
	kfree(s.m);	/* NULL once queued */
	if (!r)
		waitq_wake_all(&receivers);
	return r;
}

/* ---- msgrcv ---------------------------------------------------------------- */

struct receive {
	int64_t type;
	size_t size;
	int flags;
	bool checked;
	struct message *m;		/* taken off the queue (a copy for MSG_COPY) */
};

static bool type_matches(const struct message *m, int64_t type, int flags)
{
	if (type == 0)
		return true;
	if (type > 0)
		return (m->type == type) != ((flags & MSG_EXCEPT) != 0);
	return m->type <= -type;
}

/* The message msgrcv takes: the first of the type asked; for a negative
 * type, the first of the lowest type at most its size; for MSG_COPY, the
 * one at index `type`. */
static struct message *pick(struct msg_queue *q, const struct receive *r)
{
	struct message *best = NULL;
	int64_t index = 0;
	struct list *l;

	list_for_each(l, &q->messages) {
		struct message *m = list_entry(l, struct message, link);
		if (r->flags & MSG_COPY) {
			if (index++ == r->type)
				return m;
		} else if (type_matches(m, r->type, r->flags)) {
			if (r->type >= 0)
				return m;
			if (!best || m->type < best->type)
				best = m;
		}
	}
	return best;
}

static long receive_step(struct msg_queue *q, void *arg)
{
	struct receive *r = arg;

	if (!r->checked && !ipc_may(&q->ipc, 0444))
		return -EACCES;
	r->checked = true;
	struct message *m = pick(q, r);
	if (!m)
		return r->flags & (IPC_NOWAIT | MSG_COPY) ? -ENOMSG : 1;
	if (m->size > r->size && !(r->flags & MSG_NOERROR))
		return -E2BIG;
	if (r->flags & MSG_COPY) {
		if (!(r->m = kmalloc_program(sizeof *m + m->size)))
			return -ENOMEM;
		memcpy(r->m, m, sizeof *m + m->size);
		return 0;
	}
	list_del(&m->link);
	q->cbytes -= m->size;
	q->qnum--;
	q->lrpid = process_current()->pid;
	q->rtime = ipc_now();
	messages_total--;
	bytes_total -= m->size;
	r->m = m;
	return 0;
}

static long sys_msgrcv(const struct sysargs *a)
{
	int id = (int)a->a[0], flags = (int)a->a[4];
	uint64_t umsg = a->a[1];
	struct receive r = { .type = (int64_t)a->a[3], .size = a->a[2], .flags = flags };

	if (id < 0 || (int64_t)r.size < 0)
		return -EINVAL;
	if ((flags & MSG_COPY) && ((flags & MSG_EXCEPT) || !(flags & IPC_NOWAIT)))
		return -EINVAL;
	if (r.type == INT64_MIN && !(flags & MSG_COPY))
		r.type = -INT64_MAX;	/* Linux's reading: -LONG_MIN is no long, so any type */
	long err = wait_for(&receivers, receive_step, id, &r);
	if (err)
		return err;
	if (!(flags & MSG_COPY))
		waitq_wake_all(&senders);
	size_t n = r.m->size < r.size ? r.m->size : r.size;
	long got = copy_to_user(umsg, &r.m->type, sizeof r.m->type) ||
		   copy_to_user(umsg + sizeof r.m->type, r.m->text, n) ? -EFAULT : (long)n;
	kfree(r.m);	/* lost to a bad buffer, as on Linux */
	return got;
}

/* ---- msgctl ---------------------------------------------------------------- */

static long stat_out(struct ipc_object *o, uint64_t ubuf)
{
	struct msg_queue *q = queue_of(o);
	struct msqid64_ds ds = {
		.stime = q->stime, .rtime = q->rtime, .ctime = q->ipc.ctime, .cbytes = q->cbytes,
		.qnum = q->qnum, .qbytes = q->qbytes, .lspid = q->lspid, .lrpid = q->lrpid,
	};

	ipc_perm_of(&q->ipc, &ds.perm);
	return copy_to_user(ubuf, &ds, sizeof ds) ? -EFAULT : 0;
}

/* IPC_INFO gives the limits; MSG_INFO what is used (queues in msgpool,
 * messages in msgmap, bytes in msgtql).  Both return the highest slot. */
static long msg_info(int cmd, uint64_t ubuf)
{
	struct msginfo i = { .msgpool = MSGMNI * MSGMNB / 1024, .msgmap = MSGMNB,
			     .msgmax = MSGMAX, .msgmnb = MSGMNB, .msgmni = MSGMNI, .msgssz = 16,
			     .msgtql = MSGMNB, .msgseg = 0xffff };

	mutex_lock(&queues.lock);
	if (cmd == MSG_INFO) {
		i.msgpool = queues.used;
		i.msgmap = (int32_t)messages_total;
		i.msgtql = (int32_t)bytes_total;
	}
	long r = queues.highest < 0 ? 0 : queues.highest;
	mutex_unlock(&queues.lock);
	return copy_to_user(ubuf, &i, sizeof i) ? -EFAULT : r;
}

static void remove_queue(struct msg_queue *q)
{
	while (!list_empty(&q->messages)) {
		struct message *m = list_entry(q->messages.next, struct message, link);
		list_del(&m->link);
		bytes_total -= m->size;
		messages_total--;
		kfree(m);
	}
	ipc_remove(&queues, &q->ipc);
	kfree(q);
}

/* IPC_SET (a msg_qbytes above MSGMNB takes CAP_SYS_RESOURCE) and
 * IPC_RMID: the owner's or the creator's. */
static long msg_change(struct msg_queue *q, int cmd, const struct msqid64_ds *ds)
{
	if (!ipc_may_change(&q->ipc))
		return -EPERM;
	if (cmd == IPC_RMID) {
		remove_queue(q);
		return 0;
	}
	if (ds->qbytes > MSGMNB && !cred_capable(CAP_SYS_RESOURCE))
		return -EPERM;
	long err = ipc_set_perm(&q->ipc, &ds->perm);
	if (!err)
		q->qbytes = ds->qbytes;
	return err;
}

static long sys_msgctl(const struct sysargs *a)
{
	int id = (int)a->a[0], cmd = (int)a->a[1];
	uint64_t ubuf = a->a[2];
	struct msqid64_ds ds;

	if (id < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == IPC_INFO || cmd == MSG_INFO)
		return msg_info(cmd, ubuf);
	if (cmd == IPC_STAT || cmd == MSG_STAT || cmd == MSG_STAT_ANY)
		return ipc_stat(&queues, id, cmd != IPC_STAT, cmd == MSG_STAT_ANY, stat_out, ubuf);
	if (cmd != IPC_SET && cmd != IPC_RMID)
		return -EINVAL;
	if (cmd == IPC_SET && copy_from_user(&ds, ubuf, sizeof ds))
		return -EFAULT;
	mutex_lock(&queues.lock);
	struct ipc_object *o = ipc_find_id(&queues, id);
	long r = o ? msg_change(queue_of(o), cmd, &ds) : -EINVAL;
	mutex_unlock(&queues.lock);
	if (!r) {	/* a removed queue's waiters see EIDRM; a bigger one has room */
		waitq_wake_all(&senders);
		waitq_wake_all(&receivers);
	}
	return r;
}

static const struct syscall_entry msg_calls[] = {
	{ 68, sys_msgget },
	{ 69, sys_msgsnd },
	{ 70, sys_msgrcv },
	{ 71, sys_msgctl },
};

/* ---- /proc/sysvipc/msg ------------------------------------------------------ */

static void info_of(struct ipc_object *o, struct ipc_info *i)
{
	struct msg_queue *q = queue_of(o);

	i->msg.cbytes = q->cbytes;
	i->msg.qnum = q->qnum;
	i->msg.lspid = q->lspid;
	i->msg.lrpid = q->lrpid;
	i->msg.stime = q->stime;
	i->msg.rtime = q->rtime;
}

int msg_list(struct ipc_info *out, int max) { return ipc_list(&queues, out, max, info_of); }

SYSCALL_TABLE(msg_calls);
